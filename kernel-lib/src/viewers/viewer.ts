import { RICH_DISPLAY } from '../jupyter/display';
import { writeFileSync } from 'node:fs';
import type { JsonObject } from '../jupyter/comms';
import type { WidgetModel, WidgetState } from '../jupyter/ipywidgets';
import { TesseraError } from '../errors';
import { encodeAnimation, formatOfFilename, renderFrames, type AnimationFormat } from './animation';
import { COLORMAPS, colormapLut, colormapName, type Lut } from './colormaps';
import { encodeRgbaPng, pngDataUrl, type RgbaImage } from './encode/png';
import { createModel, showModel } from './model';
import type {
  ExportRequestMessage, LayerState, PlaneRequestMessage, RequestMessage, ResponseMessage, ValuesRequestMessage,
  Arrangement, ViewerState, ViewerTool,
} from './protocol';
import { xyztOf, type PlaneRequest } from './render-plane';
import { toLayer, type ImageInput, type Layer } from './source';
import { conversionOf, renderStill, type ViewName } from './still';
export type { ViewName };

/** Options shared by the viewer functions (stackview's names in camelCase). */
export interface ViewerOptions {
  /**
   * Show the widget in the cell's output (default true); false makes it for {@link grid} (or to
   * show later with `widget.show()`).
   */
  show?: boolean;
  /** Sliced axis in the last three dimensions: 0 = z (default), 1 = y, 2 = x. */
  axis?: number;
  /** First position along `axis` (stackview: `slice_number`); the middle by default. */
  index?: number;
  /** First time point of a 4D image (default 0). */
  t?: number;
  /** A colormap name (grey, viridis, magma, green, magenta, labels) or a 768-byte lookup table; `labels` shows label images. */
  colormap?: string | Lut;
  /** Values shown as the first and last colour (default: the image's minimum and maximum). */
  displayRange?: [number, number];
  /** Screen pixels per image pixel (default: fits the view into about 512 pixels). */
  zoom?: number;
  /** Heading shown above the view. */
  title?: string;
}

/** @internal One image of a viewer with its display settings. */
export interface LayerInput {
  image: ImageInput;
  name: string;
  colormap?: string | Lut;
  displayRange?: [number, number];
  alpha?: number;
  outline?: boolean;
  /** Drawn through the widget's label lookup (see ImageWidget.setLookup). */
  lookup?: boolean;
}

/** @internal What a viewer function builds. */
export interface ViewerSpec {
  /** The function that made it (slice, curtain, ...), for its text representation. */
  kind: string;
  layers: LayerInput[];
  arrangement: Arrangement;
  tools?: ViewerTool[];
  view?: ViewName | 'InteractView' | 'AnnotateView';
  options: ViewerOptions & { fps?: number; curtain?: number };
  /** State beyond the viewer's own (interact's controls, annotate's brush). */
  extra?: Partial<ViewerState>;
}

/** @internal Answers a request of a kind the viewer itself does not know (run, paint, undo). */
export type RequestHandler = (msg: RequestMessage) => Promise<void>;

type ViewerModelState = ViewerState & WidgetState;

/** Longest side of the still (the PNG fallback and initial snapshot), and of exported animation frames. */
const THUMBNAIL_SIZE = 512;
const EXPORT_SIZE = 1024;
/** Longest side a view gets by default. */
const DEFAULT_VIEW_SIZE = 512;

/** Width and height of the plane perpendicular to `axis`. */
function planeSize(shape: readonly number[], axis: number): [number, number] {
  const [X, Y, Z] = xyztOf(shape);
  return [[X, Y], [X, Z], [Y, Z]][axis] as [number, number];
}

function defaultZoom(width: number, height: number): number {
  const side = Math.max(width, height);
  return side > DEFAULT_VIEW_SIZE ? DEFAULT_VIEW_SIZE / side : Math.min(8, Math.floor(DEFAULT_VIEW_SIZE / side));
}

function isInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/**
 * A Tessera image widget in the kernel: the images it shows (never sent whole), its model
 * (synced with the browser view) and the answers to the view's requests. Returned by
 * {@link slice}, {@link curtain} and the other viewer functions.
 */
export class ImageWidget {
  /** As a cell's last expression: nothing more to show, the view is on screen already. */
  [RICH_DISPLAY](): void {}

  private readonly handlers = new Map<string, RequestHandler>();
  private readonly pickListeners = new Set<(x: number, y: number, z: number, t: number, values: number[]) => void>();
  private readonly lookups = new Map<number, () => Uint32Array>();

