import { button, checkbox, el, formatValue, Slider } from '../controls/controls';
import { DisplayControls } from '../controls/display-controls';
import { HistogramPlot } from '../controls/histogram-plot';
import type { LayerState, PlaneRequestMessage, PlaneResponseMessage, ValuesResponseMessage, ViewerState, ExportResponseMessage, Unsent } from '../protocol';
import { bytesOf } from '../protocol';
import { colorize, overlay, type CodedLayer } from '../render/colorize';
import { covers, PlaneCanvas, requestRegion, type Region } from '../render/plane-canvas';
import { TesseraView } from './base-view';

const AXIS_NAMES = ['z', 'y', 'x'];

/** Codes of one layer as last received: what they answer (the request without its region), where they lie and at what step. */
export interface Received {
  key: string;
  codes: Uint8Array;
  step: number;
  region: Region;
  width: number;
  height: number;
}

/** (x, y, z) extents of a shape in z, y, x order. */
export function extentsOf(shape: number[]): [number, number, number] {
  const r = [...shape].reverse();
  return [r[0] ?? 1, r[1] ?? 1, r[2] ?? 1];
}

/** Width and height of the plane perpendicular to `axis` (0 = z: XY, 1 = y: XZ, 2 = x: YZ). */
export function planeSize(shape: number[], axis: number): [number, number] {
  const [X, Y, Z] = extentsOf(shape);
  return ([[X, Y], [X, Z], [Y, Z]] as [number, number][])[axis];
}

/** Subsampling worth requesting at `resolution` device pixels per image pixel. */
export function stepFor(resolution: number): number {
  return resolution >= 1 ? 1 : Math.max(1, Math.floor(1 / resolution));
}

/** What decides a viewer's layout: when it changes (interact's result got another shape), the view is rebuilt. */
function layoutKey(s: ViewerState): string {
  return JSON.stringify([s.arrangement, s.axis, s.layers.map((l) => l.shape)]);
}

/**
 * The slice viewer and its variants (model `ViewerModel`): one image, an overlay (labels with
 * outlines), a curtain, two images side by side, or a switch among several; with a slider
 * through the stack, display controls, zoom and pan, and the picker, histogram, play, display
 * range, zoom and crop tools. It asks only for the visible region of each plane, at the
 * resolution it is shown.
 */
export class ViewerView extends TesseraView {
  protected planes: PlaneCanvas[] = [];
  protected received: (Received | undefined)[] = [];
  /** Key of the latest plane asked for, per layer (so that a redraw does not ask twice). */
  private asked: (string | undefined)[] = [];
  private body?: HTMLElement;
  private layout = '';
  private display?: DisplayControls;
  private histogram?: HistogramPlot;
  private readout?: HTMLElement;
  private playTimer?: ReturnType<typeof setInterval>;
  private rangeSliders?: [Slider, Slider];

  protected get s(): ViewerState {
    return this.model.attributes as ViewerState;
  }

  /** The layer whose display settings the controls edit: the shown one in a switch, else the first. */
  protected get primary(): number {
    return this.s.arrangement === 'switch' ? this.s.active : 0;
  }

  /** Layers drawn in each canvas: first the base, then overlays. */
  private layersOf(canvas: number): number[] {
    const { arrangement, layers, active } = this.s;
    if (arrangement === 'side-by-side') return [canvas];
    if (arrangement === 'switch') return [active];
    if (arrangement === 'overlay' || arrangement === 'curtain') return layers.map((_, k) => k);
    return [0];
  }

  protected build(): void {
    this.body = el('div', 'tessera-viewer-body');
    this.el.append(this.body);
    this.buildBody();
    this.listenTo(this.model, 'change:index change:axis change:t change:active', () => this.refresh());
    this.listenTo(this.model, 'change:layers', () => {
      if (layoutKey(this.s) !== this.layout) return this.rebuild();
      this.display?.set({ colormap: this.s.layers[this.primary].colormap, range: this.s.layers[this.primary].display_range });
      this.rangeSliders?.forEach((sl, k) => (sl.value = this.s.layers[this.primary].display_range[k]));
      this.refresh();
    });
    this.listenTo(this.model, 'change:curtain', () => {
      this.planes[0].curtain = this.s.curtain;
      this.compose(0);
    });
  }

