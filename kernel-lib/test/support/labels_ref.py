"""Reference implementations for the labeling and measurement tests (loaded by labels.ts's withLabelsRef).

Oracles: scikit-image (measure.label, measure.regionprops_table, segmentation.watershed), scipy.ndimage
(distance_transform_edt), and numpy emulations of pyclesperanto's documented iterations where Tessera
follows pyclesperanto's semantics (label growth with alternating box / diamond steps).
"""
import numpy as np
import scipy.ndimage as ndi
import skimage.measure
import skimage.segmentation


def structure(ndim, connectivity):
    """scipy structure of 'box' (full) or 'diamond' (face) connectivity."""
    return ndi.generate_binary_structure(ndim, ndim if connectivity == 'box' else 1)


def same_partition(a, b):
    """1 if label images a and b partition the pixels identically (labels may be renumbered), else 0."""
    a = np.asarray(a).ravel().astype(np.int64)
    b = np.asarray(b).ravel().astype(np.int64)
    if ((a == 0) != (b == 0)).any():
        return 0
    fg = a != 0
    pairs = np.unique(np.stack([a[fg], b[fg]]), axis=1)
    return int(len(np.unique(pairs[0])) == pairs.shape[1] and len(np.unique(pairs[1])) == pairs.shape[1])


def label(mask, connectivity):
    """skimage.measure.label with Tessera's connectivity names (equal non-zero values connect)."""
    return skimage.measure.label(mask, connectivity=mask.ndim if connectivity == 'box' else 1, background=0)


COLUMNS = [
    'area', 'bbox_min_x', 'bbox_min_y', 'bbox_min_z', 'bbox_max_x', 'bbox_max_y', 'bbox_max_z',
    'centroid_x', 'centroid_y', 'centroid_z', 'mass_center_x', 'mass_center_y', 'mass_center_z',
    'sum_intensity', 'mean_intensity', 'min_intensity', 'max_intensity', 'standard_deviation_intensity',
    'mean_distance_to_centroid', 'max_distance_to_centroid', 'mean_distance_to_mass_center', 'max_distance_to_mass_center',
    'equivalent_diameter', 'extent', 'eccentricity', 'major_axis_length', 'minor_axis_length',
]


def statistics(labels, intensity):
    """The measurement columns (rows of COLUMNS) for labels 1..max: skimage.measure.regionprops_table where it
    has the measure, numpy for distances; absent labels give NaN (area 0)."""
    labels = np.asarray(labels).astype(np.int64)
    nd = labels.ndim
    n = int(labels.max()) if labels.size else 0
    out = np.full((len(COLUMNS), n), np.nan)
    if n == 0:
        return out
    props = ['label', 'area', 'bbox', 'centroid', 'centroid_weighted', 'intensity_mean', 'intensity_min', 'intensity_max',
             'intensity_std', 'equivalent_diameter_area', 'extent']
    if nd == 2:
        props += ['axis_major_length', 'axis_minor_length', 'eccentricity']
    t = skimage.measure.regionprops_table(labels, intensity.astype(np.float64), properties=props)
    row = {c: k for k, c in enumerate(COLUMNS)}
    axes = 'xyz'[:nd][::-1]  # skimage's axis k is 'zyx'[-nd:][k]
    for j, lab in enumerate(t['label']):
        r = lab - 1
        out[row['area'], r] = t['area'][j]
        for k, ax in enumerate(axes):
            out[row[f'bbox_min_{ax}'], r] = t[f'bbox-{k}'][j]
            out[row[f'bbox_max_{ax}'], r] = t[f'bbox-{k + nd}'][j] - 1
            out[row[f'centroid_{ax}'], r] = t[f'centroid-{k}'][j]
            out[row[f'mass_center_{ax}'], r] = t[f'centroid_weighted-{k}'][j]
        for ax in 'xyz'[nd:]:
            for c in ('bbox_min_', 'bbox_max_', 'centroid_', 'mass_center_'):
                out[row[c + ax], r] = 0
        out[row['mean_intensity'], r] = t['intensity_mean'][j]
        out[row['sum_intensity'], r] = t['intensity_mean'][j] * t['area'][j]
        out[row['min_intensity'], r] = t['intensity_min'][j]
        out[row['max_intensity'], r] = t['intensity_max'][j]
        out[row['standard_deviation_intensity'], r] = t['intensity_std'][j]
        out[row['equivalent_diameter'], r] = t['equivalent_diameter_area'][j]
        out[row['extent'], r] = t['extent'][j]
        if nd == 2:
            out[row['major_axis_length'], r] = t['axis_major_length'][j]
            out[row['minor_axis_length'], r] = t['axis_minor_length'][j]
            out[row['eccentricity'], r] = t['eccentricity'][j]
    if nd == 3:
        # skimage's 3D axis lengths, clipped at 0 (its sqrt raises a math domain error for flat objects).
        for rp in skimage.measure.regionprops(labels):
            ev = rp.inertia_tensor_eigvals
            out[row['major_axis_length'], rp.label - 1] = np.sqrt(10 * max(0, ev[0] + ev[1] - ev[2]))
            out[row['minor_axis_length'], rp.label - 1] = np.sqrt(10 * max(0, -ev[0] + ev[1] + ev[2]))
    # Distances to the centroid and the mass centre (not in regionprops), in numpy.
    coords = np.indices(labels.shape).reshape(nd, -1)[::-1].astype(np.float64)  # x, y, z rows
    flat = labels.ravel()
    w = intensity.astype(np.float64).ravel()
    for lab in np.unique(flat[flat > 0]):
        sel = flat == lab
        p = coords[:, sel]
        c = p.mean(axis=1, keepdims=True)
        m = (p * w[sel]).sum(axis=1, keepdims=True) / w[sel].sum()
        dc = np.sqrt(((p - c) ** 2).sum(axis=0))
        dm = np.sqrt(((p - m) ** 2).sum(axis=0))
        out[row['mean_distance_to_centroid'], lab - 1] = dc.mean()
        out[row['max_distance_to_centroid'], lab - 1] = dc.max()
        out[row['mean_distance_to_mass_center'], lab - 1] = dm.mean()
        out[row['max_distance_to_mass_center'], lab - 1] = dm.max()
    absent = np.setdiff1d(np.arange(1, n + 1), t['label'])
    out[row['area'], absent - 1] = 0
    return out


