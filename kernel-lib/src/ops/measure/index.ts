export { statisticsOfLabelledPixels, statisticsOfBackgroundAndLabelledPixels, centroidsOfLabels } from './statistics';
export { STATISTICS_COLUMNS, type StatisticsTable, type StatisticsColumn } from './derive';
export type { LabelTable, LabelTableMethods, Column } from './label-table';
export {
  labelPixelCountMap, meanIntensityMap, minimumIntensityMap, maximumIntensityMap, standardDeviationIntensityMap,
  meanExtensionMap, maximumExtensionMap, extensionRatioMap, parametricMap,
} from './maps';
