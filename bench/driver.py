"""The whole benchmark in one run: Tessera (bench/run.ts) and each peer (bench/peers.py serve: CuPy,
pyclesperanto) in worker processes on pipes, on the rows of bench/ops.ts, then bench/report.py's table.

Fairness: the GPU belongs to one side at a time. With the sides interleaved row by row, each in a
process that stayed alive, the side that ran right after the other process's GPU work paid more
(MaximumOfAllPixels3D best peer / Tessera 0.14 one way, 0.41 the other, in one run), and a process
that merely holds an idle CUDA context made Tessera's round trip up to twice as slow in one probe
(not in a second: bench/results/2026-12-02-h200-isolated/contention/). So no side is timed while
another side's process is alive: each round runs one side after the other (its worker started, its
inputs loaded, the same GPU warm-up of --warm-s, all its rows, the worker closed; before round 1 one
untimed warm-up turn of every side), and the order of the sides
flips in the next round, so each row has a Tessera-first and a peers-first sample (both orders'
medians are reported) and neither side gets a warmer GPU. The inputs are the same pixels for every
side: raw files this driver writes (random a, b, m, n per shape) and the input sets of the label
rows, which Tessera makes and writes (bench/ops.ts INPUT_SETS) and the peers read. First calls are
timed in fresh processes with an empty cache home, then again in a second fresh process on the
cache the first one left (see fresh_process). A row that cannot run fails the bench (exit status
1, listed at the end); with --dry, an absent peer is reported as absent instead.

Usage: python3 bench/driver.py [--dry] [--quick] [--rounds N] [--reps N] [--first-call seed|all|none|ROW,..]
       [--rows REGEX] [--no-scipy] [--no-sweep] [--deadline-s S] [--node PATH] [--out DIR] [--results DIR]
(npm run build first; on the lent GPU machine bench/device.sh runs it.)"""
import argparse
import concurrent.futures
import datetime
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # scipy/numpy rows: one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import peers  # noqa: E402
import report  # noqa: E402

RUN_JS = os.path.join(BENCH, "dist", "run.js")
MARK = peers.MARK
PEERS = ("cupy", "cle")
# A peer time below what 1.3x the measured copy bandwidth allows (about the HBM peak) cannot be a
# finished operation: such pyclesperanto rows are timed again with a one-pixel read after each call.
IMPLAUSIBLE = 1.3


def log(*parts):
    print(*parts, flush=True)


class WorkerDied(Exception):
    pass


