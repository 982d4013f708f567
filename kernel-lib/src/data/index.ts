// Synthetic sample data with known ground truth, for notebooks, tests and benchmarks (no downloads).
export { blobs, type Blob, type Blobs, type BlobsOptions } from './blobs';
export { gradient, type GradientOptions } from './gradient';
export { syntheticNuclei, type SyntheticNuclei, type SyntheticNucleiOptions } from './synthetic-nuclei';
export { syntheticEmbryo, type SyntheticEmbryo, type SyntheticEmbryoOptions } from './synthetic-embryo';
