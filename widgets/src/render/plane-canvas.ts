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
export type PointerKind = 'move' | 'down' | 'drag' | 'up' | 'leave';

/** A part of the plane: [x, y, width, height] in full-resolution pixels. */
export type Region = [number, number, number, number];

/** Whether region `outer` contains region `inner`. */
export function covers(outer: Region, inner: Region): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[0] + outer[2] >= inner[0] + inner[2] && outer[1] + outer[3] >= inner[1] + inner[3];
}

/**
 * The region worth asking for when `visible` is shown at subsampling `step`: the visible part
 * with a margin of half its size on each side, snapped to a grid of 64 · step pixels, within the
 * plane. Small pans then stay inside what was received and need no request.
 */
export function requestRegion(visible: Region, width: number, height: number, step: number): Region {
  const grid = 64 * step;
  const [x, y, w, h] = visible;
  const x0 = Math.max(0, Math.floor((x - w / 2) / grid) * grid);
  const y0 = Math.max(0, Math.floor((y - h / 2) / grid) * grid);
  const x1 = Math.min(width, Math.ceil((x + w * 1.5) / grid) * grid);
  const y1 = Math.min(height, Math.ceil((y + h * 1.5) / grid) * grid);
  return [x0, y0, x1 - x0, y1 - y0];
}

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
  /** What dragging does: pan the view, or report pointer positions ('down'/'drag'/'up': a cursor, a brush, a selection). */
  interaction: 'pan' | 'cursor' = 'pan';
  /** The part of the plane the held pixels cover. */
  region: Region = [0, 0, 0, 0];

  onPointer?: (x: number, y: number, kind: PointerKind) => void;
  /** Draws on top of the plane; `toCanvas` maps plane coordinates to canvas pixels, `scale` is canvas pixels per plane pixel. */
  onOverlay?: (ctx: CanvasRenderingContext2D, toCanvas: (x: number, y: number) => [number, number], scale: number) => void;
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
   * of which `region` is held at subsampling `step` (`size`: the held pixels, by default the
   * region divided by the step); call {@link commit} when written.
   */
  pixels(width: number, height: number, step = 1, region: Region = [0, 0, width, height], size?: [number, number]): Uint32Array {
    const [bw, bh] = size ?? [Math.ceil(region[2] / step), Math.ceil(region[3] / step)];
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.viewport = { scale: 1, x: 0, y: 0 };
    }
    this.step = step;
    this.region = region;
    if (!this.image || this.image.width !== bw || this.image.height !== bh) this.image = new ImageData(Math.max(1, bw), Math.max(1, bh));
    return new Uint32Array(this.image.data.buffer);
  }

  /** The visible part of the plane, in whole pixels. */
  visibleRegion(): Region {
    const { scale, x, y } = this.viewport;
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.ceil(x + this.width / scale));
    const y1 = Math.min(this.height, Math.ceil(y + this.height / scale));
    return [x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)];
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

  /**
   * Device pixels per image pixel at the current magnification: the resolution worth fetching.
   * The canvas may be shown narrower than its zoom asks for (CSS max-width in a narrow notebook):
   * then its shown width counts.
   */
  get resolution(): number {
    const shown = this.canvas.isConnected ? this.canvas.getBoundingClientRect().width : 0;
    const perPixel = shown > 0 && this.width > 0 ? Math.min(this.zoom, shown / this.width) : this.zoom;
    return perPixel * this.viewport.scale * (window.devicePixelRatio || 1);
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
    const [rx, ry, rw, rh] = this.region;
    const whole = rx === 0 && ry === 0 && rw === this.width && rh === this.height;
    if (scale === 1 && whole && image.width === w && image.height === h) {
      // One canvas pixel per received pixel: no scaling, so skip the offscreen copy.
      ctx.putImageData(image, 0, 0);
    } else {
      if (this.bufferStale) this.updateBuffer(image);
      ctx.clearRect(0, 0, w, h);
      ctx.imageSmoothingEnabled = this.resolution < 1;
      // The held region, placed where it lies in the viewport (the canvas clips the rest).
      const kx = (scale * w) / this.width;
      const ky = (scale * h) / this.height;
      ctx.drawImage(this.buffer, 0, 0, image.width, image.height, (rx - x) * kx, (ry - y) * ky, rw * kx, rh * ky);
    }
    const [cx, cy] = [(ix: number) => ((ix - x) * scale * w) / this.width, (iy: number) => ((iy - y) * scale * h) / this.height];
    if (this.onOverlay) {
      ctx.save();
      this.onOverlay(ctx, (px, py) => [cx(px), cy(py)], (scale * w) / this.width);
      ctx.restore();
    }
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

  private report(e: { clientX: number; clientY: number }, kind: PointerKind, clamp = false): void {
    const [ix, iy] = this.toImage(e);
    let x = Math.floor(ix);
    let y = Math.floor(iy);
    if (clamp || kind === 'drag') [x, y] = [Math.max(0, Math.min(this.width - 1, x)), Math.max(0, Math.min(this.height - 1, y))];
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
      this.canvas.focus();
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
      if (this.drag?.mode === 'cursor') this.report(e, 'up', true);
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
