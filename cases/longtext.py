"""Text longer than a back end's field: its start for the field, and the whole in parts."""

from __future__ import annotations

#: ends a field value whose text goes on in the case's comments
CONTINUED_MARKER = " [continued in comments]"


def cut_for_field(text: str, limit: int, marker: str = CONTINUED_MARKER) -> str:
    """``text`` if it fits in ``limit`` characters, else its start (cut at a space) + ``marker``."""
    if len(text) <= limit:
        return text
    room = limit - len(marker)
    head = text[:room]
    space = _last_space(head)
    if space >= room // 2:
        head = head[:space]
    return head.rstrip() + marker


def split_parts(text: str, size: int) -> list[str]:
    """Pieces of at most ``size`` characters that join back into ``text`` exactly.

    Each piece ends after a whitespace character when there is one in its second half, so words
    stay whole; otherwise it is cut at ``size``.
    """
    if size < 2:
        raise ValueError("size must be at least 2")
    parts: list[str] = []
    rest = text
    while len(rest) > size:
        space = _last_space(rest[:size])
        cut = space + 1 if space >= size // 2 else size
        parts.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        parts.append(rest)
    return parts


def _last_space(text: str) -> int:
    return max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"))
