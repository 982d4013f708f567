/**
 * A canvas that shows one plane with zoom and pan, a crosshair and a curtain line, and reports
 * pointer positions in image coordinates.
 *
 * The plane's pixels live in an offscreen canvas at the resolution they came in (possibly
 * subsampled by `step`); the visible canvas shows the viewport of it, scaled to the display.
 */

/** What part of the image is visible: magnification (1 = whole image) and the top-left image pixel. */
export interface Viewport {
  scale: number;
  x: number;
  y: number;
}

/** Pointer events in image coordinates (pixels of the full-resolution plane). */
export type PointerKind = 'move' | 'down' | 'drag' | 'leave';

const MAX_SCALE = 64;
const CURTAIN_GRAB_PX = 6;

export class PlaneCanvas {
  /** The element to insert in a view: the canvas and its zoom buttons. */
  readonly element: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  /** Plane size in image pixels (full resolution). */
  width = 0;
  height = 0;
  /** Subsampling of the pixels held (1 = full resolution). */
  step = 1;
  /** Screen pixels per image pixel at magnification 1. */
  zoom = 1;
  viewport: Viewport = { scale: 1, x: 0, y: 0 };
  /** Crosshair position in image coordinates, or none. */
  crosshair?: [number, number];
  /** Curtain position as a fraction of the width, or none. */
  curtain?: number;
  /** What dragging does: pan the view, or move the cursor (reported as 'down'/'drag'). */
  interaction: 'pan' | 'cursor' = 'pan';

  onPointer?: (x: number, y: number, kind: PointerKind) => void;
  onViewport?: (viewport: Viewport) => void;
  onCurtain?: (fraction: number) => void;

  private readonly buffer = document.createElement('canvas');
  private bufferStale = false;
  private image?: ImageData;
  private drag?: { mode: 'pan' | 'cursor' | 'curtain'; startX: number; startY: number; viewport: Viewport };

  constructor(label?: string) {
    this.element = document.createElement('div');
    this.element.className = 'tessera-plane';
    if (label) {
      const caption = document.createElement('div');
      caption.className = 'tessera-caption';
      caption.textContent = label;
      this.element.append(caption);
    }
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'tessera-canvas';
    this.canvas.tabIndex = 0;
    this.element.append(this.canvas, this.zoomButtons());
    this.listen();
  }

