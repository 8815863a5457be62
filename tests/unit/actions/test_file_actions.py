"""Files users send: kept during the case form, attached after the create, at once, or on a pick."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import ANN_PHONE, FakeCases, entity, responses, tracker, whatsapp
from rasa_sdk.events import SlotSet

from actions.cases import ActionCreateCase
from actions.files import ActionAttachFiles, ActionShareFile
from actions.forms import ValidateCaseForm
from actions.kit.sdk import CollectingDispatcher, Tracker
from actions.kit.settings import ActionSettings
from actions.triggered import ActionCaseFiled

LoadTracker = Callable[..., Tracker]
FORM_DOMAIN: dict[str, Any] = {
    "forms": {
        "case_form": {
            "required_slots": ["title", "description", "contact", "priority", "origin", "confirmed"]
        }
    },
    "slots": {},
}
PHOTO = b"\xff\xd8\xff\xe0 a photo of the router"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    return folder


@pytest.fixture
def file_settings(settings: ActionSettings, media: Path) -> ActionSettings:
    return settings.model_copy(
        update={"actions_media_dir": media, "attachment_max_bytes": 1024 * 1024}
    )


def sent(path: Path | str, mime: str = "image/jpeg", filename: str | None = None) -> dict[str, Any]:
    """WhatsApp metadata for a message whose media the gateway saved at ``path``."""
    item = {"id": "wamid-media-1", "mime_type": mime, "filename": filename, "path": str(path)}
    return {**whatsapp(), "media": [item]}


def pending(path: Path, name: str = "image-wamid-media-1.jpg") -> list[dict[str, str]]:
    return [{"path": str(path), "name": name, "content_type": "image/jpeg"}]


async def test_files_sent_while_the_form_ran_are_attached_right_after_the_case_is_created(
    file_settings: ActionSettings, media: Path, load_tracker: LoadTracker
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    cases = FakeCases()
    dispatcher = CollectingDispatcher()

    events = await ActionCreateCase(cases, file_settings).run(
        dispatcher, load_tracker("confirmed_case", slots={"pending_files": pending(photo)}), {}
    )

    [(ref, attachment, _)] = cases.files
    assert (attachment.name, attachment.content_type, attachment.data) == (
        "image-wamid-media-1.jpg",
        "image/jpeg",
        PHOTO,
    )
    assert SlotSet("case_ref", f"{ref}#id-{ref}") in events
    assert events[-1] == SlotSet("pending_files", None)
    assert responses(dispatcher.messages) == ["utter_case_created", "utter_file_attached"]


async def test_a_file_sent_during_the_form_is_kept_and_its_caption_answers_the_title(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    dispatcher = CollectingDispatcher()
    turn = tracker(
        text='/share_file{"caption": "Router shows a red light"}',
        intent="share_file",
        entities=[entity("caption", "Router shows a red light")],
        metadata=sent(photo),
        slots={"requested_slot": "title"},
    )

    events = await ValidateCaseForm(FakeCases(), file_settings).run(dispatcher, turn, FORM_DOMAIN)

    assert SlotSet("title", "Router shows a red light") in events
    assert SlotSet("pending_files", pending(photo)) in events
    assert responses(dispatcher.messages) == ["utter_files_kept_for_case"]


async def test_a_file_without_a_caption_answers_nothing_but_is_still_kept(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    turn = tracker(
        text='/share_file{"caption": "[image]"}',
        intent="share_file",
        entities=[entity("caption", "[image]")],
        metadata=sent(photo),
        slots={"requested_slot": "description", "origin": "WhatsApp"},
    )

    events = await ValidateCaseForm(FakeCases(), file_settings).run(
        CollectingDispatcher(), turn, FORM_DOMAIN
    )

    assert [e["name"] for e in events if e.get("event") == "slot"] == ["pending_files"]


async def test_a_file_for_the_case_at_hand_is_attached_at_once(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    turn = tracker(intent="share_file", metadata=sent(photo), slots={"case_ref": "12345678"})

    events = await ActionShareFile(cases, file_settings).run(dispatcher, turn, {})

    assert [(ref, file.data) for ref, file, _ in cases.files] == [("12345678", PHOTO)]
    assert events == []
    assert responses(dispatcher.messages) == ["utter_file_attached"]


async def test_a_path_outside_the_media_folder_is_refused_and_nothing_is_read(
    file_settings: ActionSettings, media: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF private")
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    sneaky = media / ".." / "secret.pdf"
    turn = tracker(
        intent="share_file",
        metadata=sent(sneaky, mime="application/pdf"),
        slots={"case_ref": "12345678"},
    )

    await ActionShareFile(cases, file_settings).run(dispatcher, turn, {})

    assert cases.files == []
    assert [(m["response"], m["reason"]) for m in dispatcher.messages] == [
        ("utter_file_refused", "it is not a file I received from you.")
    ]


async def test_a_file_over_the_size_limit_is_refused_with_a_clear_sentence(
    file_settings: ActionSettings, media: Path
) -> None:
    big = media / "wamid-media-1.jpg"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    turn = tracker(intent="share_file", metadata=sent(big), slots={"case_ref": "12345678"})

    await ActionShareFile(cases, file_settings).run(dispatcher, turn, {})

    assert cases.files == []
    assert [(m["file_name"], m["reason"]) for m in dispatcher.messages] == [
        ("image-wamid-media-1.jpg", "it is bigger than the 1 MB I can attach to a case.")
    ]


async def test_a_typed_share_file_without_gateway_media_attaches_nothing(
    file_settings: ActionSettings,
) -> None:
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    # whatever a webchat client sends travels under "client", never as the gateway's media
    turn = tracker(
        text="/share_file",
        intent="share_file",
        metadata={**whatsapp(), "client": {"media": [{"path": "/etc/passwd"}]}},
        slots={"case_ref": "12345678"},
    )

    events = await ActionShareFile(cases, file_settings).run(dispatcher, turn, {})

    assert (events, cases.files) == ([], [])
    assert responses(dispatcher.messages) == ["utter_ask_rephrase"]


async def test_without_a_case_at_hand_the_file_waits_and_goes_to_the_case_picked(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    cases.add("87654321", contact="+447700900999")
    # her newest case, but closed: not offered
    cases.add("11111111", contact=ANN_PHONE, status="closed", age=timedelta(hours=1))
    asked = CollectingDispatcher()

    events = await ActionShareFile(cases, file_settings).run(
        asked, tracker(intent="share_file", metadata=sent(photo)), {}
    )

    assert events == [SlotSet("pending_files", pending(photo))]
    assert responses(asked.messages) == ["utter_ask_file_case"]
    assert [b["payload"] for b in asked.messages[0]["buttons"]] == [
        '/attach_files{"case_ref": "12345678#id-12345678"}',
        "/open_case",
    ]

    # someone else's case is answered like one that does not exist
    other = CollectingDispatcher()
    pick = tracker(
        intent="attach_files",
        entities=[entity("case_ref", "87654321")],
        metadata=whatsapp(),
        slots={"pending_files": pending(photo)},
    )
    assert await ActionAttachFiles(cases, file_settings).run(other, pick, {}) == []
    assert responses(other.messages) == ["utter_case_not_found"]
    assert cases.files == []

    own = CollectingDispatcher()
    pick = tracker(
        intent="attach_files",
        entities=[entity("case_ref", "12345678")],
        metadata=whatsapp(),
        slots={"pending_files": pending(photo)},
    )
    events = await ActionAttachFiles(cases, file_settings).run(own, pick, {})

    assert [(ref, file.data) for ref, file, _ in cases.files] == [("12345678", PHOTO)]
    assert events == [SlotSet("pending_files", None), SlotSet("case_ref", "12345678#id-12345678")]
    assert responses(own.messages) == ["utter_file_attached"]


async def test_files_sent_for_a_case_filed_later_are_attached_when_it_is_filed(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    cases = FakeCases()
    cases.add("10000042", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    # as Rasa records the turn the gateway starts through trigger_intent
    notice = tracker(
        intent="case_filed",
        entities=[entity("case_ref", "10000042")],
        metadata={"is_external": True},
        slots={"pending_files": pending(photo)},
        sender="whatsapp:447700900123",
    )

    events = await ActionCaseFiled(cases, file_settings).run(dispatcher, notice, {})

    assert [(ref, file.data) for ref, file, _ in cases.files] == [("10000042", PHOTO)]
    assert events[-1] == SlotSet("pending_files", None)
    assert responses(dispatcher.messages) == ["utter_case_filed_later", "utter_file_attached"]


async def test_a_link_inside_the_media_folder_to_a_file_outside_is_refused(
    file_settings: ActionSettings, media: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(PHOTO)
    link = media / "wamid-media-1.jpg"
    link.symlink_to(secret)
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    turn = tracker(intent="share_file", metadata=sent(link), slots={"case_ref": "12345678"})

    await ActionShareFile(cases, file_settings).run(dispatcher, turn, {})

    assert cases.files == []
    assert responses(dispatcher.messages) == ["utter_file_refused"]


async def test_a_file_the_gateway_could_not_fetch_or_of_a_type_not_taken_is_explained(
    file_settings: ActionSettings, media: Path
) -> None:
    voice = media / "wamid-media-2.ogg"
    voice.write_bytes(b"OggS")
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    metadata = {
        **whatsapp(),
        "media": [
            {"id": "wamid-media-1", "mime_type": "image/png", "filename": None, "path": None},
            {"id": "wamid-media-2", "mime_type": "audio/ogg", "path": str(voice)},
        ],
    }
    turn = tracker(intent="share_file", metadata=metadata, slots={"case_ref": "12345678"})

    assert await ActionShareFile(cases, file_settings).run(dispatcher, turn, {}) == []

    assert cases.files == []
    # the extension of a name made up for a file follows the machine's MIME table
    assert [(m["file_name"].split(".")[0], m["reason"]) for m in dispatcher.messages] == [
        ("image-wamid-media-1", "it did not reach me. Could you send it again?"),
        ("audio-wamid-media-2", "I can only attach JPEG or PNG images, PDFs and Word documents."),
    ]


async def test_a_file_the_gateway_left_out_for_its_kind_or_size_is_explained_as_such(
    file_settings: ActionSettings,
) -> None:
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    dispatcher = CollectingDispatcher()
    metadata = {
        **whatsapp(),
        "media": [
            {"id": "m1", "mime_type": "video/mp4", "path": None, "refused": "type"},
            {"id": "m2", "mime_type": "application/pdf", "path": None, "refused": "size"},
        ],
    }
    turn = tracker(intent="share_file", metadata=metadata, slots={"case_ref": "12345678"})

    await ActionShareFile(cases, file_settings).run(dispatcher, turn, {})

    assert cases.files == []
    assert [m["reason"] for m in dispatcher.messages] == [
        "I can only attach JPEG or PNG images, PDFs and Word documents.",
        "it is bigger than I can take.",
    ]


async def test_the_words_sent_with_a_file_go_on_the_case_as_a_comment(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    cases = FakeCases()
    cases.add("12345678", contact=ANN_PHONE)
    turn = tracker(
        intent="share_file",
        entities=[entity("caption", "the box was crushed like this")],
        metadata=sent(photo),
        slots={"case_ref": "12345678"},
    )

    await ActionShareFile(cases, file_settings).run(CollectingDispatcher(), turn, {})

    assert [ref for ref, _, _ in cases.files] == ["12345678"]
    assert [(ref, text) for ref, text, _ in cases.comments] == [
        (
            "12345678",
            "The customer wrote with image-wamid-media-1.jpg: the box was crushed like this",
        )
    ]


async def test_a_caption_that_answers_no_question_of_the_form_is_kept_with_the_file(
    file_settings: ActionSettings, media: Path
) -> None:
    photo = media / "wamid-media-1.jpg"
    photo.write_bytes(PHOTO)
    turn = tracker(
        intent="share_file",
        entities=[entity("caption", "the box was crushed like this")],
        metadata=sent(photo),
        slots={"requested_slot": "contact", "origin": "WhatsApp"},
    )

    events = await ValidateCaseForm(FakeCases(), file_settings).run(
        CollectingDispatcher(), turn, FORM_DOMAIN
    )

    [kept] = [e["value"] for e in events if e.get("name") == "pending_files"]
    assert kept == [{**pending(photo)[0], "caption": "the box was crushed like this"}]
