"""HTML rendering: one jinja2 environment over ``api/channels/webchat/templates``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def get_environment() -> Environment:
    """The environment: autoescaped, and loud about any variable a template lacks."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    """Render the template ``name`` with ``context``."""
    return get_environment().get_template(name).render(**context)