  /** Builds the planes and controls from the state. */
  private buildBody(): void {
    const s = this.s;
    this.layout = layoutKey(s);
    const count = s.arrangement === 'side-by-side' ? s.layers.length : 1;
    const row = el('div', 'tessera-planes');
    for (let c = 0; c < count; c++) {
      const plane = new PlaneCanvas(s.arrangement === 'side-by-side' ? s.layers[c].name : undefined);
      plane.zoom = s.zoom;
      plane.onViewport = (v) => {
        for (const other of this.planes) if (other !== plane) other.setViewport(v, false);
        this.refresh();
      };
      if (s.tools.includes('picker')) plane.onPointer = (x, y, kind) => this.pick(x, y, kind);
      if (s.arrangement === 'curtain') {
        plane.curtain = s.curtain;
        plane.onCurtain = (f) => {
          this.model.set('curtain', f);
          this.saveSoon();
        };
      }
      this.planes.push(plane);
      row.append(plane.element);
    }
    this.body!.append(row, ...this.sliders(), ...this.arrangementControls(), this.displayControls(), ...this.tools());
    this.setUpPlanes();
    this.refresh();
  }

  /** Subclasses adjust the planes (interaction mode, overlay drawing) after they are made. */
  protected setUpPlanes(): void {}

  /** Rebuilds the view for a new layout (another shape or arrangement). */
  protected rebuild(): void {
    clearInterval(this.playTimer);
    this.playTimer = undefined;
    this.planes = [];
    this.received = [];
    this.asked = [];
    this.histogram = undefined;
    this.readout = undefined;
    this.rangeSliders = undefined;
    this.body!.replaceChildren();
    this.buildBody();
  }

  protected snapshotCanvases(): HTMLCanvasElement[] {
    return this.planes.map((p) => p.canvas);
  }

  private sliders(): HTMLElement[] {
    const { layers, axis, index, t } = this.s;
    const shape = layers[0].shape;
    const out: HTMLElement[] = [];
    if (shape.length >= 3) {
      const depth = extentsOf(shape)[2 - axis];
      const slider = new Slider(AXIS_NAMES[axis], 0, depth - 1, Math.min(index, depth - 1), (v) => this.set({ index: v }));
      this.listenTo(this.model, 'change:index', () => (slider.value = this.s.index));
      out.push(slider.element);
    }
    if (shape.length === 4) {
      const time = new Slider('t', 0, shape[0] - 1, t, (v) => this.set({ t: v }));
      this.listenTo(this.model, 'change:t', () => (time.value = this.s.t));
      out.push(time.element);
    }
    return out;
  }

  private arrangementControls(): HTMLElement[] {
    const { arrangement, layers } = this.s;
    if (arrangement === 'switch') {
      const buttons = layers.map((l, k) => button(l.name, `Show ${l.name}`, () => this.set({ active: k })));
      const mark = () => buttons.forEach((b, k) => b.classList.toggle('tessera-active', k === this.s.active));
      this.listenTo(this.model, 'change:active', mark);
      mark();
      return [el('div', 'tessera-row', ...buttons)];
    }
    if (arrangement === 'overlay' || arrangement === 'curtain') {
      const controls: HTMLElement[] = [];
      for (let k = 1; k < layers.length; k++) {
        const label = layers[k].colormap === 'labels' || layers[k].lookup ? `${layers[k].name} alpha` : 'blend';
        const alpha = new Slider(label, 0, 1, layers[k].alpha, (v) => this.setLayer(k, { alpha: v }), 0.05);
        controls.push(alpha.element);
        if (layers[k].colormap === 'labels') controls.push(checkbox('outlines', layers[k].outline, (v) => this.setLayer(k, { outline: v })));
      }
      if (arrangement === 'curtain') {
        const curtain = new Slider('curtain', 0, 1, this.s.curtain, (v) => this.set({ curtain: v }), 0.01);
        this.listenTo(this.model, 'change:curtain', () => (curtain.value = this.s.curtain));
        controls.unshift(curtain.element);
      }
      return [el('div', 'tessera-row', ...controls)];
    }
    return [];
  }

