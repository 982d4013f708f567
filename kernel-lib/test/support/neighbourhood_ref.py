"""Reference helpers for Tessera's neighbourhood-filter tests (loaded by the oracle with runpy).

Independent of scipy's own boundary code: images are padded with numpy (whose 'symmetric',
'reflect', 'wrap' and 'edge' pads repeat periodically, so any radius works) and then filtered
without boundary effects. Footprints follow Tessera's definition: boxes, or ellipsoids
{ sum (d/r)^2 <= 1 } over the axes with r > 0, tested exactly with fractions.
"""
from fractions import Fraction

import numpy as np
import scipy.ndimage as ndi

NP_MODE = {'nearest': 'edge', 'reflect': 'symmetric', 'mirror': 'reflect', 'wrap': 'wrap'}


def sat(x, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == 'f':
        return np.asarray(x).astype(dtype)
    info = np.iinfo(dtype)
    return np.clip(np.trunc(np.asarray(x, dtype=np.float64)), info.min, info.max).astype(dtype)


def footprint(shape, ndim, rx, ry=0, rz=0):
    radii = [rz, ry, rx][3 - ndim:]
    out = np.zeros(tuple(2 * r + 1 for r in radii), bool)
    for idx in np.ndindex(out.shape):
        d = [i - r for i, r in zip(idx, radii)]
        if shape == 'box':
            out[idx] = True
        else:
            s = sum((Fraction(di * di, r * r) for di, r in zip(d, radii) if r > 0), Fraction(0))
            out[idx] = s <= 1
    return out


def pad(a, fp, mode, cval=0.0):
    r = [(s // 2, s // 2) for s in fp.shape]
    if mode == 'constant':
        return np.pad(a, r, mode='constant', constant_values=cval)
    return np.pad(a, r, mode=NP_MODE[mode])


def crop(p, fp):
    return p[tuple(slice(s // 2, p.shape[k] - s // 2) for k, s in enumerate(fp.shape))]


def window_sum(a, fp, mode, cval=0.0):
    """Exact (float64) sums over the footprint with Tessera's boundary semantics."""
    p = pad(np.asarray(a, dtype=np.float64), fp, mode, cval)
    return crop(ndi.correlate(p, fp.astype(np.float64), mode='constant'), fp)


def mean(a, fp, mode, cval=0.0):
    """Mean over the footprint in a's dtype: float as is, integers truncated and saturated."""
    m = window_sum(a, fp, mode, cval) / fp.sum()
    return m.astype(np.float32) if a.dtype.kind == 'f' else sat(m, a.dtype)


def rank(a, fp, mode, cval, fn):
    """min / max / median over the footprint via padding (scipy then sees no boundary)."""
    p = pad(a, fp, mode, sat(cval, a.dtype) if a.dtype.kind != 'f' else cval)
    return crop(fn(p, footprint=fp, mode='constant'), fp)


def variance(a, fp, mode, cval=0.0):
    n = fp.sum()
    f = np.asarray(a, dtype=np.float64)
    m = window_sum(f, fp, mode, cval) / n
    return window_sum(f * f, fp, mode, cval * cval) / n - m * m


def zhang_suen(image):
    """Zhang & Suen (1984) thinning as in the paper: two sub-iterations until stable."""
    s = np.pad(np.asarray(image) != 0, 1).astype(np.uint8)
    while True:
        removed = False
        for first in (True, False):
            p2, p3, p4 = s[:-2, 1:-1], s[:-2, 2:], s[1:-1, 2:]
            p5, p6, p7 = s[2:, 2:], s[2:, 1:-1], s[2:, :-2]
            p8, p9 = s[1:-1, :-2], s[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            a = sum(((ring[k] == 0) & (ring[k + 1] == 1)).astype(int) for k in range(8))
            b = sum(x.astype(int) for x in ring[:8])
            if first:
                c = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                c = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            delete = (s[1:-1, 1:-1] == 1) & (b >= 2) & (b <= 6) & (a == 1) & c
            if delete.any():
                removed = True
                s[1:-1, 1:-1][delete] = 0
        if not removed:
            return s[1:-1, 1:-1]
