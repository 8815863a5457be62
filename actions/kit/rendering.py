"""Messages composed from jinja2 templates in ``actions/kit/templates``.

The output is plain chat text (webchat, WhatsApp), not HTML, so nothing is escaped here; the
page that shows it escapes. ``StrictUndefined`` turns a missing value into an error, not a gap.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATE_DIR = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one jinja2 environment over ``TEMPLATE_DIR``."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shorten"] = shorten
    return env


def render(name: str, **context: object) -> str:
    """Template ``name`` rendered with ``context``, without surrounding blank lines."""
    return environment().get_template(name).render(**context).strip()


def shorten(text: str, width: int = 280) -> str:
    """``text`` cut to about ``width`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    space = head.rfind(" ")
    if space >= width // 2:
        head = head[:space]
    return head.rstrip(" ,.;:") + "…"