  /**
   * The pixel words (RGBA, see colorize.ts) to fill for a plane of `width` × `height` image pixels
   * held at subsampling `step`; call {@link commit} when written.
   */
  pixels(width: number, height: number, step = 1): Uint32Array {
    const bw = Math.ceil(width / step);
    const bh = Math.ceil(height / step);
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.viewport = { scale: 1, x: 0, y: 0 };
    }
    this.step = step;
    if (!this.image || this.image.width !== bw || this.image.height !== bh) this.image = new ImageData(bw, bh);
    return new Uint32Array(this.image.data.buffer);
  }

  /** Shows the pixels written into {@link pixels}. */
  commit(): void {
    this.bufferStale = true;
    this.draw();
  }

  /** Copies the pixels into the offscreen canvas that scaled drawing reads from. */
  private updateBuffer(image: ImageData): void {
    if (this.buffer.width !== image.width || this.buffer.height !== image.height) {
      this.buffer.width = image.width;
      this.buffer.height = image.height;
    }
    this.buffer.getContext('2d')!.putImageData(image, 0, 0);
    this.bufferStale = false;
  }

  /** Size on screen (CSS pixels). */
  get displaySize(): [number, number] {
    return [Math.max(1, Math.round(this.width * this.zoom)), Math.max(1, Math.round(this.height * this.zoom))];
  }

  /** Device pixels per image pixel at the current magnification: the resolution worth fetching. */
  get resolution(): number {
    return this.zoom * this.viewport.scale * (window.devicePixelRatio || 1);
  }

  /** Redraws the visible canvas from the held pixels (after a viewport, crosshair or curtain change). */
  draw(): void {
    const [cssW, cssH] = this.displaySize;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(cssW * dpr);
    const h = Math.round(cssH * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      // The height follows from the aspect ratio (CSS height: auto), so max-width: 100% keeps the proportions.
      this.canvas.style.width = `${cssW}px`;
    }
    const ctx = this.canvas.getContext('2d')!;
    const image = this.image;
    if (!image) {
      ctx.clearRect(0, 0, w, h);
      return;
    }
    const { scale, x, y } = this.viewport;
    if (scale === 1 && image.width === w && image.height === h) {
      // One canvas pixel per received pixel: no scaling, so skip the offscreen copy.
      ctx.putImageData(image, 0, 0);
    } else {
      if (this.bufferStale) this.updateBuffer(image);
      const s = this.step;
      ctx.clearRect(0, 0, w, h);
      ctx.imageSmoothingEnabled = this.resolution < 1;
      ctx.drawImage(this.buffer, x / s, y / s, this.width / scale / s, this.height / scale / s, 0, 0, w, h);
    }
    const [cx, cy] = [(ix: number) => ((ix - x) * scale * w) / this.width, (iy: number) => ((iy - y) * scale * h) / this.height];
    ctx.lineWidth = Math.max(1, dpr);
    if (this.curtain !== undefined) {
      const px = cx(this.curtain * this.width);
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, h);
      ctx.stroke();
    }
    if (this.crosshair) {
      const [px, py] = [cx(this.crosshair[0] + 0.5), cy(this.crosshair[1] + 0.5)];
      ctx.strokeStyle = 'rgba(255, 64, 64, 0.8)';
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, h);
      ctx.moveTo(0, py);
      ctx.lineTo(w, py);
      ctx.stroke();
    }
  }

  /** Sets the magnification and position, keeping the viewport inside the image. */
  setViewport(v: Viewport, notify = true): void {
    const scale = Math.max(1, Math.min(MAX_SCALE, v.scale));
    const maxX = this.width - this.width / scale;
    const maxY = this.height - this.height / scale;
    this.viewport = { scale, x: Math.max(0, Math.min(maxX, v.x)), y: Math.max(0, Math.min(maxY, v.y)) };
    this.draw();
    if (notify) this.onViewport?.(this.viewport);
  }

  /** Zooms by `factor` keeping image point (ix, iy) where it is on screen (default: the centre). */
  zoomBy(factor: number, ix?: number, iy?: number): void {
    const { scale, x, y } = this.viewport;
    const cx = ix ?? x + this.width / scale / 2;
    const cy = iy ?? y + this.height / scale / 2;
    const next = Math.max(1, Math.min(MAX_SCALE, scale * factor));
    const k = scale / next;
    this.setViewport({ scale: next, x: cx - (cx - x) * k, y: cy - (cy - y) * k });
  }

  /** Image coordinates (fractional) of a pointer event. */
  toImage(e: { clientX: number; clientY: number }): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    const { scale, x, y } = this.viewport;
    return [x + ((e.clientX - r.left) / r.width) * (this.width / scale), y + ((e.clientY - r.top) / r.height) * (this.height / scale)];
  }

  private nearCurtain(e: PointerEvent): boolean {
    if (this.curtain === undefined) return false;
    const r = this.canvas.getBoundingClientRect();
    const { scale, x } = this.viewport;
    const px = r.left + ((this.curtain * this.width - x) * scale * r.width) / this.width;
    return Math.abs(e.clientX - px) <= CURTAIN_GRAB_PX;
  }

  private report(e: { clientX: number; clientY: number }, kind: PointerKind): void {
    const [ix, iy] = this.toImage(e);
    const x = Math.floor(ix);
    const y = Math.floor(iy);
    if (kind !== 'leave' && (x < 0 || y < 0 || x >= this.width || y >= this.height)) return;
    this.onPointer?.(x, y, kind);
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      const mode = this.nearCurtain(e) ? 'curtain' : this.interaction;
      this.drag = { mode, startX: e.clientX, startY: e.clientY, viewport: { ...this.viewport } };
      c.setPointerCapture(e.pointerId);
      if (mode === 'cursor') this.report(e, 'down');
      e.preventDefault();
    });
    c.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d) {
        c.style.cursor = this.nearCurtain(e) ? 'ew-resize' : this.interaction === 'cursor' ? 'crosshair' : 'grab';
        this.report(e, 'move');
        return;
      }
      if (d.mode === 'pan') {
        const r = c.getBoundingClientRect();
        const dx = ((e.clientX - d.startX) / r.width) * (this.width / d.viewport.scale);
        const dy = ((e.clientY - d.startY) / r.height) * (this.height / d.viewport.scale);
        this.setViewport({ scale: d.viewport.scale, x: d.viewport.x - dx, y: d.viewport.y - dy });
        this.report(e, 'move');
      } else if (d.mode === 'cursor') {
        this.report(e, 'drag');
      } else {
        const f = this.toImage(e)[0] / this.width;
        this.curtain = Math.max(0, Math.min(1, f));
        this.onCurtain?.(this.curtain);
      }
    });
    const end = (e: PointerEvent) => {
      this.drag = undefined;
      if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointerleave', (e) => {
      if (!this.drag) this.report(e, 'leave');
    });
    // Ctrl + wheel (and touchpad pinch, which Chromium reports so) zooms; a plain wheel scrolls the notebook.
    c.addEventListener(
      'wheel',
      (e) => {
        if (!e.ctrlKey && !e.metaKey) return;
        e.preventDefault();
        const [ix, iy] = this.toImage(e);
        this.zoomBy(Math.exp(-e.deltaY * 0.002), ix, iy);
      },
      { passive: false },
    );
    c.addEventListener('dblclick', () => this.setViewport({ scale: 1, x: 0, y: 0 }));
  }

  private zoomButtons(): HTMLElement {
    const bar = document.createElement('div');
    bar.className = 'tessera-zoom';
    const button = (text: string, title: string, fn: () => void) => {
      const b = document.createElement('button');
      b.textContent = text;
      b.title = title;
      b.addEventListener('click', fn);
      bar.append(b);
    };
    button('+', 'Zoom in (or Ctrl + wheel)', () => this.zoomBy(2));
    button('−', 'Zoom out', () => this.zoomBy(0.5));
    button('⤢', 'Whole image (or double-click)', () => this.setViewport({ scale: 1, x: 0, y: 0 }));
    return bar;
  }
}
