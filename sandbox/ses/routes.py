"""The SES v2 app (every operation of botocore's sesv2 model routed, SendEmail served), and the
stand-in's own routes at the sandbox's root:

- ``GET /_sandbox/ses/outbound-emails`` (``?to=`` an address): the messages sent, oldest first
- ``DELETE /_sandbox/ses/outbound-emails``: forget them
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from botocore.loaders import create_loader
from botocore.model import ServiceModel
from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute

from sandbox.aws.service import Call, Handler, ServiceErrors, build_service_app
from sandbox.ses.errors import BadRequestException, InternalFailure
from sandbox.ses.store import SentMail
from sandbox.ses.validation import recipients, simple_message, verified_sender

SERVICE_NAME = "sesv2"
SENT_PATH = "/_sandbox/ses/outbound-emails"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """Return botocore's model of SES v2, the contract this stand-in serves."""
    loader = create_loader()
    return ServiceModel(
        loader.load_service_model(SERVICE_NAME, "service-2"), service_name=SERVICE_NAME
    )


def handlers(sent: SentMail, identities: Iterable[str], region: str) -> dict[str, Handler]:
    """Return the implemented operations by name."""
    verified = tuple(identities)

    def send_email(call: Call) -> dict[str, Any]:
        message = simple_message(call.params)
        sender = verified_sender(call.params, verified, region)
        return {"MessageId": sent.record(sender, recipients(call.params), message)}

    return {"SendEmail": send_email}


def ses_app(
    sent: SentMail, identities: Iterable[str], region: str, on_call: Callable[[str], None]
) -> FastAPI:
    """Return the ASGI app of the SES v2 REST API."""
    return build_service_app(
        title="Amazon SES v2 (sandbox)",
        model=service_model(),
        handlers=handlers(sent, identities, region),
        errors=ServiceErrors(validation=BadRequestException, internal=InternalFailure),
        on_call=on_call,
    )


def sandbox_routes(sent: SentMail) -> list[BaseRoute]:
    """The routes that let a test, or a person, read what was sent."""
    router = APIRouter()

    @router.get(SENT_PATH)
    def list_sent(to: str | None = None) -> list[dict[str, Any]]:
        return sent.sent(to)

    @router.delete(SENT_PATH)
    def forget_sent() -> dict[str, int]:
        sent.reset()
        return {"sent": 0}

    return list(router.routes)
