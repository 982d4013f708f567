/** The tiling planner's geometry: boxes, chunk grids, and which tiles cover an array (planTiles). */
export { ChunkGrid, type Box } from './box';
export { planTiles, tileNumberAt, type PlanOptions, type Tile, type TilePlan } from './tiles';
