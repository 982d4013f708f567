"""Reads the tiled executor's progress records (format: docs/progress-records.md, writer:
kernel-lib/src/progress/records.ts) and merges them with Slurm's per-task states."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

from . import slurm

PROGRESS_RECORD_VERSION = 1
MAX_JOBS = 20
_TASK_FILE = re.compile(r"^task-(\d+)\.json$")


def progress_dir(env: dict) -> Path:
    """`$TESSERA_PROGRESS_DIR`, else `<Jupyter runtime dir>/tessera/progress` (as the writer)."""
    if env.get("TESSERA_PROGRESS_DIR"):
        return Path(env["TESSERA_PROGRESS_DIR"])
    return Path(jupyter_runtime_dir()) / "tessera" / "progress"


def _time(text) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _read(path: Path) -> dict:
    record = json.loads(path.read_text())
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if record.get("version") != PROGRESS_RECORD_VERSION:
        raise ValueError(f"record version {record.get('version')!r}; this panel reads version {PROGRESS_RECORD_VERSION}")
    return record


def read_job(folder: Path) -> dict:
    """One job folder -> {"job": job.json, "tasks": {index: task record}, "errors": [...]}."""
    errors = []
    try:
        job = _read(folder / "job.json")
    except (OSError, ValueError) as e:
        raise ValueError(f"{folder.name}/job.json: {e}") from e
    tasks = {}
    for path in folder.iterdir():
        m = _TASK_FILE.match(path.name)
        if not m:
            continue
        try:
            tasks[int(m[1])] = _read(path)
        except (OSError, ValueError) as e:
            errors.append(f"{folder.name}/{path.name}: {e}")
    return {"job": job, "tasks": tasks, "errors": errors}


def summarize(job: dict, records: dict[int, dict], slurm_tasks: dict[int, dict], now: float) -> dict:
    """The panel's view of one job: per-task state (Slurm's for what Slurm knows, else the
    record's), tiles done / total, bytes, throughput (tiles/s since the first task started) and ETA."""
    tasks = []
    for index in range(int(job.get("tasks", 1))):
        record = records.get(index, {})
        from_slurm = slurm_tasks.get(index)
        state = record.get("state", "pending")
        if from_slurm and not (from_slurm["state"] == "running" and state in ("completed", "failed")):
            # Slurm decides, except that a task which wrote its final record is done even while
            # Slurm still shows it COMPLETING.
            state = from_slurm["state"]
        tasks.append(
            {
                "task": index,
                "state": state,
                "slurmState": from_slurm["slurmState"] if from_slurm else None,
                "reason": from_slurm["reason"] if from_slurm else None,
                "node": (from_slurm or {}).get("node") or record.get("host"),
                "tilesDone": record.get("tilesDone", 0),
                "tilesTotal": record.get("tilesTotal"),
                "error": record.get("error"),
                "updatedAt": record.get("updatedAt"),
            }
        )
    tiles_done = sum(t["tilesDone"] for t in tasks)
    tiles_total = int(job.get("tilesTotal", 0))
    started = [s for s in (_time(r.get("startedAt")) for r in records.values()) if s is not None]
    updated = [u for u in (_time(r.get("updatedAt")) for r in records.values()) if u is not None]
    states = {t["state"] for t in tasks}
    if job.get("finishedState"):
        state = job["finishedState"]
    elif "running" in states:
        state = "running"
    elif states == {"completed"}:
        state = "completed"
    elif states == {"pending"}:
        state = "pending"
    elif "pending" in states:
        state = "running"  # some tasks ended, others wait: the array as a whole is under way
    else:
        state = "failed" if "failed" in states else "cancelled"
    finished = state in ("completed", "failed", "cancelled")
    end = max(updated) if finished and updated else now
    elapsed = end - min(started) if started else None
    throughput = tiles_done / elapsed if elapsed and elapsed > 0 and tiles_done else None
    eta = (tiles_total - tiles_done) / throughput if throughput and not finished else None
    return {
        "jobId": job["jobId"],
        "label": job.get("label", job["jobId"]),
        "slurmArrayJobId": job.get("slurmArrayJobId"),
        "kernelId": job.get("kernelId"),
        "state": state,
        "tasks": tasks,
        "tilesDone": tiles_done,
        "tilesTotal": tiles_total,
        "bytesRead": sum(r.get("bytesRead", 0) for r in records.values()),
        "bytesWritten": sum(r.get("bytesWritten", 0) for r in records.values()),
        "throughput": throughput,
        "etaSeconds": eta,
        "createdAt": job.get("createdAt"),
        "updatedAt": max([job.get("updatedAt") or ""] + [r.get("updatedAt") or "" for r in records.values()]),
    }


async def jobs_state(env: dict) -> dict:
    """The panel's jobs section: the newest MAX_JOBS jobs of the progress folder."""
    directory = progress_dir(env)
    out = {"directory": str(directory), "jobs": [], "errors": [], "slurm": slurm.available()}
    if not directory.is_dir():
        return out
    now = datetime.now(timezone.utc).timestamp()
    folders = sorted((p for p in directory.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders[:MAX_JOBS]:
        try:
            read = read_job(folder)
        except ValueError as e:
            out["errors"].append(str(e))
            continue
        out["errors"].extend(read["errors"])
        job = read["job"]
        slurm_view = {"tasks": {}, "source": None, "error": None}
        if job.get("slurmArrayJobId"):
            slurm_view = await slurm.array_tasks(str(job["slurmArrayJobId"]))
        summary = summarize(job, read["tasks"], slurm_view["tasks"], now)
        summary["slurmSource"] = slurm_view["source"]
        summary["slurmError"] = slurm_view["error"]
        out["jobs"].append(summary)
    return out


def find_job(env: dict, job_id: str) -> dict:
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,128}", job_id):
        raise ValueError(f"invalid job id {job_id!r}")
    return read_job(progress_dir(env) / job_id)["job"]
