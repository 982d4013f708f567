import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { MODULE_NAME, MODULE_VERSION } from '@tessera/widgets/lib/src/version';

/**
 * Registers Tessera's widget models and views (`@tessera/widgets`) with JupyterLab's widget
 * manager (jupyterlab_widgets), which renders them when a Tessera kernel displays a widget.
 * The module itself loads on first use.
 */
export const widgetsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@tessera/jupyterlab-tessera:widgets',
  description: "Renders Tessera's image widgets",
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry) => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: () => import('@tessera/widgets') as Promise<any>,
    });
  },
};
