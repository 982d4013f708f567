import { button, el, formatValue, numberField, select } from './controls';

/** What the display controls change. */
export interface DisplaySettings {
  colormap: string;
  range: [number, number];
}

/**
 * Colormap and display range of a layer, with the live minimum and maximum of the shown plane
 * and buttons to fit the range to the plane or to the whole image.
 */
export class DisplayControls {
  readonly element: HTMLElement;
  private readonly low: HTMLInputElement;
  private readonly high: HTMLInputElement;
  private readonly live: HTMLElement;
  private planeRange?: [number, number];

  constructor(
    colormaps: string[],
    private settings: DisplaySettings,
    private readonly dataRange: [number, number] | null,
    private readonly onChange: (settings: DisplaySettings) => void,
  ) {
    const setRange = (range: [number, number]) => this.apply({ ...this.settings, range });
    this.low = numberField('display minimum', settings.range[0], (v) => setRange([v, this.settings.range[1]]));
    this.high = numberField('display maximum', settings.range[1], (v) => setRange([this.settings.range[0], v]));
    this.live = el('span', 'tessera-live');
    const fit = button('fit', 'Display range = minimum and maximum of the shown plane', () => this.planeRange && setRange(this.planeRange));
    const reset = button('full', 'Display range = minimum and maximum of the whole image', () => this.dataRange && setRange(this.dataRange));
    reset.disabled = dataRange === null;
    this.element = el(
      'div',
      'tessera-row',
      select('colormap', colormaps, settings.colormap, (colormap) => this.apply({ ...this.settings, colormap })),
      el('label', 'tessera-field', el('span', 'tessera-label', 'range'), this.low, this.high),
      fit,
      reset,
      this.live,
    );
  }

  /** Shows the shown plane's minimum and maximum. */
  showPlaneRange(min: number, max: number): void {
    this.planeRange = [min, max];
    this.live.textContent = `plane min ${formatValue(min)}, max ${formatValue(max)}`;
  }

  /** Updates the fields from the model (without firing onChange). */
  set(settings: DisplaySettings): void {
    this.settings = settings;
    this.low.value = String(settings.range[0]);
    this.high.value = String(settings.range[1]);
  }

  private apply(settings: DisplaySettings): void {
    this.set(settings);
    this.onChange(settings);
  }
}
