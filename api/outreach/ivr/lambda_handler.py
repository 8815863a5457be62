"""The AWS Lambda function an Amazon Connect contact flow invokes to hand a caller over.

Standard library only, so it deploys as this one file (handler ``lambda_handler.handler``, any
Python 3 runtime). It signs the contact-flow event exactly as received with
``IVR_SHARED_SECRET`` (``X-Casebot-Signature: sha256=<hex HMAC-SHA256 of the body>``), posts it
to the gateway's ``GATEWAY_IVR_URL`` and returns the gateway's answer, a flat map of strings
the flow reads as ``$.External.status`` and ``$.External.case_ref``. Connect waits at most 8 s
for a Lambda, so the call is cut off at ``GATEWAY_TIMEOUT_SECONDS`` (default 7), or sooner
when the invocation has less time left; any failure answers ``{"status": "error"}``, which the
flow can branch on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Casebot-Signature"
DEFAULT_TIMEOUT_SECONDS = 7.0
#: time kept back from the invocation's remaining time, to answer Connect before it gives up
MARGIN_SECONDS = 0.5
ERROR = {"status": "error"}


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def flat(answer: object) -> dict[str, str]:
    """The answer as Connect takes it: string keys to string values, nothing nested."""
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
        return dict(ERROR)
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in answer.items()
        if isinstance(value, str | int | float | bool)
    }


def forward(event: Mapping[str, Any], url: str, secret: str, timeout: float) -> dict[str, str]:
    """Post the signed event to the gateway and return its flat answer."""
    body = json.dumps(event, separators=(",", ":")).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return flat(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        logger.error("Gateway refused the handoff: HTTP %s", exc.code)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.error("Gateway not reached in time: %s", exc)
    except ValueError:
        logger.error("Gateway answered something that is not JSON")
    return dict(ERROR)


def time_allowed(context: object, configured: float) -> float:
    """The configured timeout, shortened to what the invocation has left."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        left = float(remaining()) / 1000 - MARGIN_SECONDS
        return max(0.1, min(configured, left))
    return configured


def handler(event: dict[str, Any], context: object = None) -> dict[str, str]:
    """Lambda entry point: forward the contact-flow event, answer Connect's flat map."""
    url = os.environ.get("GATEWAY_IVR_URL", "")
    secret = os.environ.get("IVR_SHARED_SECRET", "")
    if not url or not secret:
        logger.error("GATEWAY_IVR_URL and IVR_SHARED_SECRET must be set")
        return dict(ERROR)
    try:
        configured = float(os.environ.get("GATEWAY_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    except ValueError:
        configured = DEFAULT_TIMEOUT_SECONDS
    return forward(event, url, secret, time_allowed(context, configured))
