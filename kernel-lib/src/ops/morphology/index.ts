export { erodeBox, erodeSphere, dilateBox, dilateSphere, binaryErode, binaryDilate } from './binary-erode-dilate';
export { grayscaleErode, grayscaleDilate } from './grayscale';
export {
  openingBox, openingSphere, closingBox, closingSphere, grayscaleOpening, grayscaleClosing, binaryOpening, binaryClosing,
} from './opening-closing';
export { binaryFillHoles } from './binary-fill-holes';
export { skeletonize } from './skeletonize';
