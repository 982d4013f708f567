import { ComputeType, DType, computeType, pixelsPerWord } from '../dtype';
import type { GpuImage } from '../array/gpu-image';
import { create } from '../array/transfer';
import { KernelSpec, UniformField, dispatch, kernelFor } from '../gpu/kernel';
import type { BoundaryMode } from '../validate/modes';
import { boundaryFunction } from './boundary';
import { constantTable } from './constants';
import { runPixelProgram, xyzt } from './program';
import { identity } from './snippets';
import { convertExpr, loader, packBits, storageElement } from './wgsl';

/**
 * Separable filters as a chain of 1-D passes along x, y or z (scipy.ndimage's
 * `correlate1d` / `uniform_filter1d` / `minimum_filter1d` applied axis by axis, as CuPy does).
 *
 * - Each pass reduces a line of 2r+1 pixels: weights (correlation), sum, min or max, with the
 *   boundary mode applied to the pass's own input (as scipy pads every 1-D pass).
 * - Intermediate results ping-pong between two unpacked 32-bit images of the value type
 *   (f32 for weights and sums; the input's compute type for min/max, so those stay exact);
 *   when the output has that layout it serves as one of the two, so one temporary suffices.
 * - The first pass reads the input dtype (packed or not) through an optional `prologue`; the
 *   last pass applies an optional `epilogue` (e.g. divide by the count, subtract from the
 *   input) and converts to the output dtype with saturation, packing 8/16-bit words.
 * - y and z passes let each thread compute PER outputs down its column from one sliding
 *   window of PER + 2r reads, neighbouring threads reading neighbouring x (coalesced); x
 *   passes read each tap directly (coalesced, the L1 cache serves the overlap; a workgroup-
 *   memory tile with halo measured slower on an H100, see xPassSource).
 */
export type Axis = 0 | 1 | 2;

export type LineReduce =
  | { kind: 'weights'; weights: ArrayLike<number> }
  | { kind: 'sum' }
  | { kind: 'min' }
  | { kind: 'max' };

export interface LinePass {
  /** 0 = x, 1 = y, 2 = z. */
  axis: Axis;
  radius: number;
  reduce: LineReduce;
  /** Outside value for mode 'constant' in this pass, if not the program's `cval` (e.g. a sum pass after another sum pass reads cval × the first window). */
  cval?: number;
}

export interface Epilogue {
  /** WGSL expression of `v` (the value type) and `i` (u32 linear index); may call `load_e(i)` and read `P.<scalar>`. */
  expr: string;
  /** The type `expr` yields; converted with saturation to the output dtype. */
  type: ComputeType;
  /** An extra image read as `load_e(i)` (same size as the output). */
  image?: GpuImage;
  scalars?: Record<string, { type: ComputeType; value: number }>;
}

export interface SeparableProgram {
  /** Operation name, for labels and profiles. */
  op: string;
  input: GpuImage;
  output: GpuImage;
  /** Passes in execution order; passes of radius 0 are skipped. */
  passes: LinePass[];
  mode: BoundaryMode;
  /** The value outside the image for mode 'constant', in the value type. */
  cval: number;
  /** Type of the values the passes combine. */
  valueType: ComputeType;
  /** WGSL expression of `x` (the input's compute type) giving the value type; default a plain conversion. */
  prologue?: string;
  epilogue?: Epilogue;
}

const WG = 256;
/** Outputs per thread in y and z passes (measured on an H100: 8 beat 1, 2, 4 and 16). */
const PER = 8;

const TEMP_DTYPE: Record<ComputeType, DType> = { f32: 'float32', i32: 'int32', u32: 'uint32' };

function initExpr(kind: LineReduce['kind'], t: ComputeType): string {
  return kind === 'min' || kind === 'max' ? identity(kind, t) : `${t}(0)`;
}

function combineExpr(kind: LineReduce['kind'], acc: string, v: string, widx: string): string {
  switch (kind) {
    case 'weights':
      return `${acc} + load_w(${widx}) * ${v}`;
    case 'sum':
      return `${acc} + ${v}`;
    default:
      return `${kind}(${acc}, ${v})`;
  }
}

