"""nvidia-smi parsing and the allocation's visibility rules (CUDA_VISIBLE_DEVICES,
NVIDIA_VISIBLE_DEVICES, SLURM_JOB_GPUS)."""
import asyncio
import shutil

import pytest

from tessera_jupyter import gpus

# `nvidia-smi --query-gpu=<QUERY_FIELDS> --format=csv,noheader,nounits` on a 4-GPU node; GPU 3
# reports no power reading.
SMI = """\
0, GPU-1111aaaa-0000-0000-0000-000000000000, NVIDIA GeForce RTX 2080 Ti, 1024, 11264, 35, 41, 60.12, 250.00, 00000000:1A:00.0
1, GPU-2222bbbb-0000-0000-0000-000000000000, NVIDIA GeForce RTX 2080 Ti, 0, 11264, 0, 30, 9.80, 250.00, 00000000:1B:00.0
2, GPU-3333cccc-0000-0000-0000-000000000000, Tesla V100-SXM2-32GB, 30000, 32768, 99, 77, 290.50, 300.00, 00000000:3D:00.0
3, GPU-4444dddd-0000-0000-0000-000000000000, Tesla V100-SXM2-32GB, 5, 32768, 0, 35, [N/A], [N/A], 00000000:3E:00.0
"""


def node():
    return gpus.parse_nvidia_smi(SMI)


def indices(result):
    return [g["index"] for g in result["gpus"]]


def test_parse_units_and_missing_values():
    g = node()
    assert len(g) == 4
    assert g[0]["name"] == "NVIDIA GeForce RTX 2080 Ti"
    assert g[0]["memoryUsed"] == 1024 * 2**20 and g[0]["memoryTotal"] == 11264 * 2**20
    assert g[2]["utilization"] == 99 and g[2]["temperature"] == 77 and g[2]["powerDraw"] == 290.5
    assert g[3]["powerDraw"] is None and g[3]["powerLimit"] is None


def test_parse_rejects_unexpected_lines():
    with pytest.raises(ValueError, match="expected 10 fields"):
        gpus.parse_nvidia_smi("0, GPU-1, name\n")


def test_no_variable_means_every_gpu_of_the_node():
    r = gpus.visible_gpus(node(), {})
    assert indices(r) == [0, 1, 2, 3] and r["source"] is None


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"CUDA_VISIBLE_DEVICES": "2,0"}, [2, 0]),  # CUDA's order
        ({"CUDA_VISIBLE_DEVICES": "GPU-3333"}, [2]),  # UUID prefix
        ({"CUDA_VISIBLE_DEVICES": "1,7,2"}, [1]),  # CUDA stops at the first invalid entry
        ({"CUDA_VISIBLE_DEVICES": ""}, []),
        ({"CUDA_VISIBLE_DEVICES": "NoDevFiles"}, []),  # Slurm, for a job without GPUs
        ({"CUDA_VISIBLE_DEVICES": "3", "SLURM_JOB_GPUS": "0,1"}, [3]),  # CUDA's variable wins
        ({"NVIDIA_VISIBLE_DEVICES": "all"}, [0, 1, 2, 3]),
        ({"NVIDIA_VISIBLE_DEVICES": "void"}, []),
        ({"NVIDIA_VISIBLE_DEVICES": "GPU-4444dddd-0000-0000-0000-000000000000"}, [3]),
        ({"SLURM_JOB_GPUS": "1-2"}, [1, 2]),
        ({"SLURM_JOB_GPUS": "0,3"}, [0, 3]),
    ],
)
def test_visibility(env, expected):
    assert indices(gpus.visible_gpus(node(), env)) == expected


def test_physical_ids_already_applied_by_a_container_or_cgroup():
    # Inside a container with NVIDIA_VISIBLE_DEVICES=2,3 nvidia-smi lists those two, renumbered 0, 1.
    seen = [dict(g, index=i) for i, g in enumerate(node()[2:])]
    assert indices(gpus.visible_gpus(seen, {"NVIDIA_VISIBLE_DEVICES": "2,3"})) == [0, 1]
    assert [g["name"] for g in gpus.visible_gpus(seen, {"SLURM_JOB_GPUS": "2,3"})["gpus"]] == ["Tesla V100-SXM2-32GB"] * 2


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has nvidia-smi")
def test_without_nvidia_driver_the_panel_says_so():
    state = asyncio.run(gpus.gpu_state({}))
    assert state["nvidia"] is False
    assert "nvidia-smi is not installed" in state["reason"]
