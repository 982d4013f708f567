"""The test Hub's spawner: JupyterHub's SimpleLocalProcessSpawner (servers run as the Hub's user)
with the seed's resource form (Memory, Number of CPUs, Partition, GPU) and a record of the
user_options every start received, one JSON line each in `record_file`, read by the tests."""
import json
import time

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode

# The partitions are those of the test Slurm cluster (.ci/slurm.sh).
OPTIONS_FORM = """
<div class="form-group">
  <label for="memory">Memory (GB)</label>
  <input class="form-control" type="number" name="memory" id="memory" value="8" min="1" max="64">
</div>
<div class="form-group">
  <label for="cpus">Number of CPUs</label>
  <input class="form-control" type="number" name="cpus" id="cpus" value="4" min="1" max="16">
</div>
<div class="form-group">
  <label for="partition">Partition</label>
  <select class="form-control" name="partition" id="partition">
    <option value="cpu" selected>cpu</option>
    <option value="gpu">gpu</option>
  </select>
</div>
<div class="form-group">
  <label for="gpu">GPU</label>
  <select class="form-control" name="gpu" id="gpu">
    <option value="none" selected>No GPU</option>
    <option value="rtx2080ti">RTX 2080Ti</option>
    <option value="v100">Tesla V100</option>
  </select>
</div>
"""


def flatten_form(form_data):
    """Single values out of the form's lists (what JupyterHub 5.3's options_from_form='simple'
    does, written out so that JupyterHub 4 behaves the same)."""
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in form_data.items()}


class RecordingSpawner(SimpleLocalProcessSpawner):
    record_file = Unicode("", config=True, help="JSON-lines file: one line per start with its user_options")

    def options_from_form(self, form_data):
        return flatten_form(form_data)

    async def start(self):
        if self.record_file:
            with open(self.record_file, "a") as f:
                f.write(json.dumps({"time": time.time(), "server": self.name, "user_options": self.user_options}) + "\n")
        return await super().start()


def slurm_spawner_class():
    """batchspawner's SlurmSpawner for the test Slurm cluster (.ci/slurm.sh), recording as above.
    The test users exist only in the Hub (DummyAuthenticator), so jobs are submitted as the Hub's
    user, without sudo, into a home folder the config names; the seed's form fields become sbatch
    options in the batch script of jupyterhub_config.py."""
    import getpass

    from batchspawner import SlurmSpawner
    from traitlets import default

    class RecordingSlurmSpawner(SlurmSpawner):
        record_file = Unicode("", config=True)
        home = Unicode("", config=True, help="the jobs' working folder (the users have no system account)")
        options_from_form = RecordingSpawner.options_from_form

        @default("req_username")
        def _username(self):
            return getpass.getuser()

        @default("req_homedir")
        def _homedir(self):
            return self.home

        def user_env(self, env):
            return env  # no system user to take HOME/SHELL from

        async def start(self):
            if self.record_file:
                with open(self.record_file, "a") as f:
                    f.write(json.dumps({"time": time.time(), "server": self.name, "user_options": self.user_options}) + "\n")
            return await super().start()

    return RecordingSlurmSpawner
