"""Writes the 16-bit stacks of bench/tiff-decoders.ts with tifffile: python make_tiffs.py OUT_DIR

64 pages of 1024 x 1024 uint16 (128 MB): classic TIFF, BigTIFF, deflate-compressed (rows per strip 128) and an
ImageJ hyperstack (T=4, Z=4, C=4), plus the pixels as u16.npy for the comparison.
"""
import sys
from pathlib import Path

import numpy as np
import tifffile

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(1)
a = rng.integers(0, 4096, (64, 1024, 1024), dtype=np.uint16)
a[:, :, :512] = np.arange(512, dtype=np.uint16)  # half the page compressible
np.save(out / "u16.npy", a)
tifffile.imwrite(out / "u16.tif", a)
tifffile.imwrite(out / "u16_bigtiff.tif", a, bigtiff=True)
tifffile.imwrite(out / "u16_deflate.tif", a, compression="zlib", rowsperstrip=128)
tifffile.imwrite(out / "u16_imagej.tif", a.reshape(4, 4, 4, 1024, 1024), imagej=True, metadata={"axes": "TZCYX"})
