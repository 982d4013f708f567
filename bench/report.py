"""Merges bench/out/tessera.json and bench/out/peers.json into a Markdown table and a JSON file.
Usage: python3 bench/report.py bench/out bench/results/<date>-h100"""
import json
import os
import sys

src, dst = sys.argv[1], sys.argv[2]
t = json.load(open(os.path.join(src, "tessera.json")))
p = json.load(open(os.path.join(src, "peers.json")))
# The ceiling: the device's measured copy bandwidth, the best of CuPy's copy, WebGPU's copyBufferToBuffer and a WGSL copy kernel.
bw = max(t["copy_bandwidth_Bps"], t.get("kernel_copy_bandwidth_Bps", 0), p["info"].get("cupy_copy_bandwidth_GBps", 0) * 1e9)
lines = [
    f"# Tessera benchmark — {t['device']['name']} ({t['date'][:10]})",
    "",
    "Wall = one call + GPU sync, median of 20 after 3 warm-ups (the peers' method); GPU = the call's compute passes timed",
    "on the GPU with timestamp queries (mean of 20). Best peer = the faster of CuPy and pyclesperanto (CUDA) in this run; ratio = best peer / Tessera wall",
    "(> 1: Tessera faster). GB/s = bytes an ideal kernel moves / Tessera GPU time; % = of the measured copy bandwidth.",
    "Host overheads per call (µs): " + ", ".join(f"{k} {v:.1f}" for k, v in t['transfer'].items() if k.endswith('_us')),
    f"Device-to-device copy bandwidth (read+write): WebGPU copyBufferToBuffer {t['copy_bandwidth_Bps'] / 1e9:.0f} GB/s, "
    f"WGSL copy kernel {t.get('kernel_copy_bandwidth_Bps', 0) / 1e9:.0f} GB/s, CuPy copyto {p['info'].get('cupy_copy_bandwidth_GBps', 0):.0f} GB/s; "
    f"% copy bw uses the best, {bw / 1e9:.0f} GB/s.",
    "",
    "| op | Tessera wall ms | Tessera GPU ms | GB/s | % copy bw | CuPy ms | cle ms | best peer ms | ratio | scipy ms | × scipy | first round wall / GPU ms |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
]
fmt = lambda x, d=3: "–" if x is None else f"{x:.{d}f}"
merged = []
for row in t["ops"]:
    peer = p["rows"].get(row["name"], {})
    wall, gpu = row.get("wall_ms"), row.get("gpu_ms")
    best_t = min(x for x in (wall, gpu) if x is not None) if wall is not None else None
    gbps = row["bytes"] / (best_t / 1e3) / 1e9 if best_t else None
    peers = [x for x in (peer.get("cupy_ms"), peer.get("cle_ms")) if x is not None]
    best = min(peers) if peers else None
    ratio = best / wall if best and wall else None
    sp = peer.get("scipy_ms")
    merged.append({**{k: v for k, v in row.items() if k not in ("cupy", "cle", "scipy")}, **peer, "best_peer_ms": best,
                   "ratio": ratio, "gbps": gbps})
    lines.append(f"| {row['name']} | {fmt(wall)} | {fmt(gpu)} | {fmt(gbps, 0)} | {fmt(gbps * 1e9 / bw * 100 if gbps else None, 0)} | "
                 f"{fmt(peer.get('cupy_ms'))} | {fmt(peer.get('cle_ms'))} | {fmt(best)} | {fmt(ratio, 2)} | {fmt(sp, 1)} | "
                 f"{fmt(sp / wall if sp and wall else None, 0)} | {fmt(row.get('first_round', {}).get('wall_ms'))} / {fmt(row.get('first_round', {}).get('gpu_ms'))} |")
tr = t["transfer"]
mb64 = 64 * 1024 ** 2
lines += ["", "## Transfers of 64 MB (float32 256³)", "", "| | Tessera ms | Tessera GB/s | CuPy ms | cle ms |", "|---|---|---|---|---|",
          f"| push (with NaN/Inf check) | {tr['push64_ms']:.2f} | {mb64 / tr['push64_ms'] / 1e6:.1f} | {fmt(p['info'].get('cupy_push64_ms'), 2)} | {fmt(p['info'].get('cle_push64_ms'), 2)} |",
          f"| push (allowNonFinite) | {tr['push64_unchecked_ms']:.2f} | {mb64 / tr['push64_unchecked_ms'] / 1e6:.1f} | | |",
          f"| pull into a reused array | {tr['pull64_into_ms']:.2f} | {mb64 / tr['pull64_into_ms'] / 1e6:.1f} | | |",
          f"| pull | {tr['pull64_ms']:.2f} | {mb64 / tr['pull64_ms'] / 1e6:.1f} | {fmt(p['info'].get('cupy_pull64_ms'), 2)} | {fmt(p['info'].get('cle_pull64_ms'), 2)} |"]
if t.get("sweep"):
    keys = [k for k in t["sweep"][0].keys() if k != "mb"]
    lines += ["", "## Size sweep (float32)", "", "| MB | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for r in t["sweep"]:
        lines.append(f"| {r['mb']} | " + " | ".join(fmt(r.get(k)) for k in keys) + " |")
lines += ["", f"Peers: {json.dumps(p['info'])}"]
os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
open(dst + ".md", "w").write("\n".join(lines) + "\n")
json.dump({"device": t["device"], "date": t["date"], "copy_bandwidth_Bps": bw, "transfer": tr, "peers_info": p["info"],
           "ops": merged, "sweep": t.get("sweep")}, open(dst + ".json", "w"), indent=1)
print("\n".join(lines))
