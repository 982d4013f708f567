"""The NVIDIA GPUs this Jupyter server may use: nvidia-smi's view of the node, narrowed to the
devices the allocation allows (CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES, SLURM_JOB_GPUS).

nvidia-smi ignores those variables and lists every GPU of the node, which is why a panel that
shows nvidia-smi alone misleads on shared cluster nodes.
"""
from __future__ import annotations

import asyncio
import re
import shutil

# Fields of `nvidia-smi --query-gpu`, in this order (all documented in `nvidia-smi --help-query-gpu`).
QUERY_FIELDS = [
    "index",
    "uuid",
    "name",
    "memory.used",
    "memory.total",
    "utilization.gpu",
    "temperature.gpu",
    "power.draw",
    "power.limit",
    "pci.bus_id",
]
NVIDIA_SMI_ARGS = ["--query-gpu=" + ",".join(QUERY_FIELDS), "--format=csv,noheader,nounits"]


def _number(text: str) -> float | None:
    """nvidia-smi prints '[N/A]', '[Not Supported]' or 'N/A' for values a GPU does not report."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        return None


def parse_nvidia_smi(csv_text: str) -> list[dict]:
    """Parses `nvidia-smi --query-gpu=<QUERY_FIELDS> --format=csv,noheader,nounits` output.

    Memory is in MiB as nvidia-smi reports it, converted to bytes; power in W; temperature in °C;
    utilisation in %. Values a GPU does not report are None."""
    gpus = []
    for line in csv_text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(QUERY_FIELDS):
            raise ValueError(f"unexpected nvidia-smi line (expected {len(QUERY_FIELDS)} fields): {line!r}")
        row = dict(zip(QUERY_FIELDS, cells))
        mib = lambda key: None if _number(row[key]) is None else int(_number(row[key]) * 1024 * 1024)  # noqa: E731
        gpus.append(
            {
                "index": int(row["index"]),
                "uuid": row["uuid"],
                "name": row["name"],
                "memoryUsed": mib("memory.used"),
                "memoryTotal": mib("memory.total"),
                "utilization": _number(row["utilization.gpu"]),
                "temperature": _number(row["temperature.gpu"]),
                "powerDraw": _number(row["power.draw"]),
                "powerLimit": _number(row["power.limit"]),
                "pciBusId": row["pci.bus_id"],
            }
        )
    return gpus


def _expand_ranges(text: str) -> list[str]:
    """'0,2-3' -> ['0', '2', '3'] (Slurm writes GPU index lists with ranges)."""
    out = []
    for token in text.split(","):
        token = token.strip()
        m = re.fullmatch(r"(\d+)-(\d+)", token)
        out.extend(str(i) for i in range(int(m[1]), int(m[2]) + 1)) if m else out.append(token)
    return out


def _select(gpus: list[dict], tokens: list[str]) -> list[dict]:
    """The GPUs named by indices or (prefixes of) UUIDs, in the order given. Like CUDA, the list
    ends at the first token that names no GPU."""
    chosen = []
    for token in tokens:
        if token.isdigit():
            match = [g for g in gpus if g["index"] == int(token)]
        elif token.startswith(("GPU-", "MIG-")):
            match = [g for g in gpus if g["uuid"].startswith(token)]
        else:
            match = []
        if not match:
            break
        if match[0] not in chosen:
            chosen.append(match[0])
    return chosen


def visible_gpus(gpus: list[dict], env: dict) -> dict:
    """Narrows nvidia-smi's GPUs to those this server's processes may use.

    Returns {"gpus": [...], "source": variable that decided or None, "value": its value,
    "nodeCount": GPUs on the node}. Order of precedence: CUDA_VISIBLE_DEVICES (what CUDA programs
    obey; Slurm sets it too), NVIDIA_VISIBLE_DEVICES (the NVIDIA container runtime), SLURM_JOB_GPUS
    (the job's GPU indices). Indices are matched as nvidia-smi numbers GPUs (PCI bus order; CUDA
    agrees when CUDA_DEVICE_ORDER=PCI_BUS_ID); UUIDs always match exactly. Where a container or a
    cgroup already hides the other GPUs, nvidia-smi lists only the allowed ones, renumbered from 0:
    a physical list (NVIDIA_VISIBLE_DEVICES, SLURM_JOB_GPUS) as long as nvidia-smi's is then taken
    as that same set."""
    result = {"gpus": gpus, "source": None, "value": None, "nodeCount": len(gpus)}
    for name in ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "SLURM_JOB_GPUS"):
        if name not in env:
            continue
        value = env[name].strip()
        result.update(source=name, value=value)
        lowered = value.lower()
        if name == "NVIDIA_VISIBLE_DEVICES" and lowered == "all":
            return result
        if lowered in ("", "none", "void", "nodevfiles", "-1"):
            result["gpus"] = []
            return result
        tokens = _expand_ranges(value)
        physical = name != "CUDA_VISIBLE_DEVICES"
        if physical and len(tokens) == len(gpus) and _select(gpus, tokens) != gpus:
            return result  # already narrowed by the runtime / cgroup and renumbered
        result["gpus"] = _select(gpus, tokens)
        return result
    return result


async def query_nvidia_smi(timeout: float = 5.0) -> dict:
    """Runs nvidia-smi. Returns {"available": True, "gpus": [...]} or
    {"available": False, "reason": why} (not installed, no driver, no GPU, timed out)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return {"available": False, "reason": "nvidia-smi is not installed: no NVIDIA driver on this machine"}
    try:
        proc = await asyncio.create_subprocess_exec(
            exe, *NVIDIA_SMI_ARGS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        return {"available": False, "reason": f"nvidia-smi did not answer within {timeout:g} s"}
    except OSError as e:
        return {"available": False, "reason": f"cannot run nvidia-smi: {e}"}
    if proc.returncode != 0:
        message = (err or out).decode(errors="replace").strip().splitlines()
        return {"available": False, "reason": "nvidia-smi failed: " + (message[0] if message else f"exit {proc.returncode}")}
    try:
        gpus = parse_nvidia_smi(out.decode(errors="replace"))
    except ValueError as e:
        return {"available": False, "reason": str(e)}
    if not gpus:
        return {"available": False, "reason": "nvidia-smi lists no GPU"}
    return {"available": True, "gpus": gpus}


async def gpu_state(env: dict) -> dict:
    """The panel's GPU section: nvidia-smi narrowed to the allocation."""
    smi = await query_nvidia_smi()
    if not smi["available"]:
        return {"nvidia": False, "reason": smi["reason"], "gpus": [], "source": None, "value": None, "nodeCount": 0}
    visible = visible_gpus(smi["gpus"], env)
    reason = None
    if not visible["gpus"]:
        reason = f"{visible['source']}={visible['value']!r} allows none of the node's {visible['nodeCount']} GPUs"
    return {"nvidia": bool(visible["gpus"]), "reason": reason, **visible}
