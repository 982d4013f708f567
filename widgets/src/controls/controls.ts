/**
 * Small DOM controls of the views (plain elements styled with JupyterLab's CSS variables in
 * css/widgets.css, so they follow the light and dark themes).
 */

/**
 * Keeps JupyterLab's keyboard shortcuts away from a control: the notebook's command mode would
 * otherwise take the arrow keys of a focused slider.
 */
function ownKeys<E extends HTMLElement>(e: E): E {
  e.setAttribute('data-lm-suppress-shortcuts', 'true');
  return e;
}

/** Creates an element with a class and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  e.append(...children);
  return e;
}

/** A labelled integer slider with a readout; `onInput` fires while dragging and on arrow keys. */
export class Slider {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly readout: HTMLElement;

  constructor(label: string, min: number, max: number, value: number, onInput: (value: number) => void, step = 1) {
    this.input = ownKeys(el('input', 'tessera-slider-input'));
    Object.assign(this.input, { type: 'range', min: String(min), max: String(max), step: String(step), value: String(value) });
    this.input.setAttribute('aria-label', label);
    this.readout = el('span', 'tessera-readout');
    this.element = el('label', 'tessera-slider', el('span', 'tessera-label', label), this.input, this.readout);
    this.show(value);
    this.input.addEventListener('input', () => {
      const v = Number(this.input.value);
      this.show(v);
      onInput(v);
    });
  }

  get value(): number {
    return Number(this.input.value);
  }

  /** Moves the slider without firing `onInput`. */
  set value(v: number) {
    this.input.value = String(v);
    this.show(v);
  }

  private show(v: number): void {
    this.readout.textContent = Number.isInteger(Number(this.input.step)) ? String(v) : v.toFixed(2);
  }
}

/** A drop-down list. */
export function select(label: string, options: string[], value: string, onChange: (value: string) => void): HTMLElement {
  const s = ownKeys(el('select', 'tessera-select'));
  s.setAttribute('aria-label', label);
  for (const o of options) s.append(Object.assign(el('option', '', o), { value: o, selected: o === value }));
  s.addEventListener('change', () => onChange(s.value));
  return el('label', 'tessera-field', el('span', 'tessera-label', label), s);
}

/** A button. */
export function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'tessera-button', text);
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/** A number field that reports finite values on change. */
export function numberField(label: string, value: number, onChange: (value: number) => void): HTMLInputElement {
  const i = ownKeys(el('input', 'tessera-number'));
  Object.assign(i, { type: 'number', value: String(value), step: 'any' });
  i.setAttribute('aria-label', label);
  i.addEventListener('change', () => {
    const v = Number(i.value);
    if (Number.isFinite(v)) onChange(v);
  });
  return i;
}

/** A checkbox with a label. */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const c = el('input');
  Object.assign(c, { type: 'checkbox', checked });
  c.addEventListener('change', () => onChange(c.checked));
  return el('label', 'tessera-field', c, el('span', 'tessera-label', label));
}

/** Formats a pixel value compactly. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toPrecision(5);
}
