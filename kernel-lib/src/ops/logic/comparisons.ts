import { computeType, dtypeRange } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { commonComputeType, elementwise } from '../../codegen/elementwise';
import { checkImage, checkImagePair, checkNumber } from '../../validate/arguments';
import { type OpInfo, defineOp, image, number } from '../op';

/**
 * Pixelwise comparisons. Result: a binary image, uint8 holding 0 or 1 (pyclesperanto keeps
 * the input's dtype; Tessera's binary images are always uint8, as numpy's bool).
 *
 * Exactness: two images compare in their common type (exact for equal dtypes and any mix of
 * integer types except uint32 with a signed type, which compare in float32). An integer image
 * compares with a constant exactly, as numpy does (`x > 7.5` is `x >= 8`); a float32 image
 * compares with the constant rounded to float32 (numpy's rule for Python floats).
 */
type Relation = '>' | '>=' | '<' | '<=' | '==' | '!=';

function compareImages(fn: string, rel: Relation, input0: GpuImage, input1: GpuImage): GpuImage {
  const [a, b] = checkImagePair(fn, input0, input1);
  return elementwise({
    op: fn,
    inputs: [a, b],
    output: 'uint8',
    compute: commonComputeType(a.dtype, b.dtype),
    result: 'u32',
    expr: `select(0u, 1u, a ${rel} b)`,
  });
}

/** A constant 0/1 binary image shaped like `input` (for constants outside an integer dtype's range). */
function constantBinary(fn: string, input: GpuImage, value: 0 | 1): GpuImage {
  return elementwise({ op: `${fn}Constant`, inputs: [input], output: 'uint8', compute: 'u32', result: 'u32', expr: `${value}u` });
}

function compareConstant(fn: string, rel: Relation, input: GpuImage, s: number): GpuImage {
  checkImage(input, `${fn}: input`);
  checkNumber(s, `${fn}: scalar`);
  const t = computeType(input.dtype);
  const run = (value: number, r: Relation = rel) =>
    elementwise({
      op: fn,
      inputs: [input],
      output: 'uint8',
      compute: t,
      result: 'u32',
      scalars: { s: { type: t, value } },
      expr: `select(0u, 1u, a ${r} P.s)`,
    });
  if (t === 'f32') return run(s);
  // Integer x against real s, exactly: x > s <=> x > floor(s); x >= s <=> x >= ceil(s); ...
  const [lo, hi] = dtypeRange(input.dtype);
  switch (rel) {
    case '>': {
      const k = Math.floor(s);
      return k < lo ? constantBinary(fn, input, 1) : k >= hi ? constantBinary(fn, input, 0) : run(k);
    }
    case '>=': {
      const k = Math.ceil(s);
      return k <= lo ? constantBinary(fn, input, 1) : k > hi ? constantBinary(fn, input, 0) : run(k);
    }
    case '<': {
      const k = Math.ceil(s);
      return k > hi ? constantBinary(fn, input, 1) : k <= lo ? constantBinary(fn, input, 0) : run(k);
    }
    case '<=': {
      const k = Math.floor(s);
      return k >= hi ? constantBinary(fn, input, 1) : k < lo ? constantBinary(fn, input, 0) : run(k);
    }
    case '==':
    case '!=': {
      const representable = Number.isInteger(s) && s >= lo && s <= hi;
      if (!representable) return constantBinary(fn, input, rel === '==' ? 0 : 1);
      return run(s);
    }
  }
}

/** The metadata of the comparisons: a 0/1 uint8 image, pointwise. */
const PAIR: OpInfo = { params: [image('input0'), image('input1')], output: 'uint8', tiling: 'pointwise' };
const WITH_CONSTANT: OpInfo = { params: [image(), number('scalar', 0)], output: 'uint8', tiling: 'pointwise' };

/** 1 where `input0 > input1`. pyclesperanto: `greater`; numpy: `a > b`. */
export const greater = defineOp(PAIR, function greater(input0: GpuImage, input1: GpuImage): GpuImage {
  return compareImages('greater', '>', input0, input1);
});

/** 1 where `input0 >= input1`. pyclesperanto: `greater_or_equal`; numpy: `a >= b`. */
export const greaterOrEqual = defineOp(PAIR, function greaterOrEqual(input0: GpuImage, input1: GpuImage): GpuImage {
  return compareImages('greaterOrEqual', '>=', input0, input1);
});

/** 1 where `input0 < input1`. pyclesperanto: `smaller`; numpy: `a < b`. */
export const smaller = defineOp(PAIR, function smaller(input0: GpuImage, input1: GpuImage): GpuImage {
  return compareImages('smaller', '<', input0, input1);
});

/** 1 where `input0 <= input1`. pyclesperanto: `smaller_or_equal`; numpy: `a <= b`. */
export const smallerOrEqual = defineOp(PAIR, function smallerOrEqual(input0: GpuImage, input1: GpuImage): GpuImage {
  return compareImages('smallerOrEqual', '<=', input0, input1);
});

/** 1 where `input0 == input1`. pyclesperanto: `equal`; numpy: `a == b`. */
export const equal = defineOp(PAIR, function equal(input0: GpuImage, input1: GpuImage): GpuImage {
  return compareImages('equal', '==', input0, input1);
});

/** 1 where `input0 != input1`. pyclesperanto: `not_equal`; numpy: `a != b`. */
export const notEqual = defineOp(PAIR, function notEqual(input0: GpuImage, input1: GpuImage): GpuImage {
  return compareImages('notEqual', '!=', input0, input1);
});

/**
 * 1 where `input > scalar`: the fixed threshold (pyclesperanto has no separate `threshold`).
 * pyclesperanto: `greater_constant`; numpy: `a > scalar`.
 */
export const greaterConstant = defineOp(WITH_CONSTANT, function greaterConstant(input: GpuImage, scalar = 0): GpuImage {
  return compareConstant('greaterConstant', '>', input, scalar);
});

/** 1 where `input >= scalar`. pyclesperanto: `greater_or_equal_constant`; numpy: `a >= scalar`. */
export const greaterOrEqualConstant = defineOp(WITH_CONSTANT, function greaterOrEqualConstant(input: GpuImage, scalar = 0): GpuImage {
  return compareConstant('greaterOrEqualConstant', '>=', input, scalar);
});

/** 1 where `input < scalar`. pyclesperanto: `smaller_constant`; numpy: `a < scalar`. */
export const smallerConstant = defineOp(WITH_CONSTANT, function smallerConstant(input: GpuImage, scalar = 0): GpuImage {
  return compareConstant('smallerConstant', '<', input, scalar);
});

/** 1 where `input <= scalar`. pyclesperanto: `smaller_or_equal_constant`; numpy: `a <= scalar`. */
export const smallerOrEqualConstant = defineOp(WITH_CONSTANT, function smallerOrEqualConstant(input: GpuImage, scalar = 0): GpuImage {
  return compareConstant('smallerOrEqualConstant', '<=', input, scalar);
});

/** 1 where `input == scalar`. pyclesperanto: `equal_constant`; numpy: `a == scalar`. */
export const equalConstant = defineOp(WITH_CONSTANT, function equalConstant(input: GpuImage, scalar = 0): GpuImage {
  return compareConstant('equalConstant', '==', input, scalar);
});

/** 1 where `input != scalar`. pyclesperanto: `not_equal_constant`; numpy: `a != scalar`. */
export const notEqualConstant = defineOp(WITH_CONSTANT, function notEqualConstant(input: GpuImage, scalar = 0): GpuImage {
  return compareConstant('notEqualConstant', '!=', input, scalar);
});
