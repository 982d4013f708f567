/**
 * The GPU-resources side panel: this server's GPUs (live, pausable), the WebGPU adapter and the
 * running Tessera kernels, the Hub resources with "Restart with these resources", and Tessera's
 * Slurm job arrays. Plain DOM inside a Lumino widget; every section is rebuilt from the latest
 * state, except the resource choices, which keep what the user picked.
 */
import { Widget } from '@lumino/widgets';
import { restartWithResources, type HubTarget, type RestartChoice } from './hub-restart';
import {
  choicesChanged,
  formatBytes,
  formatTemperature,
  formData,
  gpuHeadline,
  hubMode,
  initialChoice,
  jobProgressLine,
  taskCounts,
  webgpuHeadline,
  DEFAULT_SETTINGS,
  type ChoiceField,
  type HubInfo,
  type JobView,
  type PanelSettings,
  type PanelState,
} from './state';

/** What the panel needs from its host: the data source, the job cancel call and the browser. */
export interface PanelHost {
  load(): Promise<PanelState>;
  cancelJob(jobId: string): Promise<void>;
  fetch: typeof fetch;
  navigate(how: { url: string; post?: [string, string][] }): void;
  /** Where the browser should come back to after a restart: this workspace. */
  currentUrl(): string;
}

type Child = Node | string | null | undefined | false;

/** `h('div', { class: 'x' }, child, ...)`: a small element builder. */
function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function bar(fraction: number | null, label: string): HTMLElement {
  const pct = fraction == null ? 0 : Math.max(0, Math.min(1, fraction)) * 100;
  return h('div', { class: 'tsr-bar', role: 'progressbar', 'aria-valuenow': String(Math.round(pct)), 'aria-label': label },
    h('div', { class: 'tsr-bar-fill', style: `width: ${pct.toFixed(1)}%` }));
}

function section(title: string, testId: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'tsr-section', 'data-test': testId }, h('h3', {}, title), ...children);
}

function note(text: string, kind: 'info' | 'warn' | 'error' = 'info', testId?: string): HTMLElement {
  return h('p', { class: `tsr-note tsr-${kind}`, 'data-test': testId }, text);
}

const saveFirst = () => h('div', { class: 'tsr-muted' }, 'Save your notebooks first: the server and its kernels stop, then start again with these resources.');

export class GpuPanel extends Widget {
  settings: PanelSettings = DEFAULT_SETTINGS;
  private state: PanelState | null = null;
  private loadError: string | null = null;
  private paused = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private updatedAt: Date | null = null;
  /** The resource choices the user made (field name -> value), kept across refreshes. */
  private choices: Record<string, string | boolean> = {};
  private choicesFor = '';
  private profile = '';
  private restart: { status: 'idle' | 'pending' | 'failed'; message: string } = { status: 'idle', message: '' };
  private readonly body = h('div', { class: 'tsr-body' });
  private readonly hubSection = h('div');
  private readonly pauseButton = h('button', { class: 'jp-mod-styled tsr-pause', 'data-test': 'pause' }, 'Pause') as HTMLButtonElement;
  private readonly stamp = h('span', { class: 'tsr-stamp' });
  private hubKey = '';

  constructor(private readonly host: PanelHost) {
    super();
    this.id = 'tessera-gpu-panel';
    this.addClass('tsr-panel');
    this.title.caption = 'GPU resources';
    this.pauseButton.onclick = () => this.setPaused(!this.paused);
    this.node.append(h('header', { class: 'tsr-header' }, h('h2', {}, 'GPU resources'), this.stamp, this.pauseButton), this.body);
  }

