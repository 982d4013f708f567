"""Reference implementations for Tessera's tests: evaluates numpy/scipy/scikit-image expressions.

Protocol (one JSON object per line on stdin/stdout):
  request  {"expr": "...", "inputs": {"a": {"path": ..., "dtype": ..., "shape": [...]}}, "out": path}
  response {"ok": true, "dtype": ..., "shape": [...]}  (raw little-endian pixels written to `out`)
        or {"ok": false, "error": "..."}
The expression sees np, ndi (scipy.ndimage), skimage, filters, morphology, transform, sat (Tessera's
saturating conversion) and the inputs by name.
"""
import json
import sys
import traceback

import numpy as np
import scipy.ndimage as ndi
import skimage
import skimage.filters as filters
import skimage.morphology as morphology
import skimage.transform as transform



def sat(x, dtype):
    """Tessera's conversion to `dtype`: round toward zero, saturate, NaN -> 0 (as pyclesperanto's convert_*_sat)."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.integer):
        return np.asarray(x).astype(dtype)
    info = np.iinfo(dtype)
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0, posinf=info.max, neginf=info.min)
    return np.clip(np.trunc(x), info.min, info.max).astype(dtype)


CONTEXT = {"np": np, "ndi": ndi, "skimage": skimage, "filters": filters,
           "morphology": morphology, "transform": transform, "sat": sat}

for line in sys.stdin:
    req = json.loads(line)
    try:
        env = dict(CONTEXT)
        for name, spec in req["inputs"].items():
            env[name] = np.fromfile(spec["path"], dtype=spec["dtype"]).reshape(spec["shape"])
        result = np.asarray(eval(req["expr"], env))
        if result.dtype == np.float64:
            result = result.astype(np.float64)
        if result.dtype == np.bool_:
            result = result.astype(np.uint8)
        np.ascontiguousarray(result).tofile(req["out"])
        reply = {"ok": True, "dtype": str(result.dtype), "shape": list(result.shape)}
    except Exception as e:  # the test shows the Python error next to its expression
        reply = {"ok": False, "error": f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=2)}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
