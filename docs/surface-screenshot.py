"""Makes docs/surface-mesh.png, the seed's picture, from the viewer stills of an executed
binder/notebooks/10-embryo-surface.ipynb (the `image/png` each viewer's display carries):
3D stack, neighbour mesh, surface mesh, sub-surface mesh, and the merged meshes.

    python docs/surface-screenshot.py executed.ipynb docs/surface-mesh.png   (the project's .venv: Pillow)
"""
import base64
import io
import json
import sys

from PIL import Image, ImageDraw

notebook, target = sys.argv[1], sys.argv[2]
stills = []
for cell in json.load(open(notebook))["cells"]:
    for output in cell.get("outputs", []):
        if "image/png" in output.get("data", {}):
            stills.append(Image.open(io.BytesIO(base64.b64decode(output["data"]["image/png"]))).convert("RGB"))
# The notebook's viewers in order: stack, cells, mesh, classes, [surface | sub-surface], [merged | merged slab], merged slices.
stack, _, mesh, _, meshes, merged, _ = stills
GAP = 4  # between the panels of a side-by-side still


def halves(im):
    w = (im.width - GAP) // 2
    return im.crop((0, 0, w, im.height)), im.crop((w + GAP, 0, im.width, im.height))


panels = [
    ("3D stack (maximum projection)", stack),
    ("neighbour mesh", mesh),
    ("surface neighbour mesh", halves(meshes)[0]),
    ("sub-surface neighbour mesh", halves(meshes)[1]),
    ("merge", halves(merged)[0]),
    ("merge with the lines between, middle slab", halves(merged)[1]),
]
W, H, CAPTION, MARGIN = 320, 192, 22, 8
sheet = Image.new("RGB", (3 * W + 4 * MARGIN, 2 * (H + CAPTION) + 3 * MARGIN), (24, 24, 24))
draw = ImageDraw.Draw(sheet)
for k, (caption, im) in enumerate(panels):
    x = MARGIN + (k % 3) * (W + MARGIN)
    y = MARGIN + (k // 3) * (H + CAPTION + MARGIN)
    sheet.paste(im.resize((W, H), Image.NEAREST), (x, y))
    draw.text((x, y + H + 5), caption, fill=(230, 230, 230))
sheet.save(target, optimize=True)
print(f"wrote {target} ({sheet.width} x {sheet.height})")