  private displayControls(): HTMLElement {
    const layer = this.s.layers[this.primary];
    this.display = new DisplayControls(this.colormaps(), { colormap: layer.colormap, range: layer.display_range }, layer.data_range, (d) =>
      this.setLayer(this.primary, { colormap: d.colormap, display_range: d.range }),
    );
    return this.display.element;
  }

  private tools(): HTMLElement[] {
    const tools = this.s.tools;
    const out: HTMLElement[] = [];
    if (tools.includes('picker')) {
      this.readout = el('div', 'tessera-readout tessera-picker', 'hover over the image');
      out.push(this.readout);
    }
    if (tools.includes('histogram')) {
      this.histogram = new HistogramPlot();
      out.push(this.histogram.element);
    }
    if (tools.includes('play')) out.push(this.playControls());
    if (tools.includes('range')) out.push(this.rangeControls());
    if (tools.includes('zoom')) out.push(this.zoomControls());
    if (tools.includes('crop')) out.push(this.cropControls());
    return out;
  }

  /** displayRange: sliders for the display minimum and maximum over the image's value range. */
  private rangeControls(): HTMLElement {
    const layer = this.s.layers[this.primary];
    const [lo, hi] = layer.data_range ?? layer.display_range;
    const step = Number.isInteger(lo) && Number.isInteger(hi) && hi - lo >= 255 ? Math.max(1, Math.round((hi - lo) / 255)) : (hi - lo) / 255 || 1;
    const set = (k: number) => (v: number) => {
      const range = [...this.s.layers[this.primary].display_range] as [number, number];
      range[k] = v;
      this.setLayer(this.primary, { display_range: range });
    };
    const low = new Slider('minimum', lo, hi, layer.display_range[0], set(0), step);
    const high = new Slider('maximum', lo, hi, layer.display_range[1], set(1), step);
    this.rangeSliders = [low, high];
    return el('div', 'tessera-row tessera-range', low.element, high.element);
  }

  /** zoom: a magnification slider; the view pans by dragging and asks only for what is visible. */
  private zoomControls(): HTMLElement {
    const apply = (m: number) => {
      const p = this.planes[0];
      const { scale, x, y } = p.viewport;
      const cx = x + p.width / scale / 2;
      const cy = y + p.height / scale / 2;
      p.setViewport({ scale: m, x: cx - p.width / m / 2, y: cy - p.height / m / 2 });
    };
    const slider = new Slider('magnification', 1, 16, this.s.magnification, (v) => {
      this.set({ magnification: v });
      apply(v);
    }, 0.5);
    queueMicrotask(() => apply(this.s.magnification));
    return el('div', 'tessera-row', slider.element);
  }

  /** crop: drag a rectangle on the plane; sliders choose the range along the sliced axis. */
  private cropControls(): HTMLElement {
    const s = this.s;
    const [X, Y, Z] = extentsOf(s.layers[0].shape);
    const readout = el('span', 'tessera-readout tessera-crop-readout');
    const show = () => {
      const [x, y, z, w, h, d] = this.s.crop_box;
      readout.textContent = `x ${x}..${x + w - 1}, y ${y}..${y + h - 1}${s.layers[0].shape.length >= 3 ? `, z ${z}..${z + d - 1}` : ''}`;
      this.planes.forEach((p) => p.draw());
    };
    const setBox = (changes: Partial<{ x: number; y: number; z: number; w: number; h: number; d: number }>) => {
      const [x, y, z, w, h, d] = this.s.crop_box;
      const b = { x, y, z, w, h, d, ...changes };
      this.set({ crop_box: [b.x, b.y, b.z, b.w, b.h, b.d] });
      show();
    };
    let anchor: [number, number] | undefined;
    for (const plane of this.planes) {
      plane.interaction = 'cursor';
      plane.onPointer = (px, py, kind) => {
        if (kind === 'down') anchor = [px, py];
        if ((kind === 'drag' || kind === 'up') && anchor) {
          const [ax, ay] = anchor;
          setBox({ x: Math.min(ax, px), y: Math.min(ay, py), w: Math.abs(px - ax) + 1, h: Math.abs(py - ay) + 1 });
          if (kind === 'up') anchor = undefined;
        }
      };
      plane.onOverlay = (ctx, to) => {
        const [x, y, , w, h] = this.s.crop_box;
        const [x0, y0] = to(x, y);
        const [x1, y1] = to(x + w, y + h);
        ctx.strokeStyle = 'rgba(255, 210, 0, 0.95)';
        ctx.lineWidth = 2;
        ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      };
    }
    const controls: HTMLElement[] = [readout];
    if (s.layers[0].shape.length >= 3) {
      const [, , z, , , d] = s.crop_box;
      const first = new Slider('z from', 0, Z - 1, z, (v) => setBox({ z: v, d: Math.max(1, this.s.crop_box[2] + this.s.crop_box[5] - v) }));
      const last = new Slider('z to', 0, Z - 1, z + d - 1, (v) => setBox({ d: Math.max(1, v - this.s.crop_box[2] + 1) }));
      controls.unshift(first.element, last.element);
    }
    controls.push(button('all', 'Select the whole image', () => setBox({ x: 0, y: 0, z: 0, w: X, h: Y, d: Z })));
    queueMicrotask(show);
    return el('div', 'tessera-row tessera-crop', ...controls);
  }

