// Neighbour graphs and meshes: touch and distance matrices, pointlists, meshes, neighbour maps.
export { generateTouchMatrix, countTouchingNeighbors, neighborsOfNeighbors } from './touch-matrix';
export { generateDistanceMatrix, nClosestPoints, averageDistanceOfNClosestPoints, averageDistanceOfTouchingNeighbors, generateProximalNeighborsMatrix } from './distance-matrix';
export { labelledSpotsToPointlist, pointlistToLabelledSpots, labelSpots, spotsToPointlist } from './pointlists';
export { touchMatrixToMesh, pointIndexListToMesh, drawMeshBetweenTouchingLabels, drawMeshBetweenNClosestLabels, drawMeshBetweenProximalLabels, type MeshOptions, type ProximalMeshOptions } from './mesh';
export { touchingNeighborCountMap, averageNeighborDistanceMap, averageDistanceOfNClosestNeighborsMap } from './maps';
export type { LabelSubset, LabelIds } from '../../validate/neighbours';
