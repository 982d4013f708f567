"""Jupyter server for the UI tests: Galata's test configuration (no token, Galata's helper
extension) with the port and notebook root the test script chooses.

The root lies inside the repository so that notebooks' kernels resolve the `tessera` package."""
import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.port = int(os.environ.get("TESSERA_UI_PORT", "8890"))
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_root = True
c.ServerApp.open_browser = False
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
