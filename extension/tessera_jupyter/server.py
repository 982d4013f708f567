"""The GPU panel's data source: a Jupyter server extension with two routes under the server's
base URL (authenticated like every Jupyter API):

    GET  tessera/gpu-panel                     everything the panel shows (docs/gpu-panel.md)
    POST tessera/gpu-panel/jobs/<job>/cancel   scancel a job array (body: {"task": n} for one task)
"""
from __future__ import annotations

import json
import os
import time

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from . import gpus, hub, kernels, progress, slurm

STATE_VERSION = 1


class PanelHandler(APIHandler):
    @web.authenticated
    async def get(self):
        env = dict(os.environ)
        settings = self.settings["tessera_gpu_panel"]
        if settings.get("adapters") is None:
            # The WebGPU adapters do not change while the server runs: probe once.
            script = kernels.tessera_kernel_script(self.kernel_spec_manager)
            settings["adapters"] = await kernels.probe_adapters(script)
        statuses = kernels.read_kernel_statuses(kernels.kernel_status_dir(env), time.time())
        # Which notebook each kernel serves and whether it is busy, from the server's own records.
        sessions = {s["kernel"]["id"]: s for s in await self.session_manager.list_sessions() if s.get("kernel")}
        for status in statuses:
            kid = status.get("kernelId")
            if kid in self.kernel_manager:
                km = self.kernel_manager.get_kernel(kid)
                status["executionState"] = getattr(km, "execution_state", None)
                status["path"] = sessions.get(kid, {}).get("path")
        self.finish(
            json.dumps(
                {
                    "version": STATE_VERSION,
                    "time": time.time(),
                    "host": os.uname().nodename,
                    "gpus": await gpus.gpu_state(env),
                    "webgpu": settings["adapters"],
                    "kernels": statuses,
                    "hub": hub.hub_state(env),
                    "jobs": await progress.jobs_state(env),
                }
            )
        )


class CancelHandler(APIHandler):
    @web.authenticated
    async def post(self, job_id: str):
        body = self.get_json_body() or {}
        task = body.get("task")
        try:
            job = progress.find_job(dict(os.environ), job_id)
        except ValueError as e:
            raise web.HTTPError(404, str(e)) from e
        array_id = job.get("slurmArrayJobId")
        if not array_id:
            raise web.HTTPError(400, "this job runs in its kernel, not on Slurm: interrupt the kernel to stop it")
        if task is not None and not (isinstance(task, int) and 0 <= task < int(job.get("tasks", 1))):
            raise web.HTTPError(400, f"task must be an array index below {job.get('tasks')}; got {task!r}")
        try:
            await slurm.cancel(str(array_id), task)
        except (RuntimeError, OSError) as e:
            raise web.HTTPError(502, f"scancel failed: {e}") from e
        self.finish(json.dumps({"cancelled": f"{array_id}" if task is None else f"{array_id}_{task}"}))


def load(server_app) -> None:
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "tessera", "gpu-panel")
    web_app.settings["tessera_gpu_panel"] = {"adapters": None}
    web_app.add_handlers(
        ".*$",
        [(base, PanelHandler), (url_path_join(base, "jobs", r"([A-Za-z0-9._-]+)", "cancel"), CancelHandler)],
    )
    server_app.log.info("tessera_jupyter: GPU panel data at %s", base)
