export { minimumOfAllPixels, maximumOfAllPixels, sumOfAllPixels } from './all-pixels';
export {
  meanOfAllPixels, varianceOfAllPixels, standardDeviationOfAllPixels, statisticsOfAllPixels, statisticsOfSlices,
  minimumOfMaskedPixels, maximumOfMaskedPixels, meanOfMaskedPixels, meanSquaredError, arrayEqual,
  type PixelStatistics, type SliceStatistics,
} from './statistics';
export { describe } from './describe';
