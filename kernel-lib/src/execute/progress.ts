/**
 * Progress of a tiled job, shown where the user is: an updating display in a notebook (through
 * the hook the kernel side registers, {@link setNotebookDisplay}), a bar on the terminal
 * (cli-progress, on stderr), and progress records for the JupyterLab GPU panel
 * (`progress/records.ts`, docs/progress-records.md). Tiles done / total, MB/s, ETA.
 */
import { SingleBar } from 'cli-progress';
import { TaskProgress, writeJobRecord, type TaskState } from '../progress/records';

/** How a notebook output is shown and replaced: `displayMimeBundle` of `jupyter/display.ts`. */
export type NotebookDisplay = (bundle: Record<string, unknown>, metadata: Record<string, never>, options: { displayId?: string; update?: boolean }) => boolean;

const HOOK = Symbol.for('tessera.execute.notebookDisplay');

/**
 * Registers how progress reaches a notebook (`index.ts` passes `displayMimeBundle`; the executor
 * layer cannot import `jupyter/`, which lies above it). Returns false there where no kernel is.
 */
export function setNotebookDisplay(display: NotebookDisplay | undefined): void {
  (globalThis as Record<symbol, unknown>)[HOOK] = display;
}

function notebookDisplay(): NotebookDisplay | undefined {
  return (globalThis as Record<symbol, NotebookDisplay | undefined>)[HOOK];
}

/** Where progress is shown: `'auto'` (notebook if in a kernel, else a terminal bar if stderr is a terminal), or one of them, or nowhere. */
export type ProgressDisplayMode = 'auto' | 'notebook' | 'terminal' | 'none';

export interface ProgressOptions {
  label: string;
  tilesTotal: number;
  /** Tiles already done before this run (resumed). */
  tilesSkipped?: number;
  display?: ProgressDisplayMode;
  /** Write progress records under this job id (to `dir`, default `progressDirectory()`). */
  record?: { jobId: string; dir?: string; tasks?: number; slurmArrayJobId?: string | null };
}

/** A snapshot of a job's progress. */
export interface ProgressState {
  tilesDone: number;
  tilesTotal: number;
  bytesRead: number;
  bytesWritten: number;
  /** Seconds since the start. */
  elapsed: number;
  /** Megabytes of input read per second (of this run). */
  mbPerSecond: number;
  /** Seconds left at the current rate (undefined before the first tile). */
  eta: number | undefined;
}

let displayCounter = 0;

const clock = (s: number | undefined) => {
  if (s === undefined || !Number.isFinite(s)) return '–';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};

export class Progress {
  readonly #start = Date.now();
  readonly #skipped: number;
  #done: number;
  #bytesRead = 0;
  #bytesWritten = 0;
  #lastShown = 0;
  readonly #bar: SingleBar | undefined;
  readonly #displayId: string | undefined;
  readonly #task: TaskProgress | undefined;

