"""The benchmark's report: bench/driver.py's raw.json -> results/<date>-<gpu>.md and .json, the rows
Tessera wins and loses (best peer / Tessera wall >= 1.0 is a win), issue 13's goals, and the list of
what could not run (each one fails the bench; with --dry an absent peer is only reported).
Usage: python3 bench/report.py bench/out/raw.json [--results DIR] [--name NAME]"""
import argparse
import datetime
import json
import os
import re
import statistics

SIDES = ("tessera", "cupy", "cle")
ORDERS = ("tessera-first", "peers-first")
MB64 = 64 * 1024 ** 2


def med(xs):
    return statistics.median(xs) if xs else None


def pooled(entry, order=None):
    """Median of every sample of a side (or of the rounds in one order)."""
    if not entry:
        return None
    return med([x for r in entry["rounds"] if order in (None, r["order"]) for x in r["samples"]])


def fmt(x, digits=3):
    return "–" if x is None else f"{x:,.{digits}f}" if digits or x >= 10 else f"{x:.1f}"


def short_gpu(raw):
    name = raw["peers"].get("cupy", {}).get("device") or raw.get("tessera_device", {}).get("name", "gpu")
    words = [w for w in re.split(r"[\s:]+", name.lower()) if w and w != "nvidia"]
    tag = re.sub(r"[^a-z0-9-]", "", words[0] if words else "gpu")
    return ("dry-" if raw["dry"] else "") + tag


def best_peer(row):
    """The faster peer: CuPy, or pyclesperanto's own time unless it is below the copy floor, then
    pyclesperanto with a one-pixel read after each call."""
    cands = {}
    if row.get("cupy_ms") is not None:
        cands["CuPy"] = row["cupy_ms"]
    if row.get("cle_synced_ms") is not None:
        cands["cle+read"] = row["cle_synced_ms"]
    elif row.get("cle_ms") is not None:
        cands["cle"] = row["cle_ms"]
    if not cands:
        return None, None
    name = min(cands, key=cands.get)
    return name, cands[name]


def summarise(raw):
    """One dict per catalogue row with every number the tables show."""
    bw_cupy = raw.get("cupy_copy_bandwidth_Bps")
    bw_wgsl = raw.get("tessera_bandwidth", {}).get("kernel_copy_bandwidth_Bps")
    out = []
    for cat in raw.get("catalogue", []):
        entries = raw["rows"].get(cat["name"], {})
        t = entries.get("tessera")
        row = {k: cat.get(k) for k in ("name", "shape", "bytes", "seed", "memoryBound")}
        row["tessera_ms"] = pooled(t)
        gpus = [r["gpu_ms"] for r in (t or {}).get("rounds", []) if r.get("gpu_ms") is not None]
        row["tessera_gpu_ms"] = sum(gpus) / len(gpus) if gpus else None
        for side in ("cupy", "cle", "cle_synced", "scipy"):
            row[f"{side}_ms"] = pooled(entries.get(side))
        if entries.get("cle_synced"):
            row["cle_floor_ms"] = entries["cle_synced"].get("floor_ms")
        row["best_peer"], row["best_peer_ms"] = best_peer(row)
        row["ratio"] = row["best_peer_ms"] / row["tessera_ms"] if row["best_peer_ms"] and row["tessera_ms"] else None
        for order in ORDERS:
            t_o = pooled(t, order)
            peers_o = [pooled(entries.get(s), order) for s in (("cupy", "cle_synced") if entries.get("cle_synced") else ("cupy", "cle"))]
            peers_o = [p for p in peers_o if p is not None]
            row[f"tessera_ms_{order}"] = t_o
            row[f"best_peer_ms_{order}"] = min(peers_o) if peers_o else None
            row[f"ratio_{order}"] = min(peers_o) / t_o if peers_o and t_o else None
        fastest = min([x for x in (row["tessera_ms"], row["tessera_gpu_ms"]) if x is not None], default=None)
        row["gbps"] = cat["bytes"] / (fastest / 1e3) / 1e9 if fastest else None
        row["pct_cupy_copy"] = 100 * row["gbps"] * 1e9 / bw_cupy if row["gbps"] and bw_cupy else None
        row["pct_wgsl_copy"] = 100 * row["gbps"] * 1e9 / bw_wgsl if row["gbps"] and bw_wgsl else None
        row["x_scipy"] = row["scipy_ms"] / row["tessera_ms"] if row["scipy_ms"] and row["tessera_ms"] else None
        row["errors"] = {s: e["errors"] for s, e in entries.items() if e.get("errors")}
        out.append(row)
    return out


