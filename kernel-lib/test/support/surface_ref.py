"""Reference computations for Tessera's surface tests (numpy, float64).

A CPU ray caster written from the description in kernel-lib/src/ops/surface/rays.ts and
ray-casting.ts, without their bricks: the same rays (one per voxel of the entry face, in voxel
index space, v = d / voxel_size normalised), walked voxel by voxel by a 3D DDA in float64, a
ray counting the first label it meets while "outside" (from outside the box without a mask; after
a voxel where the mask is 0 with one).
"""
import math

import numpy as np


def ray_grid(v, extent):
    """Origins of the rays of index-space direction v (x, y, z) through a box of extent (x, y, z)."""
    a = int(np.argmax(np.abs(v)))
    b, c = [i for i in range(3) if i != a]
    corner = np.zeros(3)
    corner[a] = 0 if v[a] > 0 else extent[a]
    sizes = []
    for i in (b, c):
        drift = extent[a] * v[i] / abs(v[a])
        corner[i] = -max(0.0, drift)
        sizes.append(int(math.ceil(extent[i] + abs(drift))))
    u, w = np.meshgrid(np.arange(sizes[0]), np.arange(sizes[1]), indexing="ij")
    o = np.tile(corner, (u.size, 1))
    o[:, b] += u.ravel() + 0.5
    o[:, c] += w.ravel() + 0.5
    return o


def march(labels, mask, o, v, hits):
    """Walks the rays o + t v through the volume, adding first hits to `hits`."""
    X, Y, Z = labels.shape[2], labels.shape[1], labels.shape[0]
    L = np.array([X, Y, Z])
    moving = v != 0
    inv = np.where(moving, 1 / np.where(moving, v, 1), 0)
    ta = np.where(moving, -o * inv, -np.inf)
    tb = np.where(moving, (L - o) * inv, np.inf)
    t0 = np.maximum(np.minimum(ta, tb).max(axis=1), 0)
    t1 = np.maximum(ta, tb).min(axis=1)
    enter = t0 < t1
    o, t0 = o[enter], t0[enter]
    cell = np.clip(np.floor(o + t0[:, None] * v), 0, L - 1).astype(np.int64)
    step = np.sign(v).astype(np.int64)
    up = (v > 0).astype(np.int64)
    flat = labels.ravel().astype(np.int64)
    outside = None if mask is None else (mask.ravel() == 0)
    live = np.full(len(o), mask is None)
    alive = np.ones(len(o), bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        c = cell[idx]
        i = (c[:, 2] * Y + c[:, 1]) * X + c[:, 0]
        lab = flat[i]
        hit = (lab != 0) & live[idx]
        np.add.at(hits, lab[hit], 1)
        if mask is None:
            alive[idx[hit]] = False
            live[idx] = np.where(lab != 0, False, live[idx])
        else:
            live[idx] = np.where(lab != 0, False, np.where(outside[i], True, live[idx]))
        tn = np.where(moving, (c + up - o[idx]) * inv, np.inf)
        k = np.argmin(tn, axis=1)
        rows = np.arange(len(idx))
        c[rows, k] += step[k]
        gone = (c[rows, k] < 0) | (c[rows, k] >= L[k])
        cell[idx] = c
        alive[idx[gone]] = False


def surface_hits(labels, directions, voxel_size, mask=None):
    """First-hit counts per label (index 0..max) of rays along `directions` ([D, 3] physical x, y, z)."""
    labels = np.asarray(labels)
    extent = np.array(labels.shape[::-1], np.float64)
    size = np.asarray(voxel_size, np.float64)[::-1]
    hits = np.zeros(int(labels.max()) + 1, np.int64)
    for d in np.asarray(directions, np.float64).reshape(-1, 3):
        q = d / size
        v = q / math.hypot(*q)
        march(labels, mask, ray_grid(v, extent), v, hits)
    return hits


def restrict(t, first, second):
    """Touch matrix entries [a, b] with a in `first` and b in `second` or the other way round."""
    n = t.shape[0]
    f = np.zeros(n, bool)
    s = np.zeros(n, bool)
    f[np.asarray(first, np.int64)[np.asarray(first) < n]] = True
    s[np.asarray(second, np.int64)[np.asarray(second) < n]] = True
    f[0] = s[0] = False
    keep = (f[:, None] & s[None, :]) | (s[:, None] & f[None, :])
    return np.where(keep, t, 0)


def proximal(points, voxel_size, lo, hi):
    """Proximal-neighbour matrix of a pointlist [3, N] (x, y, z pixels) in physical units."""
    scaled = np.asarray(points, np.float64) * np.asarray(voxel_size, np.float64)[::-1][:, None]
    n = scaled.shape[1]
    d = np.sqrt(((scaled[:, :, None] - scaled[:, None, :]) ** 2).sum(axis=0))
    m = np.zeros((n + 1, n + 1), np.uint32)
    with np.errstate(invalid="ignore"):
        m[1:, 1:] = (d >= lo) & (d <= hi)
    np.fill_diagonal(m, 0)
    return m
