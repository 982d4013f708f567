"""Shared helpers: the repository root and a runner for kernel-lib's compiled progress writer."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECORDS_JS = ROOT / "kernel-lib" / "dist" / "src" / "progress" / "records.js"


def write_with_kernel_lib(directory: Path, calls: list) -> list:
    """Runs kernel-lib's writer (records.ts, compiled) in Node: each call is
    ["writeJobRecord" | "writeTaskRecord", input]; returns what the writer returned."""
    if not RECORDS_JS.is_file():
        pytest.fail(f"{RECORDS_JS} is missing: run `npm run build` first")
    script = (
        f"const r = require({json.dumps(str(RECORDS_JS))});"
        "const calls = JSON.parse(process.argv[1]);"
        f"console.log(JSON.stringify(calls.map(([f, input]) => r[f](input, {json.dumps(str(directory))}))));"
    )
    out = subprocess.run(["node", "-e", script, json.dumps(calls)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def slurm_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    r = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return r.returncode == 0 and any(s in r.stdout for s in ("idle", "mixed", "allocated"))


# The real-Slurm tests need the test cluster of .ci/slurm.sh (started by .ci/setup.sh in CI).
needs_slurm = pytest.mark.skipif(not slurm_up(), reason="no Slurm test cluster: run `bash .ci/slurm.sh` as root")