class Worker:
    """One side of the bench in its own process: JSON commands on its stdin, answers as MARK lines
    on its stdout (bench/run.ts --serve for Tessera, bench/peers.py serve SIDE for a peer). The
    inputs it loaded are replayed when it starts again: after stop(), or after it crashed or hung
    (then it is killed and the next command starts a new one)."""

    def __init__(self, name, argv, timeout_s):
        self.name, self.argv, self.timeout_s, self.loads, self.proc, self.hello = name, argv, timeout_s, [], None, None

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, text=True, bufsize=1,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.answers = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self.answers), daemon=True).start()
        self.hello = self._send("hello")
        for cmd, args in self.loads:
            self._send(cmd, **args)

    def _read(self, proc, answers):
        for line in proc.stdout:
            if line.startswith(MARK):
                answers.put(json.loads(line[len(MARK):]))
            elif not line.startswith("Warning: maxDynamic"):  # Dawn's limit warning, once per process
                print(f"  [{self.name}] " + line.rstrip(), flush=True)
        answers.put(None)

    def call(self, cmd, **args):
        if not self.running:
            self.kill()
            self.start()  # loads the inputs again
        return self._send(cmd, **args)

    def _send(self, cmd, **args):
        try:
            self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the worker is gone; the answer queue says so
        try:
            answer = self.answers.get(timeout=self.timeout_s)
        except queue.Empty:
            self.kill()  # hung: it must not keep the GPU busy
            raise WorkerDied(f"{self.name}: no answer to '{cmd}' within {self.timeout_s} s (worker killed)")
        if answer is None:
            code = self.proc.wait()
            self.proc = None
            raise WorkerDied(f"the {self.name} worker exited with code {code} during '{cmd}'")
        if not answer.pop("ok"):
            raise RuntimeError(answer["error"])
        return answer

    def load(self, cmd, **args):
        """Loads inputs now if the worker runs, and again whenever it starts."""
        self.loads.append((cmd, args))
        return self._send(cmd, **args) if self.running else None

    def make_set(self, **args):
        """Makes an input set and writes it (Tessera); a restarted worker reads the files back."""
        answer = self.call("make-set", **args)
        self.loads.append(("load-set", args))
        return answer

    def stop(self):
        """Closes the process (and its GPU context); the next command starts it again."""
        if not self.running:
            return
        try:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001 - it is going away either way
            self.kill()
        self.proc = None

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def gpu_clocks():
    """SM / memory clock, power and temperature from nvidia-smi (None without one)."""
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=clocks.sm,clocks.mem,power.draw,temperature.gpu", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def cache_env(home, shared):
    """Environment of a first-call process whose every compile cache lives under `home`: CuPy
    (~/.cupy/kernel_cache), the CUDA driver's JIT cache (~/.nv/ComputeCache), pyclesperanto
    (~/.cache/clesperanto), the NVIDIA driver's shader cache that its Vulkan pipelines use
    (~/.cache/nvidia) and Mesa's (~/.cache/mesa_shader_cache). A new empty home empties them all."""
    env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, ".cache"),
               CUPY_CACHE_DIR=os.path.join(home, ".cupy", "kernel_cache"), CUDA_CACHE_PATH=os.path.join(home, ".nv", "ComputeCache"),
               __GL_SHADER_DISK_CACHE="1", __GL_SHADER_DISK_CACHE_PATH=os.path.join(home, ".cache", "nvidia"),
               MESA_SHADER_CACHE_DIR=os.path.join(home, ".cache", "mesa_shader_cache"), MPLCONFIGDIR=shared)
    for name in ("CLESPERANTO_NO_CACHE", "CUDA_CACHE_DISABLE", "CUPY_CACHE_IN_MEMORY", "MESA_SHADER_CACHE_DISABLE"):
        env.pop(name, None)
    return env


def cache_bytes(home):
    """Bytes each cache folder under `home` holds (evidence of which caches the processes wrote)."""
    sizes = {}
    for folder, _, files in os.walk(home):
        rel = os.path.relpath(folder, home).split(os.sep)
        key = "/".join(rel[:2]) if rel[0] == ".cache" else rel[0]
        for f in files:
            sizes[key] = sizes.get(key, 0) + os.path.getsize(os.path.join(folder, f))
    return sizes


def fresh_process(argv, env, timeout_s):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {timeout_s} s"}
    process_ms = (time.perf_counter() - t0) * 1e3
    marked = [line for line in p.stdout.splitlines() if line.startswith(MARK)]
    if not marked:
        tail = (p.stdout + p.stderr).strip().splitlines()[-5:]
        return {"error": f"exit code {p.returncode}, no result: " + " | ".join(tail)}
    answer = json.loads(marked[-1][len(MARK):])
    if not answer.pop("ok"):
        return {"error": answer["error"]}
    return {**answer, "process_ms": process_ms}


