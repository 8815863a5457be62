"""With ``ACTIONS_DATABASE_URL``, the erase command reaches the outbox and the one-time codes
every action server shares in PostgreSQL, and says so in its report; a server it cannot reach
fails the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.otp.postgres import PostgresCodeStore
from actions.otp.store import Code, Limits
from actions.outbox.postgres import PostgresOutbox
from cases.backend import CaseDraft
from common.erasure import Person
from common.postgres import open_pool
from privacy import erase as command
from privacy.erase import erase
from privacy.places import Places
from tests.support.services import free_port
from tests.unit.privacy.erase_places import places_in

ADA = Person(phone="+447700900123", email="ada@example.com")


def draft(contact: str, conversation: str) -> CaseDraft:
    return CaseDraft(
        title="Parcel lost",
        description="Never arrived.",
        contact=contact,
        priority="High",
        origin="webchat",
        conversation_id=conversation,
        channel="webchat",
    )


def nowhere(tmp_path: Path, url: str) -> Places:
    """Places where nothing but the PostgreSQL outbox exists."""
    return places_in(tmp_path / "nowhere", actions_database_url=url)


def test_the_command_erases_the_person_from_the_postgresql_outbox(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    pool = open_pool(postgres_url)
    outbox = PostgresOutbox(pool)
    outbox.put(draft("ada@example.com", "webchat:ada-browser"), "ada-by-contact")
    outbox.put(draft("+447700900999", "whatsapp:447700900123"), "ada-by-conversation")
    outbox.put(draft("bob@example.com", "webchat:bob-browser"), "bob")
    monkeypatch.chdir(tmp_path)
    # conversations kept in no SQL store: there is none to erase them from
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: InMemoryTrackerStore\n")
    environ = {
        "RASA_API_TOKEN": "x" * 40,
        "ACTIONS_DATABASE_URL": postgres_url,
        "OUTBOX_DB": str(tmp_path / "no-outbox.sqlite3"),
        "RASA_ENDPOINTS": str(tmp_path / "endpoints.yml"),
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    try:
        status = command.main(["--phone", "+447700900123", "--skip-cases"], environ)
        left = [outbox.get(key) is not None for key in ("ada-by-contact", "ada-by-conversation")]
        bob = outbox.get("bob")
    finally:
        pool.close()

    out = capsys.readouterr().out
    assert "  outbox submissions (PostgreSQL): 1" in out
    # the address was not given: only the submission of their WhatsApp conversation goes
    assert left == [True, False]
    assert bob is not None
    assert status == 0
    assert "NOT ERASED" not in out


async def test_an_outbox_server_that_cannot_be_reached_is_reported(tmp_path: Path) -> None:
    unreachable = f"postgresql://casebot:secret-pw@127.0.0.1:{free_port()}/casebot"

    places = nowhere(tmp_path, unreachable)
    report = await erase(ADA, places, None, "")

    assert report.failed == [
        "outbox submissions (PostgreSQL): PostgreSQL not reached (PoolTimeout)",
        "one-time codes (PostgreSQL): PostgreSQL not reached (PoolTimeout)",
    ]
    assert "secret-pw" not in "\n".join(report.lines())
    assert "secret-pw" not in repr(places)
    assert "  NOT ERASED outbox submissions (PostgreSQL): PostgreSQL not reached (PoolTimeout)" in (
        report.lines()
    )


async def test_the_report_names_the_postgresql_outbox_beside_the_file(
    postgres_url: str, tmp_path: Path
) -> None:
    pool = open_pool(postgres_url)
    codes = PostgresCodeStore(pool)
    for conversation in ("whatsapp:447700900123", "whatsapp:447700900999"):
        waiting = Code(conversation, "10000001", b"d" * 32, True, 5, 9e9)
        codes.issue(waiting, "10000001", Limits(10, 10))
    try:
        PostgresOutbox(pool).put(draft("ada@example.com", "webchat:x"), "k")
        report = await erase(ADA, nowhere(tmp_path, postgres_url), None, "")
        others = codes.attempt("whatsapp:447700900999", b"d" * 32).verdict.value
        hers = codes.attempt("whatsapp:447700900123", b"d" * 32).verdict.value
    finally:
        pool.close()

    assert report.removed == {
        "queued jobs": 0,
        "delivery records": 0,
        "outreach records": 0,
        "webchat inbox": 0,
        "live chats": 0,
        "outbox submissions": 0,
        "outbox submissions (PostgreSQL)": 1,
        "one-time codes": 0,
        # her WhatsApp conversation's code and the request it counted
        "one-time codes (PostgreSQL)": 2,
    }
    assert report.failed == []
    assert (hers, others) == ("none", "right")