  private constructor(
    private readonly kind: string,
    private readonly layers: Layer[],
    /** The widget model; its state is what the view shows (ViewerState in protocol.ts). */
    readonly model: WidgetModel<ViewerModelState>,
  ) {
    model.onCustom((content) => void this.answer(content as unknown as RequestMessage));
    model.comm.onClose(() => this.dispose());
  }

  /** @internal Builds the layers and the model, and displays the widget (unless `options.show` is false). */
  static async create(spec: ViewerSpec): Promise<ImageWidget> {
    const layers = spec.layers.map((l, k) => toLayer(l.image, spec.layers.length > 1 ? `image ${k + 1}` : 'image'));
    try {
      const view = spec.view ?? 'ViewerView';
      const state = { ...(await initialState(spec, layers)), ...spec.extra };
      const shown = spec.options.show !== false;
      // The still is what frontends without the Tessera extension show, and the first snapshot
      // (made by show() for widgets shown later).
      const png = shown ? encodeRgbaPng(await renderStill(layers, state, view === 'OrthogonalView' ? view : 'ViewerView', THUMBNAIL_SIZE)) : undefined;
      if (png) state.snapshot = pngDataUrl(png);
      const model = createModel<ViewerModelState>('ViewerModel', view, state as ViewerModelState);
      const widget = new ImageWidget(spec.kind, layers, model);
      if (png) showModel(model, widget.describe(), { 'image/png': png });
      return widget;
    } catch (e) {
      layers.forEach((l) => l.dispose());
      throw e;
    }
  }

  /** Shows (another view of) the widget in the current cell's output, with a still of what it shows now. */
  async show(): Promise<void> {
    const png = await this.png();
    this.model.set({ snapshot: pngDataUrl(png) } as Partial<ViewerModelState>);
    showModel(this.model, this.describe(), { 'image/png': png });
  }

  /** @internal The layer `k` (its GPU image for interact, annotate and crop). */
  layer(k: number): Layer {
    return this.layers[this.layerIndex(k)];
  }

  /** Number of layers. */
  get layerCount(): number {
    return this.layers.length;
  }

  /**
   * @internal Replaces the image of layer `k` (interact's new result): the old layer is freed,
   * the state gets the new shape, dtype and value range (and, unless `keepRange`, the display
   * range follows the new value range), and views ask for its planes again.
   */
  async setImage(k: number, image: ImageInput, options: { keepRange?: boolean; colormap?: string } = {}): Promise<void> {
    const layer = toLayer(image, this.model.state.layers[k].name);
    const dataRange = (await layer.valueRange().catch(() => undefined)) ?? null;
    this.layers[k].dispose();
    this.layers[k] = layer;
    const layers = this.model.state.layers.map((l, j) => {
      if (j !== k) return l;
      const colormap = options.colormap ?? l.colormap;
      const range = options.keepRange || !dataRange ? l.display_range : dataRange;
      return { ...l, shape: [...layer.shape], dtype: layer.dtype, data_range: dataRange, display_range: range, colormap, version: l.version + 1, levels: layer.levels };
    });
    this.model.set({ layers } as Partial<ViewerModelState>);
  }

  /** @internal Tells the views that layer `k` changed in place (annotate painted it): they ask for its planes again. */
  touch(k: number): void {
    const layers = this.model.state.layers.map((l, j) => (j === k ? { ...l, version: l.version + 1 } : l));
    this.model.set({ layers } as Partial<ViewerModelState>);
  }

  /** @internal Answers requests of kind `request` (run, paint, undo) with `handler`. */
  handle(request: string, handler: RequestHandler): void {
    this.handlers.set(request, handler);
  }

  /** @internal Sends a response to the view. */
  reply(content: ResponseMessage, buffers: ArrayBufferView[] = []): void {
    if (!this.model.comm.closed) this.model.sendCustom(content as unknown as JsonObject, buffers);
  }

  /** @internal Calls `cb` with the position and values the picker asked for (clusterplot's hover). */
  onPick(cb: (x: number, y: number, z: number, t: number, values: number[]) => void): void {
    this.pickListeners.add(cb);
  }

  /** @internal Renders layer `k` through `table()` when a view asks for its lookup codes (clusterplot). */
  setLookup(k: number, table: () => Uint32Array): void {
    this.lookups.set(k, table);
  }