def first_call_ms(raw, name, side, which):
    return raw["first_calls"].get(name, {}).get(side, {}).get(which, {}).get("first_ms")


def failures(raw):
    """Everything that was asked for and did not run. A dry run tolerates absent peers only."""
    problems = list(raw.get("errors", [])) + list(raw.get("not_run", []))
    absent = {s for s, info in raw["peers"].items() if "absent" in info}
    for s in sorted(absent):
        if not raw["dry"]:
            problems.append(f"{s} is absent: {raw['peers'][s]['absent']}")
    wanted = lambda cat, side: side == "tessera" or bool(cat.get(side))  # noqa: E731
    stopped = lambda phase: any(n.startswith(phase) for n in raw.get("not_run", []))  # noqa: E731 - already listed
    for cat in raw.get("catalogue", []):
        entries = raw["rows"].get(cat["name"], {})
        sides = list(SIDES) + ([] if raw["args"].get("no_scipy") else ["scipy"])
        for side in sides:
            if not wanted(cat, side) or (side in absent and raw["dry"]):
                continue
            e = entries.get(side)
            if e and e["errors"]:
                problems.append(f"{cat['name']} {side}: " + "; ".join(e["errors"]))
            elif (not e or not e["rounds"]) and side not in absent and not stopped("scipy" if side == "scipy" else "rows"):
                problems.append(f"{cat['name']} {side}: no samples")
    by_name = {c["name"]: c for c in raw.get("catalogue", [])}
    for name in raw.get("first_call_rows", []):
        for side in SIDES:
            if not wanted(by_name[name], side) or side in absent:
                continue
            for which in ("cold", "warm_cache"):
                r = raw["first_calls"].get(name, {}).get(side, {}).get(which)
                if r and "error" in r:
                    problems.append(f"first call {name} {side} ({which}): {r['error']}")
                elif not r and not stopped("first calls"):
                    problems.append(f"first call {name} {side} ({which}): not run")
    if raw["phases"].get("transfers") is not None:
        for side in SIDES:
            if side not in absent and side not in raw["transfers"]:
                problems.append(f"transfers {side}: not measured")
    return problems


def goals(raw, rows):
    """Issue 13's 'Done when', each with its verdict."""
    lines = []
    seed = [r for r in rows if r["seed"] and r["best_peer_ms"] is not None]
    under = [r for r in seed if r["ratio"] is not None and r["ratio"] < 1.0]
    lines.append(f"- Every seed row best peer / Tessera ≥ 1.0: **{'PASS' if seed and not under else 'FAIL' if seed else 'no peers'}**"
                 f" ({len(seed) - len(under)} of {len(seed)})" + (": below: " + ", ".join(f"{r['name']} {r['ratio']:.2f}" for r in under) if under else ""))
    bw_cupy, bw = raw.get("cupy_copy_bandwidth_Bps"), raw.get("tessera_bandwidth", {}).get("kernel_copy_bandwidth_Bps")
    if bw and bw_cupy:
        lines.append(f"- WGSL copy ≥ 90 % of CuPy's copy: **{'PASS' if bw >= 0.9 * bw_cupy else 'FAIL'}** ({100 * bw / bw_cupy:.0f} %: "
                     f"{bw / 1e9:,.0f} vs {bw_cupy / 1e9:,.0f} GB/s)")
    mem3 = [r for r in rows if r["memoryBound"] and len(r["shape"]) == 3 and r["pct_cupy_copy"] is not None]
    if mem3:
        low = [r for r in mem3 if r["pct_cupy_copy"] < 80]
        lines.append(f"- Memory-bound 3D rows ≥ 80 % of CuPy's copy: **{'PASS' if not low else 'FAIL'}**"
                     + (": below: " + ", ".join(f"{r['name']} {r['pct_cupy_copy']:.0f} %" for r in low) if low else ""))
    tr = raw["transfers"].get("tessera")
    if tr:
        rates = {k: tr["bytes"] / (med(v) / 1e3) / 1e9 for k, v in tr["samples"].items() if k in ("push_new", "pull_fresh") and v}
        ok = all(x >= 12 for x in rates.values())
        lines.append(f"- 64 MB push and pull ≥ 12 GB/s: **{'PASS' if ok else 'FAIL'}** (" + ", ".join(f"{k} {v:.1f} GB/s" for k, v in rates.items()) + ")")
    slower = []
    for name in raw.get("first_call_rows", []):
        t = first_call_ms(raw, name, "tessera", "cold")
        p = [x for x in (first_call_ms(raw, name, s, "cold") for s in ("cle", "cupy")) if x is not None]
        if t is not None and p and t > min(p):
            slower.append(f"{name} {t:.0f} vs {min(p):.0f} ms")
    if raw.get("first_call_rows") and any(first_call_ms(raw, n, s, "cold") for n in raw["first_call_rows"] for s in ("cle", "cupy")):
        lines.append(f"- First calls (cold) at or under the peers': **{'PASS' if not slower else 'FAIL'}**" + (": slower: " + ", ".join(slower) if slower else ""))
    return lines