/** What a kernel reading `src` and writing `dst` depends on: part of its cache key (the passes', the one-pass box's). */
interface StageCode {
  src: DType;
  dst: DType;
  vt: ComputeType;
  /** Prologue expression when this kernel reads the input. */
  prologue?: string;
  /** Epilogue code when this kernel writes the output. */
  epilogue?: { expr: string; type: ComputeType; image?: DType; scalars: Array<[string, ComputeType]> };
  mode: BoundaryMode;
}

/** The code-relevant part of an epilogue (its scalars' types, not their values). */
function epilogueCode(epi: Epilogue | undefined): StageCode['epilogue'] {
  return epi && { expr: epi.expr, type: epi.type, image: epi.image?.dtype, scalars: Object.entries(epi.scalars ?? {}).map(([name, sc]) => [name, sc.type]) };
}

/** WGSL `fn finish(v, i)`: the epilogue applied to a combined value `v` of output pixel `i` (or `v` itself). */
function finishFn(c: StageCode): string {
  return c.epilogue
    ? `fn finish(v: ${c.vt}, i: u32) -> ${c.epilogue.type} { return ${c.epilogue.expr}; }`
    : `fn finish(v: ${c.vt}, i: u32) -> ${c.vt} { return v; }`;
}

/** The epilogue's scalars as uniform fields. */
const epilogueUniforms = (c: StageCode): UniformField[] => (c.epilogue?.scalars ?? []).map(([name, type]) => ({ name, type }));

/** What one pass's code depends on: its cache key. */
interface PassCode extends StageCode {
  /** A y or z pass (one shader for both; the axis is a uniform), else an x pass. */
  column: boolean;
  kind: LineReduce['kind'];
}

function passSpec(c: PassCode, main: string, declarations: string): KernelSpec {
  const bindings = [
    { name: 'src_buf', type: `array<${storageElement(c.src)}>` },
    { name: 'dst_buf', type: `array<${storageElement(c.dst)}>`, access: 'read_write' as const },
  ];
  if (c.kind === 'weights') bindings.push({ name: 'w_buf', type: 'array<f32>' });
  if (c.epilogue?.image) bindings.push({ name: 'e_buf', type: `array<${storageElement(c.epilogue.image)}>` });
  const uniforms: UniformField[] = [
    { name: 'shape', type: 'vec4<u32>' },
    { name: 'r', type: 'i32' },
    { name: 'cval', type: c.vt },
    { name: 'words', type: 'u32' },
    ...(c.column ? [{ name: 'axis', type: 'u32' } as const] : []),
    ...epilogueUniforms(c),
  ];
  const decl = [
    loader('src', c.src),
    c.kind === 'weights' ? loader('w', 'float32') : '',
    c.epilogue?.image ? loader('e', c.epilogue.image) : '',
    boundaryFunction(c.mode, 'bnd'),
    `fn src_value(p: u32) -> ${c.vt} { let x = load_src(p); return ${c.prologue ?? `${c.vt}(x)`}; }`,
    finishFn(c),
    declarations,
  ].join('\n');
  return { label: `separable:${c.column ? 'yz' : 'x'}`, bindings, uniforms, workgroupSize: WG, declarations: decl, body: main };
}

function storeConverted(c: PassCode, v: string): string {
  return convertExpr(v, c.epilogue ? c.epilogue.type : c.vt, c.dst);
}

/**
 * x pass: one thread per output word, each tap read from global memory. Neighbouring threads
 * read neighbouring pixels (coalesced) and the L1 cache serves the overlap between them;
 * measured on an H100 this beat both a workgroup-memory tile with halo (by 10-25%) and
 * per-thread register blocking along x, so neither is used.
 */
