"""The host's own copy ceiling for 64 MB (issue 13's transfer goal): what one thread's memcpy moves
into reused and into fresh memory, what several threads move, and CuPy's pull into pageable and
pinned memory beside it. A WebGPU pull ends in one JavaScript copy out of the mapped staging range
(dawn.node gives no way to copy it from several threads or to keep a view over it), so a single
thread's copy bounds it. Usage: python3 bench/host_copy.py [--json FILE]
"""
import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

MB = 64
N = MB * 2**20


def median_ms(fn, reps=15):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return times[len(times) // 2]


def threaded_copy(dst, src, threads, pool):
    bounds = [(N * k // threads, N * (k + 1) // threads) for k in range(threads)]
    list(pool.map(lambda b: np.copyto(dst[b[0]:b[1]], src[b[0]:b[1]]), bounds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--json')
    args = ap.parse_args()
    src = np.ones(N, np.uint8)
    reused = np.empty_like(src)
    reused[:] = 0
    rows = {}
    rows['one thread, reused'] = median_ms(lambda: np.copyto(reused, src))
    rows['one thread, fresh'] = median_ms(lambda: np.copyto(np.empty_like(src), src))
    for threads in (2, 4, 8):
        with ThreadPoolExecutor(threads) as pool:
            rows[f'{threads} threads, reused'] = median_ms(lambda: threaded_copy(reused, src, threads, pool))
            rows[f'{threads} threads, fresh'] = median_ms(lambda: threaded_copy(np.empty_like(src), src, threads, pool))
    try:
        import cupy as cp

        d = cp.asarray(src)
        cp.cuda.Device().synchronize()
        pinned = cp.cuda.alloc_pinned_memory(N)
        host = np.frombuffer(pinned, np.uint8, N)
        rows['CuPy pull, fresh pageable'] = median_ms(lambda: d.get())
        rows['CuPy pull, reused pageable'] = median_ms(lambda: d.get(out=reused))
        rows['CuPy pull, reused pinned'] = median_ms(lambda: d.get(out=host))
    except Exception as e:  # noqa: BLE001 - the host rows stand on their own
        print(f'CuPy rows skipped: {type(e).__name__}: {e}')
    for name, ms in rows.items():
        print(f'{MB} MB {name:28s} {ms:7.2f} ms  {N / ms / 1e6:6.1f} GB/s')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({name: {'ms': ms, 'GBps': N / ms / 1e6} for name, ms in rows.items()}, f, indent=1)


if __name__ == '__main__':
    main()
