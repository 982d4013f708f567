"""Times the peers on the operations Tessera just timed (bench/out/tessera.json): CuPy
(cupy / cupyx.scipy.ndimage), pyclesperanto (CUDA backend, if importable) and scipy/numpy on
one CPU core, over the same shapes and input kinds as bench/ops.ts describes. Same method as
shared/tools/peer_table.py: wall-clock per call with a device sync after each call, median of
20 after 3 warm-ups (scipy: median of at most 5, fewer for slow calls).
Usage: python3 bench/peers.py bench/out  (writes bench/out/peers.json)"""
import json
import os
import sys
import time

import numpy as np
import scipy.ndimage as ndi
import skimage.filters as filters
import skimage.measure as measure

out_dir = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
spec = json.load(open(os.path.join(out_dir, "tessera.json")))
rng = np.random.default_rng(0)


def wall(f, sync, reps=20, warmup=3, budget_s=None):
    for _ in range(warmup):
        f(); sync()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); sync(); ts.append((time.perf_counter() - t0) * 1e3)
        if budget_s is not None and sum(ts) / 1e3 > budget_s:
            break
    return float(np.median(ts))


def inputs(shape):
    a = rng.random(shape, dtype=np.float32)
    b = rng.random(shape, dtype=np.float32)
    m = (rng.random(shape) > 0.3).astype(np.uint8)
    n = (rng.random(shape) > 0.3).astype(np.uint8)
    return a, b, m, n


