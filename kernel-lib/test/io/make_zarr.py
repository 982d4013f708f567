"""Writes the Zarr fixtures of kernel-lib/test/io/zarr.test.ts with zarr-python (the reference writer).

Usage: python make_zarr.py OUT_DIR

Every array holds deterministic pseudo-random values (numpy's default_rng); the test reads each one
back with zarr-python through the oracle, so this script only has to write them. Names:
  v3_* / v2_*      Zarr format 3 / 2, named <format>_<dtype>_<codec>
  sparse_*         only some chunks written: the others are missing and read as fill_value
  unsupported_*    arrays Tessera must refuse with a clear error (codec or dtype)
  group            a group holding arrays (opening it as an array must list them)
Prints one JSON line: {name: {"shape": [...], "chunks": [...], "dtype": ...}}.
"""
import json
import sys

import numcodecs
import numpy as np
import zarr
from zarr.codecs import BloscCodec, GzipCodec, ZstdCodec

out = sys.argv[1]
rng = np.random.default_rng(7)
written = {}


def values(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.3
    if dtype.kind in "fc":
        return (rng.standard_normal(shape) * 1000).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype.newbyteorder("="))


def array(name, shape, chunks, dtype, fmt, compressors=None, data=None, **kw):
    a = zarr.create_array(f"{out}/{name}", shape=shape, chunks=chunks, dtype=dtype, zarr_format=fmt,
                          compressors=compressors, **kw)
    a[...] = values(shape, dtype) if data is None else data
    written[name] = {"shape": list(shape), "chunks": list(chunks), "dtype": str(np.dtype(dtype))}
    return a


# Zarr v3, each codec zarrita decodes, chunks that do not divide the shape.
array("v3_uint16_zstd", (5, 37, 41), (2, 10, 16), "uint16", 3, ZstdCodec(level=3))
array("v3_int16_gzip", (3, 20, 23), (2, 7, 9), "int16", 3, GzipCodec(level=5))
array("v3_float32_blosc", (4, 17, 19), (3, 5, 7), "float32", 3, BloscCodec(cname="lz4", shuffle="shuffle"))
array("v3_uint8_raw", (6, 25, 31), (4, 8, 8), "uint8", 3)
array("v3_int8_zstd", (2, 9, 11), (1, 4, 5), "int8", 3, ZstdCodec())
array("v3_uint32_blosc", (3, 11, 13), (2, 4, 6), "uint32", 3, BloscCodec(cname="zstd", shuffle="bitshuffle"))
array("v3_int32_raw", (4, 6, 7), (3, 4, 5), "int32", 3)
array("v3_float64_zstd", (3, 8, 9), (2, 3, 4), "float64", 3, ZstdCodec())
array("v3_bool_gzip", (3, 10, 12), (2, 4, 5), "bool", 3, GzipCodec())
array("v3_uint16_2d", (33, 47), (16, 16), "uint16", 3, ZstdCodec())
array("v3_float32_4d", (2, 3, 10, 12), (1, 2, 4, 5), "float32", 3, ZstdCodec())
array("v3_uint16_sharded", (4, 20, 24), (2, 5, 6), "uint16", 3, ZstdCodec(), shards=(2, 10, 12))

# Zarr v2: numcodecs compressors, '/' separator, Fortran order, big-endian.
array("v2_uint16_zstd", (5, 37, 41), (2, 10, 16), "uint16", 2, numcodecs.Zstd(level=1))
array("v2_int8_gzip", (3, 13, 17), (2, 5, 6), "int8", 2, numcodecs.GZip())
array("v2_float32_blosc", (4, 17, 19), (3, 5, 7), "float32", 2, numcodecs.Blosc(cname="lz4", shuffle=1))
array("v2_int32_zlib", (2, 9, 10), (1, 4, 4), "int32", 2, numcodecs.Zlib())
array("v2_uint8_raw", (6, 25, 31), (4, 8, 8), "uint8", 2)
array("v2_uint16_slash", (3, 12, 14), (2, 5, 5), "uint16", 2, numcodecs.Zstd(), chunk_key_encoding={"name": "v2", "separator": "/"})
array("v2_int16_forder", (3, 12, 14), (2, 5, 5), "int16", 2, numcodecs.Zstd(), order="F")
array("v2_uint16_bigendian", (3, 12, 14), (2, 5, 5), ">u2", 2, numcodecs.Zstd())

# Missing chunks are valid: they read as fill_value.
for fmt in (2, 3):
    a = zarr.create_array(f"{out}/sparse_v{fmt}", shape=(4, 20, 20), chunks=(2, 8, 8), dtype="int16",
                          zarr_format=fmt, fill_value=-7, compressors=None)
    a[0:2, 0:8, 8:16] = values((2, 8, 8), "int16")
    a[3, 17:20, 1:3] = 5
    written[f"sparse_v{fmt}"] = {"shape": [4, 20, 20], "chunks": [2, 8, 8], "dtype": "int16"}

# Codecs and dtypes zarrita / Tessera cannot read.
array("unsupported_v2_bz2", (2, 6, 6), (1, 3, 3), "uint8", 2, numcodecs.BZ2())
array("unsupported_v2_lzma", (2, 6, 6), (1, 3, 3), "uint8", 2, numcodecs.LZMA())
array("unsupported_int64", (2, 6, 6), (1, 3, 3), "int64", 3)
array("unsupported_complex64", (2, 6, 6), (1, 3, 3), "complex64", 3)

# A group with arrays at two levels.
g = zarr.open_group(f"{out}/group", mode="w")
g.create_array("raw", shape=(2, 8, 8), chunks=(1, 8, 8), dtype="uint16")
g.create_group("labels").create_array("cells", shape=(2, 8, 8), chunks=(1, 8, 8), dtype="uint32")

print(json.dumps(written))
