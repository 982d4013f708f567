import { el, Slider } from '../controls/controls';
import { DisplayControls } from '../controls/display-controls';
import type { LayerState, PlaneRequestMessage, PlaneResponseMessage, ViewerState, Unsent } from '../protocol';
import { bytesOf } from '../protocol';
import { colorize } from '../render/colorize';
import { PlaneCanvas } from '../render/plane-canvas';
import { TesseraView } from './base-view';
import { extentsOf, stepFor } from './viewer-view';

/** One of the three planes: which axis it cuts, whether it is transposed, and how it maps to the cursor. */
interface OrthoPlane {
  name: string;
  axis: number;
  transpose: boolean;
  /** Cursor components (0 = x, 1 = y, 2 = z) along the plane's columns and rows. */
  cols: number;
  rows: number;
  canvas: PlaneCanvas;
  asked?: string;
}

/**
 * Three orthogonal planes of a 3D image (model `ViewerModel`, view `OrthogonalView`): XY,
 * YZ (z across, beside XY so that y lines up) and XZ (z down, below XY so that x lines up),
 * with a linked cursor: clicking or dragging in one plane moves the other two.
 */
export class OrthogonalView extends TesseraView {
  private planes: OrthoPlane[] = [];
  private sliders: Slider[] = [];
  private display?: DisplayControls;

  private get s(): ViewerState {
    return this.model.attributes as ViewerState;
  }

  protected build(): void {
    const s = this.s;
    const layer = s.layers[0];
    const specs: Omit<OrthoPlane, 'canvas'>[] = [
      { name: 'XY', axis: 0, transpose: false, cols: 0, rows: 1 },
      { name: 'YZ', axis: 2, transpose: true, cols: 2, rows: 1 },
      { name: 'XZ', axis: 1, transpose: false, cols: 0, rows: 2 },
    ];
    const [X, Y, Z] = extentsOf(layer.shape);
    const extent = [X, Y, Z];
    const grid = el('div', 'tessera-ortho');
    for (const spec of specs) {
      const canvas = new PlaneCanvas(spec.name);
      canvas.zoom = s.zoom;
      canvas.interaction = 'cursor';
      canvas.pixels(extent[spec.cols], extent[spec.rows]);
      const plane: OrthoPlane = { ...spec, canvas };
      canvas.onPointer = (x, y, kind) => {
        if (kind !== 'down' && kind !== 'drag') return;
        const cursor = [...this.s.cursor] as [number, number, number];
        cursor[plane.cols] = x;
        cursor[plane.rows] = y;
        this.model.set('cursor', cursor);
        this.saveSoon();
      };
      canvas.onViewport = () => this.refresh();
      canvas.element.classList.add(`tessera-ortho-${spec.name.toLowerCase()}`);
      this.planes.push(plane);
      grid.append(canvas.element);
    }
    this.el.append(grid);
    const names = ['x', 'y', 'z'];
    this.sliders = names.map(
      (n, k) =>
        new Slider(n, 0, extent[k] - 1, s.cursor[k], (v) => {
          const cursor = [...this.s.cursor] as [number, number, number];
          cursor[k] = v;
          this.model.set('cursor', cursor);
          this.saveSoon();
        }),
    );
    const controls = [...this.sliders.map((sl) => sl.element)];
    if (layer.shape.length === 4) {
      const time = new Slider('t', 0, layer.shape[0] - 1, s.t, (v) => {
        this.model.set('t', v);
        this.saveSoon();
      });
      controls.push(time.element);
    }
    this.display = new DisplayControls(this.colormaps(), { colormap: layer.colormap, range: layer.display_range }, layer.data_range, (d) => {
      const layers: LayerState[] = this.s.layers.map((l, k) => (k === 0 ? { ...l, colormap: d.colormap, display_range: d.range } : l));
      this.model.set('layers', layers);
      this.saveSoon();
    });
    this.el.append(el('div', 'tessera-row', ...controls), this.display.element);
    this.listenTo(this.model, 'change:cursor change:t change:layers', () => this.refresh());
    this.refresh();
  }

  protected snapshotCanvases(): HTMLCanvasElement[] {
    return this.planes.map((p) => p.canvas.canvas);
  }

  /** Moves crosshairs and sliders to the cursor and asks for the planes whose position changed. */
  private refresh(): void {
    const { cursor, t, layers } = this.s;
    const layer = layers[0];
    this.sliders.forEach((sl, k) => (sl.value = cursor[k]));
    for (const plane of this.planes) {
      plane.canvas.crosshair = [cursor[plane.cols], cursor[plane.rows]];
      plane.canvas.draw();
      const index = cursor[[2, 1, 0][plane.axis]];
      const request: Unsent<PlaneRequestMessage> = {
        request: 'plane',
        layer: 0,
        axis: plane.axis,
        index,
        t,
        step: stepFor(plane.canvas.resolution),
        transpose: plane.transpose,
        display_range: layer.display_range,
        labels: layer.colormap === 'labels',
      };
      const key = JSON.stringify({ ...request, colormap: layer.colormap });
      if (plane.asked === key) continue;
      plane.asked = key;
      void this.fetch(plane, request, key);
    }
  }

  private async fetch(plane: OrthoPlane, request: Unsent<PlaneRequestMessage>, key: string): Promise<void> {
    try {
      const reply = await this.ask(`plane ${plane.name}`, request);
      if (!reply) return;
      const r = reply.response as PlaneResponseMessage;
      const c = plane.canvas;
      const out = c.pixels(c.width, c.height, request.step);
      colorize(out, bytesOf(reply.buffers[0]), this.lut(this.s.layers[0].colormap));
      c.commit();
      if (plane.axis === 0) this.display?.showPlaneRange(r.min, r.max);
      this.measure(r.id, { plane: plane.name, width: r.width, height: r.height, kernel_ms: r.kernel_ms });
      this.status('');
      this.snapshotSoon();
    } catch (e) {
      if (plane.asked === key) plane.asked = undefined;
      this.status(`could not get the ${plane.name} plane: ${(e as Error).message}`);
    }
  }
}
