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
