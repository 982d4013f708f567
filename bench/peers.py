"""The peers' side of the benchmark: CuPy (cupy, cupyx.scipy.ndimage), pyclesperanto (CUDA backend)
and scipy/numpy/scikit-image on one CPU core, over the rows of bench/ops.ts and the same input files
as Tessera: the random a, b, m, n this module writes, and the input sets (ops.ts INPUT_SETS) that
Tessera makes and writes to DIR/sets/<set>/ (raw pixels + meta.json), read here by read_set.

bench/driver.py runs each peer in its own process, `python3 bench/peers.py serve SIDE DIR` (JSON
commands on stdin, answers as "@@bench {...}" lines, the protocol of bench/run.ts --serve), so that
its GPU context exists only while its turn runs; the driver itself never opens the GPU. Every GPU sample is one
call followed by a device sync, as shared/tools/peer_table.py times them: CuPy waits with
cudaDeviceSynchronize; pyclesperanto runs with wait_for_kernel_to_finish(True), which waits for its
kernels only (not for its device-to-device copies; the driver retimes such rows with a one-pixel
read, see CleSide.read_one).

`python3 bench/peers.py first-call SIDE ROW DIR` is the fresh process that times one row's first
call (kernel compilation included) and its second; DIR holds the inputs and catalogue.json."""
import json
import os
import sys
import time

import numpy as np

# The prefix of the lines that carry answers to bench/driver.py (the protocol of bench/run.ts --serve too).
MARK = "@@bench "
# Input kinds of bench/ops.ts: a, b float32 in [0, 1); m, n uint8 masks with ~70 % ones.
INPUTS = {"a": "float32", "b": "float32", "m": "uint8", "n": "uint8"}


def shape_key(shape):
    return "x".join(str(s) for s in shape)


def input_path(directory, shape, name):
    return os.path.join(directory, f"{shape_key(shape)}-{name}.{INPUTS[name]}")


def write_inputs(directory, shape):
    """Writes the raw input files Tessera reads (bench/run.ts) and returns the host arrays."""
    rng = np.random.default_rng(list(shape))
    host = {"a": rng.random(shape, dtype=np.float32), "b": rng.random(shape, dtype=np.float32),
            "m": (rng.random(shape) > 0.3).astype(np.uint8), "n": (rng.random(shape) > 0.3).astype(np.uint8)}
    for name, array in host.items():
        array.tofile(input_path(directory, shape, name))
    return host


def read_inputs(directory, shape, names=tuple(INPUTS)):
    return {name: np.fromfile(input_path(directory, shape, name), dtype=INPUTS[name]).reshape(shape) for name in names}


def read_set(directory, name):
    """The arrays of input set `name` that Tessera wrote (bench/run.ts makeSet), by variable name."""
    d = os.path.join(directory, "sets", name)
    meta = json.load(open(os.path.join(d, "meta.json")))
    return {k: np.fromfile(os.path.join(d, v["file"]), dtype=v["dtype"]).reshape(v["shape"]) for k, v in meta.items()}


def env_key(row):
    """Rows with an input set share its environment; the others share their shape's."""
    return "set:" + row["inputs"] if row.get("inputs") else shape_key(row["shape"])


def structures():
    """The 6- and 26-neighbour structures of the labeling rows (numpy)."""
    import scipy.ndimage as ndi
    return {"fp6": ndi.generate_binary_structure(3, 1), "fp26": np.ones((3, 3, 3), bool)}


def samples(fn, sync, reps, warmup):
    """Wall-clock milliseconds of `reps` calls, each followed by `sync`, after `warmup` calls."""
    for _ in range(warmup):
        fn(); sync()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); sync(); out.append((time.perf_counter() - t0) * 1e3)
    return out


def cupy_otsu(cp):
    """Otsu's threshold in CuPy (cupyx has none): a 256-bin histogram, the between-class variance."""
    def otsu(a):
        lo, hi = float(a.min()), float(a.max())
        hist, edges = cp.histogram(a, bins=256, range=(lo, hi))
        c = (edges[:-1] + edges[1:]) / 2; w0 = cp.cumsum(hist); w1 = w0[-1] - w0
        mm = cp.cumsum(hist * c); mu0 = mm / cp.maximum(w0, 1); mu1 = (mm[-1] - mm) / cp.maximum(w1, 1)
        return a > c[int(cp.argmax(w0 * w1 * (mu0 - mu1) ** 2))]
    return otsu


