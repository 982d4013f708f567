/**
 * Tessera's JupyterLab extension: one plugin per feature, each in its own module.
 * - widgets-plugin.ts: renders the image widgets of `@tessera/widgets`.
 * - view-renderer-plugin.ts: renders viewer outputs (`application/vnd.tessera.view+json`) as the live widget; other frontends show their PNG.
 * - gpu-panel/: the GPU-resources side panel (data from the server extension in tessera_jupyter/).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { gpuPanelPlugin } from './gpu-panel/plugin';
import { viewRendererPlugin } from './view-renderer-plugin';
import { widgetsPlugin } from './widgets-plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [widgetsPlugin, viewRendererPlugin, gpuPanelPlugin];

export default plugins;
