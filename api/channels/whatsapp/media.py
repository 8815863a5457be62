"""Users' media: looked up on Graph, downloaded with the bearer token, kept in the media folder.

Files are named after Graph's media id, never after the user's filename, so a name sent by a
user can never choose where a file lands.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import JsonValue

from api.channels.whatsapp.client import GraphClient, GraphError, GraphUnavailable
from api.channels.whatsapp.payload import Media
from api.media import REFUSED_SIZE, REFUSED_TYPE, accepted_type, file_name

logger = logging.getLogger(__name__)


async def fetch_media(
    graph: GraphClient, media: Media, folder: Path, max_bytes: int
) -> dict[str, JsonValue]:
    """Download one media item and describe it for Rasa; ``path`` is ``None`` if it failed,
    and ``refused`` says why when it was not a kind or size of file a case can take.

    Raises ``GraphUnavailable`` when Graph is down, so the message can be handled again later.
    """
    description: dict[str, JsonValue] = {
        "id": media.id,
        "mime_type": media.mime_type,
        "sha256": media.sha256,
        "filename": media.filename,
        "path": None,
    }
    if media.mime_type is not None and not accepted_type(media.mime_type):
        return {**description, "refused": REFUSED_TYPE}
    try:
        info = await graph.media_info(media.id)
        mime_type = media.mime_type or info.mime_type
        if not accepted_type(mime_type):
            return {**description, "mime_type": mime_type, "refused": REFUSED_TYPE}
        if info.file_size is not None and info.file_size > max_bytes:
            return {**description, "mime_type": mime_type, "refused": REFUSED_SIZE}
        path = folder / file_name(media.id, mime_type)
        saved = await graph.download(info.url, path, max_bytes)
    except GraphUnavailable:
        raise
    except GraphError as exc:
        logger.warning("WhatsApp media %s not fetched: %s", media.id, exc)
        return {**description, "refused": REFUSED_SIZE} if exc.too_large else description
    expected = media.sha256 or info.sha256
    if expected and expected.lower() != saved.sha256:
        saved.path.unlink(missing_ok=True)
        logger.warning("WhatsApp media %s discarded: its sha256 does not match", media.id)
        return description
    description.update(mime_type=mime_type, sha256=saved.sha256, path=str(saved.path))
    return description
