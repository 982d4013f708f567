"""The Hub section: options form parsing (the seed's resource form), Slurm environment, user_options."""
import json

from tessera_jupyter import hub, hub_config

# The seed's "Resource selection" form, as a site would write it for its spawner.
SEED_FORM = """
<label for="memory">Memory</label>
<input type="number" name="memory" id="memory" value="8" min="1" max="256" step="1"> GB
<label for="cpus">Number of CPUs</label>
<input type="number" name="cpus" id="cpus" value="4" min="1" max="32">
<label for="partition">Partition</label>
<select name="partition" id="partition"><option value="clara" selected>clara</option><option value="paula">paula</option></select>
<label for="gpu">GPU</label>
<select name="gpu" id="gpu">
  <option value="none">No GPU</option><option value="none">No GPU</option>
  <option value="rtx2080ti">RTX 2080Ti</option><option value="v100">Tesla V100</option>
</select>
<label><input type="checkbox" name="exclusive"> Exclusive node</label>
<label><input type="radio" name="runtime" value="2h" checked> 2 hours</label>
<label><input type="radio" name="runtime" value="8h"> 8 hours</label>
<input type="hidden" name="_xsrf" value="x">
"""


def test_parse_the_seed_form():
    fields = {f["name"]: f for f in hub.parse_options_form(SEED_FORM)}
    assert list(fields) == ["memory", "cpus", "partition", "gpu", "exclusive", "runtime"]
    assert fields["memory"] == {"name": "memory", "label": "Memory", "kind": "number", "default": "8", "min": "1", "max": "256", "step": "1"}
    assert fields["cpus"]["label"] == "Number of CPUs"
    assert fields["partition"]["default"] == "clara"
    gpu = fields["gpu"]
    assert [o["label"] for o in gpu["options"]] == ["No GPU", "RTX 2080Ti", "Tesla V100"], "a repeated option once"
    assert gpu["default"] == "none"
    assert fields["exclusive"] == {"name": "exclusive", "label": "Exclusive node", "kind": "checkbox", "default": False}
    assert fields["runtime"]["kind"] == "select"
    assert [(o["value"], o["label"]) for o in fields["runtime"]["options"]] == [("2h", "2 hours"), ("8h", "8 hours")]
    assert fields["runtime"]["default"] == "2h"


def test_not_under_a_hub():
    assert hub.hub_state({})["underHub"] is False


def test_under_a_hub_without_the_panel_environment():
    state = hub.hub_state({"JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api", "JUPYTERHUB_USER": "ada",
                           "JUPYTERHUB_BASE_URL": "/", "JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"})
    assert state["underHub"] and state["user"] == "ada" and state["hubPrefix"] == "/hub/"
    assert state["userOptions"] is None and state["choices"] is None, "the Hub told nothing"


def test_under_a_hub_with_the_panel_environment():
    class Spawner:
        user_options = {"partition": "paula", "gpu": "v100", "memory": "16"}
        options_form = staticmethod(lambda spawner: SEED_FORM)

    env = {k: v(Spawner()) for k, v in hub_config.panel_environment().items()}
    env.update(JUPYTERHUB_API_URL="http://h/hub/api", JUPYTERHUB_USER="ada", JUPYTERHUB_BASE_URL="/jh/")
    state = hub.hub_state(env)
    assert state["hubPrefix"] == "/jh/hub/"
    assert state["userOptions"] == Spawner.user_options
    assert [f["name"] for f in state["choices"]][:4] == ["memory", "cpus", "partition", "gpu"]
    env[hub.OPTIONS_FORM_ENV] = ""
    assert hub.hub_state(env)["choices"] == [], "a Hub without an options form offers no choices"
    env[hub.USER_OPTIONS_ENV] = "{oops"
    assert "not JSON" in hub.hub_state(env)["errors"][0]


def test_an_async_options_form_is_not_shown():
    class Spawner:
        user_options = {}

        async def options_form(self):
            return "<select name=a></select>"

    spawner = Spawner()
    spawner.options_form = lambda s: Spawner.options_form(s)
    assert hub_config.panel_environment()[hub.OPTIONS_FORM_ENV](spawner) == ""
    assert json.loads(hub_config.panel_environment()[hub.USER_OPTIONS_ENV](spawner)) == {}


def test_slurm_job_resources():
    r = hub.slurm_resources({"SLURM_JOB_ID": "42", "SLURM_JOB_PARTITION": "paula", "SLURM_CPUS_ON_NODE": "4",
                             "SLURM_MEM_PER_NODE": "16384", "SLURM_JOB_GPUS": "2,3", "SLURMD_NODENAME": "paula05"})
    assert r == {"jobId": "42", "partition": "paula", "node": "paula05", "cpus": 4, "memoryBytes": 16 * 2**30,
                 "gpus": ["2", "3"], "gpuCount": 2}
    assert hub.slurm_resources({"SLURM_JOB_ID": "1", "SLURM_CPUS_PER_TASK": "2", "SLURM_MEM_PER_CPU": "1000"})["memoryBytes"] == 2000 * 2**20
    assert hub.slurm_resources({}) is None
