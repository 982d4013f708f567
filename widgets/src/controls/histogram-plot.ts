import { histogramBars } from '../render/colorize';
import { el, formatValue } from './controls';

/** Draws a 256-bin histogram over [low, high] with the display range marked. */
export class HistogramPlot {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly axis: HTMLElement;

  constructor() {
    this.canvas = el('canvas', 'tessera-histogram');
    this.canvas.width = 256;
    this.canvas.height = 72;
    this.axis = el('div', 'tessera-histogram-axis');
    this.element = el('div', 'tessera-histogram-box', this.canvas, this.axis);
  }

  /** Shows `counts` (256 bins over `range`) and marks `display` on it. */
  show(counts: Uint32Array, range: [number, number], display: [number, number]): void {
    const ctx = this.canvas.getContext('2d')!;
    const { width: w, height: h } = this.canvas;
    ctx.clearRect(0, 0, w, h);
    // Mid grey and the brand blue read well on light and dark themes alike.
    ctx.fillStyle = 'rgba(128, 128, 128, 0.9)';
    histogramBars(counts).forEach((b, i) => ctx.fillRect(i, h - b * h, 1, b * h));
    const span = range[1] - range[0] || 1;
    ctx.strokeStyle = getComputedStyle(this.element).getPropertyValue('--jp-brand-color1').trim() || '#1976d2';
    ctx.lineWidth = 2;
    for (const v of display) {
      const x = ((v - range[0]) / span) * w;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h);
      ctx.stroke();
    }
    this.axis.textContent = `${formatValue(range[0])} … ${formatValue(range[1])}`;
  }
}
