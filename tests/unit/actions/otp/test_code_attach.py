"""A file for a case the customer may not see waits for a one-time code, offered as for a status
or a change, and goes on the case once the code is right."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.files import ActionAttachFiles
from actions.kit.otp import OneTimeCodes
from actions.kit.settings import ActionSettings
from actions.otp.store import SqliteCodeStore
from tests.unit.actions.fakes import FakeCases, entity, responses, whatsapp
from tests.unit.actions.otp.chat import Chat, Mailbox

PHOTO = b"\xff\xd8\xff\xe0 the meter reading"
OWNER = "bo@example.org"


@pytest.fixture
def outbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def otp_settings(tmp_path: Path) -> ActionSettings:
    media = tmp_path / "media"
    media.mkdir()
    return ActionSettings(
        outbox_db=tmp_path / "outbox.sqlite3",
        otp_db=tmp_path / "otp.sqlite3",
        otp_email_sender="casebot@example.com",
        actions_media_dir=media,
        attachment_max_bytes=1024 * 1024,
    )


@pytest.fixture
def codes(otp_settings: ActionSettings, outbox: Mailbox) -> OneTimeCodes:
    store = SqliteCodeStore(otp_settings.otp_db)
    return OneTimeCodes(otp_settings, store, email=outbox, key=b"k" * 32)


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    # opened by email: the WhatsApp number the customer writes from is not on it
    cases.add("87654321", title="Meter", contact=OWNER)
    return cases


def waiting_photo(otp_settings: ActionSettings) -> list[dict[str, str]]:
    photo = otp_settings.actions_media_dir / "wamid-media-7.jpg"
    photo.write_bytes(PHOTO)
    return [{"path": str(photo), "name": "meter.jpg", "content_type": "image/jpeg"}]


def chat(cases: FakeCases, otp_settings: ActionSettings, codes: OneTimeCodes) -> Chat:
    bo = Chat(cases, otp_settings, codes, metadata=whatsapp())
    bo.slots["pending_files"] = waiting_photo(otp_settings)
    return bo


async def attach_to(bo: Chat, ref: str) -> list[dict[str, object]]:
    picked = f'/attach_files{{"case_ref": "{ref}"}}'
    return await bo.turn(ActionAttachFiles, picked, "attach_files", [entity("case_ref", ref)])


async def test_a_right_code_attaches_the_file_that_waited(
    cases: FakeCases, otp_settings: ActionSettings, codes: OneTimeCodes, outbox: Mailbox
) -> None:
    bo = chat(cases, otp_settings, codes)

    offered = await attach_to(bo, "87654321")
    assert responses(offered) == ["utter_offer_code"]
    assert cases.files == []
    assert responses(await bo.give_contact(OWNER)) == ["utter_code_on_its_way"]
    await codes.settle()
    [(to, code)] = outbox.sent
    said = await bo.give_code(code, then=ActionAttachFiles)

    assert to == OWNER
    assert responses(said) == ["utter_code_right", "utter_file_attached"]
    assert [(ref, file.name, file.data) for ref, file, _ in cases.files] == [
        ("87654321", "meter.jpg", PHOTO)
    ]
    assert (bo.slots["pending_files"], bo.slots["otp_resume"]) == (None, None)


async def test_the_offer_for_a_file_is_the_offer_for_a_status_word_for_word(
    cases: FakeCases, otp_settings: ActionSettings, codes: OneTimeCodes
) -> None:
    for ref in ("87654321", "99999999"):
        for_file = await attach_to(chat(cases, otp_settings, codes), ref)
        for_status = await chat(cases, otp_settings, codes).ask_status(ref)
        assert for_file == for_status


async def test_a_wrong_code_attaches_nothing_and_the_file_still_waits(
    cases: FakeCases, otp_settings: ActionSettings, codes: OneTimeCodes, outbox: Mailbox
) -> None:
    bo = chat(cases, otp_settings, codes)
    await attach_to(bo, "87654321")
    await bo.give_contact("someone@example.org")

    said = await bo.give_code("000000", then=ActionAttachFiles)

    assert responses(said) == ["utter_code_wrong"]
    assert cases.files == [] and outbox.sent == []
    assert bo.slots["pending_files"] == waiting_photo(otp_settings)


async def test_codes_for_files_count_against_the_same_hourly_limit(
    cases: FakeCases, otp_settings: ActionSettings, codes: OneTimeCodes
) -> None:
    answers = []
    for _ in range(otp_settings.otp_per_case_per_hour + 1):
        bo = chat(cases, otp_settings, codes)
        await attach_to(bo, "87654321")
        answers += responses(await bo.give_contact(OWNER))

    assert answers[-2:] == ["utter_code_on_its_way", "utter_code_limit"]
