"""What a customer's comment says: the one given with its request, and never a posed mark.

"note on my case that I'm away until Friday" carries its comment; a customer's own leading
"[Internal note]", in any spelling, is not theirs to write.
"""

from __future__ import annotations

import re
import unicodedata

#: an inline comment has at least this many words
COMMENT_MIN_WORDS = 2
#: how far into a request its comment's marker is looked for
_MARKER_WORDS = 12
#: words after which a request's comment starts ("note that ...", "add a note saying ...")
_COMMENT_MARKERS = frozenset({"that", "saying", "stating", "says", "reading"})
# the mark as a customer might type it to pass their words off as an agent's note: any case,
# any spacing, brackets of any width (NFKC folds full-width ones), invisible characters between
_POSED_MARK = re.compile(r"^\s*(?:[\[(]\s*internal\s*note\s*[\])]\s*:?\s*)+", re.IGNORECASE)


def unmarked(said: str) -> str:
    """A customer's comment without a leading "[Internal note]" of their own making."""
    text = said.strip()
    visible = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isprintable())
    posed = _POSED_MARK.match(visible)
    return visible[posed.end() :].strip() if posed else text


def inline_comment(text: str) -> str | None:
    """The comment a request carries: after "add:", "note that", "saying", "tell them"...

    Only the request's first words are looked at for the marker, so a "that" inside the
    comment itself never cuts it; the comment is the rest of the message, whole.
    """
    head, colon, after = text.partition(":")
    if colon and len(head.split()) <= _MARKER_WORDS and after.strip():
        return after.strip()
    words = text.split()
    for at, word in enumerate(words[:_MARKER_WORDS]):
        bare = word.lower().strip(",.;!-")
        rest = words[at + 1 :]
        if bare in _COMMENT_MARKERS or (bare == "them" and at and words[at - 1].lower() == "tell"):
            taken = rest
        elif bare == "know" and at > 1 and words[at - 2].lower() == "let":
            taken = rest[1:] if rest[:1] and rest[0].lower() == "that" else rest
        else:
            continue
        if taken[:1] and taken[0].lower() == "that":
            taken = taken[1:]
        if len(taken) >= COMMENT_MIN_WORDS:
            return " ".join(taken)
    return None