  private playControls(): HTMLElement {
    const play = button('▶ play', 'Play through the stack', () => (this.playTimer ? stop() : start()));
    const start = () => {
      play.textContent = '⏸ pause';
      this.playTimer = setInterval(() => this.advance(), 1000 / Math.max(0.1, this.s.fps));
    };
    const stop = () => {
      play.textContent = '▶ play';
      clearInterval(this.playTimer);
      this.playTimer = undefined;
    };
    const fps = new Slider('fps', 1, 60, this.s.fps, (v) => {
      this.set({ fps: v });
      if (this.playTimer) {
        stop();
        start();
      }
    });
    const exportAs = (format: 'apng' | 'gif') => () => this.exportAnimation(format);
    return el('div', 'tessera-row', play, fps.element, button('APNG', 'Download the animation as animated PNG', exportAs('apng')), button('GIF', 'Download the animation as GIF', exportAs('gif')));
  }

  /** Next frame of the play tool: through time for 4D images, else through the sliced axis. */
  private advance(): void {
    const shape = this.s.layers[0].shape;
    if (shape.length === 4) this.set({ t: (this.s.t + 1) % shape[0] });
    else if (shape.length === 3) this.set({ index: (this.s.index + 1) % extentsOf(shape)[2 - this.s.axis] });
  }

  private async exportAnimation(format: 'apng' | 'gif'): Promise<void> {
    this.status(`rendering the ${format.toUpperCase()} in the kernel…`);
    try {
      const reply = await this.ask('export', { request: 'export', format });
      if (!reply) return;
      const r = reply.response as ExportResponseMessage;
      const bytes = bytesOf(reply.buffers[0]);
      const url = URL.createObjectURL(new Blob([bytes.slice()], { type: r.mime }));
      const a = el('a');
      a.href = url;
      a.download = r.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.status(`saved ${r.filename} (${(bytes.length / 1024).toFixed(0)} kB)`);
    } catch (e) {
      this.status(`export failed: ${(e as Error).message}`);
    }
  }

  /** Changes model state from the view: the change is shown at once and saved to the kernel shortly. */
  protected set(changes: Partial<ViewerState>): void {
    this.model.set(changes);
    this.saveSoon();
  }

  protected setLayer(k: number, changes: Partial<LayerState>): void {
    const layers = this.s.layers.map((l, j) => (j === k ? { ...l, ...changes } : l));
    this.set({ layers });
  }

  /** Asks for every shown layer whose plane, conversion or visible region changed, and redraws the others. */
  protected refresh(): void {
    const { layers, axis, index, t } = this.s;
    this.planes.forEach((plane, c) => {
      const [w, h] = planeSize(layers[this.layersOf(c)[0]].shape, axis);
      if (plane.width !== w || plane.height !== h) plane.pixels(w, h);
      const step = stepFor(plane.resolution);
      const visible = plane.visibleRegion();
      const whole = visible[2] >= w && visible[3] >= h;
      for (const k of this.layersOf(c)) {
        const layer = layers[k];
        const request: Unsent<PlaneRequestMessage> = {
          request: 'plane',
          layer: k,
          axis,
          index: Math.min(index, extentsOf(layer.shape)[2 - axis] - 1),
          t,
          step,
          display_range: layer.display_range,
          labels: layer.colormap === 'labels' || layer.lookup === true,
          ...(layer.lookup ? { lookup: true } : {}),
          histogram: this.histogram !== undefined && k === this.primary,
        };
        // The key names what the codes depend on; the region is checked separately (a held one may cover the view).
        const key = JSON.stringify({ ...request, version: layer.version });
        const got = this.received[k];
        if (got?.key === key && covers(got.region, visible)) continue;
        const region = whole ? undefined : requestRegion(visible, w, h, step);
        const full = JSON.stringify([key, region]);
        if (this.asked[k] === full) continue;
        this.asked[k] = full;
        void this.fetchPlane(c, k, region ? { ...request, region } : request, key, full);
      }
      this.compose(c);
    });
  }