  /** Sliced axis (0 = z, 1 = y, 2 = x). */
  get axis(): number {
    return this.model.state.axis;
  }

  /** Position along the sliced axis, as last set by the view's slider or {@link update}. */
  get index(): number {
    return this.model.state.index;
  }

  /** Time point of a 4D image. */
  get t(): number {
    return this.model.state.t;
  }

  /** Cursor (x, y, z) of an orthogonal view. */
  get cursor(): [number, number, number] {
    return this.model.state.cursor;
  }

  /** Display ranges of the layers. */
  get displayRanges(): [number, number][] {
    return this.model.state.layers.map((l) => l.display_range);
  }

  /** Changes what the view shows; e.g. `widget.update({ index: 10 })` moves the slider. */
  update(changes: Partial<Pick<ViewerState, 'axis' | 'index' | 't' | 'cursor' | 'zoom' | 'curtain' | 'active' | 'fps'>>): void {
    this.model.set(changes);
  }

  /**
   * A PNG of what the view shows now (its planes, colormaps, overlays and arrangement, at its
   * zoom, at most 512 pixels across), rendered on the GPU from the widget's state; the same
   * picture as the display's `image/png` fallback.
   */
  async png(): Promise<Uint8Array> {
    if (this.model.comm.closed) throw new TesseraError(`${this.kind}: the widget was closed`);
    const s = this.model.state;
    return encodeRgbaPng(await renderStill(this.layers, s, s._view_name === 'OrthogonalView' ? 'OrthogonalView' : 'ViewerView', THUMBNAIL_SIZE));
  }

  /** @internal The still of the widget's state with `changes` applied (animation frames of curtain and blend). */
  stillOf(changes: Partial<ViewerState>, maxSide = EXPORT_SIZE): Promise<RgbaImage> {
    const s = { ...this.model.state, ...changes };
    return renderStill(this.layers, s, this.model.state._view_name === 'OrthogonalView' ? 'OrthogonalView' : 'ViewerView', maxSide);
  }

  /** Closes the widget: the view disappears and images pushed for it are released. */
  close(): void {
    this.model.close();
  }

