export { connectedComponentsLabeling } from './connected-components';
export {
  relabelSequential, excludeLabelsOnEdges, excludeLabelsOutsideSizeRange, excludeSmallLabels, excludeLargeLabels,
} from './relabel';
export { detectMaxima, type DetectMaximaOptions } from './maxima';
export { labelToMask, reduceLabelsToLabelEdges, dilateLabels, erodeLabels } from './morphology';
export {
  extendLabelingViaVoronoi, voronoiLabeling, maskedVoronoiLabeling, voronoiOtsuLabeling, gaussOtsuLabeling,
} from './voronoi';
export { mergeTouchingLabels } from './merge';
export { reduceLabelsToCentroids } from './centroids';
export { watershed } from './watershed';