function xPassSpec(c: PassCode): KernelSpec {
  const epw = pixelsPerWord(c.dst);
  const combine = (v: string) => combineExpr(c.kind, 'acc', v, 'u32(k + r)');
  let store: string;
  if (epw === 1) {
    store = `dst_buf[word] = ${storeConverted(c, 'finish(pixel(i32(word)), word)')};`;
  } else {
    const bits = 32 / epw;
    store = `var bits = 0u;
  for (var j = 0u; j < ${epw}u; j++) {
    let i = word * ${epw}u + j;
    if (i < P.shape.w) {
      bits = bits | (${packBits(storeConverted(c, 'finish(pixel(i32(i)), i)'), c.dst)} << (j * ${bits}u));
    }
  }
  dst_buf[word] = bits;`;
  }
  const pixel = `fn pixel(i: i32) -> ${c.vt} {
  let nx = i32(P.shape.x);
  let r = P.r;
  let x = i % nx;
  var acc: ${c.vt} = ${initExpr(c.kind, c.vt)};
  if (x >= r && x + r < nx) {
    for (var k = -r; k <= r; k++) {
      let v = src_value(u32(i + k));
      acc = ${combine('v')};
    }
  } else {
    let row = i - x;
    for (var k = -r; k <= r; k++) {
      let m = bnd(x + k, nx);
      var v: ${c.vt} = P.cval;
      if (m >= 0) { v = src_value(u32(row + m)); }
      acc = ${combine('v')};
    }
  }
  return acc;
}`;
  return passSpec(c, `let word = gid;
  if (word >= P.words) { return; }
  ${store}`, pixel);
}

function columnPassSpec(c: PassCode): KernelSpec {
  // One shader for y and z (the axis is a uniform, its branch the same for every thread): a
  // 3D filter's first call compiles two pipelines instead of three.
  const locate = `var x: u32; var b: u32; var stride: u32; var na: i32; var line: u32;
  if (P.axis == 1u) {
    let blocks = (P.shape.y + ${PER - 1}u) / ${PER}u;
    x = t % P.shape.x;
    let rest = t / P.shape.x;
    b = rest % blocks;
    let z = rest / blocks;
    stride = P.shape.x;
    na = i32(P.shape.y);
    line = z * P.shape.x * P.shape.y + x;
  } else {
    x = t % P.shape.x;
    let rest = t / P.shape.x;
    let y = rest % P.shape.y;
    b = rest / P.shape.y;
    stride = P.shape.x * P.shape.y;
    na = i32(P.shape.z);
    line = y * P.shape.x + x;
  }`;
  const js = Array.from({ length: PER }, (_, j) => j);
  const init = initExpr(c.kind, c.vt);
  return passSpec(c, `let t = gid;
  if (t >= P.words) { return; }
  ${locate}
  let a0 = i32(b) * ${PER};
  let r = P.r;
  ${js.map((j) => `var acc${j}: ${c.vt} = ${init};`).join('\n  ')}
  for (var q = a0 - r; q < a0 + ${PER} + r; q++) {
    let m = bnd(q, na);
    var v: ${c.vt} = P.cval;
    if (m >= 0) { v = src_value(line + u32(m) * stride); }
    ${js.map((j) => `{ let k = q - a0 - ${j}; if (k >= -r && k <= r) { acc${j} = ${combineExpr(c.kind, `acc${j}`, 'v', 'u32(k + r)')}; } }`).join('\n    ')}
  }
  ${js
    .map(
      (j) => `if (a0 + ${j} < na) { let i = line + u32(a0 + ${j}) * stride; dst_buf[i] = ${storeConverted(c, `finish(acc${j}, i)`)}; }`,
    )
    .join('\n  ')}`, '');
}

/** Table keys by weights array: callers that keep their weights (gaussianPasses) build the key once. */
const tableKeys = new WeakMap<ArrayLike<number>, string>();

function weightsTable(w: ArrayLike<number>): GpuImage {
  let key = tableKeys.get(w);
  if (key === undefined) tableKeys.set(w, (key = `w|${Array.from(Float32Array.from(w)).join(',')}`));
  return constantTable(key, () => Float32Array.from(w));
}

