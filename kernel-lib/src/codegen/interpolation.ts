import { DType, computeType } from '../dtype';
import type { TransformMode } from '../validate/modes';
import { boundaryFn, boundaryFunction } from './boundary';
import { convertExpr } from './wgsl';
import { type BoundaryMode, type Boundary } from '../validate/modes';

/**
 * Sampling an image at continuous coordinates, as scipy.ndimage's geometric transforms do
 * (`affine_transform`, `map_coordinates`, `rotate`, `shift`, `zoom` with order 0 or 1).
 *
 * Convention: pixel centres sit at integer coordinates (pixel k spans [k - 0.5, k + 0.5]);
 * coordinates are (x, y, z) in the generated code. Boundary modes follow scipy.ndimage
 * exactly (checked against scipy 1.16 for orders 0 and 1, all modes, extents 1 to 6):
 *
 * | mode | outside the image |
 * |---|---|
 * | `constant` | cval for any coordinate outside [0, n - 1] (no interpolation towards cval) |
 * | `grid-constant` | taps outside [0, n) read cval and are interpolated with the rest (pyclesperanto / OpenCL `CLK_ADDRESS_CLAMP`) |
 * | `nearest` | the edge pixel |
 * | `reflect` = `grid-mirror` | reflected about the pixel edges (d c b a \| a b c d \| d c b a) |
 * | `mirror` | reflected about the edge pixel centres (d c b \| a b c d \| c b a) |
 * | `grid-wrap` | periodic with period n |
 * | `wrap` | scipy's legacy wrap: the coordinate is wrapped with period n - 1 |
 *
 * Order 0 rounds with floor(p + 0.5); at exact .5 ties scipy can round the other way after
 * mapping a coordinate back into the image (reflect, mirror), so order 0 agrees with scipy
 * except at exact ties.
 */
/** Nearest-neighbour (scipy order 0) or (bi/tri)linear (scipy order 1) interpolation. */
export type Interpolation = 'nearest' | 'linear';

/**
 * How integer tap positions are mapped, with the neighbourhood filters' boundary functions
 * (codegen/boundary.ts): scipy's interpolation modes on integer positions are the filter
 * modes ('grid-constant' = filter 'constant' returning -1 outside, 'grid-wrap' = filter
 * 'wrap'); 'constant' and legacy 'wrap' handle the coordinate first and then clamp.
 */
const TAP_MODE: Record<TransformMode, BoundaryMode> = {
  constant: 'nearest', 'grid-constant': 'constant', nearest: 'nearest', reflect: 'reflect',
  'grid-mirror': 'reflect', mirror: 'mirror', wrap: 'nearest', 'grid-wrap': 'wrap',
};

/**
 * WGSL `fn <prefix>coord(p: f32, n: i32) -> f32`: the coordinate before taps are taken.
 * Only scipy's legacy 'wrap' maps coordinates (period n - 1, as scipy's map_coordinate);
 * coordinates are clamped to ±2^23 so that integer conversions stay defined.
 */
function coordFn(prefix: string, mode: TransformMode): string {
  const clampP = 'let q = clamp(p, -8388608.0, 8388608.0);';
  if (mode !== 'wrap') return `fn ${prefix}coord(p: f32, n: i32) -> f32 { ${clampP} return q; }`;
  return `fn ${prefix}coord(p: f32, n: i32) -> f32 {
  ${clampP}
  if (n == 1) { return 0.0; }
  let sz = f32(n - 1);
  if (q < 0.0) { return q + sz * (trunc(-q / sz) + 1.0); }
  if (q > sz) { return q - sz * trunc(q / sz); }
  return q;
}`;
}

export interface SamplerSpec {
  /** Input name in the pixel program (the sampler reads it with `at_<name>` / `load_<name>`). */
  name: string;
  dtype: DType;
  /** 2: (x, y) per plane; 3: (x, y, z). */
  dims: 2 | 3;
  interpolation: Interpolation;
  mode: TransformMode;
  /** WGSL expression of the fill value as f32 (e.g. a uniform `P.cval`). */
  cval: string;
  /**
   * dims 2 only: sample in plane `i32(p.z)` (an index inside the image) instead of plane 0, for
   * 3D images transformed plane by plane.
   */
  planeFromZ?: boolean;
}

/**
 * WGSL helpers defining `fn sample_<name>(p: vec3<f32>, w: i32) -> T`: the value of input
 * `<name>` at continuous position `p` (x, y, z; z ignored for dims 2) of plane/volume `w`
 * (the 4th coordinate). T is f32 for linear interpolation and the input's compute type for
 * nearest (so integer pixels are copied exactly). Linear reads 4 (2D) or 8 (3D) taps. Only
 * for 2D/3D images: the linear path addresses plane w = 0 (and, for dims 2, plane 0 or `planeFromZ`).
 * Use inside a PixelProgram with `helpers`; the code changes with dims, interpolation, mode
 * and dtype, all of which belong in the cache key (dtype already does).
 */
