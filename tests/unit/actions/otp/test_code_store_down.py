"""A code store that cannot be written (its PostgreSQL down) is answered as a case system that is
away, "try again later", instead of failing the action."""

from __future__ import annotations

from pathlib import Path

from actions.kit.otp import OneTimeCodes
from actions.kit.settings import ActionSettings
from actions.otp.postgres import PostgresCodeStore
from common.postgres import open_pool
from tests.support.services import free_port
from tests.unit.actions.fakes import FakeCases, responses
from tests.unit.actions.otp.chat import Chat, Mailbox


async def test_a_code_store_that_is_down_is_answered_as_the_case_system_away(
    tmp_path: Path,
) -> None:
    settings = ActionSettings(
        outbox_db=tmp_path / "outbox.sqlite3", otp_email_sender="casebot@example.com"
    )
    pool = open_pool(f"postgresql://casebot:pw@127.0.0.1:{free_port()}/casebot", timeout=1)
    mailbox = Mailbox()
    codes = OneTimeCodes(settings, PostgresCodeStore(pool), email=mailbox, key=b"k" * 32)
    cases = FakeCases()
    cases.add("10000042", contact="kim@example.org", case_id="id-1")
    try:
        kim = Chat(cases, settings, codes)
        await kim.ask_status("10000042")
        said = await kim.give_contact("kim@example.org")
    finally:
        pool.close()

    assert responses(said) == ["utter_case_lookup_unavailable"]
    assert await codes.settle() == [] and mailbox.sent == [], "no code went that is not kept"


async def test_a_code_typed_while_the_code_store_is_down_is_answered_as_the_case_system_away(
    tmp_path: Path,
) -> None:
    settings = ActionSettings(
        outbox_db=tmp_path / "outbox.sqlite3", otp_email_sender="casebot@example.com"
    )
    pool = open_pool(f"postgresql://casebot:pw@127.0.0.1:{free_port()}/casebot", timeout=1)
    codes = OneTimeCodes(settings, PostgresCodeStore(pool), email=Mailbox(), key=b"k" * 32)
    try:
        said = await Chat(FakeCases(), settings, codes).give_code("123456")
    finally:
        pool.close()

    assert responses(said) == ["utter_case_lookup_unavailable"]
