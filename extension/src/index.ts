/**
 * Tessera's JupyterLab extension: one plugin per feature, each in its own module.
 * - widgets-plugin.ts: renders the image widgets of `@tessera/widgets`.
 * - gpu-panel/ (planned): the GPU resources side panel; add its plugin to the list below.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { widgetsPlugin } from './widgets-plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [widgetsPlugin];

export default plugins;