def grid_labels(shape, grid):
    """bench/ops.ts gridLabels: a grid of box-shaped labels 1..prod(grid) tiling the stack."""
    z, y, x = np.ix_(*[np.arange(s) * g // s for s, g in zip(shape, grid)])
    labels = (1 + (z * grid[1] + y) * grid[2] + x).astype(np.uint32)
    assert labels.max() == np.prod(grid), "grid_labels: wrong label count"
    return labels


def cupy_otsu(cp):
    def otsu(a):
        lo, hi = float(a.min()), float(a.max())
        hist, edges = cp.histogram(a, bins=256, range=(lo, hi))
        c = (edges[:-1] + edges[1:]) / 2; w0 = cp.cumsum(hist); w1 = w0[-1] - w0
        mm = cp.cumsum(hist * c); mu0 = mm / cp.maximum(w0, 1); mu1 = (mm[-1] - mm) / cp.maximum(w1, 1)
        return a > c[int(cp.argmax(w0 * w1 * (mu0 - mu1) ** 2))]
    return otsu


results = {}
host = {}
for row in spec["ops"]:
    if not row.get("inputs"):
        host.setdefault(tuple(row["shape"]), None)
for shape in host:
    host[shape] = inputs(shape)


def input_set(name):
    """The arrays Tessera wrote for a named input set (bench/ops.ts INPUT_SETS), by variable name."""
    d = os.path.join(out_dir, "inputs", name)
    meta = json.load(open(os.path.join(d, "meta.json")))
    return {k: np.fromfile(os.path.join(d, v["file"]), dtype=v["dtype"]).reshape(v["shape"]) for k, v in meta.items()}


# Rows with named input sets (segmentation, labeling, measurements): each set's rows in turn.
SETS = sorted({row["inputs"] for row in spec["ops"] if row.get("inputs")})
set_rows = lambda name: [row for row in spec["ops"] if row.get("inputs") == name]
FP = {"fp6": ndi.generate_binary_structure(3, 1), "fp26": np.ones((3, 3, 3), bool)}

info = {}
try:
    import cupy as cp
    import cupyx.scipy.ndimage as xdi
    info["cupy"] = cp.__version__
    info["gpu"] = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    sync = cp.cuda.Device().synchronize
    for shape, (a, b, m, n) in host.items():
        env = {"cp": cp, "xdi": xdi, "a": cp.asarray(a), "b": cp.asarray(b), "m": cp.asarray(m).astype(bool),
               "n": cp.asarray(n).astype(bool), "fp": cp.ones((3,) * len(shape), bool), "otsu": cupy_otsu(cp)}
        for row in spec["ops"]:
            if tuple(row["shape"]) == shape and row.get("cupy") and not row.get("inputs"):
                try:
                    results.setdefault(row["name"], {})["cupy_ms"] = wall(lambda: eval(row["cupy"], env), sync)
                except Exception as e:  # noqa: BLE001 - report and go on
                    print("cupy", row["name"], "failed:", e, flush=True)
        del env
        cp.get_default_memory_pool().free_all_blocks()
    for name in SETS:
        env = {"cp": cp, "xdi": xdi, **{k: cp.asarray(v) for k, v in input_set(name).items()}, **{k: cp.asarray(v) for k, v in FP.items()}}
        for row in set_rows(name):
            if row.get("cupy"):
                try:
                    results.setdefault(row["name"], {})["cupy_ms"] = wall(lambda: eval(row["cupy"], env), sync)
                except Exception as e:  # noqa: BLE001
                    print("cupy", row["name"], "failed:", e, flush=True)
        del env
        cp.get_default_memory_pool().free_all_blocks()
    # CuPy's transfers and copy bandwidth, for the same table.
    big = host[(256, 256, 256)][0] if (256, 256, 256) in host else rng.random((256, 256, 256), dtype=np.float32)
    g = cp.asarray(big)
    info["cupy_push64_ms"] = wall(lambda: cp.asarray(big), sync, reps=10)
    info["cupy_pull64_ms"] = wall(lambda: cp.asnumpy(g), sync, reps=10)
    src = cp.empty(256 * 1024 ** 2 // 4, cp.float32); dst = cp.empty_like(src)
    t = wall(lambda: cp.copyto(dst, src), sync, reps=20)
    info["cupy_copy_bandwidth_GBps"] = 2 * src.nbytes / (t / 1e3) / 1e9
except Exception as e:  # noqa: BLE001
    info["cupy_error"] = repr(e)

try:
    import pyclesperanto as cle
    cle.select_backend("cuda")
    info["cle"] = f"{cle.__version__} {cle.select_device()}"
    cle.wait_for_kernel_to_finish(True)
    for shape, (a, b, m, n) in host.items():
        env = {"cle": cle, "a": cle.push(a), "b": cle.push(b), "m": cle.push(m), "n": cle.push(n)}
        for row in spec["ops"]:
            if tuple(row["shape"]) == shape and row.get("cle") and not row.get("inputs"):
                if row.get("labelGrid"):
                    env["labels"] = cle.push(grid_labels(shape, row["labelGrid"]))
                try:
                    results.setdefault(row["name"], {})["cle_ms"] = wall(lambda: eval(row["cle"], env), lambda: None)
                except Exception as e:  # noqa: BLE001
                    print("cle", row["name"], "failed:", e, flush=True)
        if shape == (256, 256, 256):
            info["cle_push64_ms"] = wall(lambda: cle.push(a), lambda: None, reps=10)
            info["cle_pull64_ms"] = wall(lambda: cle.pull(env["a"]), lambda: None, reps=10)
    for name in SETS:
        env = {"cle": cle, **{k: cle.push(v) for k, v in input_set(name).items()}}
        for row in set_rows(name):
            if row.get("cle"):
                try:
                    results.setdefault(row["name"], {})["cle_ms"] = wall(lambda: eval(row["cle"], env), lambda: None)
                except Exception as e:  # noqa: BLE001
                    print("cle", row["name"], "failed:", e, flush=True)
        seed = next((row for row in set_rows(name) if row["name"] == "SeedWorkflow"), None)
        if seed:
            try:
                info["cle_seed_labels"] = int(cle.maximum_of_all_pixels(eval(seed["cle"], env)))
            except Exception as e:  # noqa: BLE001
                print("cle seed label count failed:", e, flush=True)
except Exception as e:  # noqa: BLE001
    info["cle_error"] = repr(e)

if os.environ.get("SKIP_SCIPY") != "1":
    for shape, (a, b, m, n) in host.items():
        env = {"np": np, "ndi": ndi, "filters": filters, "a": a, "b": b, "m": m.astype(bool), "n": n.astype(bool),
               "fp": np.ones((3,) * len(shape), bool)}
        for row in spec["ops"]:
            if tuple(row["shape"]) == shape and row.get("scipy") and not row.get("inputs"):
                try:
                    results.setdefault(row["name"], {})["scipy_ms"] = wall(lambda: eval(row["scipy"], env), lambda: None,
                                                                           reps=5, warmup=1, budget_s=10)
                except Exception as e:  # noqa: BLE001
                    print("scipy", row["name"], "failed:", e, flush=True)

    for name in SETS:
        env = {"np": np, "ndi": ndi, "measure": measure, **input_set(name), **FP}
        for row in set_rows(name):
            if row.get("scipy"):
                try:
                    results.setdefault(row["name"], {})["scipy_ms"] = wall(lambda: eval(row["scipy"], env), lambda: None,
                                                                           reps=5, warmup=1, budget_s=10)
                except Exception as e:  # noqa: BLE001
                    print("scipy", row["name"], "failed:", e, flush=True)

json.dump({"info": info, "rows": results}, open(os.path.join(out_dir, "peers.json"), "w"), indent=1)
print(json.dumps(info, indent=1))
