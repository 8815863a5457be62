"""The conversation turn for a message that carries files: Rasa's ``share_file`` intent.

A user's image or document is not text to classify: "[image]" could be taken for anything,
even as the answer to a form's question. So the gateway sends Rasa the intent itself, in
Rasa's ``/intent{"entity": "value"}`` syntax, with the caption as the entity ``caption`` only
when the user wrote one; the files travel in the metadata under ``media``, a key only the
gateway sets. A user who types ``/share_file`` sends no files, and the actions answer that as
a message not understood. The files are named after the provider's ids, never after anything
the user chose, so a user can never choose where a file lands.
"""

from __future__ import annotations

import json
import mimetypes
import re

SHARE_FILE = "share_file"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


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
