/** Running pipelines over data larger than one GPU binding, the GPU, the host or one machine. */
export { analysePipeline, type Pipeline, type PipelineAnalysis } from './analyse';
