"""For jupyterhub_config.py: tells each single-user server its user_options and the Hub's options
form, so that the GPU panel can show both and offer "Restart with these resources".

    from tessera_jupyter.hub_config import panel_environment
    c.Spawner.environment.update(panel_environment())

Imports nothing of Jupyter: safe in the Hub's environment (docs/gpu-panel.md)."""
from __future__ import annotations

import inspect
import json
import logging

USER_OPTIONS_ENV = "TESSERA_HUB_USER_OPTIONS"
OPTIONS_FORM_ENV = "TESSERA_HUB_OPTIONS_FORM"


def _user_options(spawner) -> str:
    try:
        return json.dumps(spawner.user_options or {}, default=str)
    except (TypeError, ValueError):
        return "{}"


def _options_form(spawner) -> str:
    form = spawner.options_form
    if callable(form):
        form = form(spawner)
        if inspect.isawaitable(form):
            # Spawner.environment callables are synchronous; an async options_form cannot be shown.
            if hasattr(form, "close"):
                form.close()
            logging.getLogger("tessera").warning("tessera: the options form is async; the GPU panel cannot show it")
            return ""
    return form or ""


def panel_environment() -> dict:
    """Spawner.environment entries (callables, evaluated at each spawn) for the GPU panel."""
    return {USER_OPTIONS_ENV: _user_options, OPTIONS_FORM_ENV: _options_form}
