"""What running Tessera kernels report (their status files, written by kernel-lib's
src/jupyter/status-file.ts) and which WebGPU adapter a new kernel would use."""
from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

KERNEL_STATUS_VERSION = 1
# A status file not rewritten for this long belongs to a kernel that hangs or died without cleanup.
STALE_AFTER_S = 30


def kernel_status_dir(env: dict) -> Path:
    """`$TESSERA_KERNEL_STATUS_DIR`, else `<Jupyter runtime dir>/tessera/kernels` (as the writer)."""
    if env.get("TESSERA_KERNEL_STATUS_DIR"):
        return Path(env["TESSERA_KERNEL_STATUS_DIR"])
    return Path(jupyter_runtime_dir()) / "tessera" / "kernels"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_kernel_statuses(directory: Path, now: float) -> list[dict]:
    """The readable, current status files of `directory`. Files of dead processes (same host)
    are skipped; old ones are marked `stale`; files of another version or unreadable ones are
    reported with an `error` instead of being dropped silently."""
    out = []
    if not directory.is_dir():
        return out
    host = os.uname().nodename
    for path in sorted(directory.glob("*.json")):
        try:
            status = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            out.append({"file": path.name, "error": f"unreadable status file: {e}"})
            continue
        if not isinstance(status, dict) or status.get("version") != KERNEL_STATUS_VERSION:
            out.append({"file": path.name, "error": f"status file of version {status.get('version') if isinstance(status, dict) else '?'}; this panel reads version {KERNEL_STATUS_VERSION}"})
            continue
        if status.get("host") == host and isinstance(status.get("pid"), int) and not _alive(status["pid"]):
            continue
        status["stale"] = now - path.stat().st_mtime > STALE_AFTER_S
        out.append(status)
    return out


def tessera_kernel_script(kernel_spec_manager) -> tuple[str, str] | None:
    """(node, status-file.js) of the installed `tessera` kernelspec, whose argv is
    [node, <node options>..., <kernel-lib>/bin/tessera-kernel.js, "kernel", "{connection_file}"]."""
    try:
        spec = kernel_spec_manager.get_kernel_spec("tessera")
    except Exception:
        return None
    argv = spec.argv
    launcher = next((a for a in argv[1:] if a.endswith("tessera-kernel.js")), None)
    if not argv or launcher is None:
        return None
    script = Path(launcher).resolve().parent.parent / "dist" / "src" / "jupyter" / "status-file.js"
    return (argv[0], str(script)) if script.is_file() else None


async def probe_adapters(node_and_script: tuple[str, str] | None, timeout: float = 60.0) -> dict:
    """The WebGPU adapters Dawn offers here, best first (the one a new Tessera kernel opens),
    asked from kernel-lib itself (`node status-file.js --adapters`)."""
    if node_and_script is None:
        return {"adapters": [], "error": "the Tessera kernel is not installed (no `tessera` kernelspec)"}
    node, script = node_and_script
    try:
        proc = await asyncio.create_subprocess_exec(
            node, script, "--adapters", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        return json.loads(out.decode())
    except asyncio.TimeoutError:
        proc.kill()
        return {"adapters": [], "error": f"the WebGPU probe did not answer within {timeout:g} s"}
    except (OSError, ValueError) as e:
        return {"adapters": [], "error": f"the WebGPU probe failed: {e}"}
