"""Files users send: which the gateway vouches for, whether one may be attached, its bytes.

The gateway downloads a WhatsApp or Twilio user's image or document into its media folder
and lists it under the top-level metadata key ``media`` (``id``, ``mime_type``, ``filename``,
``path``). Only the gateway sets top-level keys (a client's own metadata travels under
``client``), so a user cannot name a file. Even so a path is only read after it resolves to
a file inside ``ACTIONS_MEDIA_DIR``: nothing else on the machine can be attached to a case.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases.backend import Attachment

MEDIA_KEY = "media"
#: what every back end takes: AICC's jpg, png, pdf, doc, docx and gif, less the gif Connect
#: does not take
ALLOWED_TYPES: Mapping[str, str] = {
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "application/pdf": "a PDF",
    "application/msword": "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
}
_NAME_MAX = 200
_PLACEHOLDER = re.compile(r"\[\w+\]")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]")
_ID_MAX = 64
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f/\\]")


class FileRefused(Exception):
    """A file that cannot be attached; ``reason`` says why in words fit for the user."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class SharedFile:
    """One file the gateway received from the user, as kept in the ``pending_files`` slot."""

    path: str
    name: str
    content_type: str
    #: what the user wrote with it, when that did not answer the case form
    caption: str | None = None

    def as_slot(self) -> dict[str, str]:
        """The JSON kept in the slot."""
        kept = {"path": self.path, "name": self.name, "content_type": self.content_type}
        return kept | ({"caption": self.caption} if self.caption else {})

    @classmethod
    def from_slot(cls, value: object) -> SharedFile | None:
        """The file a slot entry describes; ``None`` for anything else."""
        if not isinstance(value, dict):
            return None
        parts = [value.get(key) for key in ("path", "name", "content_type")]
        if not all(isinstance(part, str) and part for part in parts):
            return None
        caption = value.get("caption")
        return cls(
            path=str(parts[0]),
            name=str(parts[1]),
            content_type=str(parts[2]),
            caption=caption if isinstance(caption, str) and caption else None,
        )


def gateway_media(metadata: object) -> list[dict[str, Any]]:
    """The media entries the gateway put in a message's metadata (none for typed text)."""
    if not isinstance(metadata, dict):
        return []
    media = metadata.get(MEDIA_KEY)
    return [entry for entry in media if isinstance(entry, dict)] if isinstance(media, list) else []


def shared_file(entry: Mapping[str, Any]) -> SharedFile:
    """The file one gateway media entry describes; ``FileRefused`` when it is unusable."""
    content_type = _content_type(entry.get("mime_type"))
    name = _name(entry, content_type)
    path = entry.get("path")
    # the gateway does not download a kind or size of file no case takes, and says so
    refused = entry.get("refused")
    if content_type not in ALLOWED_TYPES or refused == "type":
        allowed = "JPEG or PNG images, PDFs and Word documents"
        raise FileRefused(name, f"I can only attach {allowed}.")
    if refused == "size":
        raise FileRefused(name, "it is bigger than I can take.")
    if not isinstance(path, str) or not path:
        raise FileRefused(name, "it did not reach me. Could you send it again?")
    return SharedFile(path=path, name=name, content_type=content_type)


def slot_files(value: object) -> list[SharedFile]:
    """The files kept in the ``pending_files`` slot."""
    if not isinstance(value, list):
        return []
    return [file for file in map(SharedFile.from_slot, value) if file is not None]


def read_attachment(file: SharedFile, media_dir: Path, max_bytes: int) -> Attachment:
    """The file's bytes, when it lies inside ``media_dir`` and is at most ``max_bytes`` long."""
    root = media_dir.resolve()
    target = Path(file.path).resolve()
    if not target.is_relative_to(root) or target == root:
        raise FileRefused(file.name, "it is not a file I received from you.")
    try:
        size = target.stat().st_size
        if size > max_bytes:
            raise FileRefused(file.name, _too_big(max_bytes))
        if size == 0:
            raise FileRefused(file.name, "it is empty.")
        data = target.read_bytes()
    except OSError as exc:
        raise FileRefused(file.name, "it is no longer here. Could you send it again?") from exc
    if len(data) > max_bytes:
        raise FileRefused(file.name, _too_big(max_bytes))
    return Attachment(name=file.name, content_type=file.content_type, data=data)


def names(files: list[SharedFile]) -> str:
    """The files' names as a list in words: "a.jpg", "a.jpg and b.pdf", "a, b and c"."""
    shown = [file.name for file in files]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def real_caption(value: object) -> str | None:
    """A caption that is text the user wrote: not blank, not a placeholder such as "[image]"."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _PLACEHOLDER.fullmatch(text):
        return None
    return text


def _too_big(max_bytes: int) -> str:
    return f"it is bigger than the {max_bytes / (1024 * 1024):g} MB I can attach to a case."


def _content_type(value: object) -> str:
    return value.split(";", 1)[0].strip().lower() if isinstance(value, str) else ""


def _name(entry: Mapping[str, Any], content_type: str) -> str:
    given = entry.get("filename")
    if isinstance(given, str):
        cleaned = _UNPRINTABLE.sub("_", given.strip())[-_NAME_MAX:].strip()
        if cleaned and cleaned not in (".", ".."):
            return cleaned
    kind = content_type.split("/", 1)[0] if content_type else "file"
    extension = mimetypes.guess_extension(content_type) or ""
    media_id = _UNSAFE_ID.sub("_", str(entry.get("id") or ""))[:_ID_MAX]
    return f"{kind}-{media_id}{extension}" if media_id else f"{kind}{extension}"
