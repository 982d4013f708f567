import type { JsonObject } from '../jupyter/comms';
import { displayMimeBundle, type MimeBundle } from '../jupyter/display';
import { WidgetModel, type WidgetModelOptions, type WidgetState } from '../jupyter/ipywidgets';
import { VIEW_MIME_TYPE, WIDGETS_MODULE, WIDGETS_MODULE_VERSION } from './protocol';

/** The `_model_*` / `_view_*` fields of a `@tessera/widgets` model and view. */
export function tesseraModelFields(model: string, view: string): WidgetState {
  return {
    _model_module: WIDGETS_MODULE,
    _model_module_version: WIDGETS_MODULE_VERSION,
    _model_name: model,
    _view_module: WIDGETS_MODULE,
    _view_module_version: WIDGETS_MODULE_VERSION,
    _view_name: view,
    _view_count: null,
    _dom_classes: [],
  };
}

/** Creates a kernel-side model of a Tessera widget (its comm opens at once). */
export function createModel<S extends WidgetState>(model: string, view: string, state: S, options?: WidgetModelOptions): WidgetModel<S> {
  return new WidgetModel<S>({ ...tesseraModelFields(model, view), ...state }, options);
}

/**
 * Shows a view of `model` in the cell's output (as {@link VIEW_MIME_TYPE}), with fallbacks for
 * frontends without the Tessera extension: `fallback` (e.g. an `image/png` still, `text/html`) and `text`.
 * @returns whether the output was sent (false outside a kernel).
 */
export function showModel(model: WidgetModel<any>, text: string, fallback: MimeBundle = {}): boolean {
  const view: JsonObject = { model_id: model.modelId, version_major: 2, version_minor: 1 };
  return displayMimeBundle({ [VIEW_MIME_TYPE]: view, ...fallback, 'text/plain': text });
}
