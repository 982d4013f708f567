"""A real JupyterHub for the GPU panel's tests (ui-tests/tests/hub.spec.ts): DummyAuthenticator,
configurable-http-proxy from the repository's node_modules, and a local-process spawner whose
options form offers the seed's resource choices and which records the user_options each server
received. Everything listens on 127.0.0.1; state lives in $TESSERA_HUB_DIR.

    TESSERA_HUB_DIR=/tmp/hub TESSERA_HUB_PORT=8950 .venv/bin/jupyterhub -f .ci/hub/jupyterhub_config.py
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# tessera_jupyter.hub_config from the source tree: it imports nothing of Jupyter, so the Hub's venv
# (JupyterHub 4/5 in the version test) needs no installed extension.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "extension"))
from recording_spawner import OPTIONS_FORM, RecordingSpawner  # noqa: E402

from tessera_jupyter.hub_config import panel_environment  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
root = Path(__file__).resolve().parents[2]
state = Path(os.environ.get("TESSERA_HUB_DIR", "/tmp/tessera-hub"))
state.mkdir(parents=True, exist_ok=True)
port = int(os.environ.get("TESSERA_HUB_PORT", "8950"))
venv = Path(os.environ.get("TESSERA_VENV", root / ".venv"))

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [str(root / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = RecordingSpawner
c.RecordingSpawner.options_form = OPTIONS_FORM
c.RecordingSpawner.record_file = str(state / "spawns.jsonl")
c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.args = ["--allow-root", f"--ServerApp.root_dir={state / 'home'}", "--LabApp.news_url=None"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home")
# The panel is told the user_options and the options form (docs/gpu-panel.md).
c.Spawner.environment.update(panel_environment())
c.Spawner.environment.update({"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", "/tmp/xdg-runtime")})

# TESSERA_HUB_SERVER=mock: JupyterHub's own minimal test server (jupyterhub.tests.mocksu) instead of
# JupyterLab, for the test of the restart requests against JupyterHub 4, 5 and 6, whose venvs
# (.ci/hub.sh) hold only JupyterHub.
if os.environ.get("TESSERA_HUB_SERVER") == "mock":
    c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.tests.mocksu"]
    c.Spawner.args = []
    c.Spawner.default_url = ""

# TESSERA_HUB_SPAWNER=slurm: batchspawner's SlurmSpawner on the test Slurm cluster (.ci/slurm.sh);
# the server runs as a Slurm job whose resources are the form's choices.
if os.environ.get("TESSERA_HUB_SPAWNER") == "slurm":
    from recording_spawner import slurm_spawner_class

    c.JupyterHub.spawner_class = slurm_spawner_class()
    c.RecordingSlurmSpawner.record_file = str(state / "spawns.jsonl")
    c.RecordingSlurmSpawner.options_form = OPTIONS_FORM
    c.SlurmSpawner.exec_prefix = ""  # submit as the Hub's user (root in CI), not via sudo
    c.RecordingSlurmSpawner.home = str(state / "home")
    (state / "home").mkdir(exist_ok=True)
    c.SlurmSpawner.req_srun = ""
    # batchspawner runs it as `batchspawner-singleuser <cmd>` (found on the job's PATH, the venv's).
    c.SlurmSpawner.batch_script = """#!/bin/bash
#SBATCH --output={{homedir}}/slurmspawner_%j.log
#SBATCH --job-name=tessera-jupyterhub
#SBATCH --chdir={{homedir}}
#SBATCH --export={{keepvars}}
#SBATCH --partition={{partition}}
#SBATCH --mem={{memory}}G
#SBATCH --cpus-per-task={{cpus}}
{% if gpu and gpu != 'none' %}#SBATCH --gres=gpu:1
{% endif %}
set -euo pipefail
{{cmd}}
"""
    # The node is named "tessera" but reached on 127.0.0.1: report that address as the exec host.
    c.SlurmSpawner.batch_query_cmd = "squeue -h -j {job_id} -o '%T 127.0.0.1'"
    c.SlurmSpawner.startup_poll_interval = 0.5
