import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { GpuPanel } from './panel';
import { DEFAULT_SETTINGS, type PanelSettings, type PanelState } from './state';

const PLUGIN_ID = '@tessera/jupyterlab-tessera:gpu-panel';

/** A GPU chip, in JupyterLab's icon colours (so it follows the theme). */
const gpuIcon = new LabIcon({
  name: 'tessera:gpu',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M7 7h10v10H7z" fill-opacity=".35"/><path d="M9 2h2v3H9zM13 2h2v3h-2zM9 19h2v3H9zM13 19h2v3h-2zM2 9h3v2H2zM2 13h3v2H2zM19 9h3v2h-3zM19 13h3v2h-3z"/>' +
    '<path d="M5 5h14v14H5zm2 2v10h10V7z"/></g></svg>',
});

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(URLExt.join(settings.baseUrl, 'tessera', 'gpu-panel', path), init, settings);
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message ?? `HTTP ${response.status}`);
  }
  return response;
}

/** Leaves the page: a plain load, or a form POST (the Hub's spawn form). */
function navigate(how: { url: string; post?: [string, string][] }): void {
  if (!how.post) {
    window.location.assign(how.url);
    return;
  }
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = how.url;
  form.style.display = 'none';
  for (const [name, value] of how.post) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

/** The right-sidebar GPU-resources panel (settings: schema/gpu-panel.json). */
export const gpuPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "Shows this server's GPUs, the Tessera kernels' devices, the Hub resources and Tessera's Slurm jobs",
  autoStart: true,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, registry: ISettingRegistry | null) => {
    const panel = new GpuPanel({
      load: async () => (await (await request('')).json()) as PanelState,
      cancelJob: async (jobId) => void (await request(`jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST', body: '{}' })),
      fetch: (url, init) => window.fetch(url, init),
      navigate,
      currentUrl: () => window.location.pathname + window.location.search,
    });
    panel.title.icon = gpuIcon;
    app.shell.add(panel, 'right', { rank: 600 });
    app.commands.addCommand('tessera:open-gpu-panel', {
      label: 'Show the GPU resources panel',
      execute: () => app.shell.activateById(panel.id),
    });
    if (registry) {
      void registry.load(PLUGIN_ID).then((settings) => {
        const apply = () => {
          panel.settings = { ...DEFAULT_SETTINGS, ...(settings.composite as unknown as Partial<PanelSettings>) };
          panel.render();
        };
        settings.changed.connect(apply);
        apply();
      });
    }
  },
};
