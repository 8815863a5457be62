"""The conversation turn for a message that carries files: Rasa's ``share_file`` intent.

A user's image or document is not text to classify: "[image]" could be taken for anything,
even as the answer to a form's question. So the gateway sends Rasa the intent itself, in
Rasa's ``/intent{"entity": "value"}`` syntax, with the caption as the entity ``caption`` only
when the user wrote one; the files travel in the metadata under ``media``, a key only the
gateway sets. A user who types ``/share_file`` sends no files, and the actions answer that as
a message not understood. The files are named after the provider's ids, never after anything
the user chose, so a user can never choose where a file lands, and are written by ``save``:
streamed to a ``.part`` file, hashed, cut off past the size limit, renamed only when whole.

Only the kinds of file a case can take (``ACCEPTED_TYPES``) are downloaded at all, and a
download whose ``Content-Length`` is past the limit is refused before its body is read; an
item left out says why under ``refused`` (``type`` or ``size``), so the actions can tell the
user.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

SHARE_FILE = "share_file"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
#: what every case back end takes (the action server's list of files it attaches)
ACCEPTED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
#: why an item was not downloaded, as its description's ``refused`` says
REFUSED_TYPE = "type"
REFUSED_SIZE = "size"


def accepted_type(mime_type: str | None) -> bool:
    """Whether a file declared as ``mime_type`` is one a case can take."""
    return (mime_type or "").split(";", 1)[0].strip().lower() in ACCEPTED_TYPES


def share_file_text(caption: str | None) -> str:
    """The text that makes Rasa take the message as ``share_file`` with its caption."""
    said = (caption or "").strip()
    if not said:
        return f"/{SHARE_FILE}"
    # json.dumps escapes newlines, which Rasa's pattern for the entities does not cross
    return f"/{SHARE_FILE}" + json.dumps({"caption": said}, ensure_ascii=False)


def file_name(media_id: str, mime_type: str | None) -> str:
    """The media folder's name for the provider's item ``media_id`` of type ``mime_type``."""
    extension = mimetypes.guess_extension(mime_type or "") or ".bin"
    return _UNSAFE.sub("_", media_id)[:128] + extension


@dataclass(frozen=True)
class Saved:
    """A media file saved to disk."""

    path: Path
    sha256: str
    size: int


class TooLarge(Exception):
    """The file is larger than the limit; nothing of it is kept."""


async def save(response: httpx.Response, path: Path, max_bytes: int) -> Saved:
    """Write a streamed answer's body to ``path``; nothing is left there if it fails half-way.

    Raises ``TooLarge`` past ``max_bytes`` (before reading a byte when ``Content-Length``
    says so), and whatever reading the stream raises (httpx's transport errors), in both
    cases after removing the partial file.
    """
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"media of {int(declared)} bytes is larger than {max_bytes} bytes")
    digest = hashlib.sha256()
    size = 0
    partial = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with partial.open("wb") as out:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"media larger than {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return Saved(path=path, sha256=digest.hexdigest(), size=size)