class CupySide:
    name = "cupy"

    def __init__(self):
        import cupy as cp
        import cupyx.scipy.ndimage as xdi
        self.cp, self.xdi = cp, xdi
        self.sync = cp.cuda.Device().synchronize
        self.info = {"version": cp.__version__, "device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode()}
        self.envs = {}

    def load(self, shape, host):
        """Copies the inputs to the GPU. Host-side conversions only: no kernel runs (and compiles) here."""
        cp = self.cp
        self.envs[shape_key(shape)] = {
            "cp": cp, "xdi": self.xdi, "otsu": cupy_otsu(cp),
            "a": cp.asarray(host["a"]), "b": cp.asarray(host["b"]),
            "m": cp.asarray(host["m"].astype(bool)), "n": cp.asarray(host["n"].astype(bool)),
            "fp": cp.asarray(np.ones((3,) * len(shape), bool)),
            "fp5": cp.asarray(np.ones((5,) * len(shape), bool)),
        }
        self.sync()

    def load_set(self, name, arrays):
        cp = self.cp
        self.envs["set:" + name] = {"cp": cp, "xdi": self.xdi, **{k: cp.asarray(v) for k, v in {**arrays, **structures()}.items()}}
        self.sync()

    def fn(self, row):
        env, code = self.envs[env_key(row)], compile(row["cupy"], row["name"], "eval")
        return lambda: eval(code, env)

    def warm(self, seconds):
        a = self.envs[shape_key((256, 256, 256))]["a"] if shape_key((256, 256, 256)) in self.envs else self.cp.ones(1 << 24, self.cp.float32)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for _ in range(20):
                a + 1
            self.sync()

    def copy_bandwidth(self):
        """Device-to-device copyto of 256 MB, bytes read + written per second (median of 20)."""
        cp = self.cp
        src = cp.empty(256 * 1024 ** 2 // 4, cp.float32); dst = cp.empty_like(src)
        t = float(np.median(samples(lambda: cp.copyto(dst, src), self.sync, 20, 3)))
        return 2 * src.nbytes / (t / 1e3)

    def transfers(self, host, reps):
        cp = self.cp
        g = cp.asarray(host); out = np.empty_like(host)
        return {"bytes": host.nbytes, "samples": {
            "push_new": samples(lambda: cp.asarray(host), self.sync, reps, 1),
            "push_existing": samples(lambda: g.set(host), self.sync, reps, 1),
            "pull_fresh": samples(lambda: cp.asnumpy(g), self.sync, reps, 1),
            "pull_reused": samples(lambda: g.get(out=out), self.sync, reps, 1)}}

    def close(self):
        self.envs.clear()
        self.cp.get_default_memory_pool().free_all_blocks()


class CleSide:
    name = "cle"

    def __init__(self):
        import pyclesperanto as cle
        cle.select_backend("cuda")
        device = cle.select_device()
        if cle.get_backend_name() != "cuda":
            raise RuntimeError(f"pyclesperanto selected {cle.get_backend_name()}, not cuda")
        cle.wait_for_kernel_to_finish(True)
        self.cle = cle
        self.info = {"version": cle.__version__, "backend": cle.get_backend_name(), "device": device.name}
        self.envs = {}

    @staticmethod
    def sync():
        """Nothing: wait_for_kernel_to_finish(True) makes every kernel call return when it is done."""

    def warm(self, seconds):
        a = self.envs.get(shape_key((256, 256, 256)), {}).get("a")
        a = a if a is not None else self.cle.push(np.ones(1 << 24, np.float32))
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            self.cle.add_image_and_scalar(a, scalar=1)

    def load(self, shape, host):
        cle = self.cle
        self.envs[shape_key(shape)] = {"cle": cle, **{k: cle.push(v) for k, v in host.items()}}

    def load_set(self, name, arrays):
        cle = self.cle
        self.envs["set:" + name] = {"cle": cle, **{k: cle.push(v) for k, v in arrays.items()}}

    def fn(self, row):
        env, code = self.envs[env_key(row)], compile(row["cle"], row["name"], "eval")
        return lambda: eval(code, env)

    def label_count(self, row):
        """The largest label of the row's result (the seed workflow's label count)."""
        return int(self.cle.maximum_of_all_pixels(self.fn(row)()))

    def synced_fn(self, row):
        """The call followed by reading one pixel of its result back: the host then surely holds a
        finished result, whatever the library queued without waiting (such as its copies)."""
        f = self.fn(row)
        return lambda: self.read_one(f())

    @staticmethod
    def read_one(value):
        if hasattr(value, "ndim") and hasattr(value, "get") and not isinstance(value, np.ndarray):
            value.get(origin=(0,) * value.ndim, region=(1,) * value.ndim)
        return value

    def transfers(self, host, reps):
        cle = self.cle
        g = cle.push(host)
        return {"bytes": host.nbytes, "samples": {
            "push_new": samples(lambda: cle.push(host), self.sync, reps, 1),
            "push_existing": samples(lambda: g.set(host), self.sync, reps, 1),
            "pull_fresh": samples(lambda: cle.pull(g), self.sync, reps, 1)},
            "pull_reused": None, "pull_reused_note": "no pyclesperanto API pulls into an existing array"}

    def close(self):
        self.envs.clear()


SIDES = {"cupy": CupySide, "cle": CleSide}


def scipy_samples(row, host, budget_s):
    """scipy/numpy/scikit-image on one core: at least one call, up to 5 while the calls take under
    budget_s. `host`: the shape's a, b, m, n, or the row's input set."""
    import scipy.ndimage as ndi
    import skimage.filters as filters
    import skimage.measure as measure
    env = {"np": np, "ndi": ndi, "filters": filters, "measure": measure}
    if row.get("inputs"):
        env.update(host, **structures())
    else:
        env.update(a=host["a"], b=host["b"], m=host["m"].astype(bool), n=host["n"].astype(bool), fp=np.ones((3,) * len(row["shape"]), bool), fp5=np.ones((5,) * len(row["shape"]), bool))
    code = compile(row["scipy"], row["name"], "eval")
    out = []
    while len(out) < 5 and (not out or sum(out) / 1e3 < budget_s):
        t0 = time.perf_counter(); eval(code, env); out.append((time.perf_counter() - t0) * 1e3)
    return out


def first_call(side_name, row_name, directory):
    """A fresh process: opens the side, copies the row's inputs, times the first and second call."""
    t0 = time.perf_counter()
    side = SIDES[side_name]()
    init_ms = (time.perf_counter() - t0) * 1e3
    row = next(r for r in json.load(open(os.path.join(directory, "catalogue.json"))) if r["name"] == row_name)
    if row.get("inputs"):
        side.load_set(row["inputs"], read_set(directory, row["inputs"]))
    else:
        side.load(row["shape"], read_inputs(directory, row["shape"]))
    # pyclesperanto with a one-pixel read: a finished result whatever it queued without waiting.
    f = side.synced_fn(row) if side_name == "cle" else side.fn(row)
    times = samples(f, side.sync, 2, 0)
    return {"ok": True, "init_ms": init_ms, "first_ms": times[0], "second_ms": times[1]}


def serve(side_name, directory):
    """The peer's worker for bench/driver.py: opens the side at "hello", then answers commands until "quit"."""
    answer = lambda message: print(MARK + json.dumps(message), flush=True)  # noqa: E731
    side, rows = None, {r["name"]: r for r in json.load(open(os.path.join(directory, "catalogue.json")))}
    for line in sys.stdin:
        c = json.loads(line)
        cmd = c.pop("cmd")
        if cmd == "quit":
            break
        try:
            out = {}
            if cmd == "hello":
                side = SIDES[side_name]()
                out = {"info": side.info}
            elif cmd == "load":
                side.load(c["shape"], read_inputs(c["dir"], c["shape"]))
            elif cmd == "load-set":
                side.load_set(c["set"], read_set(c["dir"], c["set"]))
            elif cmd == "warm":
                side.warm(c["ms"] / 1e3)
            elif cmd == "copy-bandwidth":
                out = {"Bps": side.copy_bandwidth()}
            elif cmd == "time":
                row = rows[c["row"]]
                out = {"samples": samples(side.fn(row), side.sync, c["reps"], c["warmup"])}
                if c.get("floor_ms") and float(np.median(out["samples"])) < c["floor_ms"]:
                    out["synced"] = samples(side.synced_fn(row), side.sync, c["reps"], c["warmup"])
            elif cmd == "label-count":
                out = {"count": side.label_count(rows[c["row"]])}
            elif cmd == "transfers":
                out = side.transfers(read_inputs(directory, (256, 256, 256), ["a"])["a"], c["reps"])
            else:
                raise ValueError(f"unknown command {cmd}")
            answer({"ok": True, **out})
        except Exception as e:  # noqa: BLE001 - the driver records the reason
            answer({"ok": False, "error": f"{type(e).__name__}: {e}"})
    if side is not None:
        side.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(*sys.argv[2:])
        sys.exit(0)
    if len(sys.argv) != 5 or sys.argv[1] != "first-call":
        sys.exit("usage: python3 bench/peers.py first-call cupy|cle ROW DIR | serve cupy|cle DIR (the bench runs through bench/driver.py)")
    try:
        print(MARK + json.dumps(first_call(*sys.argv[2:])), flush=True)
    except Exception as e:  # noqa: BLE001 - the driver records the reason
        print(MARK + json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
        sys.exit(1)
