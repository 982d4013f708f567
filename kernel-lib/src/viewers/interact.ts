import { GpuImage } from '../array/gpu-image';
import { TesseraError } from '../errors';
import type { OpInfo, ParamSpec } from '../ops/op';
import { maximumOfAllPixels, minimumOfAllPixels } from '../ops/reductions';
import { copy } from '../ops/transforms';
import type { ControlSpec, ControlValue, RequestMessage, RunRequestMessage } from './protocol';
import { ImageWidget, type ViewerOptions } from './viewer';

/**
 * `interact`: a GUI generated from an operation's declared parameters (`defineOp`'s
 * `info.params`, or a custom kernel's declared `params`): sliders for numbers, checkboxes for
 * booleans, drop-downs for enums and for the notebook's images. Each change re-runs the
 * operation on the GPU (one run in flight; the newest values wait, older ones are skipped) and
 * the slice viewer shows the result. No operation has code of its own here.
 */

/** Something `interact` can drive: a Tessera operation or a custom kernel with declared parameters. */
export type Interactive = ((...args: never[]) => unknown) & { readonly info: Readonly<Pick<OpInfo, 'params'> & Partial<OpInfo> & { name: string }> };

/** Options of {@link interact}. */
export interface InteractOptions extends ViewerOptions {
  /**
   * Images offered for image parameters, by name (stackview's `context`); default: the GPU images
   * among the notebook's variables.
   */
  images?: Record<string, GpuImage>;
  /** The variable name of `image` in the code line (default: its name among `images`, else `image`). */
  name?: string;
  /** Starting values of controls by parameter name (options fields as `options.mode`). */
  values?: Record<string, ControlValue | null>;
}

/** A parameter as a control, or a value passed as it is. */
interface Slot {
  param: ParamSpec;
  /** For fields of a trailing options object: the object's name. */
  parent?: string;
  /** Control name: the parameter's, or `options.field`. */
  key: string;
  control?: ControlSpec;
}

/** The notebook's variables (tslab keeps them on `globalThis.__tslab__.exports`). */
function notebookImages(): Record<string, GpuImage> {
  const vars = (globalThis as { __tslab__?: { exports?: Record<string, unknown> } }).__tslab__?.exports ?? {};
  const out: Record<string, GpuImage> = {};
  for (const [name, value] of Object.entries(vars)) if (value instanceof GpuImage && !value.released) out[name] = value;
  return out;
}

const round = (v: number) => Number(v.toPrecision(6));

/**
 * The control of a parameter (undefined: not a control). Number sliders span the declared
 * valid range, else the soft range, else the image's value range (constants and thresholds
 * compare with pixel values) widened to include the default.
 */
function controlOf(p: ParamSpec, key: string, imageNames: string[], dataRange: [number, number]): ControlSpec | undefined {
  const doc = 'doc' in p ? p.doc : undefined;
  if (p.kind === 'boolean') return { name: key, kind: 'boolean', doc };
  if (p.kind === 'enum') return { name: key, kind: 'enum', values: [...p.values], doc };
  if (p.kind === 'image') return { name: key, kind: 'image', values: p.optional ? ['(none)', ...imageNames] : imageNames, doc };
  if (p.kind !== 'number') return undefined;
  let [lo, hi] = p.soft ?? [p.min ?? dataRange[0], p.max ?? dataRange[1]];
  if (p.soft === undefined && (p.min === undefined) !== (p.max === undefined)) [lo, hi] = p.min !== undefined ? [p.min, Math.max(p.min + 1, dataRange[1])] : [Math.min(p.max! - 1, dataRange[0]), p.max!];
  if (p.default !== undefined) [lo, hi] = [Math.min(lo, p.default), Math.max(hi, p.default)];
  if (p.min !== undefined) lo = Math.max(lo, p.min);
  if (p.max !== undefined) hi = Math.min(hi, p.max);
  if (!(hi > lo)) hi = lo + 1;
  const step = p.integer ? 1 : round((hi - lo) / 100);
  return { name: key, kind: 'number', min: p.integer ? Math.floor(lo) : round(lo), max: p.integer ? Math.ceil(hi) : round(hi), step, optional: p.optional && p.default === undefined, doc };
}

