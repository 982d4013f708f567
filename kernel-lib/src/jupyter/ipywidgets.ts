/**
 * Kernel side of the Jupyter widget message protocol 2.1 (what ipywidgets 8 speaks), on top of
 * comms: models whose state is synced with the frontend's widget manager
 * (JupyterLab + jupyterlab_widgets), so that standard controls such as `IntSlider` and custom
 * widget models can be created from TypeScript.
 *
 * Spec: https://github.com/jupyter-widgets/ipywidgets/blob/main/packages/schema/messages.md
 */
import { getKernelComms, type BufferLike, type Comm, type CommManager, type CommMessage, type JsonObject } from './comms';
import { displayMimeBundle } from './display';

/** Version of the widget message protocol, sent in `comm_open` metadata. */
export const WIDGET_PROTOCOL_VERSION = '2.1.0';
/** Comm target of widget models. */
export const WIDGET_TARGET = 'jupyter.widget';
/** Comm target the frontend opens to fetch all widget states at once. */
export const WIDGET_CONTROL_TARGET = 'jupyter.widget.control';
/** npm module of the standard controls, and the model version ipywidgets 8 uses. */
export const CONTROLS_MODULE = '@jupyter-widgets/controls';
export const CONTROLS_VERSION = '2.0.0';
/** npm module of the base widgets (layout, style views), and its model version. */
export const BASE_MODULE = '@jupyter-widgets/base';
export const BASE_VERSION = '2.0.0';

/** A widget model's state: JSON values, binary values (which travel as buffers) and model references. */
export type WidgetState = Record<string, unknown>;

/** Who changed the state: kernel code ({@link WidgetModel.set}) or the frontend (an `update` message). */
export type ChangeOrigin = 'kernel' | 'frontend';

/** Options of the {@link WidgetModel} constructor. */
export interface WidgetModelOptions {
  /** The comm manager to open the model's comm with; defaults to {@link getKernelComms}. */
  comms?: CommManager;
}

type Path = (string | number)[];

/** Live models by id, shared by all copies of this module (see comms.ts) for `request_states`. */
const REGISTRY = Symbol.for('tessera.jupyter.widgets');
function registry(): Map<string, WidgetModel<any>> {
  const g = globalThis as Record<symbol, Map<string, WidgetModel<any>> | undefined>;
  return (g[REGISTRY] ??= new Map());
}

function isBinary(v: unknown): v is BufferLike {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Converts state to its wire form: binary values move to `buffers` with their `bufferPaths`
 * (removed from objects, `null` in arrays, as ipywidgets does) and models become "IPY_MODEL_<id>".
 */
function encodeState(value: unknown, path: Path, bufferPaths: Path[], buffers: BufferLike[]): unknown {
  if (value instanceof WidgetModel) return `IPY_MODEL_${value.modelId}`;
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (!isBinary(v)) return encodeState(v, [...path, i], bufferPaths, buffers);
      bufferPaths.push([...path, i]);
      buffers.push(v);
      return null;
    });
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (isBinary(v)) {
        bufferPaths.push([...path, k]);
        buffers.push(v);
      } else {
        out[k] = encodeState(v, [...path, k], bufferPaths, buffers);
      }
    }
    return out;
  }
  return value;
}

/** Splits `state` into JSON, buffer paths and buffers. */
function splitBuffers(state: Record<string, unknown>): { state: JsonObject; bufferPaths: Path[]; buffers: BufferLike[] } {
  const bufferPaths: Path[] = [];
  const buffers: BufferLike[] = [];
  return { state: encodeState(state, [], bufferPaths, buffers) as JsonObject, bufferPaths, buffers };
}

/** Puts the message's buffers (as DataView, like the JS widget manager does) into `state` at `bufferPaths`. */
function putBuffers(state: JsonObject, bufferPaths: Path[], buffers: Uint8Array[]): void {
  bufferPaths.forEach((path, i) => {
    const buffer = buffers[i];
    if (!buffer || path.length === 0) return;
    let obj: any = state;
    for (const key of path.slice(0, -1)) obj = obj[key];
    obj[path[path.length - 1]] = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  });
}

/**
 * A widget model living in the kernel, synced with its frontend counterpart over a
 * `jupyter.widget` comm (protocol 2.1). Construction opens the comm with the full state; show a
 * view of it with {@link display}.
 *
 * The state must name the frontend model and view classes (`_model_module`, `_model_name`,
 * `_model_module_version`, `_view_module`, `_view_name`, `_view_module_version`); see
 * {@link controlsModelFields} for the standard controls. Binary values (ArrayBuffer, typed arrays,
 * DataView) travel as binary buffers; binary values received from the frontend are DataViews.
 * Other {@link WidgetModel}s in the state are sent as "IPY_MODEL_<id>" references.
 *
 * @example
 * const slider = intSlider({ value: 5, max: 10 });
 * slider.onChange((changes) => console.log(changes.value));
 * display(slider);
 */
