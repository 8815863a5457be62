from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from pydantic import ValidationError

from api.app import STATIC_DIR
from api.channels.webchat.messages import SENDER_PATTERN
from api.deps import app_settings


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def parse(html):
    elements = _Elements()
    elements.feed(html)
    return elements


async def test_page_renders_with_the_script_the_style_and_the_chat_controls(client):
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    assert page.find("script", src="static/webchat.js")
    assert page.find("link", rel="stylesheet", href="static/webchat.css")
    [textarea] = page.find("textarea", id="chat-input")
    assert textarea["maxlength"] == "32000"
    assert page.find("label", **{"for": "chat-input"})
    assert page.find("button", id="chat-send")
    assert page.find("button", id="chat-restart")
    assert page.find("ol", id="chat-log", role="log")[0]["aria-live"] == "polite"
    [root] = page.find("main", id="chat")
    assert root["data-messages-url"] == "webchat/messages"
    assert root["data-socket-url"] == "webchat/ws"
    assert root["data-max-chars"] == "32000"


async def test_page_has_no_inline_script_and_forbids_it(client):
    response = await client.get("/")

    assert all(attrs.get("src") for tag, attrs in parse(response.text).tags if tag == "script")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


async def test_page_title_comes_from_the_settings_dependency(app, client, settings_with):
    app.dependency_overrides[app_settings] = lambda: settings_with(webchat_title="Acme help")

    response = await client.get("/")

    assert "<title>Acme help</title>" in response.text


async def test_page_title_is_escaped(app, client, settings_with):
    app.dependency_overrides[app_settings] = lambda: settings_with(webchat_title="<b>x</b>")

    response = await client.get("/")

    assert "<b>x</b>" not in response.text
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text


async def test_static_script_and_style_are_served(client):
    script = await client.get("/static/webchat.js")
    style = await client.get("/static/webchat.css")

    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")


def test_script_never_writes_markup():
    script = (STATIC_DIR / "webchat.js").read_text()

    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    assert "textContent" in script


def test_script_uses_the_ids_and_classes_browser_tests_rely_on():
    script = (STATIC_DIR / "webchat.js").read_text()

    for name in ("chat-input", "chat-send", "chat-log", "chat-typing", "chat-restart"):
        assert f'"{name}"' in script, name
    for selector in ("msg ${entry.from}", ".msg-buttons button", '"msg-buttons"'):
        assert selector in script, selector


def test_script_checks_sender_ids_with_the_gateway_pattern():
    script = (STATIC_DIR / "webchat.js").read_text()
    [js_pattern] = re.findall(r"SENDER_PATTERN = /(.+)/;", script)

    assert js_pattern == SENDER_PATTERN


async def test_only_the_gateway_itself_may_frame_the_page_by_default(client):
    response = await client.get("/")

    policy = response.headers["content-security-policy"]
    assert policy.endswith("; frame-ancestors 'self'")
    [root] = parse(response.text).find("main", id="chat")
    assert root["data-allowed-origins"] == ""


async def test_the_allowed_origins_may_frame_the_page_and_hand_it_a_token(client_with):
    client = await client_with(
        webchat_allowed_origins="https://shop.example.com, https://Help.Example.org:8443/"
    )

    response = await client.get("/")

    policy = response.headers["content-security-policy"]
    ancestors = "frame-ancestors 'self' https://shop.example.com https://help.example.org:8443"
    assert policy.endswith(ancestors)
    [root] = parse(response.text).find("main", id="chat")
    assert root["data-allowed-origins"] == "https://shop.example.com https://help.example.org:8443"


def test_the_page_takes_a_handed_over_token_only_from_an_allowed_origin():
    script = (STATIC_DIR / "webchat.js").read_text()
    listener = script[script.index('addEventListener("message"') :]
    listener = listener[: listener.index("});")]

    assert "allowedOrigins.has(event.origin)" in listener
    assert "root.dataset.allowedOrigins" in script


@pytest.mark.parametrize(
    "given",
    ["*", "https://*.example.com", "shop.example.com", "https://shop.example.com/path",
     "javascript:alert(1)", "https://shop.example.com 'unsafe-inline'"],
)  # fmt: skip
def test_settings_refuse_what_is_not_an_origin(settings_with, given):
    with pytest.raises(ValidationError, match="WEBCHAT_ALLOWED_ORIGINS"):
        settings_with(webchat_allowed_origins=given)
