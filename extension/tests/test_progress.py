"""The progress-record reader, on records written by kernel-lib's writer (records.ts), merged
with a real Slurm's view of a real job array (the test cluster of .ci/slurm.sh)."""
import asyncio
import json
import subprocess
import time

import pytest
from conftest import ROOT, RECORDS_JS, needs_slurm, write_with_kernel_lib

from tessera_jupyter import progress, slurm


def test_reads_records_of_the_typescript_writer(tmp_path):
    write_with_kernel_lib(tmp_path, [
        ["writeJobRecord", {"jobId": "blur-7", "label": "gaussianBlur over cells.zarr", "tasks": 3, "tilesTotal": 30, "kernelId": "k-1"}],
        ["writeTaskRecord", {"jobId": "blur-7", "task": 0, "state": "completed", "tilesDone": 10, "tilesTotal": 10, "bytesRead": 1000, "bytesWritten": 500}],
        ["writeTaskRecord", {"jobId": "blur-7", "task": 1, "state": "running", "tilesDone": 4, "tilesTotal": 10, "bytesRead": 400}],
    ])
    state = asyncio.run(progress.jobs_state({"TESSERA_PROGRESS_DIR": str(tmp_path)}))
    assert state["errors"] == []
    [job] = state["jobs"]
    assert job["jobId"] == "blur-7" and job["label"] == "gaussianBlur over cells.zarr" and job["kernelId"] == "k-1"
    assert [t["state"] for t in job["tasks"]] == ["completed", "running", "pending"]
    assert job["state"] == "running"
    assert (job["tilesDone"], job["tilesTotal"]) == (14, 30)
    assert (job["bytesRead"], job["bytesWritten"]) == (1400, 500)
    assert job["throughput"] is None or job["throughput"] > 0


def test_throughput_and_eta():
    t0 = "2026-01-01T10:00:00.000Z"
    job = {"jobId": "j", "tasks": 2, "tilesTotal": 100}
    records = {
        0: {"state": "running", "tilesDone": 30, "startedAt": t0, "updatedAt": "2026-01-01T10:00:10.000Z"},
        1: {"state": "running", "tilesDone": 10, "startedAt": "2026-01-01T10:00:05.000Z", "updatedAt": "2026-01-01T10:00:10.000Z"},
    }
    now = progress._time("2026-01-01T10:00:20.000Z")
    s = progress.summarize(job, records, {}, now)
    assert s["throughput"] == pytest.approx(40 / 20)  # tiles per second since the first task started
    assert s["etaSeconds"] == pytest.approx(60 / 2)
    done = progress.summarize(dict(job, finishedState="completed"), records, {}, now)
    assert done["state"] == "completed" and done["etaSeconds"] is None
    assert done["throughput"] == pytest.approx(40 / 10), "a finished job's rate ends at its last update"


def test_slurm_state_wins_over_a_stale_record():
    job = {"jobId": "j", "tasks": 3, "tilesTotal": 3}
    records = {0: {"state": "running", "tilesDone": 0}, 1: {"state": "completed", "tilesDone": 1}}
    from_slurm = {0: {"state": "failed", "slurmState": "TIMEOUT", "reason": None, "node": "n1"},
                  1: {"state": "running", "slurmState": "COMPLETING", "reason": None, "node": "n1"},
                  2: {"state": "cancelled", "slurmState": "CANCELLED", "reason": None, "node": None}}
    s = progress.summarize(job, records, from_slurm, 0)
    assert [t["state"] for t in s["tasks"]] == ["failed", "completed", "cancelled"]
    assert s["tasks"][0]["slurmState"] == "TIMEOUT"
    assert s["state"] == "failed"


def test_bad_records_are_reported_not_fatal(tmp_path):
    write_with_kernel_lib(tmp_path, [["writeJobRecord", {"jobId": "ok", "tasks": 1, "tilesTotal": 1}]])
    (tmp_path / "ok" / "task-0.json").write_text("{not json")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "job.json").write_text(json.dumps({"version": 99, "jobId": "old"}))
    state = asyncio.run(progress.jobs_state({"TESSERA_PROGRESS_DIR": str(tmp_path)}))
    assert [j["jobId"] for j in state["jobs"]] == ["ok"]
    assert any("ok/task-0.json" in e for e in state["errors"])
    assert any("old/job.json" in e and "version 99" in e for e in state["errors"])


