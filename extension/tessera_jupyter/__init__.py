"""Tessera's JupyterLab extension: renders Tessera's image widgets (and, later, the GPU resources panel).

The JavaScript is a prebuilt labextension shipped in share/jupyter/labextensions/@tessera/jupyterlab-tessera,
so installing this package needs no JupyterLab rebuild.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    """Where JupyterLab finds the prebuilt extension when this package is installed in develop mode."""
    return [{"src": "labextension", "dest": "@tessera/jupyterlab-tessera"}]
