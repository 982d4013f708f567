"""Reference computations for Tessera's neighbour-graph tests (numpy / scipy / scikit-image).

Layouts as pyclesperanto's: matrices indexed [row, column] by label with row/column 0 for the
background; pointlists [dims, N] with row 0 = x, 1 = y, 2 = z (the reverse of numpy's axes).
"""
import numpy as np
import scipy.spatial.distance as ssd
import skimage.draw
import skimage.measure


def touch_matrix(labels):
    """1 where two different labels are face neighbours (along any axis), both halves, diagonal 0."""
    n = int(labels.max())
    m = np.zeros((n + 1, n + 1), np.uint32)
    for axis in range(labels.ndim):
        a = np.moveaxis(labels, axis, 0)
        p, q = a[:-1].ravel().astype(np.int64), a[1:].ravel().astype(np.int64)
        m[p, q] = 1
        m[q, p] = 1
    np.fill_diagonal(m, 0)
    return m


def centroids(labels):
    """Pointlist [ndim, N] of the centroids of labels 1..max (NaN for missing labels), via regionprops."""
    n = int(labels.max())
    out = np.full((labels.ndim, n), np.nan, np.float64)
    if labels.ndim == 1:  # regionprops needs 2D: the mean index per label
        for k in range(1, n + 1):
            if (labels == k).any():
                out[0, k - 1] = np.flatnonzero(labels == k).mean()
        return out
    for r in skimage.measure.regionprops(labels.astype(np.int64)):
        out[:, r.label - 1] = np.asarray(r.centroid)[::-1]
    return out


def distance_matrix(p1, p2):
    d = np.zeros((p2.shape[1] + 1, p1.shape[1] + 1), np.float64)
    d[1:, 1:] = ssd.cdist(p2.T.astype(np.float64), p1.T.astype(np.float64))
    return d


def n_closest(d, n, ignore_background=True, ignore_self=True):
    d = np.array(d, np.float64)
    if ignore_self:
        k = min(d.shape)
        d[np.arange(k), np.arange(k)] = np.inf
    first = 1 if ignore_background else 0
    d = d[first:, first:]
    d[np.isnan(d)] = np.inf
    return (np.argsort(d, axis=0, kind="stable")[:n] + first).astype(np.uint32)


def average_n_closest(d, n):
    d = np.array(d, np.float64)
    np.fill_diagonal(d, np.inf)
    out = np.zeros((1, d.shape[1]), np.float64)
    out[0, 1:] = np.sort(d[1:, 1:], axis=0)[:n].mean(axis=0)
    return out


def average_touching(d, t):
    t = ((t > 0) | (t.T > 0)).astype(np.float64)
    t[0, :] = 0
    t[:, 0] = 0
    np.fill_diagonal(t, 0)
    s, c = np.where(t > 0, d, 0).sum(axis=0), t.sum(axis=0)
    return np.where(c > 0, s / np.maximum(c, 1), 0)[None, :]


def neighbors_of_neighbors(t):
    a = ((t > 0) | (t.T > 0)).astype(np.int64)
    np.fill_diagonal(a, 1)
    two = (a[:, 1:] @ a[1:, :]) > 0  # through labels only, never through the background
    two[0, :] = False
    two[:, 0] = False
    return ((a > 0) | two).astype(np.uint32)


def _line(img, a, b):
    """skimage.draw.line_nd with endpoint=True in float32; a, b in pointlist order (x, y, z)."""
    a = np.asarray(a, np.float32)[: img.ndim][::-1]
    b = np.asarray(b, np.float32)[: img.ndim][::-1]
    coords = skimage.draw.line_nd(a, b, endpoint=True)
    keep = np.ones(len(coords[0]), bool)
    for axis, c in enumerate(coords):
        keep &= (c >= 0) & (c < img.shape[axis])
    img[tuple(c[keep] for c in coords)] = 1


def mesh_touch(points, t, shape):
    img = np.zeros(shape, np.float32)
    n = points.shape[1]
    for i in range(n):
        for j in range(i + 1, n):
            if t[j + 1, i + 1] > 0 or t[i + 1, j + 1] > 0:
                if not (np.isnan(points[:, i]).any() or np.isnan(points[:, j]).any()):
                    _line(img, points[:, i], points[:, j])
    return img


def mesh_index(points, index, shape):
    img = np.zeros(shape, np.float32)
    for r in range(index.shape[0]):
        for i in range(index.shape[1]):
            k = int(index[r, i])
            if 0 < k <= points.shape[1] and not (np.isnan(points[:, i]).any() or np.isnan(points[:, k - 1]).any()):
                _line(img, points[:, i], points[:, k - 1])
    return img


def label_spots(spots):
    out = np.zeros(spots.shape, np.uint32)
    out[spots != 0] = np.arange(1, int((spots != 0).sum()) + 1)
    return out


def labelled_spots_to_pointlist(spots):
    """Last pixel in raster order of each label, as (x, y, z) rows."""
    n = int(spots.max())
    out = np.full((spots.ndim, n), np.nan, np.float32)
    flat = spots.ravel()
    for i in np.flatnonzero(flat):
        out[:, flat[i] - 1] = np.unravel_index(i, spots.shape)[::-1]
    return out


def label_map(labels, values):
    v = np.asarray(values, np.float64).ravel()
    out = np.where(labels < len(v), v[np.minimum(labels, len(v) - 1)], 0)
    out[labels == 0] = 0
    return out.astype(np.float32)