export class WidgetModel<S extends WidgetState = WidgetState> {
  /** The comm that syncs this model; its id is the model id. */
  readonly comm: Comm;
  private current: S;
  private readonly changeListeners = new Set<(changes: Partial<S>, origin: ChangeOrigin) => void>();
  private readonly customListeners = new Set<(content: JsonObject, buffers: DataView[]) => void>();

  /** Opens the model's comm with `state`. Throws outside the Tessera kernel unless `options.comms` is given. */
  constructor(state: S, options: WidgetModelOptions = {}) {
    const comms = options.comms ?? getKernelComms();
    if (!comms) throw new Error('WidgetModel needs the Tessera kernel (getKernelComms() is undefined)');
    this.current = { ...state };
    const wire = splitBuffers(this.current);
    this.comm = comms.openComm(
      WIDGET_TARGET,
      { state: wire.state, buffer_paths: wire.bufferPaths },
      { version: WIDGET_PROTOCOL_VERSION },
      wire.buffers,
    );
    this.comm.onMsg((msg) => this.handleMsg(msg));
    this.comm.onClose(() => registry().delete(this.modelId));
    registry().set(this.modelId, this);
  }

  /** The model id, used by views ("IPY_MODEL_<id>" references, widget-view output). */
  get modelId(): string {
    return this.comm.commId;
  }

  /** The current state (do not mutate; use {@link set}). */
  get state(): Readonly<S> {
    return this.current;
  }

  /** The current value of `key`. */
  get<K extends keyof S>(key: K): S[K] {
    return this.current[key];
  }

  /** Changes the given keys and sends them to the frontend in an `update` message. */
  set(changes: Partial<S>): void {
    Object.assign(this.current, changes);
    this.sendState(changes);
    this.emitChange(changes, 'kernel');
  }

