// Neighbour graphs and meshes: touch and distance matrices, pointlists, meshes, neighbour maps.
export { generateTouchMatrix, countTouchingNeighbors, neighborsOfNeighbors } from './touch-matrix';
export { generateDistanceMatrix, nClosestPoints, averageDistanceOfNClosestPoints, averageDistanceOfTouchingNeighbors } from './distance-matrix';
export { labelledSpotsToPointlist, pointlistToLabelledSpots, labelSpots, spotsToPointlist } from './pointlists';
export { touchMatrixToMesh, pointIndexListToMesh, drawMeshBetweenTouchingLabels, drawMeshBetweenNClosestLabels } from './mesh';
export { touchingNeighborCountMap, averageNeighborDistanceMap, averageDistanceOfNClosestNeighborsMap } from './maps';