  /**
   * Writes an animation of the first layer (through time for 4D images, else through the sliced
   * axis) as APNG (`.png`) or GIF (`.gif`), with the widget's colormap and display range.
   */
  async saveAnimation(filename: string, frameDelayMs = 1000 / this.model.state.fps, loops = 0): Promise<void> {
    writeFileSync(filename, await this.animationBytes(formatOfFilename(filename), frameDelayMs, loops));
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  toString(): string {
    const names = this.model.state.layers.map((l) => `${l.name} [${l.shape.join(', ')}] ${l.dtype}`);
    return `tessera ${this.kind}: ${names.join(' | ')}`;
  }

  /**
   * The text representation (the display's `text/plain`): the images with their display
   * settings and where the view stands.
   */
  describe(): string {
    const s = this.model.state;
    const shape = s.layers[0].shape;
    const [X, Y, Z, T] = xyztOf(shape);
    const where: string[] = [];
    if (s._view_name === 'OrthogonalView') where.push(`cursor x=${s.cursor[0]} y=${s.cursor[1]} z=${s.cursor[2]}`);
    else if (shape.length >= 3) where.push(`${'zyx'[s.axis]}=${s.index} of 0..${[Z, Y, X][s.axis] - 1}`);
    if (shape.length === 4) where.push(`t=${s.t} of 0..${T - 1}`);
    const layers = s.layers.map((l, k) => {
      const parts = [`${l.name} [${l.shape.join(', ')}] ${l.dtype}`, l.colormap === 'labels' ? 'labels' : `${l.colormap} [${l.display_range.join(', ')}]`];
      if (k > 0 && (s.arrangement === 'overlay' || s.arrangement === 'curtain')) parts.push(`alpha ${l.alpha}${l.outline ? ', outlines' : ''}`);
      if (s.arrangement === 'switch' && k === s.active) parts.push('(shown)');
      return `  ${parts.join(', ')}`;
    });
    return [`tessera ${this.kind}${where.length ? `: ${where.join(', ')}` : ''}`, ...layers].join('\n');
  }

  private async animationBytes(format: AnimationFormat, frameDelayMs: number, loops: number): Promise<Uint8Array> {
    const s = this.model.state;
    const layer = s.layers[0];
    const [w, h] = planeSize(layer.shape, s.axis);
    const step = Math.max(1, Math.ceil(Math.max(w, h) / EXPORT_SIZE));
    const conversion = conversionOf(layer.colormap === 'labels', layer.display_range, 'display_range');
    const frames = await renderFrames(this.layers[0], { axis: s.axis, index: s.index, step }, conversion);
    return encodeAnimation(frames, s.luts[layer.colormap] ?? colormapLut('grey'), format, { frameDelayMs, loops });
  }

  /** Answers one request of the view; failures become an error response naming the cause. */
  private async answer(msg: RequestMessage): Promise<void> {
    const reply = (content: ResponseMessage, buffers: ArrayBufferView[] = []) => this.model.sendCustom(content as unknown as JsonObject, buffers);
    try {
      if (msg.request === 'plane') await this.answerPlane(msg, reply);
      else if (msg.request === 'values') await this.answerValues(msg, reply);
      else if (msg.request === 'export') await this.answerExport(msg, reply);
      else if (this.handlers.has(msg.request)) await this.handlers.get(msg.request)!(msg);
      else throw new TesseraError(`unknown request ${JSON.stringify((msg as { request?: unknown }).request)}`);
    } catch (e) {
      if (this.model.comm.closed) return;
      reply({ response: 'error', id: Number((msg as { id?: unknown }).id ?? -1), message: e instanceof Error ? e.message : String(e) });
    }
  }

  private layerIndex(k: unknown): number {
    if (!isInteger(k) || k < 0 || k >= this.layers.length) throw new TesseraError(`layer must be 0..${this.layers.length - 1}; got ${JSON.stringify(k)}`);
    return k;
  }

  private async answerPlane(msg: PlaneRequestMessage, reply: (c: ResponseMessage, b?: ArrayBufferView[]) => void): Promise<void> {
    const start = performance.now();
    const k = this.layerIndex(msg.layer);
    const layer = this.layers[k];
    const request: PlaneRequest = { axis: msg.axis, index: msg.index, t: msg.t ?? 0, step: msg.step ?? 1, transpose: msg.transpose === true, region: msg.region };
    const state = this.model.state.layers[k];
    const histRange = state.data_range ?? msg.display_range;
    const lookup = this.lookups.get(k);
    const conversion = msg.lookup && lookup
      ? { mode: 'lookup' as const, table: lookup() }
      : conversionOf(msg.labels === true, msg.display_range, 'display_range');
    const plane = await layer.render(request, conversion, {
      histogram: msg.histogram ? { low: histRange[0], high: histRange[1] } : undefined,
    });
    const buffers: ArrayBufferView[] = [plane.pixels];
    if (plane.histogram) buffers.push(plane.histogram);
    const kernelMs = Math.round((performance.now() - start) * 10) / 10;
    reply({
      response: 'plane', id: msg.id, layer: k, width: plane.width, height: plane.height, min: plane.min, max: plane.max,
      region: plane.region, level: plane.level, bytes_read: plane.bytesRead, kernel_ms: kernelMs, sent_at: performance.timeOrigin + performance.now(),
    }, buffers);
  }

  private async answerValues(msg: ValuesRequestMessage, reply: (c: ResponseMessage) => void): Promise<void> {
    const values: number[] = [];
    for (const layer of this.layers) {
      const [X, Y, Z, T] = xyztOf(layer.shape);
      const [x, y, z, t] = [msg.x, msg.y, msg.z, msg.t ?? 0];
      if (![x, y, z, t].every(isInteger) || x < 0 || y < 0 || z < 0 || t < 0 || x >= X || y >= Y || z >= Z || t >= T) {
        throw new TesseraError(`values: position (${x}, ${y}, ${z}, ${t}) is outside the image`);
      }
      values.push(await layer.valueAt(x, y, z, t));
    }
    reply({ response: 'values', id: msg.id, values });
    for (const cb of this.pickListeners) cb(msg.x, msg.y, msg.z, msg.t ?? 0, values);
  }

  private async answerExport(msg: ExportRequestMessage, reply: (c: ResponseMessage, b?: ArrayBufferView[]) => void): Promise<void> {
    const format = msg.format === 'gif' ? 'gif' : 'apng';
    const bytes = await this.animationBytes(format, 1000 / this.model.state.fps, 0);
    const base = (this.model.state.title || 'animation').replace(/[^\w.-]+/g, '_');
    reply(
      { response: 'export', id: msg.id, filename: `${base}.${format === 'gif' ? 'gif' : 'png'}`, mime: format === 'gif' ? 'image/gif' : 'image/apng' },
      [bytes],
    );
  }

  private dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }
}


