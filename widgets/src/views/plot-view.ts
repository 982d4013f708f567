import type { DOMWidgetView, WidgetModel } from '@jupyter-widgets/base';
import { el, formatValue, select } from '../controls/controls';
import { bytesOf, type Bytes, type PlotState } from '../protocol';
import { colorize, rgbaLut } from '../render/colorize';
import { axisRange, insidePolygon } from '../render/plot-geometry';
import { TesseraView } from './base-view';

/** Point colours: unselected, selected, under the mouse. */
const COLORS = ['rgba(70, 120, 200, 0.75)', 'rgba(255, 170, 0, 0.95)', 'rgba(230, 30, 160, 1)'];
const MARGIN = { left: 52, right: 12, top: 10, bottom: 34 };

function floats(b: Bytes): Float32Array {
  const u = bytesOf(b);
  return new Float32Array(u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength));
}

/**
 * The plots (model `PlotModel`): scatterplot, clusterplot (with the linked image viewer below)
 * and sliceplot (with the slice viewer and thumbnails of the selected slices). Points are drawn
 * on a canvas; dragging draws a lasso, Shift + drag a box, a click selects the nearest point,
 * Escape clears. The selection and the point under the mouse go to the kernel, which highlights
 * the objects in the image.
 */
export class PlotView extends TesseraView {
  private canvas!: HTMLCanvasElement;
  private xs: Float32Array = new Float32Array(0);
  private ys: Float32Array = new Float32Array(0);
  private xr: [number, number] = [0, 1];
  private yr: [number, number] = [0, 1];
  private lasso?: { points: number[]; box: boolean };
  private thumbs?: HTMLElement;
  private hoverTimer?: ReturnType<typeof setTimeout>;
  private child?: DOMWidgetView;

  private get p(): PlotState {
    return this.model.attributes as PlotState;
  }

  protected build(): void {
    const [w, h] = this.p.size;
    this.canvas = el('canvas', 'tessera-plot');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('data-lm-suppress-shortcuts', 'true');
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = `${w}px`;
    const axes = el('div', 'tessera-row',
      select('x', this.p.columns, this.p.x_column, (v) => this.setState({ x_column: v })),
      select('y', this.p.columns, this.p.y_column, (v) => this.setState({ y_column: v })),
    );
    const count = el('span', 'tessera-readout tessera-selection-count');
    this.el.append(axes, this.canvas, count);
    this.thumbs = el('div', 'tessera-thumbnails');
    if (this.p.kind === 'slice') this.el.append(this.thumbs);
    const load = () => {
      this.xs = floats(this.p.x);
      this.ys = floats(this.p.y);
      this.xr = axisRange(this.xs);
      this.yr = axisRange(this.ys);
      this.draw();
    };
    this.listenTo(this.model, 'change:x change:y', load);
    this.listenTo(this.model, 'change:selection change:hovered', () => this.draw());
    this.listenTo(this.model, 'change:thumbnails', () => this.showThumbnails());
    const showCount = () => (count.textContent = `${bytesOf(this.p.selection).reduce((a, b) => a + b, 0)} of ${this.xs.length} selected`);
    this.listenTo(this.model, 'change:selection change:x', showCount);
    load();
    showCount();
    this.listen();
    void this.showViewer();
  }

  /** The linked viewer (clusterplot's image, sliceplot's stack) as a child view below the plot. */
  private async showViewer(): Promise<void> {
    const viewer = this.p.viewer as WidgetModel | null;
    if (!viewer) return;
    this.child = (await this.create_child_view(viewer)) as DOMWidgetView;
    this.el.append(this.child.el);
  }

  protected snapshotCanvases(): HTMLCanvasElement[] {
    return [this.canvas];
  }

  private setState(changes: Partial<PlotState>): void {
    this.model.set(changes);
    this.model.save_changes();
  }

  /** Canvas pixels of a data point. */
  private toCanvas(x: number, y: number): [number, number] {
    const dpr = window.devicePixelRatio || 1;
    const [w, h] = [this.canvas.width / dpr, this.canvas.height / dpr];
    const px = MARGIN.left + ((x - this.xr[0]) / (this.xr[1] - this.xr[0])) * (w - MARGIN.left - MARGIN.right);
    const py = h - MARGIN.bottom - ((y - this.yr[0]) / (this.yr[1] - this.yr[0])) * (h - MARGIN.top - MARGIN.bottom);
    return [px * dpr, py * dpr];
  }

