"""Files a customer sends while a live chat lasts: passed to the agent as Connect attachments.

The channel has already fetched each file into its media folder and described it as it does
for Rasa (``path``, ``mime_type``, ``filename``; ``refused`` or no ``path`` when it could not
be kept). ``ParticipantClient.attach`` sends one up as Connect takes files. A file that was not
kept, or that Connect refuses, reaches the agent as a line saying a file could not be passed on;
the caption, if any, follows as a message. Nothing of Rasa's ``/share_file`` text reaches the
agent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import JsonValue

from api.media import SHARE_FILE

#: told to the agent for a file that could not be passed on
NOT_PASSED = "(The customer sent a file that could not be passed on to this chat.)"
_PREFIX = f"/{SHARE_FILE}"


@dataclass(frozen=True)
class SharedFile:
    """One file a customer sent, as the channel kept it (``path`` is ``None`` if it did not)."""

    path: Path | None
    mime_type: str
    name: str


def shared_files(media: Sequence[Mapping[str, JsonValue]]) -> list[SharedFile]:
    """The files of a message, from the channel's descriptions of them."""
    found = []
    for described in media:
        path, mime_type = described.get("path"), described.get("mime_type")
        kept = isinstance(path, str) and path and not described.get("refused")
        name = described.get("filename")
        found.append(
            SharedFile(
                path=Path(path) if kept and isinstance(path, str) else None,
                mime_type=mime_type if isinstance(mime_type, str) else "",
                name=name if isinstance(name, str) and name.strip() else _name_of(path),
            )
        )
    return found


def caption_of(text: str) -> str | None:
    """The caption of a file message (the channel's ``/share_file{"caption": ...}``), if any;
    ``text`` itself when it is not such a message."""
    if not text.startswith(_PREFIX):
        return text
    rest = text[len(_PREFIX) :]
    try:
        caption = json.loads(rest).get("caption") if rest else None
    except (ValueError, AttributeError):
        return text
    return caption if isinstance(caption, str) and caption.strip() else None


def _name_of(path: JsonValue) -> str:
    return Path(path).name if isinstance(path, str) and path else "file"
