import { button, checkbox, el, select, Slider } from '../controls/controls';
import type { ControlSpec, ControlValue } from '../protocol';
import { ViewerView } from './viewer-view';

/**
 * The view of `interact` (model `ViewerModel`, view `InteractView`): controls generated from the
 * operation's parameters (the kernel sends them as `controls`), the result in the slice viewer
 * below, and the call as a line of code with a copy button. Moving a control asks the kernel to
 * run the operation again (one run in flight; while it runs, only the newest values wait).
 */
export class InteractView extends ViewerView {
  private codeLine?: HTMLElement;
  private resultLine?: HTMLElement;

  protected build(): void {
    const panel = el('div', 'tessera-controls');
    for (const c of (this.s.controls ?? []) as ControlSpec[]) panel.append(this.control(c));
    this.codeLine = el('code', 'tessera-code');
    const copy = button('copy', 'Copy the call with these parameters', () => void navigator.clipboard?.writeText(this.s.code).catch(() => undefined));
    this.resultLine = el('div', 'tessera-status tessera-result');
    this.el.append(panel, el('div', 'tessera-row tessera-code-row', this.codeLine, copy), this.resultLine);
    const show = () => {
      this.codeLine!.textContent = this.s.code;
      this.resultLine!.textContent = this.s.result_text;
    };
    this.listenTo(this.model, 'change:code change:result_text', show);
    show();
    super.build();
  }

  /** One control: a slider (with an "auto" checkbox for optional numbers), a checkbox or a drop-down. */
  private control(c: ControlSpec): HTMLElement {
    const value = this.s.values[c.name];
    const send = (v: ControlValue) => this.run({ ...this.s.values, [c.name]: v });
    let element: HTMLElement;
    if (c.kind === 'number') {
      const start = typeof value === 'number' ? value : ((c.min ?? 0) + (c.max ?? 1)) / 2;
      const slider = new Slider(c.name, c.min ?? 0, c.max ?? 1, start, (v) => send(v), c.step ?? 1);
      element = slider.element;
      if (c.optional) {
        slider.input.disabled = value === null;
        const auto = checkbox('auto', value === null, (on) => {
          slider.input.disabled = on;
          send(on ? null : slider.value);
        });
        element = el('div', 'tessera-row', element, auto);
      }
    } else if (c.kind === 'boolean') {
      element = checkbox(c.name, value === true, (v) => send(v));
    } else {
      element = select(c.name, c.values ?? [], String(value ?? ''), (v) => send(v));
    }
    if (c.doc) element.title = c.doc;
    element.classList.add('tessera-control');
    element.dataset.control = c.name;
    return element;
  }

  private async run(values: Record<string, ControlValue>): Promise<void> {
    this.model.set('values', values);
    try {
      await this.ask('run', { request: 'run', values });
    } catch (e) {
      this.status(`could not run: ${(e as Error).message}`);
    }
  }
}