  /** Stops or resumes the live refresh. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.pauseButton.textContent = paused ? 'Resume' : 'Pause';
    this.pauseButton.setAttribute('aria-pressed', String(paused));
    if (!paused) void this.refresh();
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  protected onBeforeHide(): void {
    clearTimeout(this.timer);
  }

  /** Loads the state now and schedules the next refresh (only while shown and not paused). */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    try {
      this.state = await this.host.load();
      this.loadError = null;
      this.updatedAt = new Date();
    } catch (e) {
      this.loadError = (e as Error).message;
    }
    this.render();
    if (!this.paused && this.isVisible) this.timer = setTimeout(() => void this.refresh(), Math.max(0.5, this.settings.refreshInterval) * 1000);
  }

  render(): void {
    this.stamp.textContent = this.paused ? 'paused' : this.updatedAt ? `updated ${this.updatedAt.toLocaleTimeString()}` : '';
    const s = this.state;
    if (!s) {
      this.body.replaceChildren(note(this.loadError ? `Cannot reach the panel's server extension: ${this.loadError}` : 'Loading…', this.loadError ? 'error' : 'info'));
      return;
    }
    const key = JSON.stringify([s.hub, this.restart, this.settings.profiles, this.settings.memoryUnits]);
    if (key !== this.hubKey) {
      this.hubKey = key;
      this.hubSection.replaceChildren(this.renderHub(s.hub));
    }
    this.body.replaceChildren(
      ...(this.loadError ? [note(`Refresh failed: ${this.loadError}`, 'error')] : []),
      this.renderGpus(s),
      this.renderKernels(s),
      this.hubSection,
      this.renderJobs(s),
    );
  }

  private renderGpus(s: PanelState): HTMLElement {
    const units = this.settings.memoryUnits;
    const cards = s.gpus.gpus.map((g) =>
      h('div', { class: 'tsr-gpu', 'data-test': 'gpu' },
        h('div', { class: 'tsr-gpu-name' }, `#${g.index} ${g.name}`),
        bar(g.memoryUsed != null && g.memoryTotal ? g.memoryUsed / g.memoryTotal : null, 'memory used'),
        h('div', { class: 'tsr-kv' },
          h('span', {}, `Memory ${formatBytes(g.memoryUsed, units)} / ${formatBytes(g.memoryTotal, units)}`),
          h('span', {}, `Utilisation ${g.utilization ?? '–'} %`),
          h('span', {}, `Temperature ${formatTemperature(g.temperature, this.settings.temperatureUnit)}`),
          h('span', {}, `Power ${g.powerDraw ?? '–'} W${g.powerLimit ? ` / ${g.powerLimit} W` : ''}`))));
    const webgpu = webgpuHeadline(s);
    return section('This server', 'gpus',
      note(gpuHeadline(s), s.gpus.nvidia ? 'info' : 'warn', 'gpu-headline'),
      ...cards,
      note(webgpu.text, webgpu.software ? 'warn' : 'info', 'webgpu'));
  }

  private renderKernels(s: PanelState): HTMLElement {
    const units = this.settings.memoryUnits;
    const rows = s.kernels.map((k) => {
      if (k.error) return note(k.error, 'warn');
      const memory = k.memory ? `${formatBytes(k.memory.bytesInUse, units)} in use, ${formatBytes(k.memory.bytesPooled, units)} pooled, budget ${formatBytes(k.memory.budget, units)}` : 'no GPU memory yet';
      return h('div', { class: 'tsr-kernel', 'data-test': 'kernel' },
        h('div', { class: 'tsr-kernel-name' }, k.path ?? `kernel ${k.kernelId ?? k.pid}`, k.executionState ? h('span', { class: `tsr-badge tsr-${k.executionState}` }, k.executionState) : null),
        h('div', {}, k.device ? `Device: ${k.device.name}${k.device.isSoftware ? ' (software fallback)' : ''}` : 'Device: not opened yet'),
        h('div', { 'data-test': 'kernel-memory' }, `Pool: ${memory}`),
        h('div', {}, k.work ? `Running: ${k.work.label}` : 'Running: nothing'),
        k.stale ? note('This kernel has not reported for a while (busy in a long synchronous cell, or hung).', 'warn') : null);
    });
    return section('Tessera kernels', 'kernels', ...(rows.length ? rows : [note('No Tessera kernel is running on this server.')]));
  }

  private renderHub(hub: HubInfo): HTMLElement {
    const mode = hubMode(hub, this.settings);
    const units = this.settings.memoryUnits;
    const current: HTMLElement[] = [];
    const opts = hub.userOptions ?? {};
    for (const [k, v] of Object.entries(opts)) {
      // Named as the Hub's form names the field and its options ("GPU: Tesla V100", not "gpu: v100").
      const field = hub.choices?.find((f) => f.name === k);
      const shown = (Array.isArray(v) ? v : [v]).map((x) => field?.options?.find((o) => o.value === String(x))?.label ?? String(x)).join(', ');
      current.push(h('tr', {}, h('th', {}, field?.label ?? k), h('td', { 'data-test': `current-${k}` }, shown)));
    }
    if (hub.slurm) {
      const sl = hub.slurm;
      const row = (label: string, test: string, value: string) => h('tr', {}, h('th', {}, label), h('td', { 'data-test': `slurm-${test}` }, value));
      current.push(
        row('Slurm job', 'job', `${sl.jobId}${sl.node ? ` on ${sl.node}` : ''}`),
        row('Slurm partition', 'partition', sl.partition ?? '–'),
        row('Slurm CPUs', 'cpus', String(sl.cpus ?? '–')),
        row('Slurm memory', 'memory', formatBytes(sl.memoryBytes, units)),
        row('Slurm GPUs', 'gpus', sl.gpuCount ? `${sl.gpuCount} (${sl.gpus.join(', ')})` : 'none'));
    }
    for (const [k, v] of Object.entries(hub.limits ?? {})) current.push(h('tr', {}, h('th', {}, k), h('td', {}, v)));
    const table = current.length ? h('table', { class: 'tsr-table', 'data-test': 'current' }, ...current) : null;
    const errors = (hub.errors ?? []).map((e) => note(e, 'error'));

    if (mode === 'no-hub') {
      return section('Resources', 'hub', note('Not running under a JupyterHub: this server\'s resources are fixed by whoever started it.', 'info', 'hub-state'), table);
    }
    const children: Child[] = [table ?? note('The Hub did not tell this server its resources.', 'info'), ...errors];
    if (mode === 'hub-silent') {
      children.push(note('The Hub does not tell this server which resources it offers; the administrator can enable it (docs/gpu-panel.md: panel_environment).', 'info', 'hub-state'));
    } else if (mode === 'hub-no-choices') {
      children.push(note('The Hub offers no resource choices for this server.', 'info', 'hub-state'));
    } else {
      children.push(mode === 'hub-form' ? this.renderChoices(hub) : this.renderProfiles(hub));
    }
    if (this.restart.status === 'pending') children.push(note(this.restart.message, 'info', 'restart-status'));
    if (this.restart.status === 'failed') children.push(note(`Restart failed: ${this.restart.message}`, 'error', 'restart-status'));
    return section('Resources', 'hub', ...children);
  }

  private renderChoices(hub: HubInfo): HTMLElement {
    const fields = hub.choices!;
    const key = JSON.stringify([fields, hub.userOptions]);
    if (key !== this.choicesFor) {
      this.choicesFor = key;
      this.choices = Object.fromEntries(fields.map((f) => [f.name, initialChoice(f, hub.userOptions)]));
    }
    const button = h('button', { class: 'jp-mod-styled jp-mod-accept', 'data-test': 'restart' }, 'Restart with these resources') as HTMLButtonElement;
    const update = () => (button.disabled = this.restart.status === 'pending' || !choicesChanged(fields, this.choices, hub.userOptions));
    const inputs = fields.map((f) => h('label', { class: 'tsr-choice' }, h('span', {}, f.label), this.choiceInput(f, update)));
    update();
    button.onclick = () => void this.doRestart(hub, { kind: 'form', fields: formData(fields, this.choices) });
    return h('div', { class: 'tsr-choices', 'data-test': 'choices' }, h('h4', {}, 'Offered by the Hub'), ...inputs, button, saveFirst());
  }

  private choiceInput(f: ChoiceField, changed: () => void): HTMLElement {
    const value = this.choices[f.name];
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'select') {
      input = h('select', { name: f.name }, ...(f.options ?? []).map((o) => h('option', { value: o.value, selected: o.value === value }, o.label))) as HTMLSelectElement;
    } else if (f.kind === 'checkbox') {
      input = h('input', { type: 'checkbox', name: f.name, checked: value === true }) as HTMLInputElement;
    } else {
      input = h('input', { type: f.kind, name: f.name, value: String(value), min: f.min, max: f.max, step: f.step }) as HTMLInputElement;
    }
    input.addEventListener(f.kind === 'select' || f.kind === 'checkbox' ? 'change' : 'input', () => {
      this.choices[f.name] = f.kind === 'checkbox' ? (input as HTMLInputElement).checked : input.value;
      changed();
    });
    return input;
  }

  private renderProfiles(hub: HubInfo): HTMLElement {
    const profiles = this.settings.profiles;
    this.profile ||= profiles[0].name;
    const select = h('select', { name: 'profile' }, ...profiles.map((p) => h('option', { value: p.name, selected: p.name === this.profile }, p.description ? `${p.name} — ${p.description}` : p.name))) as HTMLSelectElement;
    select.onchange = () => (this.profile = select.value);
    const button = h('button', { class: 'jp-mod-styled jp-mod-accept', 'data-test': 'restart', disabled: this.restart.status === 'pending' }, 'Restart with these resources') as HTMLButtonElement;
    button.onclick = () => {
      const p = profiles.find((x) => x.name === this.profile)!;
      void this.doRestart(hub, { kind: 'api', userOptions: p.userOptions });
    };
    return h('div', { class: 'tsr-choices', 'data-test': 'choices' }, h('h4', {}, "The site's resource profiles"), h('label', { class: 'tsr-choice' }, h('span', {}, 'Profile'), select), button, saveFirst());
  }

  private async doRestart(hub: HubInfo, choice: RestartChoice): Promise<void> {
    const target: HubTarget = { hubPrefix: hub.hubPrefix!, user: hub.user!, serverName: hub.serverName ?? '' };
    const say = (message: string) => {
      this.restart = { status: 'pending', message };
      this.render();
    };
    try {
      await restartWithResources(target, choice, this.host.currentUrl(), { fetch: this.host.fetch, navigate: this.host.navigate, progress: say });
    } catch (e) {
      this.restart = { status: 'failed', message: (e as Error).message };
      this.render();
    }
  }

  private renderJobs(s: PanelState): HTMLElement {
    const jobs = s.jobs.jobs.map((job) => this.renderJob(job));
    const errors = s.jobs.errors.map((e) => note(e, 'warn'));
    const empty = jobs.length ? null : note(`No Tessera jobs yet (progress records are read from ${s.jobs.directory}).`);
    return section('Tessera cluster jobs', 'jobs', empty, ...jobs, ...errors);
  }

  private renderJob(job: JobView): HTMLElement {
    const finished = ['completed', 'failed', 'cancelled'].includes(job.state);
    const cancel = job.slurmArrayJobId && !finished ? h('button', { class: 'jp-mod-styled jp-mod-warn', 'data-test': 'cancel' }, 'Cancel') : null;
    if (cancel) {
      cancel.onclick = async () => {
        (cancel as HTMLButtonElement).disabled = true;
        try {
          await this.host.cancelJob(job.jobId);
        } catch (e) {
          window.alert(`Cancel failed: ${(e as Error).message}`);
        }
        void this.refresh();
      };
    }
    const tasks = job.tasks.map((t) =>
      h('span', { class: `tsr-task tsr-${t.state}`, 'data-test': 'task', 'data-state': t.state,
        title: `task ${t.task}: ${t.slurmState ?? t.state}${t.reason ? ` (${t.reason})` : ''}${t.node ? ` on ${t.node}` : ''} · ${t.tilesDone}/${t.tilesTotal ?? '?'} tiles${t.error ? ` · ${t.error}` : ''}` },
        String(t.task)));
    return h('div', { class: 'tsr-job', 'data-test': 'job', 'data-job': job.jobId },
      h('div', { class: 'tsr-job-head' },
        h('span', { class: 'tsr-job-label' }, job.label),
        h('span', { class: `tsr-badge tsr-${job.state}`, 'data-test': 'job-state' }, job.state),
        cancel),
      h('div', { class: 'tsr-muted' }, job.slurmArrayJobId ? `Slurm array ${job.slurmArrayJobId} · ${job.tasks.length} tasks` : 'local run'),
      bar(job.tilesTotal ? job.tilesDone / job.tilesTotal : null, 'tiles done'),
      h('div', { 'data-test': 'job-progress' }, jobProgressLine(job)),
      h('div', { class: 'tsr-muted' }, `${taskCounts(job)} · read ${formatBytes(job.bytesRead, this.settings.memoryUnits)}, written ${formatBytes(job.bytesWritten, this.settings.memoryUnits)}`),
      h('div', { class: 'tsr-tasks' }, ...tasks),
      job.slurmError ? note(`Slurm: ${job.slurmError}`, 'warn') : null);
  }
}