/**
 * In-plane boxes (sum, min, max over x and y only) of 32-bit images whose rows are whole vec4s
 * run as one pass ({@link box2dSpec}) instead of an x and a y pass: on an H200 a pass over an
 * 8 MB image costs ~15 µs of GPU time however little it computes, and the second pass reads and
 * writes a 32-bit temporary. x and y radii up to 4 (a thread's window then lies in its own vec4
 * and the two beside it).
 */
const BOX2D_MAX_RADIUS = 4;

function box2dRadii(p: SeparableProgram, passes: readonly LinePass[]): [number, number] | undefined {
  const kind = passes[0].reduce.kind;
  if (kind === 'weights' || passes.length > 2) return undefined;
  if (passes.some((s) => s.axis === 2 || s.reduce.kind !== kind) || (passes.length === 2 && passes[0].axis === passes[1].axis)) return undefined;
  if (pixelsPerWord(p.input.dtype) !== 1 || pixelsPerWord(p.output.dtype) !== 1 || xyzt(p.output.shape)[0] % 4 !== 0) return undefined;
  // The passes pad their own inputs with their cval; one pass pads the image with p.cval: the
  // same when each sum pass pads with cval times the earlier passes' window (min, max: cval).
  let window = 1;
  for (const s of passes) {
    if ((s.cval ?? p.cval) !== (kind === 'sum' ? p.cval * window : p.cval)) return undefined;
    window *= 2 * s.radius + 1;
  }
  const rx = passes.find((s) => s.axis === 0)?.radius ?? 0;
  const ry = passes.find((s) => s.axis === 1)?.radius ?? 0;
  return rx <= BOX2D_MAX_RADIUS && ry <= BOX2D_MAX_RADIUS ? [rx, ry] : undefined;
}

/** What the one-pass box's code depends on (its cache key). */
interface Box2dCode extends StageCode {
  kind: 'sum' | 'min' | 'max';
  rx: number;
  /** In the code, not a uniform: the window's rows unrolled put all their loads in flight at once. */
  ry: number;
}

/**
 * One thread per output vec4 (4 pixels of a row). Threads whose window lies inside the image
 * read, per row of the window, their own vec4 and the two beside it (coalesced 16-byte loads;
 * the neighbours' loads hit the L1 cache) and combine the taps in registers; the others (the
 * first and last vec4 of rows, rows near the top and bottom) map every tap through the
 * boundary mode.
 */