class Bench:
    def __init__(self, args):
        self.args = args
        self.t0 = time.time()
        self.deadline = self.t0 + args.deadline_s if args.deadline_s else None
        self.raw = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "dry": args.dry,
                    "command": os.environ.get("BENCH_COMMAND") or " ".join(["python3", os.path.relpath(__file__, ROOT), *sys.argv[1:]]),
                    "args": vars(args), "python": sys.version.split()[0], "peers": {}, "rows": {}, "first_calls": {},
                    "transfers": {}, "input_sets": {}, "label_counts": {}, "not_run": [], "errors": [], "phases": {}, "clocks": {}}
        os.makedirs(args.out, exist_ok=True)
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and shutil.disk_usage("/dev/shm").free > 2 << 30 else None
        self.inputs = tempfile.mkdtemp(prefix="tessera-bench-", dir=shm)

    # -- bookkeeping ------------------------------------------------------------------------------
    def time_left(self):
        return float("inf") if self.deadline is None else self.deadline - time.time()

    def phase(self, name, fn):
        if self.time_left() < self.args.reserve_s:
            self.raw["not_run"].append(f"{name}: the deadline was reached before it started")
            log(f"== {name}: NOT RUN, deadline reached")
            return
        t = time.time()
        log(f"== {name} (at {t - self.t0:.0f} s)")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - record, go on with the next phase
            self.raw["errors"].append(f"{name}: {type(e).__name__}: {e}")
            log(f"   {name} failed: {type(e).__name__}: {e}")
        self.raw["phases"][name] = round(time.time() - t, 1)
        self.save()

    def save(self):
        with open(os.path.join(self.args.out, "raw.json"), "w") as fh:
            json.dump(self.raw, fh, indent=1)

    def entry(self, row, side):
        return self.raw["rows"].setdefault(row["name"], {}).setdefault(side, {"rounds": [], "errors": []})

    # -- phases -----------------------------------------------------------------------------------
    def setup(self):
        self.tessera = Worker("tessera", [self.args.node, RUN_JS, "--serve"], self.args.timeout_s)
        self.tessera.start()
        self.raw["tessera_device"] = self.tessera.hello["device"]
        catalogue = self.tessera.hello["catalogue"]
        rows = [r for r in catalogue if re.search(self.args.rows, r["name"])] if self.args.rows else catalogue
        self.rows = rows
        self.raw["catalogue"] = rows
        self.raw["partial"] = bool(self.args.rows) or self.args.small
        log(f"Tessera on {self.raw['tessera_device']['name']}; {len(rows)} of {len(catalogue)} rows")
        with open(os.path.join(self.inputs, "catalogue.json"), "w") as fh:
            json.dump(catalogue, fh)
        self.host = {}
        for shape in sorted({tuple(r["shape"]) for r in rows if not r.get("inputs")} | {(256, 256, 256)}):  # 256³: the transfers' 64 MB
            self.host[shape] = peers.write_inputs(self.inputs, shape)
            self.tessera.load("load", dir=self.inputs, shape=list(shape))
        self.sets = {}
        for name in sorted({r["inputs"] for r in rows if r.get("inputs")}):
            try:
                made = self.tessera.make_set(dir=self.inputs, set=name)
            except Exception as err:  # noqa: BLE001 - its rows cannot run; the others go on
                lost = [r["name"] for r in self.rows if r.get("inputs") == name]
                self.rows = [r for r in self.rows if r.get("inputs") != name]
                self.raw["not_run"].append(f"{', '.join(lost)}: input set {name} could not be made: {err}")
                log(f"   input set {name} FAILED: {err}")
                continue
            self.raw["input_sets"][name] = made
            arrays = ", ".join(f"{k} {v['dtype']} {v['shape']}" for k, v in made["meta"].items())
            log(f"   input set {name}: {arrays} made in {made['make_ms']:.0f} ms"
                + "".join(f"; {n} labels in {k}" for k, n in made["label_counts"].items()))
            self.sets[name] = peers.read_set(self.inputs, name)
        self.tessera.stop()
        # The peers open their GPU one at a time, each with Tessera's process gone.
        self.sides = {}
        for name in PEERS:
            side = Worker(name, [sys.executable, os.path.join(BENCH, "peers.py"), "serve", name, self.inputs], self.args.timeout_s)
            try:
                side.start()
            except Exception as err:  # noqa: BLE001 - the reason goes into the report
                side.kill()
                self.raw["peers"][name] = {"absent": str(err)}
                log(f"{name}: ABSENT ({err})" + ("" if self.args.dry else " -- the real run needs it: the bench will fail"))
                continue
            self.raw["peers"][name] = side.hello["info"]
            log(f"{name}: {side.hello['info']}")
            side.stop()
            for shape in self.host:
                side.load("load", dir=self.inputs, shape=list(shape))
            for set_name in self.sets:
                side.load("load-set", dir=self.inputs, set=set_name)
            self.sides[name] = side
        self.raw["clocks"]["idle"] = gpu_clocks()

    def host_arrays(self, row):
        return self.sets[row["inputs"]] if row.get("inputs") else self.host[tuple(row["shape"])]

    def worker(self, name):
        return self.tessera if name == "tessera" else self.sides[name]

    def only(self, name):
        """The worker of side `name`, with every other side's process closed (its GPU context gone)."""
        for other in ["tessera", *self.sides]:
            if other != name:
                self.worker(other).stop()
        return self.worker(name)

    def warm_up(self, name):
        """The same GPU warm-up for every side as its turn starts: --warm-s seconds of its own work."""
        self.only(name).call("warm", ms=self.args.warm_s * 1e3)
        self.raw["clocks"][f"warm ({name})"] = gpu_clocks()

    def ceilings(self, name):
        if name == "tessera":
            self.raw["tessera_bandwidth"] = self.tessera.call("bandwidth")
            log("   copy bandwidth GB/s: " + json.dumps({k: round(v / 1e9) for k, v in self.raw["tessera_bandwidth"].items()}))
        elif name == "cupy":
            self.raw["cupy_copy_bandwidth_Bps"] = self.sides["cupy"].call("copy-bandwidth")["Bps"]
            log(f"   CuPy copy bandwidth GB/s: {self.raw['cupy_copy_bandwidth_Bps'] / 1e9:.0f}")

    def time_row(self, row, name, order):
        e = self.entry(row, name)
        try:
            if name == "tessera":
                a = self.tessera.call("time", row=row["name"], reps=self.args.reps, warmup=self.args.warmup, gpu=True)
                e["rounds"].append({"order": order, "samples": a["samples"], "gpu_ms": a["gpu_ms"], "gpu_passes_ms": a.get("gpu_passes_ms")})
                return
            # A pyclesperanto time below the copy floor is not a finished operation: the worker times such a row again with a one-pixel read.
            floor = row["bytes"] / (IMPLAUSIBLE * self.raw.get("cupy_copy_bandwidth_Bps", float("inf"))) * 1e3
            a = self.sides[name].call("time", row=row["name"], reps=self.args.reps, warmup=self.args.warmup,
                                      floor_ms=floor if name == "cle" else 0)
            e["rounds"].append({"order": order, "samples": a["samples"]})
            if a.get("synced"):
                synced = self.entry(row, "cle_synced")
                synced["floor_ms"] = floor
                synced["rounds"].append({"order": order, "samples": a["synced"]})
        except Exception as err:  # noqa: BLE001 - a dead worker is replaced at the next command
            e["errors"].append(f"{type(err).__name__}: {err}")
            log(f"   {row['name']} {name}: {err}")

    def isolated_rows(self):
        """Round by round, one side at a time: its warm-up, then every row it has. The sides' order flips every round."""
        # One untimed turn of every side's warm-up first: whichever side ran first after the set-up
        # (Tessera, in round 1) was 1.5-2.5x slower on host-bound rows than in its next turn, while
        # the peers' turns agreed (bench/results/2026-12-04-h200/COMMAND.txt).
        for name in ["tessera", *self.sides]:
            if self.time_left() < self.args.reserve_s:
                break
            self.warm_up(name)
        for r in range(self.args.rounds):
            tessera_first = r % 2 == 0
            order = "tessera-first" if tessera_first else "peers-first"
            for name in (["tessera", *self.sides] if tessera_first else [*self.sides, "tessera"]):
                if self.time_left() < self.args.reserve_s:
                    self.raw["not_run"].append(f"rows: round {r + 1} stopped before {name}, the deadline was reached")
                    return
                self.warm_up(name)
                if r == 0:
                    self.ceilings(name)
                for row in self.rows:
                    if name != "tessera" and not row.get(name):
                        continue
                    if self.time_left() < self.args.reserve_s:
                        self.raw["not_run"].append(f"rows: round {r + 1} of {name} stopped at {row['name']}, the deadline was reached")
                        return
                    self.time_row(row, name, order)
                    last = self.entry(row, name)["rounds"]
                    log(f"   [{r + 1}] {name:<8} {row['name']:<24} " + (f"{np.median(last[-1]['samples']):.3f} ms" if last else "-"))
                self.raw["clocks"][f"after round {r + 1} ({name})"] = gpu_clocks()
                self.save()

    def host_costs(self):
        self.raw["tessera_overheads"] = self.only("tessera").call("overheads")
        if not self.args.no_sweep:
            self.raw["tessera_sweep"] = self.tessera.call("sweep", quick=self.args.quick, reps=self.args.reps, warmup=self.args.warmup)["sweep"]

    def transfers(self):
        reps = self.args.transfer_reps
        self.raw["transfers"]["tessera"] = self.only("tessera").call("transfers", dir=self.inputs, reps=reps)
        for name in self.sides:
            self.raw["transfers"][name] = self.only(name).call("transfers", reps=reps)

    def label_counts(self):
        """The seed workflow's label count in pyclesperanto beside Tessera's (label L of the embryo set)."""
        for row in self.rows:
            if row["name"] == "SeedWorkflow" and "cle" in self.sides:
                self.raw["label_counts"]["cle_SeedWorkflow"] = self.only("cle").call("label-count", row=row["name"])["count"]
        if "embryo" in self.raw["input_sets"]:
            self.raw["label_counts"]["tessera_SeedWorkflow"] = self.raw["input_sets"]["embryo"]["label_counts"].get("L")
        if self.raw["label_counts"]:
            log("   label counts: " + json.dumps(self.raw["label_counts"]))

    def close_gpu_sides(self):
        for name in ["tessera", *self.sides]:
            self.worker(name).stop()

    def scipy(self):
        for row in self.rows:
            if not row.get("scipy"):
                continue
            if self.time_left() < self.args.reserve_s:
                self.raw["not_run"].append(f"scipy: stopped at {row['name']}, the deadline was reached")
                return
            e = self.entry(row, "scipy")
            try:
                e["rounds"].append({"order": "cpu", "samples": peers.scipy_samples(row, self.host_arrays(row), self.args.scipy_budget_s)})
            except Exception as err:  # noqa: BLE001
                e["errors"].append(f"{type(err).__name__}: {err}")

    def first_call_rows(self):
        choice = self.args.first_call
        if choice == "none":
            return []
        if choice in ("seed", "all"):
            return [r for r in self.rows if choice == "all" or r.get("seed")]
        names = choice.split(",")
        unknown = [n for n in names if n not in {r["name"] for r in self.rows}]
        if unknown:
            raise ValueError(f"--first-call names rows that are not selected: {unknown}")
        return [r for r in self.rows if r["name"] in names]

    def first_call(self, row, side, shared):
        """One side's first call of one row: a cold process on a new empty home, then a warm-cache one."""
        if self.time_left() < self.args.reserve_s:
            return None
        argv = ([self.args.node, RUN_JS, "--first-call", row["name"], "--inputs", self.inputs] if side == "tessera"
                else [sys.executable, os.path.join(BENCH, "peers.py"), "first-call", side, row["name"], self.inputs])
        home = tempfile.mkdtemp(prefix=f"tessera-bench-home-{side}-")
        env = cache_env(home, shared)
        result = {"cold": fresh_process(argv, env, self.args.timeout_s), "warm_cache": fresh_process(argv, env, self.args.timeout_s),
                  "cache_bytes": cache_bytes(home)}
        shutil.rmtree(home, ignore_errors=True)
        return result

    def first_calls(self):
        shared = tempfile.mkdtemp(prefix="tessera-bench-mpl-")
        rows = self.first_call_rows()
        self.raw["first_call_rows"] = [r["name"] for r in rows]
        tasks = [(row, side) for row in rows for side in ["tessera", *[p for p in PEERS if row.get(p) and p in self.sides]]]
        log(f"   {len(tasks)} row x side pairs, 2 processes each, {self.args.first_call_jobs} at a time; "
            f"{self.time_left():.0f} s left before the deadline")
        # One pair at a time by default: concurrent compilations would share the CPU and the GPU driver.
        skipped = []
        with concurrent.futures.ThreadPoolExecutor(self.args.first_call_jobs) as pool:
            for (row, side), result in zip(tasks, pool.map(lambda task: self.first_call(*task, shared), tasks)):
                if result is None:
                    skipped.append(f"{row['name']} ({side})")
                    continue
                self.raw["first_calls"].setdefault(row["name"], {})[side] = result
                log(f"   {row['name']:<22} {side:<8} cold {result['cold'].get('first_ms', float('nan')):9.1f} ms, "
                    f"warm cache {result['warm_cache'].get('first_ms', float('nan')):9.1f} ms"
                    + "".join(f"  ({w}: {result[w]['error']})" for w in ("cold", "warm_cache") if "error" in result[w]))
                self.save()
        if skipped:
            self.raw["not_run"].append(f"first calls: {len(skipped)} of {len(tasks)} not started, the deadline was reached: " + ", ".join(skipped))
        shutil.rmtree(shared, ignore_errors=True)

    def run(self):
        try:
            self.phase("set-up", self.setup)
            if not hasattr(self, "tessera"):
                raise SystemExit("set-up failed: " + "; ".join(self.raw["errors"]))
            self.phase("rows", self.isolated_rows)
            self.phase("host costs", self.host_costs)
            self.phase("transfers", self.transfers)
            self.phase("label counts", self.label_counts)
            self.phase("release GPU", self.close_gpu_sides)
            if not self.args.no_scipy:
                self.phase("scipy", self.scipy)
            self.phase("first calls", self.first_calls)
        finally:
            for name in ["tessera", *getattr(self, "sides", {})] if hasattr(self, "tessera") else []:
                self.worker(name).kill()  # (gone already unless the run was cut short)
            shutil.rmtree(self.inputs, ignore_errors=True)
            self.raw["seconds"] = round(time.time() - self.t0, 1)
            self.save()
        results = self.args.results or os.path.join(BENCH, "out" if self.args.dry else "results")
        failures = report.write(self.raw, results, self.args.name)
        log(f"bench took {self.raw['seconds']:.0f} s")
        if failures:
            log(f"BENCH FAILED: {len(failures)} problem(s):")
            for f in failures:
                log("  - " + f)
            return 1
        return 0


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dry", action="store_true", help="a rehearsal (e.g. on lavapipe): absent peers are reported, not failures")
    p.add_argument("--small", action="store_true", help="the label rows' 140×355×710 input sets at half size per axis (for lavapipe's 128 MB bindings; partial)")
    p.add_argument("--quick", action="store_true", help="fewer samples everywhere (--reps 5 --warmup 2 --transfer-reps 3, a short sweep)")
    p.add_argument("--rounds", type=int, default=2, help="passes over the rows; the order Tessera/peers flips every round (default 2)")
    p.add_argument("--reps", type=int, default=20, help="timed calls per row, side and round (default 20)")
    p.add_argument("--warmup", type=int, default=10, help="untimed calls before them (default 10)")
    p.add_argument("--warm-s", type=float, default=2.0, help="GPU warm-up of each side as its turn starts, before it times anything, seconds (default 2)")
    p.add_argument("--transfer-reps", type=int, default=10)
    p.add_argument("--rows", default="", help="only rows whose name matches this regular expression (the report says partial)")
    p.add_argument("--first-call", default="seed", help="rows timed in fresh processes: seed (default), all, none, or ROW,ROW")
    p.add_argument("--first-call-jobs", type=int, default=1, help="first-call pairs run at a time (default 1; more only to fit a budget)")
    p.add_argument("--no-scipy", action="store_true", help="leave out the one-core scipy/numpy column")
    p.add_argument("--scipy-budget-s", type=float, default=1.0, help="scipy: calls (up to 5) while they take under this (default 1 s)")
    p.add_argument("--no-sweep", action="store_true", help="leave out Tessera's size sweep")
    p.add_argument("--deadline-s", type=float, default=0, help="stop starting work this many seconds after the start (0: none)")
    p.add_argument("--reserve-s", type=float, default=15, help="what to keep before the deadline for the rest (default 15 s)")
    p.add_argument("--timeout-s", type=float, default=0, help="longest wait for one Tessera command or one fresh process (default 120 s; 900 s with --dry, for lavapipe)")
    p.add_argument("--node", default=os.environ.get("TESSERA_NODE", "node"), help="the Node.js binary (default $TESSERA_NODE or node)")
    p.add_argument("--out", default=os.path.join(BENCH, "out"), help="raw.json goes here, rewritten after every phase")
    p.add_argument("--results", default="", help="report folder (default bench/results; bench/out with --dry)")
    p.add_argument("--name", default="", help="report file name without extension (default <date>-<gpu>)")
    args = p.parse_args(argv)
    args.timeout_s = args.timeout_s or (900 if args.dry else 120)
    if args.small:
        os.environ["TESSERA_BENCH_SMALL"] = "1"  # read by bench/ops.ts in the worker and the first-call processes
    if args.quick:
        args.reps, args.warmup, args.transfer_reps = min(args.reps, 5), min(args.warmup, 2), min(args.transfer_reps, 3)
    return args


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run still cleans up and saves raw.json
    sys.exit(Bench(parse()).run())
