import { DOMWidgetModel, unpack_models, type ISerializers } from '@jupyter-widgets/base';
import { bytesOf, type Bytes, type InsightState, type PlotState, type ViewerState } from './protocol';
import { MODULE_NAME, MODULE_VERSION } from './version';

/**
 * Binary state must be serialized explicitly: without a serializer the widget manager copies
 * state through JSON (turning a DataView into `{}`) when it saves widget state in the notebook.
 * A copy of exactly the value's bytes, because the manager saves a view's whole buffer.
 */
function binary(value: Bytes | null): DataView | null {
  return value ? new DataView(bytesOf(value).slice().buffer) : null;
}

const BINARY = { serialize: binary };
const BINARY_RECORD = {
  serialize: (record: Record<string, Bytes>) => Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, binary(v)])),
};

/** Model and view names and module of a Tessera widget. */
function names(model: string, view: string) {
  return {
    _model_name: model,
    _model_module: MODULE_NAME,
    _model_module_version: MODULE_VERSION,
    _view_name: view,
    _view_module: MODULE_NAME,
    _view_module_version: MODULE_VERSION,
  };
}

/**
 * State of the image viewers (slice, orthogonal, curtain, side by side, switch, picker,
 * histogram, animate); the kernel fills it (see protocol.ts). Binary values (the lookup
 * tables) arrive as DataViews.
 */
export class ViewerModel extends DOMWidgetModel {
  defaults() {
    // Typed as the kernel's state, so that a field added there cannot be missing here.
    const state: ViewerState = {
      layers: [],
      luts: {},
      arrangement: 'single',
      tools: [],
      axis: 0,
      index: 0,
      t: 0,
      cursor: [0, 0, 0],
      zoom: 1,
      magnification: 1,
      curtain: 0.5,
      active: 0,
      fps: 10,
      title: '',
      snapshot: '',
      crop_box: [0, 0, 0, 1, 1, 1],
      controls: [],
      values: {},
      code: '',
      result_text: '',
      brush: { label: 1, radius: 3 },
      undo_depth: 0,
    };
    return { ...super.defaults(), ...names('ViewerModel', 'ViewerView'), ...state };
  }

  static serializers: ISerializers = { ...DOMWidgetModel.serializers, luts: BINARY_RECORD };
}

/** State of the insight view: an 8-bit picture with its lookup table, and a statistics table. */
export class InsightModel extends DOMWidgetModel {
  defaults() {
    // The binary values have no default: the kernel always sends them.
    const state: Omit<InsightState, 'image' | 'lut'> = { title: '', width: 0, height: 0, zoom: 1, stats: [] };
    return { ...super.defaults(), ...names('InsightModel', 'InsightView'), ...state };
  }

  static serializers: ISerializers = { ...DOMWidgetModel.serializers, image: BINARY, lut: BINARY };
}

/** State of the plots (scatterplot, clusterplot, sliceplot): columns and selection as binary, the linked viewer as a model. */
export class PlotModel extends DOMWidgetModel {
  defaults() {
    const state: Omit<PlotState, 'x' | 'y' | 'selection'> = {
      kind: 'scatter', columns: [], x_column: '', y_column: '', labels: null, hovered: -1, marker_size: 4, title: '',
      viewer: null, size: [360, 360], thumbnails: [], thumbnail_info: [], thumbnail_lut: null, snapshot: '',
    };
    return { ...super.defaults(), ...names('PlotModel', 'PlotView'), ...state };
  }

  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    x: BINARY, y: BINARY, labels: BINARY, selection: BINARY, thumbnail_lut: BINARY,
    thumbnails: { serialize: (list: Bytes[]) => (list ?? []).map((b) => binary(b)) },
    viewer: { deserialize: unpack_models },
  };
}
