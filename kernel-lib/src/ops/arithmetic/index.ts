export { addImagesWeighted } from './add-images-weighted';
export { addImageAndScalar, multiplyImageAndScalar } from './scalar-arithmetic';
