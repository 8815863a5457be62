"""A one-time code outside the 24-hour window goes in the AUTHENTICATION template named in
``WHATSAPP_CODE_TEMPLATE_NAME``, in the shape Meta documents, to the Graph stand-in that checks
it as Graph does; in the window it stays a text, and without the setting the notice template
carries it as before."""

from __future__ import annotations

import time

from api.outreach.notices.delivery import CODE_WORDS
from sandbox.whatsapp.errors import GraphApiError
from sandbox.whatsapp.templates import Approved
from tests.unit.api.outreach.notices.test_code_notices import WA_ID, code_notice

AUTH = {
    "name": "casebot_code",
    "language": {"code": "en"},
    "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "204775"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "204775"}],
        },
    ],
}


async def test_outside_the_window_the_code_goes_in_the_authentication_template(start):
    gateway = await start(whatsapp_code_template_name="casebot_code")

    response = await gateway.notice(code_notice())

    assert (response.status_code, response.json()) == (200, {"status": "sent"})
    [sent] = gateway.whatsapp_sent()
    assert (sent["to"], sent["type"], sent["template"]) == (WA_ID, "template", AUTH)
    assert "Type it in the chat" not in str(sent), "WhatsApp words an authentication template"


async def test_inside_the_window_the_code_stays_a_text(start):
    gateway = await start(whatsapp_code_template_name="casebot_code")
    await gateway.app.state.whatsapp.store.saw_user(WA_ID, time.time() - 60)

    response = await gateway.notice(code_notice())

    assert response.status_code == 200
    [sent] = gateway.whatsapp_sent()
    assert (sent["type"], sent["text"]["body"]) == ("text", CODE_WORDS.format(code="204775"))


async def test_a_window_whatsapp_says_has_closed_falls_back_to_the_authentication_template(start):
    gateway = await start(whatsapp_code_template_name="casebot_code")
    await gateway.app.state.whatsapp.store.saw_user(WA_ID, time.time() - 60)
    gateway.graph.fail_next(GraphApiError(131047), 1)

    response = await gateway.notice(code_notice())

    assert response.status_code == 200
    [sent] = gateway.whatsapp_sent()
    assert sent["template"] == AUTH


async def test_the_code_template_has_a_language_of_its_own_or_the_templates(start):
    gateway = await start(
        whatsapp_code_template_name="casebot_code_pt",
        whatsapp_code_template_language="pt_BR",
        whatsapp_template_language="en",
    )
    gateway.graph.templates["casebot_code_pt"] = Approved("casebot_code_pt", "pt_BR")

    response = await gateway.notice(code_notice())

    assert response.status_code == 200
    [sent] = gateway.whatsapp_sent()
    assert sent["template"]["language"] == {"code": "pt_BR"}


async def test_a_code_template_whatsapp_holds_in_another_language_answers_502(start):
    gateway = await start(
        whatsapp_code_template_name="casebot_code", whatsapp_template_language="de"
    )

    response = await gateway.notice(code_notice())

    assert response.status_code == 502
    [refused] = gateway.graph.sent
    assert refused["error_code"] == 132001


async def test_without_a_code_template_the_notice_template_still_carries_the_code(start):
    gateway = await start()

    response = await gateway.notice(code_notice())

    assert response.status_code == 200
    [sent] = gateway.whatsapp_sent()
    assert sent["template"]["name"] == "assistant_says"
    assert sent["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": CODE_WORDS.format(code="204775")}]}
    ]
