/**
 * The GPU panel under a real JupyterHub (.ci/hub/jupyterhub_config.py: DummyAuthenticator,
 * configurable-http-proxy, a spawner with the seed's resource form that records the user_options of
 * every start — a local-process spawner, and batchspawner's SlurmSpawner on the test Slurm of
 * .ci/slurm.sh, whose server then runs as a Slurm job with those resources): log in, start with the form's defaults, open the panel, choose
 * other resources, "Restart with these resources", and check that the new server received them —
 * in the Hub's record and in the restarted server's own panel. Plain Playwright (the Hub, not
 * Galata's JupyterLab, serves these pages), in Debian's Chromium.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { panelScreenshot, widenPanel } from './support/panel';

const root = path.resolve(__dirname, '../..');
const venv = process.env.TESSERA_VENV ?? path.join(root, '.venv');
const port = Number(process.env.TESSERA_HUB_PORT ?? 8950);
const hubUrl = `http://127.0.0.1:${port}`;
const user = 'ada';
const docsScreenshots = process.env.TESSERA_DOCS_SCREENSHOTS === '1';
const slurm = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
const slurmUp = slurm.status === 0 && /idle|mixed|allocated/.test(slurm.stdout);
const batchspawner = fs.existsSync(path.join(venv, 'bin', 'batchspawner-singleuser'));

let hub: ChildProcess;
let state: string;

async function hubUp(): Promise<boolean> {
  try {
    return (await fetch(`${hubUrl}/hub/api/`)).ok;
  } catch {
    return false;
  }
}

/** Every user_options the spawner recorded, oldest first. */
function spawns(): { user_options: Record<string, unknown> }[] {
  const file = path.join(state, 'spawns.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** Opens the GPU panel from the right sidebar and returns it. */
async function openPanel(page: Page) {
  await page.locator('.jp-SideBar.jp-mod-right li[data-id="tessera-gpu-panel"]').click();
  const panel = page.locator('#tessera-gpu-panel');
  await expect(panel).toBeVisible();
  return panel;
}

for (const spawnerKind of ['local', 'slurm']) {
  test.describe(`JupyterHub with the ${spawnerKind} spawner`, () => {
    test.skip(spawnerKind === 'slurm' && !(slurmUp && batchspawner), 'no Slurm test cluster (bash .ci/slurm.sh) or no batchspawner in the venv');
    test.beforeAll(async () => {
      test.setTimeout(120_000);
      state = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-hub-'));
      const log = fs.openSync(path.join(state, 'hub.log'), 'w');
      hub = spawn(path.join(venv, 'bin', 'jupyterhub'), ['-f', path.join(root, '.ci/hub/jupyterhub_config.py')], {
        cwd: state,
        env: { ...process.env, TESSERA_HUB_DIR: state, TESSERA_HUB_PORT: String(port), TESSERA_VENV: venv, TESSERA_HUB_SPAWNER: spawnerKind },
        stdio: ['ignore', log, log],
        detached: true, // its own process group: the proxy and the servers end with it
      });
      await expect.poll(hubUp, { timeout: 90_000, message: `JupyterHub did not start; see ${state}/hub.log` }).toBe(true);
    });

    test.afterAll(async () => {
      if (!hub?.pid || hub.exitCode !== null) return;
      // The Hub stops its servers (a Slurm job: scancel) and its proxy (cleanup_servers), then exits.
      const exited = new Promise((resolve) => hub.once('exit', resolve));
      process.kill(-hub.pid, 'SIGTERM');
      if (!(await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 30_000))]))) process.kill(-hub.pid, 'SIGKILL');
    });

    test(`restart with other resources from the GPU panel (${spawnerKind} spawner)`, async ({ page }) => {
      test.setTimeout(300_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      // Log in (DummyAuthenticator takes any password) and start with the form's defaults, on one CPU.
      await page.goto(`${hubUrl}/hub/login`);
      await page.fill('input[name="username"]', user);
      await page.fill('input[name="password"]', 'any');
      await page.click('[type="submit"]');
      await page.waitForURL(/\/hub\/spawn/);
      await expect(page.locator('select[name="gpu"]')).toBeVisible();
      await page.fill('input[name="cpus"]', '1'); // the test node has 2 CPUs
      await page.click('form [type="submit"]');
      await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 120_000 });
      expect(spawns().at(-1)!.user_options).toEqual({ memory: '8', cpus: '1', partition: 'cpu', gpu: 'none' });

      const panel = await openPanel(page);
      await expect(panel.locator('[data-test="gpu-headline"]')).toContainText('No NVIDIA GPU');
      await expect(panel.locator('[data-test="webgpu"]')).toContainText(/software \(CPU\) fallback|WebGPU adapter/);
      await expect(panel.locator('[data-test="current-partition"]')).toHaveText('cpu');
      await expect(panel.locator('[data-test="current-gpu"]')).toHaveText('No GPU');

      // The Hub's choices, starting at this server's user_options; restart stays off until one changes.
      const choices = panel.locator('[data-test="choices"]');
      const restart = choices.locator('[data-test="restart"]');
      await expect(choices.locator('select[name="gpu"] option')).toHaveText(['No GPU', 'RTX 2080Ti', 'Tesla V100']);
      await expect(restart).toBeDisabled();
      await choices.locator('select[name="partition"]').selectOption('gpu');
      await choices.locator('select[name="gpu"]').selectOption('v100');
      await choices.locator('input[name="memory"]').fill('16');
      await expect(restart).toBeEnabled();
      if (docsScreenshots && spawnerKind === 'local') {
        await widenPanel(page);
        const news = page.getByRole('button', { name: 'No', exact: true }); // JupyterLab's "notified about news?" toast
        if (await news.isVisible()) await news.click();
        await panelScreenshot(page, path.join(root, 'docs/gpu-panel-hub-light.png'));
      }

      await restart.click();
      // The Hub stops this server, starts it with the choices and brings the browser back to the workspace.
      await page.waitForURL(/\/hub\/spawn/, { timeout: 120_000 });
      await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 180_000 });
      const received = spawns();
      expect(received).toHaveLength(2);
      expect(received[1].user_options).toEqual({ memory: '16', cpus: '1', partition: 'gpu', gpu: 'v100' });

      // The new server knows its resources too.
      const after = await openPanel(page);
      await expect(after.locator('[data-test="current-partition"]')).toHaveText('gpu');
      await expect(after.locator('[data-test="current-gpu"]')).toHaveText('Tesla V100');
      await expect(after.locator('[data-test="current-memory"]')).toHaveText('16');
      await expect(after.locator('[data-test="restart"]')).toBeDisabled();
      if (spawnerKind === 'slurm') {
        // What Slurm granted the job that runs the new server.
        await expect(after.locator('[data-test="slurm-partition"]')).toHaveText('gpu');
        await expect(after.locator('[data-test="slurm-memory"]')).toHaveText('16 GiB');
        await expect(after.locator('[data-test="slurm-gpus"]')).toContainText('1');
      }
      expect(errors).toEqual([]);
    });
  });
}