def paint(labels, values):
    """values[k-1] at every pixel of label k, 0 on the background (float32, as Tessera's maps)."""
    labels = np.asarray(labels).astype(np.int64)
    table = np.concatenate([[0.0], np.asarray(values, dtype=np.float64)])
    return table[labels].astype(np.float32)


def per_label(labels, intensity, f):
    """f (scipy.ndimage.mean, .minimum, ...) of intensity over labels 1..max."""
    n = int(labels.max())
    return np.asarray(f(intensity.astype(np.float64), labels, index=np.arange(1, n + 1)), dtype=np.float64)


def relabel(labels):
    """skimage.segmentation.relabel_sequential as uint32 (negative labels: background)."""
    labels = np.where(np.asarray(labels) < 0, 0, labels).astype(np.int64)
    return skimage.segmentation.relabel_sequential(labels)[0].astype(np.uint32)


def keep(labels, kept):
    """The labels for which kept[label] holds, renumbered 1..M in order."""
    labels = np.asarray(labels).astype(np.int64)
    return relabel(np.where(kept[labels], labels, 0))


def on_edges(labels, axes):
    """Labels touching the low or high border along the given axes ('x', 'y', 'z'; extent-1 axes never count) removed, then relabeled."""
    labels = np.asarray(labels).astype(np.int64)
    flagged = np.zeros(labels.max() + 1, bool)
    for ax in axes:
        k = labels.ndim - 1 - 'xyz'.index(ax)
        if k < 0 or labels.shape[k] == 1:
            continue
        for end in (0, -1):
            flagged[np.take(labels, end, axis=k)] = True
    flagged[0] = True
    return keep(labels, ~flagged)


def size_range(labels, lo, hi):
    """Labels with lo <= pixel count <= hi kept, then relabeled."""
    labels = np.asarray(labels).astype(np.int64)
    counts = np.bincount(labels.ravel())
    return keep(labels, (counts >= lo) & (counts <= hi) & (counts > 0))


def _footprint(ndim, connectivity, centre=True):
    fp = structure(ndim, connectivity).copy()
    if not centre:
        fp[(1,) * ndim] = False
    return fp


def detect_maxima(a):
    """Pixels strictly above every in-image neighbour of their 3x3(x3) box (pyclesperanto's detect_maxima, radius 0)."""
    a = np.asarray(a, dtype=np.float64)
    rivals = ndi.maximum_filter(a, footprint=_footprint(a.ndim, 'box', centre=False), mode='constant', cval=-np.inf)
    return (a > rivals).astype(np.uint8)


def grow(state, outside=None, steps=None):
    """pyclesperanto's label growth: background pixels (0) take the largest neighbouring label, steps alternating
    box / diamond, until `steps` or the first step that changes nothing; `outside` pixels never change or spread."""
    state = np.asarray(state).astype(np.int64)
    outside = np.zeros(state.shape, bool) if outside is None else outside
    k = 0
    while steps is None or k < steps:
        s = np.where(outside, -1, state)
        m = ndi.maximum_filter(s, footprint=_footprint(state.ndim, 'box' if k % 2 == 0 else 'diamond'), mode='constant', cval=-1)
        new = np.where((state == 0) & ~outside, np.maximum(m, 0), state)
        k += 1
        if (new == state).all():
            break
        state = new
    return state


def masked_voronoi(binary, mask):
    spots = label(((binary != 0) & (mask != 0)).astype(np.uint8), 'box')
    return np.where(mask != 0, grow(spots, outside=mask == 0), 0).astype(np.uint32)


def dilate(labels, radius):
    return grow(np.maximum(labels, 0), steps=radius).astype(np.uint32)


