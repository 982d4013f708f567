// Synthetic sample data with known ground truth, for notebooks, tests and benchmarks (no downloads).
export { blobs, type Blob, type Blobs, type BlobsOptions } from './blobs';
export { gradient, type GradientOptions } from './gradient';
