"""The Graph stand-in checks a send of an authentication template as Graph does: the template in
its language, the code as the body's one text parameter and again as the copy-code button's."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from api.channels.whatsapp.outbound import code_template_message, template_message
from sandbox.settings import SandboxSettings
from sandbox.whatsapp.templates import Approved, auth_templates

TOKEN = SandboxSettings.model_fields["whatsapp_access_token"].default
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MESSAGES = "/whatsapp/v21.0/106540352242922/messages"
TO = "16505551234"


@pytest.fixture(autouse=True)
def fresh_stand_in(http: httpx.Client) -> None:
    http.post("/whatsapp/_whatsapp/reset")


def send(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return http.post(MESSAGES, json=body, headers=AUTH)


def auth(code: str = "204775", **template: Any) -> dict[str, Any]:
    body = code_template_message(TO, "casebot_code", "en", code)
    body["template"].update(template)  # type: ignore[union-attr]
    return body


def components() -> list[dict[str, Any]]:
    return copy.deepcopy(auth()["template"]["components"])  # type: ignore[index,call-overload]


def test_the_authentication_template_in_metas_shape_is_sent(http):
    response = send(http, auth())

    assert response.status_code == 200
    [entry] = http.get("/whatsapp/_whatsapp/sent").json()
    assert entry["wamid"] and entry["body"]["template"]["name"] == "casebot_code"


def malformed() -> list[tuple[str, dict[str, Any], int]]:
    body, button = components()
    no_sub_type = {k: v for k, v in button.items() if k != "sub_type"}
    number = {"type": "currency", "currency": {"code": "USD", "amount_1000": 1}}
    return [
        ("no components: a notice template's send", {"components": None}, 132000),
        ("the body alone", {"components": [body]}, 132000),
        ("the button alone", {"components": [button]}, 132000),
        ("two bodies", {"components": [body, body, button]}, 132000),
        ("a header too", {"components": [{"type": "header"}, body, button]}, 132000),
        (
            "a quick reply button",
            {"components": [body, {**button, "sub_type": "quick_reply"}]},
            132000,
        ),
        ("no sub_type", {"components": [body, no_sub_type]}, 132000),
        ("index 1", {"components": [body, {**button, "index": "1"}]}, 132000),
        ("no code in the body", {"components": [{**body, "parameters": []}, button]}, 132000),
        (
            "two body parameters",
            {"components": [{**body, "parameters": body["parameters"] * 2}, button]},
            132000,
        ),
        ("a number for a code", {"components": [{**body, "parameters": [number]}, button]}, 132012),
        (
            "another code on the button",
            {"components": [body, {**button, "parameters": [{"type": "text", "text": "999999"}]}]},
            131009,
        ),
        ("another language", {"language": {"code": "en_US"}}, 132001),
    ]


@pytest.mark.parametrize(("what", "change", "code"), malformed(), ids=[m[0] for m in malformed()])
def test_a_malformed_authentication_send_is_refused_with_graphs_code(http, what, change, code):
    body = auth()
    if change.get("components", ...) is None:
        del body["template"]["components"]  # type: ignore[union-attr]
        change = {}
    body["template"].update(change)  # type: ignore[union-attr]

    response = send(http, body)

    assert response.status_code == 400, what
    assert response.json()["error"]["code"] == code, what
    [entry] = http.get("/whatsapp/_whatsapp/sent").json()
    assert entry["wamid"] is None


@pytest.mark.parametrize("code", ["1234567890123456", " "])
def test_a_code_longer_than_15_characters_or_blank_is_refused(http, code):
    response = send(http, auth(code))

    assert (response.status_code, response.json()["error"]["code"]) == (400, 131009)


def test_a_template_it_holds_no_definition_of_is_sent_as_before(http):
    plain = template_message(TO, "case_update", "en")

    assert send(http, plain).status_code == 200


def test_the_templates_it_holds_come_from_its_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SANDBOX_WHATSAPP_AUTH_TEMPLATES", " otp_pt:pt_BR, otp_plain ,")

    held = auth_templates(SandboxSettings().whatsapp_auth_templates)

    assert held == {
        "otp_pt": Approved("otp_pt", "pt_BR"),
        "otp_plain": Approved("otp_plain", "en"),
    }
    assert auth_templates(SandboxSettings.model_fields["whatsapp_auth_templates"].default) == {
        "casebot_code": Approved("casebot_code", "en")
    }
