// Builds the prebuilt labextension into tessera_jupyter/labextension with @jupyter/builder (rspack),
// against the JupyterLab core metadata of @jupyterlab/core-meta, so no Python or lab rebuild is needed.
// Pass --development for an unminified build with source maps.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(join(here, 'package.json'));
const builder = join(dirname(require.resolve('@jupyter/builder/package.json')), 'lib', 'build-labextension.js');
const builderRequire = createRequire(builder);
const corePackageFile = builderRequire.resolve('@jupyterlab/core-meta/core.package.json');
const args = [builder, '--core-package-file', corePackageFile, ...process.argv.slice(2), here];
const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: here });
process.exit(result.status ?? 1);
