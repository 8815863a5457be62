"""What a stand-in gives the sandbox app: a name, a path prefix, an ASGI app and its lifetime."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from starlette.routing import BaseRoute
from starlette.types import ASGIApp


@dataclass(frozen=True)
class StandIn:
    """One local stand-in for an outside service, mounted under ``prefix``."""

    #: key of its counts in ``GET /_sandbox/calls``
    name: str
    #: path prefix the app is mounted under, e.g. ``/connectcases``
    prefix: str
    app: ASGIApp
    #: entered at sandbox startup and left at shutdown: opens storage, seeds data
    lifetime: Callable[[], AbstractContextManager[None]]
    #: routes served at the sandbox's root, ahead of every prefix (a page, a websocket)
    routes: tuple[BaseRoute, ...] | list[BaseRoute] = ()