/** The first state of a viewer: layers with their ranges, lookup tables, position and zoom. */
async function initialState(spec: ViewerSpec, layers: Layer[]): Promise<ViewerState> {
  const { options } = spec;
  const first = layers[0];
  const nd = first.shape.length;
  const multiLayer = spec.arrangement === 'overlay' || spec.arrangement === 'curtain';
  for (const [k, layer] of layers.entries()) {
    if (multiLayer && layer.shape.join() !== first.shape.join()) {
      throw new TesseraError(`image ${k + 1} (shape [${layer.shape}]) must have the shape of the first image ([${first.shape}])`);
    }
  }
  if (spec.view === 'OrthogonalView' && nd < 3) throw new TesseraError(`orthogonal needs a 3D or 4D image; got shape [${first.shape}]`);
  const axis = options.axis ?? 0;
  if (!isInteger(axis) || axis < 0 || axis > 2 || (nd < 3 && axis !== 0)) throw new TesseraError(`axis must be 0, 1 or 2 (0 for 2D images); got ${axis}`);
  const [X, Y, Z, T] = xyztOf(first.shape);
  const depth = [Z, Y, X][axis];
  const index = options.index ?? Math.floor(depth / 2);
  if (!isInteger(index) || index < 0 || index >= depth) throw new TesseraError(`index must be 0..${depth - 1}; got ${index}`);
  const t = options.t ?? 0;
  if (!isInteger(t) || t < 0 || t >= T) throw new TesseraError(`t must be 0..${T - 1}; got ${t}`);

  const luts: Record<string, Lut> = {};
  for (const name of COLORMAPS) luts[name] = colormapLut(name);
  const layerStates: LayerState[] = [];
  for (const [k, input] of spec.layers.entries()) {
    const layer = layers[k];
    const colormap = input.colormap ?? options.colormap ?? 'grey';
    let name: string;
    if (typeof colormap === 'string') {
      colormapLut(colormap, `colormap of ${input.name}`);
      name = colormapName(colormap)!;
    } else {
      name = `custom ${k + 1}`;
      luts[name] = colormapLut(colormap, `colormap of ${input.name}`);
    }
    const dataRange = (await layer.valueRange()) ?? null;
    let displayRange = input.displayRange ?? (k === 0 ? options.displayRange : undefined) ?? dataRange ?? undefined;
    if (!displayRange) {
      // A lazy source's range is unknown: probe the first plane, at most 512 pixels across (a pyramid reads a coarse level).
      const [pw, ph] = planeSize(layer.shape, axis);
      const step = Math.max(1, Math.ceil(Math.max(pw, ph) / DEFAULT_VIEW_SIZE));
      const probe = await layer.render({ axis, index: Math.min(index, [Z, Y, X][axis] - 1), t, step }, { mode: 'labels' }).catch(() => undefined);
      displayRange = probe ? [probe.min, probe.max] : [0, 255];
    }
    if (!Array.isArray(displayRange) || displayRange.length !== 2 || !displayRange.every(Number.isFinite)) {
      throw new TesseraError(`displayRange of ${input.name} must be [low, high]; got ${JSON.stringify(displayRange)}`);
    }
    layerStates.push({
      name: input.name,
      shape: [...layer.shape],
      dtype: layer.dtype,
      colormap: name,
      display_range: [displayRange[0], displayRange[1]],
      data_range: dataRange,
      alpha: input.alpha ?? 1,
      outline: input.outline ?? false,
      version: 0,
      levels: layer.levels,
      ...(input.lookup ? { lookup: true } : {}),
    });
  }
  const [w, h] = planeSize(first.shape, axis);
  return {
    layers: layerStates,
    luts,
    arrangement: spec.arrangement,
    tools: spec.tools ?? [],
    axis,
    index,
    t,
    cursor: [Math.floor(X / 2), Math.floor(Y / 2), Math.floor(Z / 2)],
    zoom: options.zoom ?? (spec.view === 'OrthogonalView' ? defaultZoom(X + Z, Y + Z) : defaultZoom(w, h)),
    magnification: 1,
    curtain: options.curtain ?? 0.5,
    active: 0,
    fps: options.fps ?? 10,
    title: options.title ?? '',
    snapshot: '',
    crop_box: [0, 0, 0, X, Y, Z],
    controls: [],
    values: {},
    code: '',
    result_text: '',
    brush: { label: 1, radius: 3 },
    undo_depth: 0,
  };
}
