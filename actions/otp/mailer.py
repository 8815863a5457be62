"""Codes by email, through Amazon SES v2 (boto3 ``sesv2`` ``SendEmail``).

The message is fixed words around the code: nothing the customer typed goes into it, not even
the reference they gave, so the assistant cannot be made to mail someone chosen words.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)

SUBJECT = "Your one-time code"
BODY = (
    "Your one-time code is {code}. Type it in the chat to see your case; it works for"
    " {minutes} minutes.\n\nIf you did not ask for it, you can ignore this email: nobody can"
    " see your case without the code."
)


class SesClient(Protocol):
    """The one call of boto3's ``sesv2`` client used here."""

    def send_email(self, **kwargs: Any) -> dict[str, Any]:
        """SES v2 ``SendEmail``."""
        ...


class SesMailer:
    """Sends a code to an email address from ``sender`` (an identity verified in SES)."""

    def __init__(self, client: SesClient, sender: str, minutes: int) -> None:
        self._client = client
        self._sender = sender
        self._minutes = minutes

    async def send(self, to: str, code: str) -> bool:
        """Mail ``code`` to ``to``; whether SES took it (a failure is logged, never raised)."""
        text = BODY.format(code=code, minutes=self._minutes)
        try:
            await asyncio.to_thread(
                self._client.send_email,
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": SUBJECT, "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
                    }
                },
            )
        except ClientError as exc:
            code_name = exc.response.get("Error", {}).get("Code", "unknown")
            logger.warning("SES refused a one-time code email: %s", code_name)
            return False
        except BotoCoreError as exc:
            logger.warning("SES unreachable for a one-time code email: %s", type(exc).__name__)
            return False
        return True


@lru_cache(maxsize=4)
def ses_client(endpoint_url: str | None) -> SesClient:
    """The process's SES v2 client for ``endpoint_url`` (``None``: real AWS)."""
    client: SesClient = boto3.client(
        "sesv2",
        endpoint_url=endpoint_url,
        config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}),
    )
    return client
