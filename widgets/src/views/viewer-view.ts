import { button, checkbox, el, formatValue, Slider } from '../controls/controls';
import { DisplayControls } from '../controls/display-controls';
import { HistogramPlot } from '../controls/histogram-plot';
import type { LayerState, PlaneRequestMessage, PlaneResponseMessage, ValuesResponseMessage, ViewerState, ExportResponseMessage, Unsent } from '../protocol';
import { bytesOf } from '../protocol';
import { colorize, overlay, type CodedLayer } from '../render/colorize';
import { PlaneCanvas } from '../render/plane-canvas';
import { TesseraView } from './base-view';

const AXIS_NAMES = ['z', 'y', 'x'];

/** Codes of one layer as last received, with the request they answer. */
interface Received {
  key: string;
  codes: Uint8Array;
  step: number;
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

/**
 * The slice viewer and its variants (model `ViewerModel`): one image, an overlay (labels with
 * outlines), a curtain, two images side by side, or a switch among several; with a slider
 * through the stack, display controls, zoom and pan, and the picker, histogram and play tools.
 */
export class ViewerView extends TesseraView {
  private planes: PlaneCanvas[] = [];
  private received: (Received | undefined)[] = [];
  /** Key of the latest plane asked for, per layer (so that a redraw does not ask twice). */
  private asked: (string | undefined)[] = [];
  private index?: Slider;
  private time?: Slider;
  private display?: DisplayControls;
  private histogram?: HistogramPlot;
  private readout?: HTMLElement;
  private playTimer?: ReturnType<typeof setInterval>;

  private get s(): ViewerState {
    return this.model.attributes as ViewerState;
  }

  /** The layer whose display settings the controls edit: the shown one in a switch, else the first. */
  private get primary(): number {
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
    const s = this.s;
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
    this.el.append(row);
    this.el.append(...this.sliders(), ...this.arrangementControls(), this.displayControls(), ...this.tools());
    this.listenTo(this.model, 'change:index change:axis change:t change:active', () => this.refresh());
    this.listenTo(this.model, 'change:layers', () => {
      this.display?.set({ colormap: this.s.layers[this.primary].colormap, range: this.s.layers[this.primary].display_range });
      this.refresh();
    });
    this.listenTo(this.model, 'change:curtain', () => {
      this.planes[0].curtain = this.s.curtain;
      this.compose(0);
    });
    this.refresh();
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
      this.index = new Slider(AXIS_NAMES[axis], 0, depth - 1, index, (v) => this.set({ index: v }));
      this.listenTo(this.model, 'change:index', () => (this.index!.value = this.s.index));
      out.push(this.index.element);
    }
    if (shape.length === 4) {
      this.time = new Slider('t', 0, shape[0] - 1, t, (v) => this.set({ t: v }));
      this.listenTo(this.model, 'change:t', () => (this.time!.value = this.s.t));
      out.push(this.time.element);
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
        const alpha = new Slider(`${layers[k].name} alpha`, 0, 1, layers[k].alpha, (v) => this.setLayer(k, { alpha: v }), 0.05);
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
    return out;
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
  private set(changes: Partial<ViewerState>): void {
    this.model.set(changes);
    this.saveSoon();
  }

  private setLayer(k: number, changes: Partial<LayerState>): void {
    const layers = this.s.layers.map((l, j) => (j === k ? { ...l, ...changes } : l));
    this.set({ layers });
  }

  /** Asks for every shown layer whose plane or conversion changed, and redraws the others. */
  private refresh(): void {
    const { layers, axis, index, t } = this.s;
    this.planes.forEach((plane, c) => {
      const [w, h] = planeSize(layers[this.layersOf(c)[0]].shape, axis);
      if (plane.width !== w || plane.height !== h) plane.pixels(w, h);
      const step = stepFor(plane.resolution);
      for (const k of this.layersOf(c)) {
        const layer = layers[k];
        const request: Unsent<PlaneRequestMessage> = {
          request: 'plane',
          layer: k,
          axis,
          index,
          t,
          step,
          display_range: layer.display_range,
          labels: layer.colormap === 'labels',
          histogram: this.histogram !== undefined && k === this.primary,
        };
        const key = JSON.stringify(request);
        if (this.asked[k] === key) continue;
        this.asked[k] = key;
        void this.fetchPlane(c, k, request, key);
      }
      this.compose(c);
    });
  }

  private async fetchPlane(canvas: number, k: number, request: Unsent<PlaneRequestMessage>, key: string): Promise<void> {
    try {
      const reply = await this.ask(`plane ${k}`, request);
      if (!reply) return; // replaced by a newer request
      const r = reply.response as PlaneResponseMessage;
      this.received[k] = { key, codes: bytesOf(reply.buffers[0]), step: request.step ?? 1 };
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
      this.measure(r.id, { layer: k, width: r.width, height: r.height, bytes: reply.buffers[0].byteLength, kernel_ms: r.kernel_ms });
      this.status('');
      this.snapshotSoon();
    } catch (e) {
      if (this.asked[k] === key) this.asked[k] = undefined;
      this.status(`could not get the plane: ${(e as Error).message}`);
    }
  }

  /** Colours and blends the received layers of canvas `c` and draws them. */
  private compose(c: number): void {
    const plane = this.planes[c];
    const ks = this.layersOf(c);
    const base = this.received[ks[0]];
    if (!plane || !base) return;
    const out = plane.pixels(plane.width, plane.height, base.step);
    if (base.codes.length !== out.length) return;
    const layers = this.s.layers;
    colorize(out, base.codes, this.lut(layers[ks[0]].colormap));
    const bw = Math.ceil(plane.width / base.step);
    const bh = Math.ceil(plane.height / base.step);
    for (const k of ks.slice(1)) {
      const got = this.received[k];
      if (!got || got.codes.length !== out.length) continue;
      const l = layers[k];
      const layer: CodedLayer = { codes: got.codes, lut: this.lut(l.colormap), alpha: l.alpha, labels: l.colormap === 'labels', outline: l.outline };
      overlay(out, bw, bh, layer, this.s.arrangement === 'curtain' ? this.s.curtain * bw : bw);
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
