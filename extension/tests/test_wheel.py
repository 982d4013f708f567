"""`python -m build` of the extension (sdist, then the wheel from it): the wheel carries the
prebuilt labextension (with the panel's settings schema), install.json and the config file that
enables the server extension, and depends on jupyterlab_widgets."""
import subprocess
import sys
import zipfile

from conftest import ROOT

LABEXT = "tessera_jupyter-0.1.0.data/data/share/jupyter/labextensions/@tessera/jupyterlab-tessera/"


def test_python_m_build_makes_a_complete_wheel(tmp_path):
    labext = ROOT / "extension" / "tessera_jupyter" / "labextension" / "package.json"
    assert labext.is_file(), "build the labextension first: npm run build -w @tessera/jupyterlab-tessera"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT / "extension")], check=True, capture_output=True)
    [wheel] = tmp_path.glob("tessera_jupyter-0.1.0-*.whl")
    assert list(tmp_path.glob("tessera_jupyter-0.1.0.tar.gz")), "an sdist too"
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in [
        LABEXT + "package.json",
        LABEXT + "install.json",
        LABEXT + "schemas/@tessera/jupyterlab-tessera/gpu-panel.json",
        LABEXT + "schemas/@tessera/jupyterlab-tessera/package.json.orig",
        "tessera_jupyter-0.1.0.data/data/etc/jupyter/jupyter_server_config.d/tessera_jupyter.json",
        "tessera_jupyter/server.py",
        "tessera_jupyter/hub_config.py",
    ]:
        assert name in names, f"{name} missing from {wheel.name}"
    assert any(n.startswith(LABEXT + "static/remoteEntry.") for n in names)
    metadata = zipfile.ZipFile(wheel).read("tessera_jupyter-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: jupyterlab_widgets" in metadata.replace("jupyterlab-widgets", "jupyterlab_widgets")