export function samplerWgsl(s: SamplerSpec): string {
  const pre = `${s.name}_`;
  // (One sampler per shader: the boundary helper bnd_<mode> is not prefixed.)
  const axes = s.dims === 3 ? ['x', 'y', 'z'] : ['x', 'y'];
  const shape = (a: string) => `i32(P.${s.name}_shape.${a})`;
  const T = computeType(s.dtype);
  const bnd = TAP_MODE[s.mode];
  const tap = boundaryFn(bnd);
  const helpers = [boundaryFunction(bnd), coordFn(pre, s.mode)];
  const lines: string[] = [];
  // scipy 'constant': any coordinate outside [0, n - 1] gives cval.
  const outside = axes.map((a) => `p.${a} < 0.0 || p.${a} > f32(${shape(a)} - 1)`).join(' || ');
  if (s.mode === 'constant') {
    lines.push(`if (${outside}) { return ${s.interpolation === 'linear' ? s.cval : convertExpr(s.cval, 'f32', s.dtype)}; }`);
  }
  const gridConstant = s.mode === 'grid-constant';
  if (s.interpolation === 'nearest') {
    for (const a of axes) {
      lines.push(`let r${a} = i32(floor(${pre}coord(p.${a}, ${shape(a)}) + 0.5));`);
      lines.push(`let i${a} = ${tap}(r${a}, ${shape(a)});`);
    }
    const z = s.dims === 3 ? 'iz' : s.planeFromZ ? 'i32(p.z)' : '0';
    const read = `at_${s.name}(vec4<i32>(ix, iy, ${z}, w))`;
    if (gridConstant) {
      const inside = axes.map((a) => `i${a} >= 0`).join(' && ');
      lines.push(`if (!(${inside})) { return ${convertExpr(s.cval, 'f32', s.dtype)}; }`);
    }
    lines.push(`return ${read};`);
    return `${helpers.join('\n')}
fn sample_${s.name}(p: vec3<f32>, w: i32) -> ${T} {
  ${lines.join('\n  ')}
}`;
  }
  // Linear: per axis two taps (mapped indices) and two weights; taps outside the image
  // (grid-constant only) get weight 0 and their share goes to cval.
  for (const a of axes) {
    lines.push(`let q${a} = ${pre}coord(p.${a}, ${shape(a)});`);
    lines.push(`let f${a} = floor(q${a}); let t${a} = q${a} - f${a}; let k${a} = i32(f${a});`);
    if (gridConstant) {
      // Taps outside read index 0 with weight 0.
      lines.push(`let m${a} = ${tap}(k${a}, ${shape(a)}); let n${a} = ${tap}(k${a} + 1, ${shape(a)});`);
      lines.push(`let a${a} = max(m${a}, 0); let b${a} = max(n${a}, 0);`);
      lines.push(`let u${a} = select(0.0, 1.0 - t${a}, m${a} >= 0); let v${a} = select(0.0, t${a}, n${a} >= 0);`);
    } else {
      lines.push(`let a${a} = ${tap}(k${a}, ${shape(a)}); let b${a} = ${tap}(k${a} + 1, ${shape(a)});`);
      lines.push(`let u${a} = 1.0 - t${a}; let v${a} = t${a};`);
    }
  }
  // Row offsets once, then one add per tap (the 4th coordinate w is 0 for 2D/3D images).
  const read = (row: string, x: string) => `f32(load_${s.name}(${row} + u32(${x})))`;
  lines.push(`let sx = P.${s.name}_shape.x;`);
  if (s.dims === 2) {
    const plane = s.planeFromZ ? `u32(p.z) * P.${s.name}_shape.y * sx + ` : '';
    lines.push(`let r0 = ${plane}u32(ay) * sx; let r1 = ${plane}u32(by) * sx;`);
    lines.push(`let row0 = uy * (ux * ${read('r0', 'ax')} + vx * ${read('r0', 'bx')});`);
    lines.push(`let row1 = vy * (ux * ${read('r1', 'ax')} + vx * ${read('r1', 'bx')});`);
    lines.push('var v = row0 + row1;');
  } else {
    lines.push(`let sy = P.${s.name}_shape.y;`);
    lines.push('let r00 = (u32(az) * sy + u32(ay)) * sx; let r01 = (u32(az) * sy + u32(by)) * sx; let r10 = (u32(bz) * sy + u32(ay)) * sx; let r11 = (u32(bz) * sy + u32(by)) * sx;');
    const plane = (ra: string, rb: string) =>
      `uy * (ux * ${read(ra, 'ax')} + vx * ${read(ra, 'bx')}) + vy * (ux * ${read(rb, 'ax')} + vx * ${read(rb, 'bx')})`;
    lines.push(`let plane0 = uz * (${plane('r00', 'r01')});`);
    lines.push(`let plane1 = vz * (${plane('r10', 'r11')});`);
    lines.push('var v = plane0 + plane1;');
  }
  if (gridConstant) {
    const inside = axes.map((a) => `(u${a} + v${a})`).join(' * ');
    lines.push(`v += ${s.cval} * (1.0 - ${inside});`);
  }
  lines.push('return v;');
  return `${helpers.join('\n')}
fn sample_${s.name}(p: vec3<f32>, w: i32) -> f32 {
  ${lines.join('\n  ')}
}`;
}
