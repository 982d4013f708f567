"""Writes the TIFF fixtures of kernel-lib/test/io/tiff.test.ts with tifffile (the reference writer and reader).

Usage: python make_tiff.py OUT_DIR

Prints one JSON line: {name: {"shape": [...], "axes": "...", "dtype": "..."}} with tifffile's reading of
series 0 (axes lower-case), which the test compares against.
"""
import json
import sys

import numpy as np
import tifffile

out = sys.argv[1]
rng = np.random.default_rng(5)
written = {}


def save(name, data, **kw):
    path = f"{out}/{name}.tif"
    if "photometric" not in kw and not kw.get("imagej"):
        kw["photometric"] = "minisblack"  # else tifffile reads a leading 3 or 4 as colour samples
    tifffile.imwrite(path, data, **kw)
    with tifffile.TiffFile(path) as tf:
        s = tf.series[0]
        written[name] = {"shape": list(s.shape), "axes": s.axes.lower(), "dtype": str(s.dtype)}


def values(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return (rng.standard_normal(shape) * 100).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


save("u8_pages", values((7, 33, 45), "uint8"))
save("u16_pages", values((9, 40, 37), "uint16"))
save("u16_plain", values((6, 20, 18), "uint16"), metadata=None)  # pages without shaped metadata (many instruments)
save("f32_pages", values((5, 21, 30), "float32"))
save("i16_single", values((50, 61), "int16"))
save("u32_pages", values((3, 17, 19), "uint32"))
save("f64_pages", values((3, 10, 11), "float64"))
save("u16_bigtiff", values((6, 40, 37), "uint16"), bigtiff=True)
save("u16_bigendian", values((4, 20, 23), "uint16"), byteorder=">")
save("u16_deflate_strips", values((5, 64, 50), "uint16"), compression="zlib", rowsperstrip=7)
save("u16_deflate_predictor", np.cumsum(values((3, 30, 40), "uint16") % 7, axis=2).astype(np.uint16), compression="zlib", predictor=True)
save("u16_tiled", values((4, 70, 90), "uint16"), tile=(32, 48))
save("f32_deflate_tiled", values((2, 64, 64), "float32"), tile=(32, 32), compression="zlib")
save("u8_rgb", values((3, 20, 25, 3), "uint8"), photometric="rgb")
save("u16_imagej_tzcyx", values((3, 4, 2, 24, 26), "uint16"), imagej=True, metadata={"axes": "TZCYX"})
save("f32_imagej_zyx", values((6, 19, 21), "float32"), imagej=True, metadata={"axes": "ZYX"})
save("u16_imagej_zcyx", values((5, 3, 18, 20), "uint16"), imagej=True, metadata={"axes": "ZCYX"})
save("u16_ome", values((2, 3, 4, 16, 18), "uint16"), ome=True, metadata={"axes": "TCZYX"})
save("u16_shaped", values((2, 3, 12, 14), "uint16"), metadata={"axes": "TZYX"})
# Colour samples in separate planes: refused with a clear error.
save("u8_planar_rgb", values((3, 20, 21), "uint8"), photometric="rgb", planarconfig="separate")
print(json.dumps(written))
