"""Two cases with one reference number, as Connect Cases allows: no look-up picks either.

The stand-in numbers its cases one after another; the test gives a second case the first one's
number in the stand-in's database, which the service's promise (none) allows.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cases.backend import CaseDraft, Conflict
from cases.connect.backend import ConnectCasesBackend
from cases.template import load_template_spec
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
def server(
    db_path: Path,
    start_sandbox: Callable[[SandboxSettings], Any],
    sandbox_settings: Callable[..., SandboxSettings],
) -> Any:
    return start_sandbox(sandbox_settings(db_path))


def backend_over(server: Any, ids: Any) -> ConnectCasesBackend:
    return ConnectCasesBackend(server.client(), ids.domain, ids.template, spec=SPEC)


def draft(contact: str) -> CaseDraft:
    return CaseDraft(
        title="Parcel lost",
        description="The parcel never arrived.",
        contact=contact,
        priority="High",
        origin="WhatsApp",
        conversation_id=f"whatsapp:{uuid.uuid4().hex[:10]}",
        channel="whatsapp",
    )


def give_reference(db_path: Path, case_id: str, ref: str) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE cases SET reference_number = ? WHERE case_id = ?", (int(ref), case_id))
        conn.execute(
            "UPDATE case_fields SET value = ? WHERE case_id = ? AND field_id = 'reference_number'",
            (json.dumps({"stringValue": ref}), case_id),
        )
    conn.close()


async def test_a_reference_two_cases_share_is_refused_not_answered_with_either(
    server: Any, ids: Any, db_path: Path
) -> None:
    mine = await backend_over(server, ids).create_case(draft("ada@example.com"), "k-1")
    theirs = await backend_over(server, ids).create_case(draft("bob@example.com"), "k-2")
    give_reference(db_path, theirs.case_id, mine.ref)
    backend = backend_over(server, ids)

    with pytest.raises(Conflict, match="more than one case"):
        await backend.get_case(mine.ref)
    with pytest.raises(Conflict):
        await backend.update_case(mine.ref, {"priority": "Low"})
    with pytest.raises(Conflict):
        await backend.add_comment(mine.ref, "Meant for one case only.")


async def test_a_remembered_reference_found_shared_later_is_not_used_again(
    server: Any, ids: Any, db_path: Path
) -> None:
    backend = backend_over(server, ids)
    mine = await backend.create_case(draft("ada@example.com"), "k-1")
    await backend.add_comment(mine.ref, "Remembered: this needs no search.")
    theirs = await backend_over(server, ids).create_case(draft("bob@example.com"), "k-2")
    give_reference(db_path, theirs.case_id, mine.ref)

    with pytest.raises(Conflict):
        await backend.get_case(mine.ref)
    # the reference is forgotten: a comment searches again and is refused, not filed on a guess
    with pytest.raises(Conflict):
        await backend.add_comment(mine.ref, "Meant for one case only.")
