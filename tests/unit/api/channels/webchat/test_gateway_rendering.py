from __future__ import annotations

import jinja2
import pytest

from api.channels.webchat.rendering import TEMPLATES_DIR, get_environment, render

# One context per template: a new template fails test_every_template_renders until it has one.
CONTEXTS = {
    "index.html": {
        "title": "casebot",
        "max_message_chars": 32000,
        "messages_url": "webchat/messages",
        "socket_url": "webchat/ws",
        "static_url": "static",
        "allowed_origins": "https://shop.example.com",
    },
}


def test_every_template_has_a_context_here():
    names = sorted(p.name for p in TEMPLATES_DIR.iterdir() if p.is_file())

    assert names == sorted(CONTEXTS)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_every_template_renders(name):
    html = render(name, **CONTEXTS[name])

    assert html.strip()


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_a_missing_variable_is_an_error_not_an_empty_string(name):
    context = dict(CONTEXTS[name])
    context.pop(next(iter(context)))

    with pytest.raises(jinja2.UndefinedError):
        render(name, **context)


def test_values_are_html_escaped():
    html = render("index.html", **{**CONTEXTS["index.html"], "title": "<script>x</script>"})

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_one_environment_is_shared():
    assert get_environment() is get_environment()
    assert get_environment().undefined is jinja2.StrictUndefined
