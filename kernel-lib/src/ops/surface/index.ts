// Surface and sub-surface labels by ray casting, and the merged surface / sub-surface mesh (docs/surface.md).
export { surfaceLabels, classifySurfaceLabels, type SurfaceOptions, type ClassifyOptions, type SurfaceLabels, type SurfaceClassification } from './surface-labels';
export { mergeMeshes } from './merge-meshes';
