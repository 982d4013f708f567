import { el } from '../controls/controls';
import { bytesOf, type Bytes } from '../protocol';
import { colorize, rgbaLut } from '../render/colorize';
import { TesseraView } from './base-view';

/**
 * The insight view (model `InsightModel`): a small picture of the image next to its statistics
 * table. Its pixels are part of the model state, so it renders the same with or without a kernel.
 */
export class InsightView extends TesseraView {
  private canvas?: HTMLCanvasElement;

  protected hasStaticState(): boolean {
    return true;
  }

  render(): void {
    this.el.classList.add('tessera-widget');
    this.build();
  }

  protected build(): void {
    const width = this.model.get('width') as number;
    const height = this.model.get('height') as number;
    const zoom = (this.model.get('zoom') as number) || 1;
    const canvas = el('canvas', 'tessera-canvas tessera-insight-picture');
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${Math.round(width * zoom)}px`;
    const image = new ImageData(width, height);
    colorize(new Uint32Array(image.data.buffer), bytesOf(this.model.get('image') as Bytes), rgbaLut(bytesOf(this.model.get('lut') as Bytes)));
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    this.canvas = canvas;
    const rows = (this.model.get('stats') as [string, string][]).map(([k, v]) => el('tr', '', el('th', '', k), el('td', '', v)));
    const table = el('table', 'tessera-stats', el('tbody', '', ...rows));
    const title = el('div', 'tessera-title', String(this.model.get('title') ?? ''));
    this.el.append(title, el('div', 'tessera-insight', canvas, table));
  }

  protected snapshotCanvases(): HTMLCanvasElement[] {
    return this.canvas ? [this.canvas] : [];
  }
}
