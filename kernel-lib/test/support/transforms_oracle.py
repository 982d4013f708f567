"""Helpers for the geometric-transform tests, exec'd into the oracle's namespace.

Every reference returns np.stack([values, fragile]): `fragile` marks output pixels whose
result legitimately depends on float rounding (a float32 GPU coordinate vs scipy's float64):
order-0 positions within 1e-4 of a .5 tie, positions within 1e-4 of the [0, n-1] edge in
'constant' mode, and the period boundaries of scipy's legacy 'wrap'. Tests skip those pixels
and check that they are few.
"""
import numpy as np
import scipy.ndimage as ndi

EPS = 1e-4


def fragile_mask(coords, shape, order, mode, exact=None):
    """`exact`: positions float32 arithmetic reproduces exactly; they are never fragile."""
    m = np.zeros(coords.shape[1], bool)
    for k, n in enumerate(shape):
        c = coords[k]
        near = np.zeros_like(m)
        if order == 0:
            near |= np.abs(c - np.floor(c) - 0.5) < EPS
        if mode == 'constant':
            near |= (np.abs(c) < EPS) | (np.abs(c - (n - 1)) < EPS)
        if mode == 'wrap' and n > 1:
            r = c / (n - 1)
            near |= np.abs(r - np.round(r)) * (n - 1) < EPS
        if exact is not None:
            near &= ~exact[k]
        m |= near
    return m


def coords_of(M, out_shape):
    """Input positions of every output pixel in float64, and which of them float32 reproduces exactly."""
    nd = len(out_shape)
    idx = np.indices(out_shape, dtype=np.float64).reshape(nd, -1)
    L, b = M[:nd, :nd], M[:nd, nd:]
    c64 = L @ idx + b
    c32 = L.astype(np.float32) @ idx.astype(np.float32) + b.astype(np.float32)
    rows = np.all(M[:nd].astype(np.float32) == M[:nd], axis=1)
    exact = (c32.astype(np.float64) == c64) & rows[:, None]
    return c64, exact


def affine_ref(a, M, out_shape=None, order=1, mode='constant', cval=0.0, output=None):
    """scipy.ndimage.affine_transform with a homogeneous (nd+1)x(nd+1) matrix in (z, y, x) order."""
    M = np.asarray(M, np.float64)
    nd = a.ndim
    out_shape = tuple(int(s) for s in out_shape) if out_shape is not None else a.shape
    r = ndi.affine_transform(a, M, output_shape=out_shape, order=order, mode=mode, cval=cval,
                             output=output if output is not None else a.dtype)
    coords, exact = coords_of(M, out_shape)
    f = fragile_mask(coords, a.shape, order, mode, exact).reshape(out_shape)
    return np.stack([r.astype(np.float64), f.astype(np.float64)])


def C(t):
    return np.array([[1, 0, 0, t], [0, 1, 0, t], [0, 0, 1, t], [0, 0, 0, 1]], np.float64)


def cle_to_scipy(forward, nd):
    """pyclesperanto's forward matrix (x, y, z, corner coordinates) -> scipy's inverse matrix (z, y, x, centres)."""
    F = np.asarray(forward, np.float64).reshape(4, 4)
    m = C(-0.5) @ np.linalg.inv(F) @ C(0.5)
    P = np.zeros((4, 4))
    P[0, 2] = P[1, 1] = P[2, 0] = P[3, 3] = 1
    mz = P @ m @ P
    return mz[1:, 1:] if nd == 2 else mz


def cle_resized(forward, shape):
    """pyclesperanto's resize: output shape (z, y, x) and the forward matrix moved to the origin."""
    F = np.asarray(forward, np.float64).reshape(4, 4)
    ext = list(shape[::-1]) + [1] * (3 - len(shape))
    pts = np.array([[x, y, z, 1] for x in (0, ext[0]) for y in (0, ext[1]) for z in (0, ext[2])], np.float64).T
    t = F @ pts
    lo, hi = t[:3].min(axis=1), t[:3].max(axis=1)
    size = np.maximum(1, np.floor(hi - lo + 0.5)).astype(int)
    if len(shape) == 2:
        lo[2] = 0
    T = np.eye(4)
    T[:3, 3] = -lo
    return tuple(size[:len(shape)][::-1]), T @ F


def cle_ref(a, forward, order, resize=False, mode='grid-constant', cval=0.0):
    F = np.asarray(forward, np.float64).reshape(4, 4)
    shape = a.shape
    if resize:
        shape, F = cle_resized(F, a.shape)
    out = np.float32 if order == 1 else a.dtype
    return affine_ref(a, cle_to_scipy(F, a.ndim), shape, order, mode, cval, out)


def rot(axis, deg):
    """pyclesperanto's rotation matrix about x (0), y (1) or z (2)."""
    r = np.deg2rad(deg)
    c, s = np.cos(r), np.sin(r)
    c = 0.0 if abs(c) < 1e-12 else c
    s = 0.0 if abs(s) < 1e-12 else s
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m = np.eye(4)
    m[i, i] = c
    m[i, j] = -s
    m[j, i] = s
    m[j, j] = c
    return m


def T(x, y, z):
    m = np.eye(4)
    m[:3, 3] = (x, y, z)
    return m


def rotate_ref(a, angle, axes, order):
    """ndi.rotate(reshape=False, mode='grid-constant') plus the fragile mask from scipy's own matrix."""
    axes = sorted(axes)  # as scipy does
    out = np.float32 if order == 1 else a.dtype
    r = ndi.rotate(a, angle, axes=axes, reshape=False, order=order, mode='grid-constant', cval=0, output=out)
    th = np.deg2rad(angle)
    c, s = np.cos(th), np.sin(th)
    R = np.array([[c, s], [-s, c]])
    ctr = (np.array([a.shape[axes[0]], a.shape[axes[1]]]) - 1) / 2
    off = ctr - R @ ctr
    idx = np.indices(a.shape, dtype=np.float64).reshape(a.ndim, -1)
    coords = idx.copy()
    pl = idx[list(axes)]
    coords[list(axes)] = R @ pl + off[:, None]
    f = fragile_mask(coords, a.shape, order, 'grid-constant').reshape(a.shape)
    return np.stack([r.astype(np.float64), f.astype(np.float64)])


def radial_ref(a, n, step, start, cx, cy, sx, sy):
    """CLIJ2 resliceRadial semantics with scipy map_coordinates (order 1, grid-constant 0)."""
    h, w = a.shape[-2], a.shape[-1]
    R = max(1, int(np.floor(np.sqrt((w // 2) ** 2 + (h // 2) ** 2))))
    th = np.deg2rad(np.arange(n) * step + start)
    r = np.arange(R)
    x = cx + np.sin(th)[:, None] * r[None, :] * sx
    y = cy + np.cos(th)[:, None] * r[None, :] * sy
    if a.ndim == 2:
        return ndi.map_coordinates(a.astype(np.float64), [y, x], order=1, mode='grid-constant', cval=0)
    d = a.shape[0]
    z = np.broadcast_to(np.arange(d)[None, :, None], (n, d, R))
    yy = np.broadcast_to(y[:, None, :], (n, d, R))
    xx = np.broadcast_to(x[:, None, :], (n, d, R))
    return ndi.map_coordinates(a.astype(np.float64), [z, yy, xx], order=1, mode='grid-constant', cval=0)