/** Formats a value for the code line. */
function literal(v: unknown, imageName: (img: GpuImage) => string): string {
  if (v instanceof GpuImage) return imageName(v);
  if (v === undefined) return 'undefined';
  return JSON.stringify(v);
}

/** The widget `interact` returns: the viewer of the result, the values and the code line. */
export class InteractWidget {
  private result?: GpuImage;
  private lastValue: unknown;

  private constructor(
    /** The viewer showing the result (its model's state holds the controls and values). */
    readonly viewer: ImageWidget,
    private readonly op: Interactive,
    private readonly image: GpuImage,
    private readonly slots: Slot[],
    private readonly fixed: Record<string, unknown>,
    private readonly images: Record<string, GpuImage>,
    private readonly imageName: string,
  ) {
    viewer.handle('run', (msg: RequestMessage) => this.onRun(msg as RunRequestMessage));
    viewer.model.comm.onClose(() => this.dropResult());
  }

  /** @internal */
  static async create(op: Interactive, image: GpuImage, fixed: Record<string, unknown>, options: InteractOptions): Promise<InteractWidget> {
    const fn = `interact(${op?.info?.name ?? op?.name ?? 'function'})`;
    if (typeof op !== 'function' || !op.info || !Array.isArray(op.info.params)) {
      throw new TesseraError(`${fn}: needs a Tessera operation (declared with defineOp) or a custom kernel made with declared params; got ${typeof op === 'function' ? 'a function without parameter metadata' : typeof op}`);
    }
    if (!(image instanceof GpuImage) || image.released) throw new TesseraError(`${fn}: image must be a GpuImage that was not released`);
    if (typeof fixed !== 'object' || fixed === null) throw new TesseraError(`${fn}: fixed must be an object of parameter values`);
    const images = { ...(options.images ?? notebookImages()) };
    const imageName = options.name ?? Object.entries(images).find(([, v]) => v === image)?.[0] ?? 'image';
    images[imageName] = image;
    const names = Object.keys(images);
    const dataRange = await valueRange(image);
    const params = op.info.params;
    const known = new Set(params.flatMap((p) => (p.kind === 'options' ? [p.name, ...p.fields.map((f: ParamSpec) => `${p.name}.${f.name}`)] : [p.name])));
    for (const k of [...Object.keys(fixed), ...Object.keys(options.values ?? {})]) {
      if (!known.has(k)) throw new TesseraError(`${fn}: ${op.info.name} has no parameter ${JSON.stringify(k)} (it has ${[...known].join(', ')})`);
    }

    const slots: Slot[] = [];
    const values: Record<string, ControlValue | null> = {};
    let first = true;
    for (const p of params) {
      if (p.kind === 'image' && first) {
        first = false;
        slots.push({ param: p, key: p.name }); // the image interact shows
        continue;
      }
      const entries: Array<[ParamSpec, string, string | undefined]> = p.kind === 'options' ? p.fields.map((f: ParamSpec): [ParamSpec, string, string | undefined] => [f, `${p.name}.${f.name}`, p.name]) : [[p, p.name, undefined]];
      for (const [q, key, parent] of entries) {
        const slot: Slot = { param: q, key, parent };
        if (!(key in fixed) && !(parent && parent in fixed)) {
          slot.control = controlOf(q, key, names, dataRange);
          if (!slot.control && q.kind === 'value' && !q.optional) throw new TesseraError(`${fn}: parameter ${key} (a value that no control can set) must be given in fixed`);
        }
        if (slot.control) values[key] = startValue(q, slot.control, image, images, options.values?.[key]);
        slots.push(slot);
      }
    }
    const controls = slots.flatMap((s) => (s.control ? [s.control] : []));
    const viewer = await ImageWidget.create({
      kind: `interact(${op.info.name})`,
      layers: [{ image, name: op.info.name }],
      arrangement: 'single',
      view: 'InteractView',
      options: { ...options, show: false },
      extra: { controls, values: values as Record<string, ControlValue> },
    });
    const widget = new InteractWidget(viewer, op, image, slots, fixed, images, imageName);
    try {
      await widget.run(values);
    } catch (e) {
      viewer.close();
      throw e;
    }
    if (options.show !== false) await viewer.show();
    return widget;
  }

