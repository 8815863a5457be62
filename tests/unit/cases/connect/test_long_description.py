"""A description longer than Connect's field, from the form to the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from actions.cases import ActionCreateCase
from actions.forms import ValidateCaseForm
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from cases.connect.backend import ConnectCasesBackend
from cases.longtext import CONTINUED_MARKER

TEXT = "".join(
    f"Day {day}: the router dropped the line at {day % 24:02d}:15 and came back after ten "
    "minutes, with the power light blinking orange the whole time.\n"
    for day in range(1, 251)
)


async def test_30000_character_description_ends_in_the_field_and_in_comments(
    connect: ConnectCasesBackend,
    stubs: Any,
    settings: ActionSettings,
    load_tracker: Callable[..., Tracker],
) -> None:
    assert 30_000 <= len(TEXT) < 45_000
    form = ValidateCaseForm(connect, settings)
    told = CollectingDispatcher()
    stubs.warm_up()

    asked = load_tracker("webchat_form_in_progress")
    filled = await form.validate_description(TEXT, told, asked, {})

    assert filled == {"description": TEXT.strip()}
    assert [m["response"] for m in told.messages] == ["utter_description_continued"]

    sent: dict[str, Any] = {}
    stubs.stubber.client.meta.events.register(
        "provide-client-params.connectcases.*",
        lambda params, model, **_: sent.setdefault(model.name, []).append(params),
    )
    stubs.stubber.add_response("create_case", {"caseId": "case-9", "caseArn": "arn:aws:cases:c9"})
    stubs.stubber.add_response(
        "get_case", {"fields": stubs.case_fields(reference_number="50001"), "templateId": "t"}
    )
    stubs.stubber.add_response("search_related_items", {"relatedItems": []})
    for _ in range(3):
        stubs.stubber.add_response(
            "create_related_item", {"relatedItemId": "ri", "relatedItemArn": "arn:aws:cases:ri"}
        )
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("confirmed_case", slots=filled)

    await ActionCreateCase(connect, settings).run(dispatcher, tracker, {})

    assert [(m["response"], m.get("case_ref")) for m in dispatcher.messages] == [
        ("utter_case_created", "50001")
    ]
    [create] = sent["CreateCase"]
    [field] = [f for f in create["fields"] if f["id"] == stubs.description_id]
    stored = field["value"]["stringValue"]
    assert len(stored) <= 4100
    assert stored.endswith(CONTINUED_MARKER)
    assert TEXT.startswith(stored.removesuffix(CONTINUED_MARKER))
    bodies = [item["content"]["comment"]["body"] for item in sent["CreateRelatedItem"]]
    assert all(len(body) <= 15_000 for body in bodies)
    assert [body.split("\n", 1)[0] for body in bodies] == [
        "Full description (part 1 of 3):",
        "Full description (part 2 of 3):",
        "Full description (part 3 of 3):",
    ]
    assert "".join(body.split("\n", 1)[1] for body in bodies) == TEXT.strip()