def test_scontrol_parsing():
    # Lines as the test cluster's scontrol printed them (shortened): one finished task, the pending rest.
    text = (
        "JobId=12 ArrayJobId=11 ArrayTaskId=0 JobName=tessera UserId=root(0) JobState=COMPLETED Reason=None "
        "Partition=gpu AllocNode:Sid=localhost:6503 NodeList=tessera CPUs/Task=1 TresPerNode=gres:gpu:1\n"
        "JobId=11 ArrayJobId=11 ArrayTaskId=2-4,6%2 JobName=tessera JobState=PENDING Reason=Resources NodeList= \n"
    )
    tasks = slurm.tasks_from_scontrol(text, "11")
    assert sorted(tasks) == [0, 2, 3, 4, 6]
    assert tasks[0]["state"] == "completed" and tasks[0]["node"] == "tessera"
    assert tasks[3] == {"slurmState": "PENDING", "state": "pending", "reason": "Resources", "slurmJobId": "11", "node": None}
    assert slurm.tasks_from_sacct("11_0|COMPLETED|n1\n11_[1-2]|PENDING|\n11_3|CANCELLED by 0|n1\n", "11") == {
        0: {"slurmState": "COMPLETED", "state": "completed", "reason": None, "slurmJobId": None, "node": "n1"},
        1: {"slurmState": "PENDING", "state": "pending", "reason": None, "slurmJobId": None, "node": None},
        2: {"slurmState": "PENDING", "state": "pending", "reason": None, "slurmJobId": None, "node": None},
        3: {"slurmState": "CANCELLED by 0", "state": "cancelled", "reason": None, "slurmJobId": None, "node": "n1"},
    }


TASK_SCRIPT = """#!/bin/bash
# One array task of a Tessera-like tiled job: writes its progress with kernel-lib's writer.
node -e '
const r = require(process.env.RECORDS_JS);
const p = new r.TaskProgress({ jobId: process.env.JOB, tilesTotal: 4 }, { dir: process.env.TESSERA_PROGRESS_DIR, intervalMs: 0 });
let n = 0;
const t = setInterval(() => { p.tileDone({ bytesRead: 1024 }); if (++n === 4) { clearInterval(t); if (process.env.SLURM_ARRAY_TASK_ID === "2") setTimeout(() => p.finish(), 60000); else p.finish(); } }, 200);
'
"""


def _wait(predicate, what, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@needs_slurm
def test_real_slurm_array_progress_and_cancel(tmp_path):
    """Submits a 3-task array to the test cluster; tasks 0-1 finish, task 2 hangs until cancelled."""
    script = tmp_path / "task.sh"
    script.write_text(TASK_SCRIPT)
    env = {"TESSERA_PROGRESS_DIR": str(tmp_path / "progress")}
    sub = subprocess.run(
        ["sbatch", "--parsable", "--array=0-2", "-p", "gpu", "--gres=gpu:1", "-J", "tessera-test", "-o", str(tmp_path / "%A_%a.out"),
         f"--export=ALL,RECORDS_JS={RECORDS_JS},JOB=slurm-test,TESSERA_PROGRESS_DIR={env['TESSERA_PROGRESS_DIR']}", str(script)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    array_id = sub.stdout.strip().split(";")[0]
    try:
        write_with_kernel_lib(tmp_path / "progress", [["writeJobRecord", {"jobId": "slurm-test", "tasks": 3, "tilesTotal": 12, "slurmArrayJobId": array_id}]])
        read = lambda: asyncio.run(progress.jobs_state(env))["jobs"][0]  # noqa: E731
        job = _wait(lambda: (j := read()) and [t["state"] for t in j["tasks"]][:2] == ["completed", "completed"] and j["tasks"][2]["tilesDone"] == 4 and j, "tasks 0 and 1 to complete")
        assert job["slurmSource"] == "scontrol"
        assert job["tasks"][2]["state"] == "running" and job["tasks"][2]["slurmState"] == "RUNNING"
        assert job["tilesDone"] == 12 and job["state"] == "running"
        asyncio.run(slurm.cancel(array_id, 2))
        job = _wait(lambda: (j := read())["tasks"][2]["state"] == "cancelled" and j, "task 2 to be cancelled")
        assert job["tasks"][2]["slurmState"] == "CANCELLED"
        assert job["state"] == "cancelled"
    finally:
        subprocess.run(["scancel", array_id], capture_output=True)
