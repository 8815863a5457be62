"""A case's contact is verified only when the channel or a signed identity vouches for it."""

from __future__ import annotations

from typing import Any

from actions.cases import ActionAskConfirmed, ActionCreateCase
from actions.kit.sdk import CollectingDispatcher
from actions.kit.settings import ActionSettings
from cases.backend import BackendUnavailable, CaseDraft
from tests.unit.actions.fakes import ANN_PHONE, tracker, webchat_identity, whatsapp

OTHER_PHONE = "+447700900999"
FORM = {
    "title": "Router keeps dropping",
    "description": "The router restarts every hour since Monday.",
    "priority": "High",
    "origin": "WhatsApp",
    "channel": "whatsapp",
    "confirmed": True,
}


async def create(
    backend: Any, settings: ActionSettings, contact: str, metadata: dict[str, Any]
) -> tuple[CaseDraft, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    confirmed = tracker(intent="affirm", metadata=metadata, slots={**FORM, "contact": contact})
    await ActionCreateCase(backend, settings).run(dispatcher, confirmed, {})
    [(draft, _)] = backend.creates
    return draft, dispatcher.messages


async def test_a_whatsapp_senders_own_number_is_verified_and_nothing_more_is_said(
    backend: Any, settings: ActionSettings
) -> None:
    draft, said = await create(backend, settings, ANN_PHONE, whatsapp(ANN_PHONE))

    assert draft.contact_verified is True
    assert [message["response"] for message in said] == ["utter_case_created"]


async def test_a_typed_number_other_than_the_senders_is_unverified_and_the_customer_told(
    backend: Any, settings: ActionSettings
) -> None:
    draft, said = await create(backend, settings, OTHER_PHONE, whatsapp(ANN_PHONE))

    assert draft.contact == OTHER_PHONE
    assert draft.contact_verified is False
    assert said[0]["response"] == "utter_case_created"
    assert said[1]["text"] == (
        f"I couldn't confirm that {OTHER_PHONE} is yours, so nothing will be sent there "
        "automatically: our team may still use it to reach you. Ask me here about case "
        "00000001 whenever you like."
    )


async def test_a_signed_identitys_email_is_verified_whatever_the_case_of_its_letters(
    backend: Any, settings: ActionSettings
) -> None:
    metadata = webchat_identity(sub="u-1", email="Ann.Smith@Example.org")

    draft, said = await create(backend, settings, "ann.smith@example.org", metadata)

    assert draft.contact_verified is True
    assert len(said) == 1


async def test_an_email_only_the_browser_claims_is_not_verified(
    backend: Any, settings: ActionSettings
) -> None:
    # what the client sends travels under "client", where nothing is vouched for
    metadata = {"channel": "webchat", "client": {"email": "ann@example.org"}}

    draft, _ = await create(backend, settings, "ann@example.org", metadata)

    assert draft.contact_verified is False


async def test_an_anonymous_webchat_contact_is_not_verified(
    backend: Any, settings: ActionSettings
) -> None:
    draft, _ = await create(backend, settings, ANN_PHONE, {"channel": "webchat"})

    assert draft.contact_verified is False


async def test_a_case_kept_for_later_with_a_typed_contact_is_told_so_too(
    backend: Any, settings: ActionSettings
) -> None:
    backend.failures.append(BackendUnavailable("down"))

    draft, said = await create(backend, settings, OTHER_PHONE, whatsapp(ANN_PHONE))

    assert draft.contact_verified is False
    assert said[0]["response"] == "utter_case_queued"
    assert said[1]["text"].startswith(f"I couldn't confirm that {OTHER_PHONE} is yours")
    assert said[1]["text"].endswith("Ask me here about your case whenever you like.")


async def read_back(settings: ActionSettings, contact: str, metadata: dict[str, Any]) -> str:
    dispatcher = CollectingDispatcher()
    asked = tracker(intent="inform", metadata=metadata, slots={**FORM, "contact": contact})
    await ActionAskConfirmed(settings=settings).run(dispatcher, asked, {})
    [message] = dispatcher.messages
    return str(message["text"])


async def test_the_read_back_says_a_typed_contact_gets_no_updates_before_the_yes(
    settings: ActionSettings,
) -> None:
    typed = await read_back(settings, OTHER_PHONE, whatsapp(ANN_PHONE))
    own = await read_back(settings, ANN_PHONE, whatsapp(ANN_PHONE))

    assert (
        f"Contact: {OTHER_PHONE} (not confirmed as yours, so no updates will be sent there)\n"
        in typed
    )
    assert f"Contact: {ANN_PHONE}\n" in own
