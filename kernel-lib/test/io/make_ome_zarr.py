"""Writes the OME-Zarr fixtures of kernel-lib/test/io/ome-zarr.test.ts with ome-zarr-py (the reference writer).

Usage: python make_ome_zarr.py OUT_DIR

  v04_czyx, v05_czyx     ome-zarr-py write_image, NGFF 0.4 (Zarr v2) / 0.5 (Zarr v3), 3 levels, units
  v05_tyx_blosc          2D + time, blosc-compressed levels
  bad_*                  metadata Tessera must refuse with a clear error
Prints one JSON line: {name: {"levels": [[shape], ...], "scales": [[...], ...], "axes": "...", "version": "..."}}.
"""
import json
import sys

import numpy as np
import zarr
from ome_zarr.format import FormatV04, FormatV05
from ome_zarr.io import parse_url
from ome_zarr.writer import write_image

out = sys.argv[1]
rng = np.random.default_rng(11)
written = {}


def image(name, data, axes, fmt, **kw):
    store = parse_url(f"{out}/{name}", mode="w", fmt=fmt).store
    root = zarr.group(store=store, zarr_format=2 if fmt.version == "0.4" else 3)
    write_image(data, root, axes=axes, fmt=fmt, **kw)
    # ome-zarr-py drops axis units: put them back as NGFF defines them.
    attrs = root.attrs.asdict()
    ome = attrs if fmt.version == "0.4" else attrs["ome"]
    ms = ome["multiscales"][0]
    if isinstance(axes, list):
        ms["axes"] = axes
        root.attrs.update(attrs)
    written[name] = {
        "levels": [list(root[d["path"]].shape) for d in ms["datasets"]],
        "paths": [d["path"] for d in ms["datasets"]],
        "scales": [d["coordinateTransformations"][0]["scale"] for d in ms["datasets"]],
        "axes": "".join(a["name"] for a in ms["axes"]),
        "version": fmt.version,
    }


czyx = rng.integers(0, 4000, (2, 6, 40, 48), dtype=np.uint16)
axes = [{"name": "c", "type": "channel"}, {"name": "z", "type": "space", "unit": "micrometer"},
        {"name": "y", "type": "space", "unit": "micrometer"}, {"name": "x", "type": "space", "unit": "micrometer"}]
for fmt, name in ((FormatV04(), "v04_czyx"), (FormatV05(), "v05_czyx")):
    image(name, czyx, axes, fmt, scale_factors=(2, 4))
image("v05_tyx_float", rng.standard_normal((3, 33, 35)).astype(np.float32), "tyx", FormatV05(), scale_factors=(2,))

# Bad metadata: an unsupported version, a plate, no multiscales, NGFF 0.4 metadata in a Zarr v3 group.
for name, attrs, fmt in (
    ("bad_version", {"multiscales": [{"version": "0.3", "axes": ["y", "x"], "datasets": [{"path": "0"}]}]}, 2),
    ("bad_plate", {"plate": {"version": "0.4", "rows": [], "columns": [], "wells": []}}, 2),
    ("bad_nomultiscales", {"something": 1}, 2),
    ("bad_v04_in_v3", {"multiscales": [{"version": "0.4", "axes": [{"name": "y"}, {"name": "x"}], "datasets": [{"path": "0"}]}]}, 3),
    ("bad_b2r", {"bioformats2raw.layout": 3}, 3),
):
    g = zarr.open_group(f"{out}/{name}", mode="w", zarr_format=fmt)
    g.attrs.update(attrs)
    g.create_array("0", shape=(4, 4), dtype="uint8")
# A level whose array is missing.
image("bad_missing_level", czyx[0], "zyx", FormatV05(), scale_factors=(2,))
import shutil
shutil.rmtree(f"{out}/bad_missing_level/s1")

print(json.dumps(written))
