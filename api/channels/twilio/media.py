"""Users' media: downloaded from Twilio with the account's credentials, kept in the media folder.

Files are named after Twilio's message id and the item's place in it, never after anything the
user chose, so a user can never choose where a file lands.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import JsonValue

from api.channels.twilio.client import TwilioClient, TwilioError, TwilioUnavailable
from api.channels.twilio.payload import TwilioMedia, TwilioMessage
from api.media import REFUSED_SIZE, REFUSED_TYPE, accepted_type, file_name

logger = logging.getLogger(__name__)


async def fetch_media(
    client: TwilioClient, message: TwilioMessage, folder: Path, max_bytes: int
) -> list[dict[str, JsonValue]]:
    """Download the message's media and describe each for Rasa; ``path`` is ``None`` for an
    item that failed, and ``refused`` says why when it was not a kind or size of file a case
    can take.

    Raises ``TwilioUnavailable`` when Twilio is down, so the message can be handled again later.
    """
    return [
        await _fetch(client, message.message_sid, index, item, folder, max_bytes)
        for index, item in enumerate(message.media)
    ]


async def _fetch(
    client: TwilioClient, sid: str, index: int, media: TwilioMedia, folder: Path, max_bytes: int
) -> dict[str, JsonValue]:
    media_id = f"{sid}-{index}"
    description: dict[str, JsonValue] = {
        "id": media_id,
        "mime_type": media.content_type,
        "sha256": None,
        "filename": None,
        "path": None,
    }
    if not accepted_type(media.content_type):
        return {**description, "refused": REFUSED_TYPE}
    try:
        saved = await client.download(
            media.url, folder / file_name(media_id, media.content_type), max_bytes
        )
    except TwilioUnavailable:
        raise
    except TwilioError as exc:
        logger.warning("Twilio media %s not fetched: %s", media_id, exc)
        return {**description, "refused": REFUSED_SIZE} if exc.too_large else description
    description.update(sha256=saved.sha256, path=str(saved.path))
    return description
