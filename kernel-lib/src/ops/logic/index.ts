export {
  greater, greaterOrEqual, smaller, smallerOrEqual, equal, notEqual,
  greaterConstant, greaterOrEqualConstant, smallerConstant, smallerOrEqualConstant, equalConstant, notEqualConstant,
} from './comparisons';
export { binaryAnd, binaryOr, binaryXor, binarySubtract, binaryNot } from './binary-operations';
export { mask, maskLabel } from './mask';