function box2dSpec(c: Box2dCode): KernelSpec {
  const bindings = [
    { name: 'src_buf', type: `array<vec4<${storageElement(c.src)}>>` },
    { name: 'dst_buf', type: `array<vec4<${storageElement(c.dst)}>>`, access: 'read_write' as const },
  ];
  if (c.epilogue?.image) bindings.push({ name: 'e_buf', type: `array<${storageElement(c.epilogue.image)}>` });
  const uniforms: UniformField[] = [
    { name: 'shape', type: 'vec4<u32>' },
    { name: 'cval', type: c.vt },
    ...epilogueUniforms(c),
  ];
  const combine = (acc: string, v: string) => combineExpr(c.kind, acc, v, '');
  const lanes = [0, 1, 2, 3];
  const dxs = Array.from({ length: 2 * c.rx + 1 }, (_, k) => k - c.rx);
  // Tap j of a row's 12 values in registers: the vec4 before (l), the thread's own (m), the one after (r).
  const reg = (j: number) => `${['l', 'm', 'r'][j >> 2]}.${'xyzw'[j & 3]}`;
  const used = [...new Set(lanes.flatMap((k) => dxs.map((dx) => 4 + k + dx)))].sort((a, b) => a - b);
  const dys = Array.from({ length: 2 * c.ry + 1 }, (_, k) => k - c.ry);
  const interior = dys.map((dy) => `{
      let b = u32(i32(w) + ${dy} * i32(nxw));
      ${c.rx > 0 ? 'let l = src_buf[b - 1u];\n      let r = src_buf[b + 1u];\n      ' : ''}let m = src_buf[b];
      ${used.map((j) => `let t${j} = pro(${reg(j)});`).join(' ')}
      ${lanes.map((k) => `acc${k} = ${dxs.reduce((acc, dx) => combine(acc, `t${4 + k + dx}`), `acc${k}`)};`).join('\n      ')}
    }`).join('\n    ');
  const edge = `for (var k = 0u; k < 4u; k++) {
      let x = i32(wx * 4u + k);
      var acc = ${initExpr(c.kind, c.vt)};
      for (var dy = -${c.ry}; dy <= ${c.ry}; dy++) {
        let yy = bnd(y + dy, ny);
        for (var dx = -${c.rx}; dx <= ${c.rx}; dx++) {
          let xx = bnd(x + dx, nx);
          var v = P.cval;
          if (min(xx, yy) >= 0) { let p = u32((i32(plane) * ny + yy) * nx + xx); v = pro(src_buf[p >> 2u][p & 3u]); }
          acc = ${combine('acc', 'v')};
        }
      }
      switch k { ${lanes.map((j) => `case ${j}u: { acc${j} = acc; }`).join(' ')} default: {} }
    }`;
  const epi = c.epilogue;
  const declarations = [
    epi?.image ? loader('e', epi.image) : '',
    boundaryFunction(c.mode, 'bnd'),
    `fn pro(x: ${computeType(c.src)}) -> ${c.vt} { return ${c.prologue ?? `${c.vt}(x)`}; }`,
    finishFn(c),
  ].join('\n');
  const body = `let nxw = P.shape.x / 4u;
  let w = gid;
  let q = w / nxw;
  let plane = q / P.shape.y;
  if (plane >= P.shape.z) { return; }
  let nx = i32(P.shape.x);
  let ny = i32(P.shape.y);
  let y = i32(q - plane * P.shape.y);
  let wx = w - q * nxw;
  ${lanes.map((k) => `var acc${k}: ${c.vt} = ${initExpr(c.kind, c.vt)};`).join('\n  ')}
  if (${c.rx > 0 ? 'wx >= 1u && wx + 1u < nxw && ' : ''}y >= ${c.ry} && y + ${c.ry} < ny) {
    ${interior}
  } else {
    ${edge}
  }
  let i0 = w * 4u;
  dst_buf[w] = vec4<${storageElement(c.dst)}>(${lanes.map((k) => convertExpr(`finish(acc${k}, i0 + ${k}u)`, epi ? epi.type : c.vt, c.dst)).join(', ')});`;
  return { label: 'separable:box2d', bindings, uniforms, workgroupSize: WG, declarations, body };
}

function runBox2d(p: SeparableProgram, kind: 'sum' | 'min' | 'max', [rx, ry]: [number, number]): GpuImage {
  const epi = p.epilogue;
  const code: Box2dCode = { kind, rx, ry, src: p.input.dtype, dst: p.output.dtype, vt: p.valueType, prologue: p.prologue, epilogue: epilogueCode(epi), mode: p.mode };
  const [nx, ny, nz, nt] = xyzt(p.output.shape);
  const values: Record<string, number | number[]> = { shape: [nx, ny, nz * nt, p.output.size], cval: p.cval };
  if (epi?.scalars) for (const name in epi.scalars) values[name] = epi.scalars[name].value;
  const buffers = [p.input.buffer, p.output.buffer];
  if (epi?.image) buffers.push(epi.image.buffer);
  dispatch(kernelFor('separable-box2d', code, box2dSpec), buffers, values, Math.ceil(p.output.size / 4 / WG), `${p.op}:xy`);
  return p.output;
}

