"""The peer of bench/tiled.ts: what a Python user writes today for a Zarr larger than the GPU.

dask `map_overlap` + `cupyx.scipy.ndimage` (as dask-image's filters do), 16 threads: Gaussian
sigma = 2 then white top-hat of size (1, 11, 11), mode 'nearest', uint16 in, float32 out, a Zarr of
the same chunks (blosc zstd level 1, bitshuffle). Also makes the benchmark's input (--make), which
bench/tiled.ts reads with --input.

  python3 bench/tiled_peer.py --make DIR [--shape 512,4096,2048]     # 8.6 GB; --small: 96,768,384
  python3 bench/tiled_peer.py --input DIR --out DIR2 [--threads 16]

Needs numpy, dask, zarr (3.x) and numcodecs; cupy when present (else scipy.ndimage on the CPU,
for a run on a machine without a GPU). Wheels for the H200 machine (Python 3.12, numpy, cupy,
toolz, cloudpickle, fsspec, pyyaml, click, packaging there already): dask==2026.8.0, partd==1.4.2,
locket==1.0.0, zarr==3.1.5, donfig==0.8.1.post1, numcodecs==0.16.6 (binary), google-crc32c==1.9.0
(binary).
"""
import argparse
import json
import time

import numpy as np


def compressor():
    import zarr
    return zarr.codecs.BloscCodec(cname="zstd", clevel=1, shuffle="bitshuffle")


def make(path, shape, chunks):
    import zarr
    z = zarr.create_array(path, shape=shape, chunks=chunks, dtype="uint16", compressors=compressor(), overwrite=True)
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:shape[1], 0:shape[2]]
    for z0 in range(0, shape[0], chunks[0]):
        d = min(chunks[0], shape[0] - z0)
        zz = np.arange(z0, z0 + d)[:, None, None]
        blobs = 800 * np.clip(np.sin(xx / 9) * np.sin(yy / 11) * np.cos(zz / 7), 0, None)
        slab = 200 + ((xx + yy) >> 3) + blobs + rng.integers(0, 16, size=(d, shape[1], shape[2]))
        z[z0:z0 + d] = slab.astype(np.uint16)
    return z


def run(inp, out, threads):
    import dask
    import dask.array as da
    import zarr
    try:
        import cupy as xp
        from cupyx.scipy import ndimage as ndi
        to_host = xp.asnumpy
    except ImportError:  # CPU fallback, for small runs without a GPU
        xp = np
        from scipy import ndimage as ndi
        def to_host(a):
            return a

    def pipeline(block):
        g = ndi.gaussian_filter(xp.asarray(block).astype(xp.float32), sigma=2, mode="nearest", truncate=4.0)
        return to_host(ndi.white_tophat(g, size=(1, 11, 11), mode="nearest"))

    src = zarr.open_array(inp, mode="r")
    a = da.from_zarr(src)
    # dask-image's depth: the Gaussian's radius int(4 sigma + 0.5) = 8 plus the top-hat's 2 x 5 in y, x.
    result = a.map_overlap(pipeline, depth={0: 8, 1: 18, 2: 18}, boundary="nearest", dtype=np.float32)
    dst = zarr.create_array(out, shape=src.shape, chunks=src.chunks, dtype="float32", compressors=compressor(), overwrite=True)
    # Warm-up on one chunk (CuPy compiles its kernels on first use).
    pipeline(src[: src.chunks[0], : src.chunks[1], : src.chunks[2]])
    t0 = time.perf_counter()
    with dask.config.set(scheduler="threads", num_workers=threads):
        da.to_zarr(result, dst, compute=True)
    seconds = time.perf_counter() - t0
    gb = src.nbytes / 1e9
    t1 = time.perf_counter()
    with dask.config.set(scheduler="threads", num_workers=threads):
        da.from_zarr(src).sum().compute()
    read = gb / (time.perf_counter() - t1)
    print(json.dumps({"peer": "dask map_overlap + " + ("cupyx" if xp is not np else "scipy"), "threads": threads, "shape": src.shape,
                      "seconds": seconds, "GBps": gb / seconds, "readDecodeGBps": read}))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--make")
    p.add_argument("--shape", default="512,4096,2048")
    p.add_argument("--small", action="store_true")
    p.add_argument("--input")
    p.add_argument("--out")
    p.add_argument("--threads", type=int, default=16)
    o = p.parse_args()
    if o.make:
        shape = (96, 768, 384) if o.small else tuple(int(v) for v in o.shape.split(","))
        chunks = (16, 128, 128) if o.small else (64, 512, 512)
        make(o.make, shape, chunks)
    if o.input:
        run(o.input, o.out, o.threads)
