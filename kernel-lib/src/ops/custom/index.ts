export { elementwiseKernel, type ElementwiseKernel, type ElementwiseKernelOptions } from './elementwise-kernel';
export { neighbourhoodKernel, type NeighbourhoodKernel, type NeighbourhoodKernelSpec } from './neighbourhood-kernel';
export type { KernelParamSpec } from './user-kernel';
