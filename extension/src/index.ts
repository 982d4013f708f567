/**
 * Tessera's JupyterLab extension: one plugin per feature, each in its own module.
 * - widgets-plugin.ts: renders the image widgets of `@tessera/widgets`.
 * - gpu-panel/: the GPU-resources side panel (data from the server extension in tessera_jupyter/).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { gpuPanelPlugin } from './gpu-panel/plugin';
import { widgetsPlugin } from './widgets-plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [widgetsPlugin, gpuPanelPlugin];

export default plugins;