  /**
   * Calls `cb` with the changed keys after every state change, from kernel code or from the
   * frontend. Returns a function that removes `cb`.
   */
  onChange(cb: (changes: Partial<S>, origin: ChangeOrigin) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  /** Calls `cb` for each custom message from the frontend. Returns a function that removes `cb`. */
  onCustom(cb: (content: JsonObject, buffers: DataView[]) => void): () => void {
    this.customListeners.add(cb);
    return () => this.customListeners.delete(cb);
  }

  /** Sends a custom message (`method: "custom"`) to the frontend model. */
  sendCustom(content: JsonObject, buffers: BufferLike[] = []): void {
    this.comm.send({ method: 'custom', content }, {}, buffers);
  }

  /** Closes the model's comm; the frontend disposes of the model and its views. */
  close(): void {
    this.comm.close();
  }

  /** The entry of this model in a `jupyter.widget.control` `update_states` message. */
  describe(): JsonObject {
    return {
      model_name: this.current._model_name,
      model_module: this.current._model_module,
      model_module_version: this.current._model_module_version,
      state: this.current,
    };
  }

  private sendState(state: Partial<S>, method: 'update' | 'echo_update' = 'update'): void {
    const wire = splitBuffers(state);
    this.comm.send({ method, state: wire.state, buffer_paths: wire.bufferPaths }, {}, wire.buffers);
  }

  private emitChange(changes: Partial<S>, origin: ChangeOrigin): void {
    for (const cb of [...this.changeListeners]) {
      try {
        cb(changes, origin);
      } catch (e) {
        console.error('Error in widget change callback:', e);
      }
    }
  }

  private handleMsg(msg: CommMessage): void {
    const data = msg.content.data;
    switch (data.method) {
      case 'update': {
        const state = (data.state ?? {}) as JsonObject;
        putBuffers(state, (data.buffer_paths ?? []) as Path[], msg.buffers);
        // Protocol 2.1: echo the accepted state back (parented to this message by the kernel), so
        // the frontend that sent it can drop stale echoes and other frontends stay in sync.
        this.sendState(state as Partial<S>, 'echo_update');
        Object.assign(this.current, state);
        this.emitChange(state as Partial<S>, 'frontend');
        break;
      }
      case 'request_state':
        this.sendState(this.current);
        break;
      case 'custom': {
        const buffers = msg.buffers.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
        for (const cb of [...this.customListeners]) cb((data.content ?? {}) as JsonObject, buffers);
        break;
      }
      default:
        console.error(`Unknown widget message method '${String(data.method)}'`);
    }
  }
}

/**
 * Answers `request_states` on `jupyter.widget.control` comms with the state of every live model,
 * so a reloaded page can restore widgets in one round trip. Called by the kernel at startup.
 */
export function registerWidgetControlTarget(comms: CommManager): void {
  comms.registerTarget(WIDGET_CONTROL_TARGET, (comm) => {
    comm.onMsg((msg) => {
      if (msg.content.data.method !== 'request_states') return;
      const states: Record<string, unknown> = {};
      for (const model of registry().values()) {
        if (!model.comm.closed) states[model.modelId] = model.describe();
      }
      // Buffer paths are relative to `states`: [modelId, 'state', key, ...].
      const wire = splitBuffers(states);
      comm.send({ method: 'update_states', states: wire.state, buffer_paths: wire.bufferPaths }, {}, wire.buffers);
    });
  });
}

/**
 * Shows a view of `model` in the current cell's output: a `display_data` with the
 * `application/vnd.jupyter.widget-view+json` mime type and a text/plain fallback.
 */
export function display(model: WidgetModel<any>): void {
  const name = String(model.state._model_name ?? 'Widget').replace(/Model$/, '');
  const value = model.state.value;
  const text = ['string', 'number', 'boolean'].includes(typeof value) ? `${name}(value=${JSON.stringify(value)})` : `${name}()`;
  const view = { model_id: model.modelId, version_major: 2, version_minor: 1 };
  // Like ipywidgets: models without a view (layouts, styles) only have a text representation.
  const bundle = model.state._view_name == null ? { 'text/plain': text } : { 'application/vnd.jupyter.widget-view+json': view, 'text/plain': text };
  displayMimeBundle(bundle);
}

/** The `_model_*` and `_view_*` fields of a standard control, e.g. `controlsModelFields('IntSlider')`. */
export function controlsModelFields(name: string): WidgetState {
  return {
    _model_module: CONTROLS_MODULE,
    _model_module_version: CONTROLS_VERSION,
    _model_name: `${name}Model`,
    _view_module: CONTROLS_MODULE,
    _view_module_version: CONTROLS_VERSION,
    _view_name: `${name}View`,
    _view_count: null,
  };
}

/** A `LayoutModel` (CSS layout of a DOM widget); unset properties keep their frontend defaults. */
export function layoutModel(state: WidgetState = {}, options?: WidgetModelOptions): WidgetModel {
  return new WidgetModel(
    {
      _model_module: BASE_MODULE,
      _model_module_version: BASE_VERSION,
      _model_name: 'LayoutModel',
      _view_module: BASE_MODULE,
      _view_module_version: BASE_VERSION,
      _view_name: 'LayoutView',
      _view_count: null,
      ...state,
    },
    options,
  );
}

/** State of `@jupyter-widgets/controls` IntSliderModel 2.0.0 (ipywidgets 8). */
export interface IntSliderState extends WidgetState {
  value: number;
  min: number;
  max: number;
  step: number;
  description: string;
  description_allow_html: boolean;
  disabled: boolean;
  continuous_update: boolean;
  orientation: 'horizontal' | 'vertical';
  readout: boolean;
  readout_format: string;
  behavior: string;
  tabbable: boolean | null;
  tooltip: string | null;
  _dom_classes: string[];
}

/** An `IntSlider` control with the same state as ipywidgets 8 creates (including its layout and style models). */
export function intSlider(state: Partial<IntSliderState> = {}, options?: WidgetModelOptions): WidgetModel<IntSliderState> {
  const style = new WidgetModel(
    {
      _model_module: CONTROLS_MODULE,
      _model_module_version: CONTROLS_VERSION,
      _model_name: 'SliderStyleModel',
      _view_module: BASE_MODULE,
      _view_module_version: BASE_VERSION,
      _view_name: 'StyleView',
      _view_count: null,
      description_width: '',
      handle_color: null,
    },
    options,
  );
  const defaults: IntSliderState = {
    ...controlsModelFields('IntSlider'),
    value: 0,
    min: 0,
    max: 100,
    step: 1,
    description: '',
    description_allow_html: false,
    disabled: false,
    continuous_update: true,
    orientation: 'horizontal',
    readout: true,
    readout_format: 'd',
    behavior: 'drag-tap',
    tabbable: null,
    tooltip: null,
    _dom_classes: [],
    layout: layoutModel({}, options),
    style,
  };
  return new WidgetModel<IntSliderState>({ ...defaults, ...state }, options);
}
