/**
 * The GPU panel in a plain JupyterLab (no Hub): the no-NVIDIA-GPU and software-WebGPU states, a
 * running Tessera kernel's device, pool memory and current work, pausing, and a real Slurm job
 * array (the test cluster of .ci/slurm.sh) whose tasks write progress records with kernel-lib's
 * writer — per-task states, tiles, cancel. The spec stands in for the tiled executor: it submits
 * the array and writes the job record as the executor will.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notebook } from './support/notebook';
import { panelScreenshot, widenPanel } from './support/panel';

const root = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const records = require(path.join(root, 'kernel-lib/dist/src/progress/records.js'));
const slurm = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
const slurmUp = slurm.status === 0 && /idle|mixed|allocated/.test(slurm.stdout);
const docsScreenshots = process.env.TESSERA_DOCS_SCREENSHOTS === '1';

// Until kernel.ts calls startStatusFile itself, the notebook starts the kernel's status file (one writer per process either way).
const CELLS = [
  `import * as tessera from 'tessera';
import { startStatusFile, setCurrentWork } from 'tessera/dist/src/jupyter/status-file';
startStatusFile({ connectionFile: process.argv[process.argv.length - 1] });
await tessera.init();
const img = tessera.create([1024, 1024]);
setCurrentWork('gaussianBlur over cells.zarr');
console.log('ready');`,
];

/** One array task of a tiled job: 4 tiles, 0.4 s each; task 3 stops after 2 tiles and waits (to be cancelled). */
const TASK = `#!/bin/bash
exec node -e '
const r = require(process.env.RECORDS_JS);
const p = new r.TaskProgress({ jobId: process.env.JOB, tilesTotal: 4 }, { dir: process.env.TESSERA_PROGRESS_DIR, intervalMs: 0 });
const last = process.env.SLURM_ARRAY_TASK_ID === "3";
let n = 0;
const t = setInterval(() => {
  p.tileDone({ bytesRead: 4 << 20, bytesWritten: 4 << 20 });
  if (++n === (last ? 2 : 4)) { clearInterval(t); if (!last) p.finish(); else setTimeout(() => {}, 600000); }
}, 400);
'
`;

test.use({ autoGoto: true });

test('the GPU panel shows this server, the Tessera kernel and Slurm job arrays', async ({ page, tmpPath }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.sidebar.openTab('tessera-gpu-panel');
  const panel = page.locator('#tessera-gpu-panel');
  await expect(panel.locator('[data-test="gpu-headline"]')).toContainText('No NVIDIA GPU for this server: nvidia-smi is not installed');
  await expect(panel.locator('[data-test="webgpu"]')).toContainText('a software (CPU) fallback, not a GPU');
  await expect(panel.locator('[data-test="hub-state"]')).toContainText('Not running under a JupyterHub');
  await expect(panel.locator('[data-test="kernels"]')).toContainText('No Tessera kernel is running');

  await test.step('a running Tessera kernel reports its device, pool memory and work', async () => {
    await page.contents.uploadContent(notebook(CELLS), 'text', `${tmpPath}/panel.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/panel.ipynb`);
    await page.notebook.activate('panel.ipynb');
    expect(await page.notebook.runCell(0, true)).toBe(true);
    await page.sidebar.openTab('tessera-gpu-panel');
    // This notebook's kernel (other Jupyter servers of the same user on this machine show theirs too).
    const kernel = panel.locator('[data-test="kernel"]').filter({ hasText: 'panel.ipynb' });
    await expect(kernel).toHaveCount(1);
    await expect(kernel).toContainText(/Device: .*\(software fallback\)/);
    await expect(kernel.locator('[data-test="kernel-memory"]')).toContainText('Pool: 4.0 MiB in use');
    await expect(kernel).toContainText('Running: gaussianBlur over cells.zarr');
    await expect(panel.locator('[data-test="webgpu"]')).toContainText('in use by the Tessera kernel');
  });

  await test.step('pausing stops the live refresh', async () => {
    await panel.locator('[data-test="pause"]').click();
    await expect(panel.locator('.tsr-stamp')).toHaveText('paused');
    await panel.locator('[data-test="pause"]').click();
    await expect(panel.locator('.tsr-stamp')).toContainText('updated');
  });

  if (!slurmUp) {
    test.info().annotations.push({ type: 'skipped part', description: 'no Slurm test cluster (bash .ci/slurm.sh): job arrays not shown' });
    return;
  }
  await test.step('a Slurm job array: per-task states, tiles, cancel', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-panel-job-'));
    const dir = records.progressDirectory();
    const jobId = `ui-test-${Date.now()}`;
    fs.writeFileSync(path.join(work, 'task.sh'), TASK);
    const env = `ALL,RECORDS_JS=${path.join(root, 'kernel-lib/dist/src/progress/records.js')},JOB=${jobId},TESSERA_PROGRESS_DIR=${dir}`;
    const arrayId = execFileSync('sbatch', ['--parsable', '--array=0-3', '-p', 'gpu', '--gres=gpu:1', '-J', 'tessera-blur', '-o', `${work}/%A_%a.out`, `--export=${env}`, `${work}/task.sh`], { encoding: 'utf8' }).trim().split(';')[0];
    try {
      records.writeJobRecord({ jobId, label: 'gaussianBlur σ=2 over cells.zarr', tasks: 4, tilesTotal: 16, slurmArrayJobId: arrayId }, dir);
      const job = panel.locator(`[data-job="${jobId}"]`);
      await expect(job).toContainText(`Slurm array ${arrayId} · 4 tasks`);
      await expect(job.locator('[data-test="task"][data-state="completed"]')).toHaveCount(3, { timeout: 90_000 });
      await expect(job.locator('[data-test="job-progress"]')).toContainText('14 / 16 tiles', { timeout: 30_000 });
      await expect(job.locator('[data-test="job-progress"]')).toContainText('tiles/s');
      await expect(job.locator('[data-test="task"]').nth(3)).toHaveAttribute('data-state', 'running');
      if (docsScreenshots) {
        await widenPanel(page);
        await panelScreenshot(page, path.join(root, 'docs/gpu-panel-light.png'));
        await page.theme.setDarkTheme();
        await page.sidebar.openTab('tessera-gpu-panel');
        await panelScreenshot(page, path.join(root, 'docs/gpu-panel-dark.png'));
        await page.theme.setLightTheme();
        await page.sidebar.openTab('tessera-gpu-panel');
      }
      await job.locator('[data-test="cancel"]').click();
      await expect(job.locator('[data-test="task"]').nth(3)).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 });
      await expect(job.locator('[data-test="job-state"]')).toHaveText('cancelled');
      await expect(job.locator('[data-test="cancel"]')).toHaveCount(0);
    } finally {
      spawnSync('scancel', [arrayId]);
      fs.rmSync(path.join(dir, jobId), { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
  expect(errors).toEqual([]);
});
