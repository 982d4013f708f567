/** The tiling planner: what a pipeline needs (analysePipeline) and which tiles cover an array (planTiles). */
export { analysePipeline, type Pipeline, type PipelineAnalysis } from './pipeline';
export { planTiles, type PlanOptions, type Tile, type TilePlan } from './tiles';
