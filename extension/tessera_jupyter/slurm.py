"""Slurm's view of Tessera's job arrays: `scontrol show job -o` (active jobs, and finished ones for
MinJobAge), `sacct` where accounting is set up (older jobs), `scancel` to cancel."""
from __future__ import annotations

import asyncio
import re
import shutil

# Slurm job states -> the panel's task states (Slurm's own name is shown beside it).
STATE_OF = {
    "PENDING": "pending",
    "REQUEUED": "pending",
    "CONFIGURING": "running",
    "RUNNING": "running",
    "COMPLETING": "running",
    "SUSPENDED": "running",
    "STOPPED": "running",
    "COMPLETED": "completed",
    "CANCELLED": "cancelled",
}  # anything else (FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED) -> failed

_KEY = re.compile(r"(?:^|\s)([A-Za-z][A-Za-z0-9:/_]*)=")


def task_state(slurm_state: str) -> str:
    # sacct writes e.g. "CANCELLED by 1000".
    return STATE_OF.get(slurm_state.split()[0].rstrip("+") if slurm_state else "", "failed")


def parse_scontrol_line(line: str) -> dict:
    """One `scontrol show job -o` line -> {key: value}."""
    matches = list(_KEY.finditer(line))
    record = {}
    for m, nxt in zip(matches, matches[1:] + [None]):
        record[m[1]] = line[m.end() : nxt.start() if nxt else len(line)].strip()
    return record


def expand_task_ids(text: str) -> list[int]:
    """'3', '3-9', '4,6-8%2' (a pending remainder, `%` = throttle) -> task indices."""
    text = text.split("%")[0]
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def tasks_from_scontrol(text: str, array_job_id: str) -> dict[int, dict]:
    """Per array task: {"slurmState", "state", "reason", "slurmJobId", "node"} from
    `scontrol show job -o <array job id>`."""
    tasks = {}
    for line in text.splitlines():
        if "JobId=" not in line:
            continue
        job = parse_scontrol_line(line)
        if job.get("ArrayJobId") != array_job_id or "ArrayTaskId" not in job:
            continue
        raw = job.get("JobState", "")
        for index in expand_task_ids(job["ArrayTaskId"]):
            tasks[index] = {
                "slurmState": raw,
                "state": task_state(raw),
                "reason": None if job.get("Reason") in (None, "None", "(null)") else job["Reason"],
                "slurmJobId": job.get("JobId"),
                "node": job.get("NodeList") or None,
            }
    return tasks


def tasks_from_sacct(text: str, array_job_id: str) -> dict[int, dict]:
    """Per array task from `sacct -n -P -X -j <id> -o JobID,State,NodeList`."""
    tasks = {}
    for line in text.splitlines():
        cells = line.split("|")
        if len(cells) < 2 or not cells[0].startswith(f"{array_job_id}_"):
            continue
        suffix = cells[0].split("_", 1)[1].strip("[]")
        for index in expand_task_ids(suffix):
            tasks[index] = {"slurmState": cells[1], "state": task_state(cells[1]), "reason": None, "slurmJobId": None,
                            "node": cells[2] if len(cells) > 2 and cells[2] else None}
    return tasks


async def _run(*args: str, timeout: float = 10.0) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        return 124, "", f"{args[0]} did not answer within {timeout:g} s"
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def available() -> bool:
    return shutil.which("scontrol") is not None


async def array_tasks(array_job_id: str) -> dict:
    """{"tasks": {index: ...}, "source": "scontrol"|"sacct"|None, "error": str|None}."""
    if not available():
        return {"tasks": {}, "source": None, "error": "Slurm's commands (scontrol) are not installed on this server"}
    code, out, err = await _run("scontrol", "show", "job", "-o", array_job_id)
    if code == 0 and out.strip():
        return {"tasks": tasks_from_scontrol(out, array_job_id), "source": "scontrol", "error": None}
    if shutil.which("sacct"):
        code2, out2, _ = await _run("sacct", "-n", "-P", "-X", "-j", array_job_id, "-o", "JobID,State,NodeList")
        if code2 == 0 and out2.strip():
            return {"tasks": tasks_from_sacct(out2, array_job_id), "source": "sacct", "error": None}
    message = err.strip() or out.strip()
    if "Invalid job id" in message:
        message = "Slurm no longer knows this job (finished before MinJobAge; no accounting)"
    return {"tasks": {}, "source": None, "error": message or f"scontrol exit {code}"}


async def cancel(array_job_id: str, task: int | None = None) -> None:
    """scancel the array (or one task); raises RuntimeError with Slurm's message."""
    target = array_job_id if task is None else f"{array_job_id}_{task}"
    code, out, err = await _run("scancel", target)
    if code != 0:
        raise RuntimeError((err or out).strip() or f"scancel exit {code}")
