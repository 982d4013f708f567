export { connectedComponentsLabeling } from './connected-components';
export {
  relabelSequential, excludeLabelsOnEdges, excludeLabelsOutsideSizeRange, excludeSmallLabels, excludeLargeLabels,
} from './relabel';
