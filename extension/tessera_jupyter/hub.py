"""This server's place under a JupyterHub: who and where it is (JUPYTERHUB_* variables), the
resources it was started with (user_options and, under batchspawner, the Slurm job's environment)
and the choices the Hub offers (the spawner's options form, parsed into fields).

The Hub tells a server its user_options and options form only through the environment that
`tessera_jupyter.hub_config.panel_environment()` adds (docs/gpu-panel.md)."""
from __future__ import annotations

import json
from html.parser import HTMLParser

USER_OPTIONS_ENV = "TESSERA_HUB_USER_OPTIONS"
OPTIONS_FORM_ENV = "TESSERA_HUB_OPTIONS_FORM"


class _FormParser(HTMLParser):
    """Collects the inputs of a spawner options form: selects, radio groups, number/text inputs,
    checkboxes, with their labels (`<label for>` or a wrapping `<label>`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[dict] = []
        self.labels: dict[str, str] = {}  # element id -> label text
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._in_label = False
        self._label_inputs: list[dict] = []  # inputs wrapped by the open <label>
        self._select: dict | None = None
        self._option: dict | None = None

    def _field(self, name: str) -> dict | None:
        return next((f for f in self.fields if f["name"] == name), None)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "label":
            self._in_label, self._label_for, self._label_text, self._label_inputs = True, a.get("for"), [], []
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "id": a.get("id"), "kind": "select", "options": [], "default": None,
                            "multiple": "multiple" in a}
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "label": "", "selected": "selected" in a}
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "hidden", "file", "image"):
                return
            if kind == "radio":
                field = self._field(a["name"])
                if field is None:
                    field = {"name": a["name"], "id": None, "kind": "select", "options": [], "default": None, "multiple": False}
                    self.fields.append(field)
                option = {"value": a.get("value", "on"), "label": a.get("value", "on"), "id": a.get("id")}
                field["options"].append(option)
                if "checked" in a:
                    field["default"] = option["value"]
                if self._in_label:
                    self._label_inputs.append(option)
                return
            field = {"name": a["name"], "id": a.get("id"), "kind": "checkbox" if kind == "checkbox" else ("number" if kind in ("number", "range") else "text"),
                     "default": ("checked" in a) if kind == "checkbox" else a.get("value", "")}
            for key in ("min", "max", "step"):
                if a.get(key):
                    field[key] = a[key]
            self.fields.append(field)
            if self._in_label:
                self._label_inputs.append(field)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            option["label"] = option["label"].strip()
            if option["value"] is None:
                option["value"] = option["label"]
            if option.pop("selected") or self._select["default"] is None:
                self._select["default"] = option["value"]
            self._select["options"].append(option)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "label" and self._in_label:
            text = " ".join("".join(self._label_text).split())
            if self._label_for:
                self.labels[self._label_for] = text
            for item in self._label_inputs:
                item["label"] = text
            self._in_label = False

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data
        elif self._in_label:
            self._label_text.append(data)


def parse_options_form(html: str) -> list[dict]:
    """The fields of a spawner's options form HTML:
    [{"name", "label", "kind": "select"|"number"|"text"|"checkbox", "options": [{"value", "label"}],
      "default", "min", "max", "step"}]."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    fields = []
    for f in parser.fields:
        label = f.get("label") or parser.labels.get(f.get("id") or "") or f["name"]
        out = {"name": f["name"], "label": label.rstrip(":").strip(), "kind": f["kind"], "default": f["default"]}
        if f["kind"] == "select":
            out["multiple"] = f.get("multiple", False)
            out["options"] = [
                {"value": o["value"], "label": parser.labels.get(o.get("id") or "") or o["label"]} for o in f["options"]
            ]
            # A form that repeats an option (the seed's "No GPU" twice) offers it once.
            seen = set()
            out["options"] = [o for o in out["options"] if not (o["value"] in seen or seen.add(o["value"]))]
        for key in ("min", "max", "step"):
            if key in f:
                out[key] = f[key]
        fields.append(out)
    return fields


def _int(text) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def slurm_resources(env: dict) -> dict | None:
    """What the Slurm job running this server was granted (batchspawner starts the server inside
    one), from the job's environment; None outside a Slurm job."""
    if "SLURM_JOB_ID" not in env:
        return None
    cpus = _int(env.get("SLURM_CPUS_ON_NODE")) or _int(env.get("SLURM_CPUS_PER_TASK"))
    memory_mb = _int(env.get("SLURM_MEM_PER_NODE"))
    if memory_mb is None and _int(env.get("SLURM_MEM_PER_CPU")) and cpus:
        memory_mb = _int(env["SLURM_MEM_PER_CPU"]) * cpus
    gpus = env.get("SLURM_JOB_GPUS") or env.get("SLURM_STEP_GPUS")
    return {
        "jobId": env["SLURM_JOB_ID"],
        "partition": env.get("SLURM_JOB_PARTITION"),
        "node": env.get("SLURMD_NODENAME") or env.get("SLURM_JOB_NODELIST"),
        "cpus": cpus,
        "memoryBytes": memory_mb * 1024 * 1024 if memory_mb else None,
        "gpus": gpus.split(",") if gpus else [],
        "gpuCount": _int(env.get("SLURM_GPUS_ON_NODE")) or (len(gpus.split(",")) if gpus else 0),
    }


def hub_state(env: dict) -> dict:
    """The panel's Hub section."""
    if not env.get("JUPYTERHUB_API_URL") or not env.get("JUPYTERHUB_USER"):
        return {"underHub": False, "slurm": slurm_resources(env)}
    base = env.get("JUPYTERHUB_BASE_URL", "/")
    state = {
        "underHub": True,
        "user": env["JUPYTERHUB_USER"],
        "serverName": env.get("JUPYTERHUB_SERVER_NAME", ""),
        "hubPrefix": base.rstrip("/") + "/hub/",
        "serverPrefix": env.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
        "slurm": slurm_resources(env),
        "limits": {k: env[k] for k in ("MEM_LIMIT", "MEM_GUARANTEE", "CPU_LIMIT", "CPU_GUARANTEE") if env.get(k)},
        "userOptions": None,
        "choices": None,
        "errors": [],
    }
    if USER_OPTIONS_ENV in env:
        try:
            options = json.loads(env[USER_OPTIONS_ENV] or "{}")
            state["userOptions"] = options if isinstance(options, dict) else {}
        except ValueError as e:
            state["errors"].append(f"{USER_OPTIONS_ENV} is not JSON: {e}")
    if OPTIONS_FORM_ENV in env:
        state["choices"] = parse_options_form(env[OPTIONS_FORM_ENV])
    return state
