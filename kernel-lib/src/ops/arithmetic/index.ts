export { addImagesWeighted } from './add-images-weighted';
export {
  addImageAndScalar, multiplyImageAndScalar, subtractImageFromScalar, divideScalarByImage, power,
  maximumImageAndScalar, minimumImageAndScalar,
} from './scalar-arithmetic';
export {
  addImages, subtractImages, multiplyImages, divideImages, powerImages, moduloImages,
  maximumImages, minimumImages, absoluteDifference, squaredDifference,
} from './image-arithmetic';
export {
  absolute, squareRoot, cubicRoot, square, reciprocal, exponential, exponential2, exponential10,
  logarithm, logarithm2, logarithm10, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
  ceil, floor, round, truncate, sign, invert, degreesToRadians, radiansToDegrees,
} from './math-functions';
export { clip } from './clip';
export { replaceValue, nanToNum, undefinedToZero } from './replace-value';
export { convert, type ConvertOptions } from './convert';
export { multiplyImageAndPosition } from './multiply-image-and-position';
export { gammaCorrection } from './gamma-correction';
export {
  set, setColumn, setRow, setPlane, setImageBorders, setWhereXEqualsY, setWhereXGreaterThanY, setWhereXSmallerThanY,
  setRampX, setRampY, setRampZ, setNonzeroPixelsToPixelindex,
} from './set-operations';
