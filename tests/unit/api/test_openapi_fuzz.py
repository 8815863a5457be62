"""Property-based tests of the gateway's OpenAPI: whatever a client sends, never a 5xx, and every
documented answer in its documented shape.

schemathesis generates the requests, valid and invalid, from the app's own ``/openapi.json``;
hypothesis drives them, derandomized and bounded, so a run is the same every time. They are
sent through ``httpx.ASGITransport`` to an app running over stand-ins (Rasa behind an
``httpx.MockTransport``, Graph's sandbox), not through schemathesis's own ASGI runner: that
one goes through Starlette's ``TestClient``, which warns under httpx 0.28 and runs the app on
an event loop of its own, apart from the app's lifespan and its background worker.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.app import create_app
from api.channels.whatsapp.payload import Notification
from api.settings import GatewaySettings
from tests.unit.api.input_limits_support import (
    AsgiSocket,
    WhatsAppGateway,
    signed,
    whatsapp_gateway,
)

BASE_URL = "http://gateway.test"
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=250,
    # the generator is slow on purpose (schemas with patterns and nesting); the app fixture is
    # meant to live across examples, as a server would
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _gateway_schema() -> schemathesis.schemas.BaseSchema:
    # the document does not depend on the settings: channels that are off answer 404
    app = create_app(GatewaySettings(_env_file=None, rasa_api_token=SecretStr("unused")))
    return schemathesis.openapi.from_dict(app.openapi())


def _whatsapp_body_schema() -> schemathesis.schemas.BaseSchema:
    """The webhook as Meta documents it: a ``Notification`` body (the route reads raw bytes,
    to check the signature first, so the app's own OpenAPI cannot describe it)."""
    body = Notification.model_json_schema(ref_template="#/components/schemas/{model}")
    components = body.pop("$defs")
    components["Notification"] = body
    for component in components.values():
        # the models ignore unknown fields (Meta adds some); generating them is slow and finds
        # nothing, and the negative cases still add them
        component["additionalProperties"] = False
    document = {
        "openapi": "3.1.0",
        "info": {"title": "WhatsApp webhook", "version": "1"},
        "paths": {
            "/webhooks/whatsapp": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Notification"}
                            }
                        },
                    },
                    "responses": {"200": {"description": "Received."}},
                }
            }
        },
        "components": {"schemas": components},
    }
    return schemathesis.openapi.from_dict(document)


GATEWAY = _gateway_schema()
WEBHOOK = _whatsapp_body_schema()


def _both_modes(schema: schemathesis.schemas.BaseSchema) -> st.SearchStrategy[Any]:
    return st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )


@pytest.fixture
async def gateway(settings_with, tmp_path) -> AsyncIterator[WhatsAppGateway]:
    async with whatsapp_gateway(settings_with, tmp_path) as gateway:
        yield gateway


def _request(client: httpx.AsyncClient, kwargs: dict[str, Any]) -> httpx.Request:
    """The httpx request for schemathesis's (requests-style) arguments; a request no HTTP
    client could send (a header that is not Latin-1, say) is no example at all."""
    assert not kwargs.get("cookies"), "the gateway documents no cookies"
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif isinstance(kwargs.get("data"), str | bytes):
        body["content"] = kwargs["data"]
    elif kwargs.get("data") is not None:
        body["data"] = kwargs["data"]
    try:
        return client.build_request(
            kwargs["method"],
            kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            **body,
        )
    except (TypeError, ValueError, UnicodeError):
        reject()


@FUZZ
@given(case=_both_modes(GATEWAY))
async def test_every_operation_answers_without_5xx_and_as_documented(
    gateway: WhatsAppGateway, case: Any
) -> None:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    response = await gateway.client.send(_request(gateway.client, kwargs))

    case.validate_response(response, checks=CHECKS)


@settings(FUZZ, max_examples=80)
@given(case=_both_modes(WEBHOOK))
async def test_signed_whatsapp_bodies_of_any_shape_get_200_or_4xx(
    gateway: WhatsAppGateway, case: Any
) -> None:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    request = _request(gateway.client, kwargs)
    raw = request.read()
    request.headers.update(signed(raw))

    response = await gateway.client.send(request)

    assert response.status_code in (200, 400, 413, 422), response.text
    if response.status_code == 200:
        Notification.model_validate_json(raw)  # only a notification is ever accepted


def test_the_fuzzed_schema_has_every_operation_of_the_gateway(settings: GatewaySettings) -> None:
    operations = {
        (method.upper(), path)
        for path, item in create_app(settings).openapi()["paths"].items()
        for method in item
    }
    fuzzed = {
        (result.ok().method.upper(), result.ok().path) for result in GATEWAY.get_all_operations()
    }

    assert fuzzed == operations
    assert ("POST", "/webchat/messages") in fuzzed
    assert ("POST", "/webhooks/whatsapp") in fuzzed
    assert json.dumps(WEBHOOK.raw_schema)  # the webhook's own schema is plain JSON


# What schemathesis does not send: JSON that only a hand-written client would, with NaN,
# Infinity, lone surrogates ("\ud800") and deep nesting, none of which Rasa could be sent.
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included; json.dumps writes them as NaN and Infinity
    | st.text(st.characters(codec=None, categories=["L", "N", "P", "Cs"]), max_size=8)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)
_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": _VALUES,
        "sender": st.sampled_from(["ann-1", "a" * 129, ""]) | _VALUES,
        "message": st.sampled_from(["hello", " "]) | _VALUES,
        "metadata": st.dictionaries(st.text(max_size=4), _VALUES, max_size=4) | _VALUES,
    },
)


@settings(FUZZ, max_examples=150)
@given(body=_FIELDS | _VALUES)
async def test_hand_written_json_gets_an_answer_not_a_crash_over_post_and_socket(
    gateway: WhatsAppGateway, body: Any
) -> None:
    raw = json.dumps(body)  # ASCII, with \\ud800 escapes, NaN and Infinity as they come

    response = await gateway.client.post(
        "/webchat/messages", content=raw, headers={"Content-Type": "application/json"}
    )
    async with AsgiSocket(gateway.app) as socket:
        frame = await socket.exchange(raw)

    assert response.status_code in (200, 413, 422), response.text
    assert isinstance(response.json(), list) or "detail" in response.json()
    assert frame.get("status", 200) == response.status_code