  /** Canvas pixels of a pointer event. */
  private eventPoint(e: { clientX: number; clientY: number }): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  /** The row nearest to canvas point (cx, cy) within `radius` canvas pixels, or -1. */
  private nearest(cx: number, cy: number, radius: number): number {
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.xs.length; i++) {
      const [px, py] = this.toCanvas(this.xs[i], this.ys[i]);
      const d = (px - cx) ** 2 + (py - cy) ** 2;
      if (d <= bestD) [best, bestD] = [i, d];
    }
    return best;
  }

  draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    const { width: W, height: H } = this.canvas;
    ctx.clearRect(0, 0, W, H);
    const style = getComputedStyle(this.el);
    const ink = style.getPropertyValue('--jp-ui-font-color1').trim() || '#222';
    const grid = style.getPropertyValue('--jp-border-color2').trim() || '#ddd';
    const [x0, y0] = this.toCanvas(this.xr[0], this.yr[0]);
    const [x1, y1] = this.toCanvas(this.xr[1], this.yr[1]);
    ctx.strokeStyle = grid;
    ctx.lineWidth = dpr;
    ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);
    ctx.fillStyle = ink;
    ctx.font = `${11 * dpr}px sans-serif`;
    ctx.textAlign = 'center';
    for (const f of [0, 0.5, 1]) {
      const v = this.xr[0] + f * (this.xr[1] - this.xr[0]);
      ctx.fillText(formatValue(Number(v.toPrecision(3))), this.toCanvas(v, this.yr[0])[0], y0 + 14 * dpr);
    }
    ctx.fillText(this.p.x_column, (x0 + x1) / 2, y0 + 28 * dpr);
    ctx.textAlign = 'right';
    for (const f of [0, 0.5, 1]) {
      const v = this.yr[0] + f * (this.yr[1] - this.yr[0]);
      ctx.fillText(formatValue(Number(v.toPrecision(3))), x0 - 4 * dpr, this.toCanvas(this.xr[0], v)[1] + 4 * dpr);
    }
    ctx.save();
    ctx.translate(12 * dpr, (y0 + y1) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(this.p.y_column, 0, 0);
    ctx.restore();

    const sel = bytesOf(this.p.selection);
    const m = this.p.marker_size * dpr;
    // Unselected first, so that selected points stay on top.
    for (const pass of [0, 1]) {
      ctx.fillStyle = COLORS[pass];
      for (let i = 0; i < this.xs.length; i++) {
        if ((sel[i] ? 1 : 0) !== pass || !Number.isFinite(this.xs[i]) || !Number.isFinite(this.ys[i])) continue;
        const [px, py] = this.toCanvas(this.xs[i], this.ys[i]);
        ctx.fillRect(px - m / 2, py - m / 2, m, m);
      }
    }
    const hovered = this.p.hovered;
    if (hovered >= 0 && hovered < this.xs.length) {
      const [px, py] = this.toCanvas(this.xs[hovered], this.ys[hovered]);
      ctx.strokeStyle = COLORS[2];
      ctx.lineWidth = 2 * dpr;
      ctx.beginPath();
      ctx.arc(px, py, m + 3 * dpr, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (this.lasso && this.lasso.points.length >= 4) {
      const pts = this.lasso.box ? this.boxPolygon(this.lasso.points) : this.lasso.points;
      ctx.strokeStyle = COLORS[1];
      ctx.lineWidth = dpr;
      ctx.setLineDash([4 * dpr, 3 * dpr]);
      ctx.beginPath();
      ctx.moveTo(pts[0], pts[1]);
      for (let i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i], pts[i + 1]);
      ctx.closePath();
      ctx.stroke();
    }
  }

  private boxPolygon(points: number[]): number[] {
    const [ax, ay] = points;
    const [bx, by] = points.slice(-2);
    return [ax, ay, bx, ay, bx, by, ax, by];
  }

  /** Selects the rows inside the lasso (or the nearest point to a click). */
  private finishSelection(): void {
    const lasso = this.lasso;
    this.lasso = undefined;
    if (!lasso) return;
    const sel = new Uint8Array(this.xs.length);
    const dpr = window.devicePixelRatio || 1;
    const [ax, ay] = lasso.points;
    const [bx, by] = lasso.points.slice(-2);
    if (lasso.points.length <= 4 && Math.hypot(bx - ax, by - ay) < 4 * dpr) {
      const row = this.nearest(ax, ay, 8 * dpr);
      if (row >= 0) sel[row] = 1;
    } else {
      const poly = lasso.box ? this.boxPolygon(lasso.points) : lasso.points;
      for (let i = 0; i < this.xs.length; i++) {
        const [px, py] = this.toCanvas(this.xs[i], this.ys[i]);
        if (insidePolygon(px, py, poly)) sel[i] = 1;
      }
    }
    this.setState({ selection: new DataView(sel.buffer) });
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      c.setPointerCapture(e.pointerId);
      this.lasso = { points: this.eventPoint(e), box: e.shiftKey };
      e.preventDefault();
    });
    c.addEventListener('pointermove', (e) => {
      const [x, y] = this.eventPoint(e);
      if (this.lasso) {
        if (this.lasso.box) this.lasso.points = [...this.lasso.points.slice(0, 2), x, y];
        else this.lasso.points.push(x, y);
        this.draw();
        return;
      }
      const row = this.nearest(x, y, 8 * (window.devicePixelRatio || 1));
      if (row !== this.p.hovered) {
        this.model.set('hovered', row);
        // The kernel highlights the object; tell it once the mouse rests for a moment.
        clearTimeout(this.hoverTimer);
        this.hoverTimer = setTimeout(() => this.model.save_changes(), 60);
      }
    });
    const end = (e: PointerEvent) => {
      if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
      this.finishSelection();
      this.draw();
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.setState({ selection: new DataView(new Uint8Array(this.xs.length).buffer) });
    });
  }

  /** sliceplot: the selected slices as small pictures. */
  private showThumbnails(): void {
    if (!this.thumbs) return;
    const lut = this.p.thumbnail_lut ? rgbaLut(bytesOf(this.p.thumbnail_lut)) : undefined;
    this.thumbs.replaceChildren();
    if (!lut) return;
    this.p.thumbnails.forEach((codes, k) => {
      const { index, width, height } = this.p.thumbnail_info[k];
      const canvas = el('canvas', 'tessera-thumbnail');
      canvas.width = width;
      canvas.height = height;
      const image = new ImageData(width, height);
      colorize(new Uint32Array(image.data.buffer), bytesOf(codes), lut);
      canvas.getContext('2d')!.putImageData(image, 0, 0);
      this.thumbs!.append(el('figure', 'tessera-thumbnail-box', canvas, el('figcaption', '', `z=${index}`)));
    });
  }

  remove(): void {
    clearTimeout(this.hoverTimer);
    this.child?.remove();
    super.remove();
  }
}
