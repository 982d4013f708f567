/** Running pipelines over data larger than one GPU binding, the GPU, the host or one machine. */
export { analysePipeline, type Pipeline, type PipelineAnalysis } from './analyse';
export { tiled, planJob, type TiledOptions, type TiledStats } from './tiled';
export { type PipelineModule, type PipelineLike } from './pipeline';
export { setNotebookDisplay, type ProgressDisplayMode } from './progress';