def edges(labels):
    """Pixels with a face neighbour inside the image of another value."""
    labels = np.asarray(labels)
    e = np.zeros(labels.shape, bool)
    for k in range(labels.ndim):
        d = np.diff(labels, axis=k) != 0
        lo = [slice(None)] * labels.ndim
        hi = [slice(None)] * labels.ndim
        lo[k] = slice(0, -1)
        hi[k] = slice(1, None)
        e[tuple(lo)] |= d
        e[tuple(hi)] |= d
    return e


def erode(labels, radius, relabel_components):
    labels = np.maximum(np.asarray(labels).astype(np.int64), 0)
    if radius == 0:
        return labels.astype(np.uint32)
    t = np.where(edges(labels), 0, labels)
    for i in range(radius - 1):
        t = ndi.minimum_filter(t, footprint=_footprint(t.ndim, 'diamond' if i % 2 == 0 else 'box'), mode='nearest')
    if relabel_components:
        return label((t != 0).astype(np.uint8), 'diamond').astype(np.uint32)
    return relabel(t)


def nearest_label_check(labels, result):
    """[pixels whose label is not among the nearest labels (exact squared distances), pixels that differ from scipy's
    nearest label (distance_transform_edt with return_indices), pixels where several labels are equally near]."""
    labels = np.asarray(labels).astype(np.int64)
    result = np.asarray(result).astype(np.int64)
    present = np.unique(labels[labels > 0])
    if len(present) == 0:
        return np.array([(result != 0).sum(), (result != 0).sum(), 0], dtype=np.float64)
    d2 = np.stack([np.rint(ndi.distance_transform_edt(labels != l) ** 2) for l in present])
    best = d2.min(axis=0)
    index = np.searchsorted(present, result)
    ok = (result > 0) & (index < len(present)) & (present[np.minimum(index, len(present) - 1)] == result)
    mine = np.take_along_axis(d2, np.minimum(index, len(present) - 1)[None], axis=0)[0]
    wrong = int((~ok | (mine != best)).sum())
    scipy = labels[tuple(ndi.distance_transform_edt(labels == 0, return_indices=True)[1])]
    ties = int(((d2 == best).sum(axis=0) > 1).sum())
    return np.array([wrong, (scipy != result).sum(), ties], dtype=np.float64)


def merge_touching(labels):
    """Groups of face-touching labels (transitively) merged, numbered in the order of their smallest label."""
    labels = np.maximum(np.asarray(labels).astype(np.int64), 0)
    parent = np.arange(labels.max() + 1)

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for k in range(labels.ndim):
        a = np.moveaxis(labels, k, 0)
        pairs = np.stack([a[:-1].ravel(), a[1:].ravel()])
        pairs = pairs[:, (pairs[0] != 0) & (pairs[1] != 0) & (pairs[0] != pairs[1])]
        for x, y in np.unique(pairs, axis=1).T:
            rx, ry = find(x), find(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
    roots = np.array([find(k) for k in range(len(parent))])
    return relabel(np.where(labels > 0, roots[labels], 0))


def centroid_pixels(labels):
    """Each label at its centroid truncated to whole pixels (the larger label where two meet)."""
    labels = np.maximum(np.asarray(labels).astype(np.int64), 0)
    out = np.zeros(labels.shape, np.uint32)
    present = np.unique(labels[labels > 0])
    for lab, c in zip(present, ndi.center_of_mass(np.ones(labels.shape), labels, present)):
        p = tuple(int(v) for v in c)
        out[p] = max(out[p], lab)
    return out


def watershed(image, markers, mask, connectivity):
    mask = None if mask is None else mask != 0
    out = skimage.segmentation.watershed(image, np.maximum(markers.astype(np.int64), 0),
                                         connectivity=image.ndim if connectivity == 'box' else 1, mask=mask)
    return out.astype(np.uint32)


def voronoi_otsu(spot_blur, outline_blur):
    """pyclesperanto's voronoi_otsu_labeling from the two blurred images: maxima of the spot blur inside the Otsu mask
    of the outline blur, grown within the mask (the blurs are given, so that this checks the composition exactly)."""
    mask = (outline_blur > skimage.filters.threshold_otsu(outline_blur)).astype(np.uint8)
    return masked_voronoi(detect_maxima(spot_blur), mask)


def gauss_otsu(blurred):
    return label((blurred > skimage.filters.threshold_otsu(blurred)).astype(np.uint8), 'box').astype(np.uint32)


def match(truth, found):
    """[ground-truth objects, found objects, objects whose best match has IoU > 0.5, median IoU] of two label images."""
    truth = np.asarray(truth).astype(np.int64).ravel()
    found = np.asarray(found).astype(np.int64).ravel()
    both = (truth > 0) & (found > 0)
    pairs, overlap = np.unique(np.stack([truth[both], found[both]]), axis=1, return_counts=True)
    ta = np.bincount(truth)
    fa = np.bincount(found)
    iou = overlap / (ta[pairs[0]] + fa[pairs[1]] - overlap)
    best = np.zeros(len(ta))
    np.maximum.at(best, pairs[0], iou)
    nt = int((ta[1:] > 0).sum())
    return np.array([nt, (fa[1:] > 0).sum(), (best[1:] > 0.5).sum(), np.median(best[1:][ta[1:] > 0])], dtype=np.float64)
