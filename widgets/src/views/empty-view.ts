import { DOMWidgetView } from '@jupyter-widgets/base';

/** An empty cell of a grid (rows shorter than the widest). */
export class EmptyView extends DOMWidgetView {
  render(): void {
    this.el.classList.add('tessera-empty');
  }
}
