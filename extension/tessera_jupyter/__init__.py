"""Tessera's JupyterLab extension: renders Tessera's image widgets and adds the GPU-resources
panel, whose data comes from this package's Jupyter server extension (`server.py`).

The JavaScript is a prebuilt labextension shipped in share/jupyter/labextensions/@tessera/jupyterlab-tessera,
so installing this package needs no JupyterLab rebuild; the server extension is enabled by the
config file the wheel installs in etc/jupyter/jupyter_server_config.d/.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    """Where JupyterLab finds the prebuilt extension when this package is installed in develop mode."""
    return [{"src": "labextension", "dest": "@tessera/jupyterlab-tessera"}]


def _jupyter_server_extension_points():
    return [{"module": "tessera_jupyter"}]


def _load_jupyter_server_extension(server_app):
    from .server import load

    load(server_app)
