/**
 * Browser side of Tessera's image widgets: Jupyter widget models and views that show what the
 * Tessera kernel sends (8-bit planes cut on the GPU), colour them with lookup tables, and ask
 * for new planes as the user moves sliders, zooms or moves a cursor.
 *
 * Register this module with the widget manager under {@link MODULE_NAME} / {@link MODULE_VERSION}
 * (the JupyterLab extension in extension/ does).
 * @packageDocumentation
 */
export { MODULE_NAME, MODULE_VERSION } from './version';
export { ViewerModel, InsightModel, PlotModel } from './models';
export { ViewerView } from './views/viewer-view';
export { InteractView } from './views/interact-view';
export { AnnotateView } from './views/annotate-view';
export { PlotView } from './views/plot-view';
export { EmptyView } from './views/empty-view';
export { OrthogonalView } from './views/orthogonal-view';
export { InsightView } from './views/insight-view';
export { ROUNDTRIP_MEASURE } from './views/base-view';
export { RequestChannel, type Reply } from './channel';
export type * from './protocol';
