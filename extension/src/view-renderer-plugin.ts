import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { MimeModel, type IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { VIEW_MIME_TYPE } from '@tessera/widgets/lib/src/protocol';
const WIDGET_VIEW_MIME_TYPE = 'application/vnd.jupyter.widget-view+json';

/**
 * A renderer of Tessera viewer outputs (`VIEW_MIME_TYPE`: a widget view reference under
 * Tessera's own mime type, so that frontends without this extension show the output's
 * image/png): the notebook's own widget-view renderer (jupyterlab_widgets), handed the reference
 * under the widget-view mime type. It is returned itself, not wrapped, because jupyterlab_widgets
 * finds the renderers it must connect to a restored widget manager among the outputs' direct children.
 * Without jupyterlab_widgets the output's still is shown.
 */
function viewRenderer(rendermime: IRenderMimeRegistry): IRenderMime.IRenderer {
  const widgets = rendermime.mimeTypes.includes(WIDGET_VIEW_MIME_TYPE);
  const inner = rendermime.createRenderer(widgets ? WIDGET_VIEW_MIME_TYPE : 'image/png');
  const render = inner.renderModel.bind(inner);
  inner.renderModel = (model) => {
    // The widget renderer calls renderModel again with the model it was given once the widget state is restored.
    if (!(VIEW_MIME_TYPE in model.data)) return render(model);
    const data = widgets ? { [WIDGET_VIEW_MIME_TYPE]: model.data[VIEW_MIME_TYPE] } : { 'image/png': model.data['image/png'] };
    return render(new MimeModel({ data, metadata: model.metadata, trusted: model.trusted }));
  };
  return inner;
}

/** Adds the renderer of Tessera viewer outputs to every notebook. */
export const viewRendererPlugin: JupyterFrontEndPlugin<void> = {
  id: '@tessera/jupyterlab-tessera:view-renderer',
  description: 'Renders Tessera viewer outputs as widget views',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker) => {
    const register = (rendermime: IRenderMimeRegistry) => {
      if (rendermime.mimeTypes.includes(VIEW_MIME_TYPE)) return;
      rendermime.addFactory({ safe: false, mimeTypes: [VIEW_MIME_TYPE], createRenderer: () => viewRenderer(rendermime) }, -10);
    };
    tracker.forEach((panel) => register(panel.content.rendermime));
    tracker.widgetAdded.connect((_, panel) => register(panel.content.rendermime));
  },
};