/** Records the passes of `p` and returns `p.output`. */
export function runSeparable(p: SeparableProgram): GpuImage {
  const passes = p.passes.filter((s) => s.radius > 0);
  const epi = p.epilogue;
  const scalarFields = Object.entries(epi?.scalars ?? {});
  const box2d = passes.length > 0 ? box2dRadii(p, passes) : undefined;
  if (box2d) return runBox2d(p, passes[0].reduce.kind as 'sum' | 'min' | 'max', box2d);

  if (passes.length === 0) {
    const inputs: Record<string, GpuImage> = { a: p.input };
    if (epi?.image) inputs.e = epi.image;
    const inputType = computeType(p.input.dtype);
    const helpers = [
      `fn pro(x: ${inputType}) -> ${p.valueType} { return ${p.prologue ?? `${p.valueType}(x)`}; }`,
      epi ? `fn finish(v: ${p.valueType}, i: u32) -> ${epi.type} { return ${epi.expr}; }` : '',
    ].join('\n');
    return runPixelProgram({
      op: `${p.op}:identity`,
      inputs,
      output: p.output,
      scalars: epi?.scalars,
      computeType: epi ? epi.type : p.valueType,
      helpers,
      body: epi ? 'return finish(pro(load_a(i)), i);' : 'return pro(load_a(i));',
    });
  }

  const temp = TEMP_DTYPE[p.valueType];
  const last = passes[passes.length - 1];
  // A y/z pass writes one pixel per store, so a packed output needs a final conversion pass.
  const direct = last.axis === 0 || pixelsPerWord(p.output.dtype) === 1;
  const temps: GpuImage[] = [];
  const tempAt = (k: number) => (temps[k % 2] ??= create(p.output.shape, temp));
  // When the output has the temporaries' layout, it serves as one of the two ping-pong
  // buffers (passes alternate output / temp backwards from the last), saving one image.
  const outputAsTemp = direct && p.output.dtype === temp;
  const target = (k: number): GpuImage => {
    const fromLast = passes.length - 1 - k;
    if (fromLast === 0 && direct) return p.output;
    if (outputAsTemp) return fromLast % 2 === 0 ? p.output : tempAt(0);
    return tempAt(k);
  };
  const [nx, ny, nz] = xyzt(p.output.shape);
  const n = p.output.size;

  let src = p.input;
  passes.forEach((pass, k) => {
    const first = k === 0;
    const isLast = k === passes.length - 1;
    const toOutput = isLast && direct;
    const dst = target(k);
    const code: PassCode = {
      column: pass.axis !== 0,
      kind: pass.reduce.kind,
      src: src.dtype,
      dst: dst.dtype,
      vt: p.valueType,
      prologue: first ? p.prologue : undefined,
      epilogue: toOutput ? epilogueCode(epi) : undefined,
      mode: p.mode,
    };
    const words =
      pass.axis === 0
        ? Math.ceil(n / pixelsPerWord(dst.dtype))
        : pass.axis === 1
          ? nx * Math.ceil(ny / PER) * nz
          : nx * ny * Math.ceil(nz / PER);
    const values: Record<string, number | number[]> = { shape: [nx, ny, nz, n], r: pass.radius, cval: pass.cval ?? p.cval, words };
    if (code.column) values.axis = pass.axis;
    if (code.epilogue) for (const [name, sc] of scalarFields) values[name] = sc.value;
    const kernel = kernelFor('separable', code, (c) => (c.column ? columnPassSpec(c) : xPassSpec(c)));
    const buffers = [src.buffer, dst.buffer];
    if (pass.reduce.kind === 'weights') {
      if (pass.reduce.weights.length !== 2 * pass.radius + 1) throw new Error(`${p.op}: internal: weights length`);
      buffers.push(weightsTable(pass.reduce.weights).buffer);
    }
    if (toOutput && epi?.image) buffers.push(epi.image.buffer);
    dispatch(kernel, buffers, values, Math.ceil(words / WG), `${p.op}:${'xyz'[pass.axis]}`);
    src = dst;
  });

  if (!direct) {
    const inputs: Record<string, GpuImage> = { t: src };
    if (epi?.image) inputs.e = epi.image;
    runPixelProgram({
      op: `${p.op}:finish`,
      inputs,
      output: p.output,
      scalars: epi?.scalars,
      computeType: epi ? epi.type : p.valueType,
      helpers: epi ? `fn finish(v: ${p.valueType}, i: u32) -> ${epi.type} { return ${epi.expr}; }` : '',
      body: epi ? 'return finish(load_t(i), i);' : 'return load_t(i);',
    });
  }
  for (const t of temps) t?.release();
  return p.output;
}

