/** Running pipelines over data larger than one GPU binding, the GPU, the host or one machine. */
export { analysePipeline, type Pipeline, type PipelineAnalysis } from './analyse';
export { tiled, planJob, type TiledOptions, type TiledStats } from './tiled';
export { type PipelineModule, type PipelineLike } from './pipeline';
export { setNotebookDisplay, type ProgressDisplayMode } from './progress';
export { mapTimepoints, type MapTimepointsOptions } from './time-lapse';
export { tiledStatistics, tiledThresholdOtsu, tiledThresholdOtsuValue } from './reductions';
export { tiledConnectedComponentsLabeling, type Connectivity, type LabelingOptions } from './labeling';
export { tiledLabelStatistics, type LabelStatistics } from './label-statistics';
export { type GlobalOptions } from './tile-visits';
export { type SlurmOptions } from './slurm';
