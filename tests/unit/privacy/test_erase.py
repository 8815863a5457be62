"""``python -m privacy.erase`` over every store, filled with two people: one goes, one stays."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from actions.otp.store import Code, Limits, SqliteCodeStore
from actions.outbox.sqlite import SqliteOutbox
from api.channels.twilio.store import TwilioDelivery, TwilioStore
from api.channels.webchat.inbox import WebchatInbox
from api.channels.whatsapp.store import Delivery, WhatsAppStore
from api.handoff.store import LiveChat, RelayStore
from api.jobs.sqlite import SqliteQueue
from api.outreach.records import OutreachRecords, Record
from cases.backend import BackendUnavailable, Case, CaseDraft, CaseFilter, Page
from common.erasure import Person
from common.tracker import Location
from privacy import erase as command
from privacy.cases import case_references
from privacy.erase import erase, person_of
from privacy.places import Places, tracker_location
from tests.support import rasa_tracker as rt
from tests.unit.privacy.erase_places import places_in

ADA = Person(phone="+447700900123", email="ada@example.com")
NOW = time.time()


class Cases:
    """Search as a back end answers it: pages of cases by their contact."""

    def __init__(self, contacts: dict[str, str]) -> None:
        self.contacts = contacts
        self.searched: list[CaseFilter] = []
        self.failure: Exception | None = None

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        self.searched.append(filter)
        if self.failure is not None:
            raise self.failure
        refs = sorted(ref for ref, contact in self.contacts.items() if contact == filter.contact)
        start = int(page or 0)
        chunk = refs[start : start + 1]
        more = str(start + 1) if start + 1 < len(refs) else None
        return Page(
            cases=[Case(case_id=f"id-{r}", ref=r, title="t", status="open") for r in chunk],
            next_token=more,
        )


@pytest.fixture
def places(tmp_path: Path) -> Places:
    media = tmp_path / "media"
    media.mkdir()
    return places_in(
        tmp_path,
        tracker=Location("sqlite", str(tmp_path / "rasa-tracker.db")),
        media_dirs=(media,),
        relay_db=tmp_path / "relay.sqlite3",
        otp_db=tmp_path / "otp.sqlite3",
    )


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def fill(places: Places) -> dict[str, Path]:
    """Two people everywhere: Ada (+447700900123, ada@example.com) and Bob."""
    media = places.media_dirs[0]
    files = {name: media / name for name in ("ada.jpg", "ada.pdf", "bob.jpg")}
    for file in files.values():
        file.write_bytes(b"data")
    assert places.tracker is not None
    db = rt.create(Path(places.tracker.db))

    def photo(path: Path) -> dict[str, str]:
        return {"id": path.stem, "mime_type": "image/jpeg", "path": str(path)}

    rt.add(
        db, "whatsapp:447700900123", [rt.user("/share_file", NOW, media=[photo(files["ada.jpg"])])]
    )
    rt.add(
        db,
        "webchat:ada-browser",
        [
            rt.slot("contact", "ada@example.com", NOW),
            rt.slot(
                "pending_files",
                [
                    {
                        "path": str(files["ada.pdf"]),
                        "name": "a.pdf",
                        "content_type": "application/pdf",
                    }
                ],
                NOW,
            ),
        ],
    )
    rt.add(
        db, "whatsapp:447700900999", [rt.user("/share_file", NOW, media=[photo(files["bob.jpg"])])]
    )
    rt.add(db, "webchat:bob-browser", [rt.slot("contact", "bob@example.com", NOW)])
    db.close()

    queue = SqliteQueue.open(places.whatsapp_db)
    await queue.enqueue("wamid.a", "447700900123", {"text": "hi"})
    await queue.enqueue("wamid.b", "447700900999", {"text": "hi"})
    await queue.close()
    whatsapp = WhatsAppStore.open(places.whatsapp_db)
    for wa_id in ("447700900123", "447700900999"):
        await whatsapp.record_delivery(Delivery(wa_id, "text", "sent", f"wamid.{wa_id}", 1))
    await whatsapp.close()
    twilio = TwilioStore.open(places.twilio_db)
    for phone in ("+447700900123", "+447700900999"):
        await twilio.record_delivery(TwilioDelivery(phone, "sent", "SM1", 1))
    await twilio.close()
    records = OutreachRecords.open(places.proactive_db)
    await records.add(Record("contact-a", "ivr", "sent", wa_id="447700900123"))
    await records.add(Record("contact-b", "ivr", "sent", wa_id="447700900999"))
    await records.close()
    notices = SqliteQueue.open(places.notice_db)
    # a notice for Ada's webchat conversation, found only through the tracker store
    await notices.enqueue("n-a", "webchat:ada-browser", {"kind": "case_filed"})
    await notices.enqueue("n-b", "webchat:bob-browser", {"kind": "case_filed"})
    await notices.close()
    inbox = WebchatInbox.open(places.notice_db)
    await inbox.add("webchat:ada-browser", [{"text": "Filed as C-1."}])
    await inbox.add("webchat:bob-browser", [{"text": "Filed as C-2."}])
    await inbox.close()
    assert places.relay_db is not None
    relay = RelayStore.open(places.relay_db)
    for number in ("447700900123", "447700900999"):
        await relay.put(
            LiveChat(
                conversation_id=f"whatsapp:{number}",
                channel="whatsapp",
                sender=number,
                contact_id=f"contact-{number}",
                participant_id=f"participant-{number}",
                participant_token="pt",
                connection_token="ct",
            )
        )
    await relay.close()
    outbox = SqliteOutbox(places.outbox_db)
    for contact, conversation in (
        ("ada@example.com", "webchat:ada-browser"),
        ("bob@example.com", "webchat:bob-browser"),
    ):
        outbox.put(
            CaseDraft(
                title="Parcel lost",
                description="Never arrived.",
                contact=contact,
                priority="High",
                origin="webchat",
                conversation_id=conversation,
                channel="webchat",
            ),
            f"key-{contact}",
        )
    assert places.otp_db is not None
    codes = SqliteCodeStore(places.otp_db)
    for conversation in ("whatsapp:447700900123", "webchat:ada-browser", "webchat:bob-browser"):
        code = Code(conversation, "10000001", b"digest", True, 5, time.time() + 600)
        assert codes.issue(code, "10000001", Limits(per_case=10, per_sender=10))
    return files


async def test_erase_removes_exactly_one_persons_data_and_reports_it(places: Places) -> None:
    files = await fill(places)
    cases = Cases(
        {"11111111": "+447700900123", "22222222": "ada@example.com", "33": "bob@example.com"}
    )

    report = await erase(ADA, places, cases, "Amazon Connect Cases")

    assert report.removed == {
        "conversations": 2,
        "conversation events": 3,
        "media files": 2,
        "queued jobs": 2,
        "delivery records": 2,
        "outreach records": 1,
        "webchat inbox": 1,
        "live chats": 1,
        "outbox submissions": 1,
        # a code and its request in each of Ada's two conversations
        "one-time codes": 4,
    }
    assert report.failed == []
    assert report.cases == ["11111111", "22222222"]
    assert {f.name for f in files.values() if f.exists()} == {"bob.jpg"}
    assert rt.senders(Path(places.tracker.db)) == {"whatsapp:447700900999", "webchat:bob-browser"}
    for path, table in [
        (places.whatsapp_db, "queue_jobs"),
        (places.whatsapp_db, "wa_deliveries"),
        (places.twilio_db, "twilio_deliveries"),
        (places.proactive_db, "outreach_records"),
        (places.notice_db, "queue_jobs"),
        (places.notice_db, "webchat_inbox"),
        (places.relay_db, "live_chats"),
        (places.outbox_db, "submissions"),
        (places.otp_db, "codes"),
        (places.otp_db, "code_requests"),
    ]:
        assert path is not None
        assert count(path, table) == 1, (path.name, table)
    lines = report.lines()
    assert "  conversations: 2" in lines
    assert "Cases in Amazon Connect Cases whose contact is theirs (not removed):" in lines
    assert "  11111111" in lines
    assert lines[-1] == (
        "An agent must delete these cases or redact their contact in Amazon Connect Cases."
    )

    again = await erase(ADA, places, cases, "Amazon Connect Cases")
    assert set(again.removed.values()) == {0}, "nothing of theirs is left to find"


async def test_a_store_that_cannot_be_reached_is_reported_and_the_rest_still_erased(
    places: Places, tmp_path: Path
) -> None:
    await fill(places)
    missing = Places(
        **{**places.__dict__, "tracker": Location("sqlite", str(tmp_path / "none.db"))}
    )
    cases = Cases({})
    cases.failure = BackendUnavailable("down")

    report = await erase(ADA, missing, cases, "Huawei AICC")

    assert [line.split(":")[0] for line in report.failed] == [
        "conversations",
        "case back end not searched (BackendUnavailable)",
    ]
    assert report.removed["queued jobs"] == 1
    assert not (tmp_path / "none.db").exists(), "no empty tracker store is made"


def test_contacts_are_normalised_as_the_assistant_keeps_them() -> None:
    assert person_of("07700 900123", "Ada@Example.COM", "GB") == ADA
    assert person_of("+44 7700 900123", None, "US").phone == "+447700900123"
    with pytest.raises(ValueError):
        person_of("call me", None, "GB")


def test_the_tracker_store_is_the_one_rasas_endpoints_name(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    sqlite_store = tracker_location(root / "bot/endpoints.yml", {"RASA_TRACKER_DB": "var/t.db"})
    assert sqlite_store == Location("sqlite", "var/t.db")
    environ = {
        "RASA_TRACKER_DB_HOST": "db",
        "RASA_TRACKER_DB_PORT": "5432",
        "RASA_TRACKER_DB_NAME": "rasa",
        "RASA_TRACKER_DB_USER": "rasa",
        "RASA_TRACKER_DB_PASSWORD": "secret",
    }
    postgres = tracker_location(root / "deploy/endpoints.yml", environ)
    assert postgres == Location("postgresql", "rasa", "db", 5432, "rasa", "secret")


def test_the_command_erases_from_the_stores_its_settings_name(
    places: Places, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import asyncio

    asyncio.run(fill(places))
    monkeypatch.chdir(tmp_path)
    assert places.tracker is not None
    environ = {
        "RASA_API_TOKEN": "x" * 40,
        "RASA_TRACKER_DB": places.tracker.db,
        "WHATSAPP_QUEUE_DB": str(places.whatsapp_db),
        "TWILIO_QUEUE_DB": str(places.twilio_db),
        "PROACTIVE_QUEUE_DB": str(places.proactive_db),
        "NOTICE_QUEUE_DB": str(places.notice_db),
        "OUTBOX_DB": str(places.outbox_db),
        "WHATSAPP_MEDIA_DIR": str(places.media_dirs[0]),
        "ACTIONS_MEDIA_DIR": str(places.media_dirs[0]),
        "RASA_ENDPOINTS": str(Path(__file__).resolve().parents[3] / "bot/endpoints.yml"),
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    status = command.main(["--phone", "07700 900123", "--skip-cases"], environ)

    assert status == 0
    out = capsys.readouterr().out
    assert "  conversations: 1" in out
    assert "  media files: 1" in out
    assert rt.senders(Path(places.tracker.db)) == {
        "webchat:ada-browser",
        "whatsapp:447700900999",
        "webchat:bob-browser",
    }


async def test_cases_are_found_under_the_address_as_the_assistant_kept_it() -> None:
    cases = Cases({"1": "Ada@example.com", "2": "ada@example.com", "3": "+447700900123"})

    found = await case_references(cases, ADA, ("Ada@example.com",))

    assert sorted(found) == ["1", "2", "3"]
    assert [f.contact for f in cases.searched].count("Ada@example.com") == 1