def render(raw):
    rows = summarise(raw)
    problems = failures(raw)
    dev = raw.get("tessera_device", {})
    bw = raw.get("tessera_bandwidth", {})
    bw_cupy = raw.get("cupy_copy_bandwidth_Bps")
    peers_info = "; ".join(f"{k}: {', '.join(f'{a}={b}' for a, b in v.items())}" for k, v in raw["peers"].items())
    args = raw["args"]
    partial = [why for why, on in (("--rows " + args.get("rows", ""), args.get("rows")), ("--small: half-size label input sets", args.get("small")), ("--first-call " + args.get("first_call", ""), args.get("first_call") != "seed"),
                                   ("--no-scipy", args.get("no_scipy")), ("--rounds 1: one order only", args.get("rounds") == 1)) if on]
    L = [f"# Tessera benchmark — {raw['peers'].get('cupy', {}).get('device') or dev.get('name')} ({raw['started'][:10]})", ""]
    if raw["dry"]:
        L += ["**Dry run** (a rehearsal: absent peers are listed, not failures; the numbers are not a GPU's).", ""]
    if problems:
        L += [f"**BENCH FAILED** — {len(problems)} thing(s) did not run (listed at the end).", ""]
    if partial:
        L += ["Partial run by request: " + ", ".join(partial) + ".", ""]
    L += [f"Command: `{raw.get('command', '')}` ({raw.get('seconds', 0):.0f} s). Tessera on {dev.get('name')} ({dev.get('backend', '')}); {peers_info}.", "",
          f"Method: the GPU belongs to one side at a time (no other side's process alive while a side is timed: see bench/driver.py): "
          f"in each of the {args['rounds']} rounds the sides run one after the other, each in its own process with the others closed, each after "
          f"the same {args['warm_s']} s GPU warm-up, and the order of the sides flips between rounds (Tessera first, then peers first); wall = one call + device sync, {args['reps']} samples per side and round after "
          f"{args['warmup']} warm-up calls, median over all rounds (each order's median in the JSON and the ratio columns). Tessera GPU = timestamp-query "
          "time of the call's passes. CuPy waits with cudaDeviceSynchronize, pyclesperanto (CUDA) with wait_for_kernel_to_finish(True); a pyclesperanto time "
          f"below the copy floor (ideal bytes / ({1.3} × CuPy's copy bandwidth)) is not a finished operation, so that row is timed again with a one-pixel "
          "read after each call (cle+read) and the best peer uses it. Best peer = the faster of CuPy and pyclesperanto; ratio = best peer / Tessera wall "
          "(≥ 1: Tessera at or under). GB/s = ideal bytes / the faster of Tessera's wall and GPU time. scipy/numpy: one core.", "",
          "Copy ceilings (bytes read + written per second): " + ", ".join(
              f"{k} {v / 1e9:,.0f} GB/s" for k, v in (("CuPy copyto", bw_cupy), ("Tessera WGSL copy kernel", bw.get("kernel_copy_bandwidth_Bps")),
                                                      ("WebGPU copyBufferToBuffer", bw.get("copy_bandwidth_Bps"))) if v) + ".",
          "GPU clocks (SM, memory, power, temperature): " + "; ".join(f"{k}: {v}" for k, v in raw.get("clocks", {}).items() if v) if any(raw.get("clocks", {}).values()) else "",
          "", "## Goals (issue 13)", "", *goals(raw, rows), "",
          "## Rows", "",
          "| op | Tessera wall ms | Tessera GPU ms | GB/s | % CuPy copy | % WGSL copy | CuPy ms | cle ms | best peer ms | ratio | ratio T first | ratio peers first | scipy ms | × scipy |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cle = fmt(r["cle_ms"]) + (f" ({fmt(r['cle_synced_ms'])} +read)" if r["cle_synced_ms"] is not None else "")
        best = fmt(r["best_peer_ms"]) + (f" {r['best_peer']}" if r["best_peer"] else "")
        L.append(f"| {r['name']} | {fmt(r['tessera_ms'])} | {fmt(r['tessera_gpu_ms'])} | {fmt(r['gbps'], 0)} | {fmt(r['pct_cupy_copy'], 0)} | "
                 f"{fmt(r['pct_wgsl_copy'], 0)} | {fmt(r['cupy_ms'])} | {cle} | {best} | {fmt(r['ratio'], 2)} | "
                 f"{fmt(r['ratio_tessera-first'], 2)} | {fmt(r['ratio_peers-first'], 2)} | {fmt(r['scipy_ms'], 1)} | {fmt(r['x_scipy'], 0)} |")
    compared = [r for r in rows if r["ratio"] is not None]
    wins = [r for r in compared if r["ratio"] >= 1.0]
    losses = sorted((r for r in compared if r["ratio"] < 1.0), key=lambda r: r["ratio"])
    L += ["", f"Tessera at or under the best peer in {len(wins)} of {len(compared)} rows.", "",
          "Wins: " + (", ".join(f"{r['name']} {r['ratio']:.2f}" for r in wins) or "none") + ".", "",
          "Losses (best peer / Tessera, best peer): " + (", ".join(f"{r['name']} {r['ratio']:.2f} ({r['best_peer']} {r['best_peer_ms']:.3f} vs "
                                                                   f"{r['tessera_ms']:.3f} ms)" for r in losses) or "none") + "."]
    no_peer = [r["name"] for r in rows if r["best_peer_ms"] is None]
    if no_peer:
        L += ["", "No peer timed: " + ", ".join(no_peer) + "."]
    if raw.get("input_sets"):
        def described(name, made):
            arrays = ", ".join(f"{k} {v['dtype']} {v['shape']}" for k, v in made["meta"].items())
            return f"{name} ({arrays}; {made['make_ms']:,.0f} ms" + "".join(f"; {n:.0f} labels in {k}" for k, n in made["label_counts"].items()) + ")"
        L += ["", "Input sets made by Tessera (bench/ops.ts INPUT_SETS) and read by the peers: "
              + "; ".join(described(name, made) for name, made in raw["input_sets"].items()) + "."]
    if raw.get("label_counts"):
        L += ["", "Seed workflow label counts (same input): " + ", ".join(f"{k} {v}" for k, v in raw["label_counts"].items()) + "."]
    if raw.get("first_call_rows"):
        L += ["", "## First calls (fresh processes, compilation included)", "",
              "Each process starts, opens the GPU, copies the row's inputs and syncs, then times the row's first call and its second. "
              "cold = a new process with a new empty home, so that every compile cache is empty: CuPy (~/.cupy/kernel_cache, CUPY_CACHE_DIR), "
              "the CUDA driver's JIT cache (~/.nv/ComputeCache, CUDA_CACHE_PATH), pyclesperanto (~/.cache/clesperanto), the NVIDIA driver's shader "
              "cache behind its Vulkan pipelines (__GL_SHADER_DISK_CACHE_PATH), Mesa's; warm cache = a second new process on the cache the "
              "first left (what a kernel restart sees). ms, process ms = the whole process as the shell sees it"
              + (f"; {args['first_call_jobs']} pairs ran at a time." if args.get("first_call_jobs", 1) > 1 else "; one process at a time."), "",
              "| op | Tessera cold | Tessera warm cache | Tessera 2nd call | cle cold | cle warm cache | CuPy cold | CuPy warm cache | best peer cold / Tessera cold | process ms T / cle / CuPy |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for name in raw["first_call_rows"]:
            g = lambda s, w, k="first_ms": raw["first_calls"].get(name, {}).get(s, {}).get(w, {}).get(k)  # noqa: E731
            t = g("tessera", "cold")
            p = [x for x in (g("cle", "cold"), g("cupy", "cold")) if x is not None]
            L.append(f"| {name} | {fmt(t, 1)} | {fmt(g('tessera', 'warm_cache'), 1)} | {fmt(g('tessera', 'cold', 'second_ms'), 2)} | {fmt(g('cle', 'cold'), 1)} | "
                     f"{fmt(g('cle', 'warm_cache'), 1)} | {fmt(g('cupy', 'cold'), 1)} | {fmt(g('cupy', 'warm_cache'), 1)} | "
                     f"{fmt(min(p) / t if p and t else None, 2)} | {' / '.join(fmt(g(s, 'cold', 'process_ms'), 0) for s in SIDES)} |")
        caches = {}
        for per_row in raw["first_calls"].values():
            for side, e in per_row.items():
                for k, v in e.get("cache_bytes", {}).items():
                    caches.setdefault(side, {}).setdefault(k, 0)
                    caches[side][k] += v
        L += ["", "Cache written by the first-call processes (bytes, all rows; evidence of where each side caches): "
              + "; ".join(f"{s}: " + ", ".join(f"{k} {v:,}" for k, v in c.items()) for s, c in caches.items()) + "."]
    if raw["transfers"]:
        L += ["", "## Transfers of 64 MB (float32 256³), ms (GB/s)", "", "| | Tessera | CuPy | cle |", "|---|---|---|---|"]
        for key, label in (("push_new", "push into a new GPU array"), ("push_new_unchecked", "push, Tessera without its NaN/Inf check"),
                           ("push_existing", "push into an existing GPU array"), ("pull_fresh", "pull into a fresh host array"),
                           ("pull_reused", "pull into a reused host array")):
            cells = []
            for side in SIDES:
                tr = raw["transfers"].get(side)
                xs = (tr or {}).get("samples", {}).get(key)
                if xs:
                    cells.append(f"{med(xs):.2f} ({tr['bytes'] / (med(xs) / 1e3) / 1e9:.1f})")
                else:
                    cells.append("absent" if tr is None else "no API" if key in ("push_existing", "pull_reused") and key in tr else "–")
            L.append(f"| {label} | " + " | ".join(cells) + " |")
    if raw.get("tessera_overheads"):
        L += ["", "Tessera host cost per call (µs): " + ", ".join(f"{k} {v:.1f}" for k, v in raw["tessera_overheads"].items()) + "."]
    if raw.get("tessera_sweep"):
        keys = [k for k in raw["tessera_sweep"][0] if k != "mb"]
        L += ["", "## Tessera size sweep (float32)", "", "| MB | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        L += [f"| {r['mb']} | " + " | ".join(fmt(r.get(k)) for k in keys) + " |" for r in raw["tessera_sweep"]]
    flagged = [r for r in rows if r["cle_synced_ms"] is not None]
    if flagged:
        L += ["", "pyclesperanto below the copy floor (its own wait returned before the work could have finished): " + ", ".join(
            f"{r['name']} {r['cle_ms']:.3f} ms < floor {r['cle_floor_ms']:.3f} ms; with a one-pixel read {r['cle_synced_ms']:.3f} ms" for r in flagged) + "."]
    if problems:
        L += ["", "## Did not run (each fails the bench)", ""] + [f"- {p}" for p in problems]
    absent = [f"{s} ({i['absent']})" for s, i in raw["peers"].items() if "absent" in i]
    if absent and raw["dry"]:
        L += ["", "Absent in this dry run: " + "; ".join(absent) + "."]
    summary = {"device": dev, "peers": raw["peers"], "started": raw["started"], "command": raw.get("command"), "dry": raw["dry"],
               "copy_bandwidth_Bps": {"cupy_copyto": bw_cupy, **bw}, "rows": rows, "first_calls": raw["first_calls"],
               "transfers": raw["transfers"], "tessera_overheads": raw.get("tessera_overheads"), "tessera_sweep": raw.get("tessera_sweep"),
               "clocks": raw.get("clocks"), "input_sets": raw.get("input_sets"), "label_counts": raw.get("label_counts"), "goals": goals(raw, rows), "failures": problems, "raw_rows": raw["rows"]}
    return "\n".join(L) + "\n", summary, problems, (wins, losses, compared)


def write(raw, results_dir, name=""):
    """Writes <results_dir>/<name>.md and .json, prints the verdicts; returns the list of failures."""
    md, summary, problems, (wins, losses, compared) = render(raw)
    name = name or f"{raw['started'][:10] or datetime.date.today().isoformat()}-{short_gpu(raw)}"
    os.makedirs(results_dir, exist_ok=True)
    base = os.path.join(results_dir, name)
    with open(base + ".md", "w", encoding="utf-8") as fh:
        fh.write(md)
    with open(base + ".json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1)
    print(f"wrote {base}.md and {base}.json")
    for line in goals(raw, summarise(raw)):
        print(line.replace("**", ""))
    print(f"Tessera wins {len(wins)} of {len(compared)} rows (best peer / Tessera >= 1.0): " + ", ".join(f"{r['name']} {r['ratio']:.2f}" for r in wins))
    print("Tessera loses: " + (", ".join(f"{r['name']} {r['ratio']:.2f}" for r in losses) or "none"))
    return problems


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("raw")
    p.add_argument("--results", default="")
    p.add_argument("--name", default="")
    a = p.parse_args()
    raw = json.load(open(a.raw))
    here = os.path.dirname(os.path.abspath(__file__))
    raise SystemExit(1 if write(raw, a.results or os.path.join(here, "out" if raw["dry"] else "results"), a.name) else 0)