  constructor(private readonly o: ProgressOptions) {
    this.#skipped = o.tilesSkipped ?? 0;
    this.#done = this.#skipped;
    const mode = o.display ?? 'auto';
    const nb = notebookDisplay();
    const inKernel = nb !== undefined && mode !== 'terminal' && mode !== 'none' && nb({ 'text/plain': this.text() }, {}, { displayId: (this.#displayId = `tessera-progress-${process.pid}-${++displayCounter}`) });
    if (!inKernel) this.#displayId = undefined;
    if (!inKernel && (mode === 'terminal' || (mode === 'auto' && process.stderr.isTTY))) {
      this.#bar = new SingleBar({
        format: `${o.label} [{bar}] {value}/{total} tiles | {rate} MB/s | ETA {etaText}`,
        stream: process.stderr,
        noTTYOutput: mode === 'terminal',
        notTTYSchedule: 10_000,
        hideCursor: false,
      });
      this.#bar.start(o.tilesTotal, this.#done, { rate: '0.0', etaText: '–' });
    }
    if (o.record) {
      writeJobRecord({ jobId: o.record.jobId, label: o.label, tasks: o.record.tasks ?? 1, tilesTotal: o.tilesTotal, slurmArrayJobId: o.record.slurmArrayJobId ?? null }, o.record.dir);
      if (!o.record.slurmArrayJobId) this.#task = new TaskProgress({ jobId: o.record.jobId, tilesTotal: o.tilesTotal, task: 0, slurmJobId: null }, { dir: o.record.dir });
      this.#task?.tileDone({ tiles: this.#skipped });
    }
  }

  get state(): ProgressState {
    const elapsed = (Date.now() - this.#start) / 1000;
    const ran = this.#done - this.#skipped;
    const perTile = ran > 0 ? elapsed / ran : undefined;
    return {
      tilesDone: this.#done,
      tilesTotal: this.o.tilesTotal,
      bytesRead: this.#bytesRead,
      bytesWritten: this.#bytesWritten,
      elapsed,
      mbPerSecond: elapsed > 0 ? this.#bytesRead / 1e6 / elapsed : 0,
      eta: perTile === undefined ? undefined : perTile * (this.o.tilesTotal - this.#done),
    };
  }

  /** Counts finished tiles and the bytes they read and wrote. */
  tileDone(moved: { tiles?: number; bytesRead?: number; bytesWritten?: number } = {}): void {
    this.#done = Math.min(this.o.tilesTotal, this.#done + (moved.tiles ?? 1));
    this.#bytesRead += moved.bytesRead ?? 0;
    this.#bytesWritten += moved.bytesWritten ?? 0;
    this.#task?.tileDone(moved);
    this.show(false);
  }

  /** Sets the totals from elsewhere (the Slurm driver sums its tasks' records). */
  set(done: number, bytesRead: number, bytesWritten: number): void {
    this.#done = Math.min(this.o.tilesTotal, done);
    this.#bytesRead = bytesRead;
    this.#bytesWritten = bytesWritten;
    this.show(false);
  }

  /** Ends the display and the records with the job's state. */
  finish(state: Exclude<TaskState, 'pending' | 'running'>, error?: unknown): void {
    this.show(true, state === 'completed' ? 'done' : state);
    this.#bar?.stop();
    if (state === 'completed') this.#task?.finish();
    else this.#task?.fail(error ?? state);
    if (this.o.record) {
      const r = this.o.record;
      writeJobRecord({ jobId: r.jobId, label: this.o.label, tasks: r.tasks ?? 1, tilesTotal: this.o.tilesTotal, slurmArrayJobId: r.slurmArrayJobId ?? null, finishedState: state }, r.dir);
    }
  }

  /** One line: "label: 12/40 tiles, 85.3 MB/s, ETA 0:14". */
  text(ending?: string): string {
    const s = this.state;
    const tail = ending ? `${ending} in ${clock(s.elapsed)}` : `ETA ${clock(s.eta)}`;
    return `${this.o.label}: ${s.tilesDone}/${s.tilesTotal} tiles, ${s.mbPerSecond.toFixed(1)} MB/s, ${tail}`;
  }

  private show(force: boolean, ending?: string): void {
    const now = Date.now();
    if (!force && now - this.#lastShown < 250) return;
    this.#lastShown = now;
    const s = this.state;
    this.#bar?.update(s.tilesDone, { rate: s.mbPerSecond.toFixed(1), etaText: clock(s.eta) });
    if (this.#displayId) {
      const text = this.text(ending);
      const html = `<div style="font-family: var(--jp-code-font-family, monospace)"><progress value="${s.tilesDone}" max="${s.tilesTotal}" style="width: 24em; vertical-align: middle"></progress> ${escapeHtml(text)}</div>`;
      notebookDisplay()?.({ 'text/html': html, 'text/plain': text }, {}, { displayId: this.#displayId, update: true });
    }
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
