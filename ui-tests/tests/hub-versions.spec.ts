/**
 * The restart requests of the GPU panel (extension/src/gpu-panel/hub-restart.ts) against real
 * JupyterHubs 4, 5 and 6, from a logged-in Chromium page on the Hub's origin as in the panel: the
 * REST API restart (version-aware start body: JupyterHub 6 takes {"user_options": …}) and the spawn
 * form restart, each checked in the user_options the spawner of .ci/hub/jupyterhub_config.py
 * recorded. The servers are JupyterHub's own minimal test server (TESSERA_HUB_SERVER=mock): the
 * Hub's side is tested here, hub.spec.ts runs the whole flow in JupyterLab. The venvs of
 * JupyterHub 4 and 5 come from .ci/hub.sh; 6 is the project's.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const port = Number(process.env.TESSERA_HUB_VERSIONS_PORT ?? 8955);
const hubUrl = `http://127.0.0.1:${port}`;
const restartModule = path.join(root, 'extension/lib/src/gpu-panel/hub-restart.js');
const versions: [string, string][] = [
  ['4', path.join(root, '.venv/hub-versions/4')],
  ['5', path.join(root, '.venv/hub-versions/5')],
  ['6', process.env.TESSERA_VENV ?? path.join(root, '.venv')],
];

/** Loads hub-restart.js (a dependency-free ES module) into the page as window.tesseraHub. */
async function loadRestartModule(page: Page): Promise<void> {
  const source = fs.readFileSync(restartModule, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
  await page.addScriptTag({ type: 'module', content: `${source}\nwindow.tesseraHub = { HubSession, restartWithResources };` });
  await page.waitForFunction(() => 'tesseraHub' in window);
}

type How = { url: string; post?: [string, string][] };

/** Runs restartWithResources in the page; returns where it would send the browser. */
function restartInPage(page: Page, choice: unknown): Promise<How> {
  return page.evaluate(async (choice) => {
    const hub = (window as any).tesseraHub;
    let went: unknown;
    const target = { hubPrefix: '/hub/', user: 'ada', serverName: '' };
    await hub.restartWithResources(target, choice, '/user/ada/', { fetch: window.fetch.bind(window), navigate: (how: unknown) => (went = how) });
    return went as How;
  }, choice);
}

/** Submits a form as the panel's navigate() does. */
function postForm(page: Page, how: How): Promise<void> {
  return page.evaluate((how) => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = how.url;
    for (const [name, value] of how.post!) form.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
    document.body.append(form);
    form.submit();
  }, how);
}

for (const [major, venv] of versions) {
  const hubBin = path.join(venv, 'bin', 'jupyterhub');
  test.describe(`JupyterHub ${major}`, () => {
    test.skip(!fs.existsSync(hubBin), `no JupyterHub ${major} at ${venv} (run bash .ci/hub.sh)`);
    let hub: ChildProcess;
    let state: string;
    const recorded = () => fs.readFileSync(path.join(state, 'spawns.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).user_options);

    test.beforeAll(async () => {
      state = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-hub${major}-`));
      const log = fs.openSync(path.join(state, 'hub.log'), 'w');
      hub = spawn(hubBin, ['-f', path.join(root, '.ci/hub/jupyterhub_config.py')], {
        cwd: state,
        env: { ...process.env, TESSERA_HUB_DIR: state, TESSERA_HUB_PORT: String(port), TESSERA_VENV: venv, TESSERA_HUB_SERVER: 'mock' },
        stdio: ['ignore', log, log],
        detached: true,
      });
      await expect
        .poll(async () => (await fetch(`${hubUrl}/hub/api/`).catch(() => null))?.ok ?? false, { timeout: 60_000, message: `JupyterHub ${major}: ${state}/hub.log` })
        .toBe(true);
    });

    test.afterAll(async () => {
      if (!hub?.pid) return;
      const exited = new Promise((resolve) => hub.once('exit', resolve));
      process.kill(-hub.pid, 'SIGTERM');
      await exited;
    });

    test('restart through the REST API and through the spawn form', async ({ page }) => {
      test.setTimeout(120_000);
      await page.goto(`${hubUrl}/hub/login`);
      await page.fill('input[name="username"]', 'ada');
      await page.fill('input[name="password"]', 'any');
      await page.click('[type="submit"]');
      await page.waitForURL(/\/hub\/spawn/);
      await page.click('form [type="submit"]'); // the form's defaults
      await page.waitForURL(/\/user\/ada\//, { timeout: 60_000 });
      expect(recorded()).toEqual([{ memory: '8', cpus: '4', partition: 'cpu', gpu: 'none' }]);

      await page.goto(`${hubUrl}/hub/home`);
      await loadRestartModule(page);
      expect(await page.evaluate(async () => (await (window as any).tesseraHub.HubSession.open({ hubPrefix: '/hub/', user: 'ada', serverName: '' }, window.fetch.bind(window))).version)).toMatch(new RegExp(`^${major}\\.`));

      const chosen = { partition: 'gpu', gpu: 'v100', memory: '16', cpus: '4' };
      const viaApi = await restartInPage(page, { kind: 'api', userOptions: chosen });
      expect(viaApi.url).toBe('/hub/spawn-pending/ada?next=%2Fuser%2Fada%2F');
      await page.goto(`${hubUrl}${viaApi.url}`);
      await page.waitForURL(/\/user\/ada\//, { timeout: 60_000 });
      expect(recorded().at(-1)).toEqual(chosen);

      await page.goto(`${hubUrl}/hub/home`);
      await loadRestartModule(page);
      const fields = [['memory', '32'], ['cpus', '2'], ['partition', 'cpu'], ['gpu', 'rtx2080ti']];
      const viaForm = await restartInPage(page, { kind: 'form', fields });
      expect(viaForm.url).toMatch(/^\/hub\/spawn\/ada\?_xsrf=.+&next=%2Fuser%2Fada%2F$/);
      await postForm(page, viaForm);
      await page.waitForURL(/\/user\/ada\//, { timeout: 60_000 });
      expect(recorded().at(-1)).toEqual({ memory: '32', cpus: '2', partition: 'cpu', gpu: 'rtx2080ti' });

      // A refused request fails with the Hub's own message.
      await page.goto(`${hubUrl}/hub/home`);
      await loadRestartModule(page);
      const refused = await page.evaluate(async () => {
        const hub = (window as any).tesseraHub;
        const other = { hubPrefix: '/hub/', user: 'grace', serverName: '' };
        return hub.restartWithResources(other, { kind: 'api', userOptions: {} }, '/', { fetch: window.fetch.bind(window), navigate: () => undefined }).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
      });
      expect(refused).toMatch(/^HubError: the Hub refused to stop the server: .*\(HTTP 40[34]\)$/);
    });
  });
}
