export { histogram } from './histogram';
export {
  thresholdOtsu, thresholdOtsuValue, thresholdYen, thresholdYenValue, thresholdTriangle, thresholdTriangleValue,
  thresholdMean, thresholdMeanValue, thresholdLi, thresholdLiValue, type LiOptions,
} from './automatic-thresholds';
