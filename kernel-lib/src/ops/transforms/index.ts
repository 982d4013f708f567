export { crop } from './crop';
export { copySlice } from './copy-slice';