  /** The current values of the controls, by parameter name. */
  get values(): Record<string, ControlValue> {
    return { ...this.viewer.model.state.values };
  }

  /** The call with the chosen parameters as a line of code (the view has a copy button for it). */
  get code(): string {
    return this.viewer.model.state.code;
  }

  /** The current result: a GPU image (owned by the widget: copy it to keep it past the next change), or what the operation returned. */
  get value(): unknown {
    return this.lastValue;
  }

  /** Re-runs the operation with `values` (as the view does), e.g. `widget.set({ sigmaX: 3 })`. */
  async set(values: Record<string, ControlValue | null>): Promise<void> {
    await this.run({ ...this.viewer.model.state.values, ...values });
  }

  /** Closes the view and frees the result. */
  close(): void {
    this.viewer.close();
  }

  toString(): string {
    return `tessera interact: ${this.code}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  private async onRun(msg: RunRequestMessage): Promise<void> {
    const start = performance.now();
    await this.run(msg.values ?? {});
    this.viewer.reply({ response: 'done', id: msg.id, kernel_ms: Math.round((performance.now() - start) * 10) / 10 });
  }

  /** The arguments for `values`, positional as the operation takes them. */
  private argumentsOf(values: Record<string, ControlValue | null>): { args: unknown[]; copies: GpuImage[] } {
    const args: unknown[] = [];
    const copies: GpuImage[] = [];
    const inPlace = this.op.info.inPlace;
    const byName = new Map<string, number>();
    for (const slot of this.slots) {
      let v: unknown;
      if (slot === this.slots[0] && slot.param.kind === 'image') v = this.image;
      else if (slot.key in this.fixed) v = this.fixed[slot.key];
      else if (slot.parent && slot.parent in this.fixed) continue; // the whole options object is fixed
      else if (slot.control) v = this.valueOf(slot, values[slot.key]);
      else v = 'default' in slot.param ? slot.param.default : undefined;
      // Operations that write into an argument get a copy: interact never changes the user's images.
      const target = inPlace === true ? args.length === 0 && !slot.parent : inPlace === slot.key;
      if (target && v instanceof GpuImage) {
        v = copy(v);
        copies.push(v as GpuImage);
      }
      if (slot.parent) {
        let k = byName.get(slot.parent);
        if (k === undefined) {
          k = args.length;
          byName.set(slot.parent, k);
          args.push(typeof this.fixed[slot.parent] === 'object' ? { ...(this.fixed[slot.parent] as object) } : {});
        }
        if (v !== undefined) (args[k] as Record<string, unknown>)[slot.param.name] = v;
      } else {
        args.push(v);
      }
    }
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return { args, copies };
  }

  private valueOf(slot: Slot, value: ControlValue | null | undefined): unknown {
    const c = slot.control!;
    const name = `${this.op.info.name}: ${slot.key}`;
    if (value === null || value === undefined) {
      if (c.optional || (c.kind === 'image' && c.values?.[0] === '(none)')) return undefined;
      throw new TesseraError(`${name} needs a value`);
    }
    if (c.kind === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TesseraError(`${name} must be a number; got ${JSON.stringify(value)}`);
      return slot.param.kind === 'number' && slot.param.integer ? Math.round(value) : value;
    }
    if (c.kind === 'boolean') return value === true;
    if (c.kind === 'enum') {
      if (!c.values!.includes(String(value))) throw new TesseraError(`${name} must be one of ${c.values!.join(', ')}; got ${JSON.stringify(value)}`);
      return String(value);
    }
    if (value === '(none)') return undefined;
    const img = this.images[String(value)];
    if (!img || img.released) throw new TesseraError(`${name}: no image named ${JSON.stringify(value)} (choose one of ${Object.keys(this.images).join(', ')})`);
    return img;
  }

  /** Runs the operation with `values` and shows what it returned. */
  private async run(values: Record<string, ControlValue | null>): Promise<void> {
    const state = this.viewer.model.state;
    const names = new Map<GpuImage, string>(Object.entries(this.images).map(([k, v]) => [v, k]));
    let code = state.code;
    let text = '';
    let copies: GpuImage[] = [];
    try {
      const built = this.argumentsOf(values);
      copies = built.copies;
      code = `tessera.${this.op.info.name}(${built.args.map((a) => (a !== null && typeof a === 'object' && !(a instanceof GpuImage) ? `{ ${Object.entries(a).map(([k, v]) => `${k}: ${literal(v, (i) => names.get(i) ?? 'image')}`).join(', ')} }` : literal(a, (i) => (copies.includes(i) ? `/* a copy of */ ${names.get(this.image) ?? 'image'}` : names.get(i) ?? 'image')))).join(', ')})`;
      const result = await (this.op as unknown as (...a: unknown[]) => unknown)(...built.args);
      this.lastValue = result;
      if (result instanceof GpuImage) {
        const previous = this.result;
        const mine = !names.has(result);
        await this.viewer.setImage(0, result);
        this.result = mine ? result : undefined;
        if (previous && previous !== result) previous.release();
        copies = copies.filter((c) => c !== result);
      } else {
        text = `${this.op.info.name} returned ${formatResult(result)}`;
      }
    } catch (e) {
      text = `error: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      copies.forEach((c) => c.release());
    }
    this.viewer.model.set({ values: values as Record<string, ControlValue>, code, result_text: text });
  }

  private dropResult(): void {
    this.result?.release();
    this.result = undefined;
  }
}