  private async fetchPlane(canvas: number, k: number, request: Unsent<PlaneRequestMessage>, key: string, full: string): Promise<void> {
    try {
      const reply = await this.ask(`plane ${k}`, request);
      if (!reply) return; // replaced by a newer request
      const r = reply.response as PlaneResponseMessage;
      this.received[k] = { key, codes: bytesOf(reply.buffers[0]), step: request.step ?? 1, region: r.region, width: r.width, height: r.height };
      if (k === this.primary) {
        this.display?.showPlaneRange(r.min, r.max);
        const layer = this.s.layers[k];
        if (this.histogram && reply.buffers[1]) {
          const b = reply.buffers[1];
          const counts = new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
          this.histogram.show(counts, layer.data_range ?? layer.display_range, layer.display_range);
        }
      }
      this.compose(canvas);
      this.measure(r.id, {
        layer: k, width: r.width, height: r.height, bytes: reply.buffers[0].byteLength, kernel_ms: r.kernel_ms, sent_at: r.sent_at,
        level: r.level, bytes_read: r.bytes_read,
      });
      this.status('');
      this.snapshotSoon();
    } catch (e) {
      if (this.asked[k] === full) this.asked[k] = undefined;
      this.status(`could not get the plane: ${(e as Error).message}`);
    }
  }

  /** Colours and blends the received layers of canvas `c` and draws them. */
  protected compose(c: number): void {
    const plane = this.planes[c];
    const ks = this.layersOf(c);
    const base = this.received[ks[0]];
    if (!plane || !base) return;
    const out = plane.pixels(plane.width, plane.height, base.step, base.region, [base.width, base.height]);
    if (base.codes.length !== out.length) return;
    const layers = this.s.layers;
    colorize(out, base.codes, this.lut(layers[ks[0]].colormap));
    for (const k of ks.slice(1)) {
      const got = this.received[k];
      if (!got || got.codes.length !== out.length || got.region.join() !== base.region.join()) continue;
      const l = layers[k];
      const labels = l.colormap === 'labels' || l.lookup === true;
      const layer: CodedLayer = { codes: got.codes, lut: this.lut(l.colormap), alpha: l.alpha, labels, outline: l.outline };
      // The curtain is a fraction of the whole plane; the held pixels may be a part of it.
      const curtainX = this.s.arrangement === 'curtain' ? ((this.s.curtain * plane.width - base.region[0]) / base.region[2]) * base.width : base.width;
      overlay(out, base.width, base.height, layer, curtainX);
    }
    plane.commit();
  }

  /** Picker: the position under the mouse and the values of all layers there. */
  private async pick(x: number, y: number, kind: string): Promise<void> {
    if (!this.readout || kind === 'leave') return;
    const { axis, index, t, layers } = this.s;
    const [px, py, pz] = axis === 0 ? [x, y, index] : axis === 1 ? [x, index, y] : [index, x, y];
    const where = layers[0].shape.length >= 3 ? `x=${px} y=${py} z=${pz}` : `x=${px} y=${py}`;
    try {
      const reply = await this.ask('values', { request: 'values', x: px, y: py, z: pz, t });
      if (!reply) return;
      const values = (reply.response as ValuesResponseMessage).values;
      this.readout.textContent = `${where}: ${values.map((v, k) => (layers.length > 1 ? `${layers[k].name} ${formatValue(v)}` : formatValue(v))).join(', ')}`;
    } catch (e) {
      this.readout.textContent = `${where}: ${(e as Error).message}`;
    }
  }

  remove(): void {
    clearInterval(this.playTimer);
    super.remove();
  }
}
