/**
 * Galata/Playwright configuration: a real JupyterLab from the project venv (with the Tessera
 * kernelspec and extension installed by scripts/prepare.sh) and Debian's Chromium; no browser
 * download, no video or trace (they would need downloads too).
 */
import { defineConfig } from '@playwright/test';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const root = path.resolve(__dirname, '..');
const venv = process.env.TESSERA_VENV ?? path.join(root, '.venv');
const port = Number(process.env.TESSERA_UI_PORT ?? 8890);
// Notebooks live under the repository so that their kernels resolve the `tessera` package.
const notebooks = path.join(__dirname, 'notebooks-tmp');
process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-runtime';

export default defineConfig({
  ...baseConfig,
  testDir: 'tests',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    video: 'off',
    trace: 'off',
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: `mkdir -p "${notebooks}" "$XDG_RUNTIME_DIR" && "${venv}/bin/jupyter" lab --allow-root --config jupyter_server_test_config.py`,
    url: `http://127.0.0.1:${port}/lab`,
    env: { ...process.env, TESSERA_UI_PORT: String(port), JUPYTERLAB_GALATA_ROOT_DIR: notebooks } as Record<string, string>,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
