export {
  maximumZProjection, maximumYProjection, maximumXProjection,
  minimumZProjection, minimumYProjection, minimumXProjection,
  sumZProjection, sumYProjection, sumXProjection,
  meanZProjection, meanYProjection, meanXProjection,
  stdZProjection, stdYProjection, stdXProjection,
  zPositionOfMaximumZProjection, zPositionOfMinimumZProjection,
  yPositionOfMaximumYProjection, yPositionOfMinimumYProjection,
  xPositionOfMaximumXProjection, xPositionOfMinimumXProjection,
  argMaximumZProjection, argMinimumZProjection, zPositionProjection,
} from './projections';