/** The first value of a control: given, the declared default, or a sensible one. */
function startValue(p: ParamSpec, c: ControlSpec, image: GpuImage, images: Record<string, GpuImage>, given: ControlValue | null | undefined): ControlValue | null {
  if (given !== undefined) return given;
  if ('default' in p && p.default !== undefined) return p.default as ControlValue;
  if (c.kind === 'number') return c.optional ? null : round((c.min! + c.max!) / 2);
  if (c.kind === 'boolean') return false;
  if (c.kind === 'enum') return c.values![0];
  if (c.values?.[0] === '(none)') return '(none)';
  // Another image of the same shape as `image` (e.g. the second operand), else `image` itself.
  const same = Object.entries(images).find(([, v]) => v !== image && v.shape.join() === image.shape.join());
  return same?.[0] ?? Object.entries(images).find(([, v]) => v === image)![0];
}

async function valueRange(image: GpuImage): Promise<[number, number]> {
  const lo = await minimumOfAllPixels(image);
  const hi = await maximumOfAllPixels(image);
  return [lo, hi > lo ? hi : lo + 1];
}

function formatResult(v: unknown): string {
  if (typeof v === 'number') return String(round(v));
  if (v === undefined || v === null) return String(v);
  try {
    const text = JSON.stringify(v, (_, x) => (ArrayBuffer.isView(x) ? `${x.constructor.name}(${(x as unknown as { length: number }).length})` : x));
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(v);
  }
}

/**
 * Builds a GUI for `op` from its declared parameters and shows the result of running it on
 * `image` with the slice viewer; moving a control re-runs it on the GPU. Parameters in `fixed`
 * are passed as given (no control). Works for every Tessera operation and for custom kernels
 * that declare their parameters (`elementwiseKernel(..., { params })`). stackview: `interact`.
 *
 * @example
 * const w = await widgets.interact(tessera.gaussianBlur, stack, { radiusZ: 0 });
 * w.code;   // "tessera.gaussianBlur(stack, 2, 2, 0, ...)" with the chosen values
 * w.value;  // the current result
 */
export function interact(op: Interactive, image: GpuImage, fixed: Record<string, unknown> = {}, options: InteractOptions = {}): Promise<InteractWidget> {
  return InteractWidget.create(op, image, fixed, options);
}
