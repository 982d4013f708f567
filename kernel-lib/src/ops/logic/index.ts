export { greaterConstant } from './greater-constant';
export { binaryAnd } from './binary-and';
