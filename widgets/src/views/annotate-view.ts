import { button, el, numberField, Slider } from '../controls/controls';
import { ViewerView } from './viewer-view';

/** Label codes as the kernel renders them: 0 stays, label l becomes (l - 1) mod 255 + 1. */
function codeOf(label: number): number {
  return label === 0 ? 0 : ((label - 1) % 255) + 1;
}

let strokes = 0;

/**
 * The view of `annotate` (model `ViewerModel`, view `AnnotateView`): the image with its labels
 * and a brush. Dragging paints (or erases) on the shown slice: the stroke is drawn at once into
 * the view's copy of the label plane and sent to the kernel in pieces (one request in flight, the
 * points gathered meanwhile go with the next), which paints the label image on the GPU.
 */
export class AnnotateView extends ViewerView {
  private painting = true;
  private pending: number[] = [];
  private stroke = 0;
  private sending = false;
  private cursor?: [number, number];

  protected build(): void {
    const brush = () => this.s.brush;
    const label = numberField('label', brush().label, (v) => this.setBrush({ label: Math.max(0, Math.round(v)) }));
    label.classList.add('tessera-label-field');
    const fresh = button('new label', 'Paint with a label not used yet', () => {
      const next = Math.max(brush().label, this.s.layers[1].data_range?.[1] ?? 0) + 1;
      this.setBrush({ label: next });
      label.value = String(next);
    });
    const radius = new Slider('radius', 0, 50, brush().radius, (v) => this.setBrush({ radius: v }));
    const mode = button('paint', 'Switch between painting and panning', () => {
      this.painting = !this.painting;
      mode.textContent = this.painting ? 'paint' : 'pan';
      this.planes.forEach((p) => (p.interaction = this.painting ? 'cursor' : 'pan'));
    });
    const erase = button('eraser', 'Paint label 0 (erase)', () => {
      this.setBrush({ label: 0 });
      label.value = '0';
    });
    const undo = button('undo', 'Undo the last stroke', () => void this.ask('undo', { request: 'undo' }).catch((e) => this.status(String(e))));
    const depth = el('span', 'tessera-readout');
    const showDepth = () => {
      depth.textContent = `${this.s.undo_depth} stroke(s) to undo`;
      undo.disabled = this.s.undo_depth === 0;
    };
    this.listenTo(this.model, 'change:undo_depth', showDepth);
    showDepth();
    this.listenTo(this.model, 'change:brush', () => (label.value = String(brush().label)));
    this.el.append(el('div', 'tessera-row tessera-brush', el('label', 'tessera-field', el('span', 'tessera-label', 'label'), label), fresh, erase, radius.element, mode, undo, depth));
    super.build();
  }

  protected setUpPlanes(): void {
    const plane = this.planes[0];
    plane.interaction = this.painting ? 'cursor' : 'pan';
    plane.onPointer = (x, y, kind) => {
      this.cursor = kind === 'leave' ? undefined : [x, y];
      if (kind === 'down') {
        this.stroke = ++strokes;
        if (this.pending.length <= 2) this.pending = []; // a new stroke does not continue the last one
      }
      if (kind === 'down' || kind === 'drag') this.paint(x, y);
      else plane.draw();
    };
    plane.onOverlay = (ctx, to, scale) => {
      if (!this.cursor) return;
      const [cx, cy] = to(this.cursor[0] + 0.5, this.cursor[1] + 0.5);
      ctx.strokeStyle = this.s.brush.label === 0 ? 'rgba(255, 255, 255, 0.9)' : 'rgba(255, 220, 0, 0.9)';
      ctx.beginPath();
      ctx.arc(cx, cy, Math.max(2, (this.s.brush.radius + 0.5) * scale), 0, 2 * Math.PI);
      ctx.stroke();
    };
  }

  private setBrush(changes: Partial<{ label: number; radius: number }>): void {
    this.set({ brush: { ...this.s.brush, ...changes } });
  }

  /** Paints the point into the held label codes (shown at once) and queues it for the kernel. */
  private paint(x: number, y: number): void {
    const got = this.received[1];
    const { label, radius } = this.s.brush;
    if (got) {
      const [rx, ry] = got.region;
      const code = codeOf(label);
      const r = radius / got.step;
      const cx = (x - rx) / got.step;
      const cy = (y - ry) / got.step;
      for (let j = Math.max(0, Math.floor(cy - r)); j <= Math.min(got.height - 1, Math.ceil(cy + r)); j++) {
        for (let i = Math.max(0, Math.floor(cx - r)); i <= Math.min(got.width - 1, Math.ceil(cx + r)); i++) {
          if ((i - cx) ** 2 + (j - cy) ** 2 <= r * r + 0.25) got.codes[j * got.width + i] = code;
        }
      }
      this.compose(0);
    }
    this.pending.push(x, y);
    void this.flush();
  }

  /** Sends the gathered points as one piece of the stroke (continuing from the last point sent). */
  private async flush(): Promise<void> {
    if (this.sending || this.pending.length === 0) return;
    this.sending = true;
    const points = this.pending;
    this.pending = points.slice(-2); // the next piece starts where this one ends
    const { label, radius } = this.s.brush;
    try {
      await this.ask('paint', { request: 'paint', axis: this.s.axis, index: this.s.index, t: this.s.t, points, radius, label, stroke: this.stroke });
    } catch (e) {
      this.status(`could not paint: ${(e as Error).message}`);
    } finally {
      this.sending = false;
      if (this.pending.length > 2) void this.flush();
      else this.pending = [];
    }
  }
}
