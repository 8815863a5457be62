"""rasa-sdk's plugin package: rasa-sdk imports it by this name and calls ``init_hooks``.

It hands the action server's Sanic app to ``actions.kit.server``.
"""

from __future__ import annotations

import sys

import pluggy
from sanic import Sanic

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Register this module's hook implementations."""
    manager.register(sys.modules[__name__])


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:  # type: ignore[type-arg]
    """Add casebot's routes and background work to the action server."""
    from actions.kit.server import attach

    attach(app)
