"""A file attached to an AICC case, through httpx, against the AICC stand-in: a comment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.token import DEFAULT_TOKEN_PATH, AiccTokenSource
from cases.backend import Attachment, CaseDraft, CaseNotFound
from cases.template import load_template_spec
from sandbox.aicc.standin import create_stand_in
from sandbox.calls import CallCounter
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
CASE_TYPES = load_case_types(REPO / "data" / "aicc" / "case_types.yaml")


@pytest.fixture
async def aicc(tmp_path: Path) -> AsyncIterator[tuple[AiccBackend, httpx.AsyncClient]]:
    settings = SandboxSettings(db_path=tmp_path / "sandbox.sqlite3", seed_file=None)
    stand_in = create_stand_in(settings, CallCounter())
    with stand_in.lifetime():
        transport = httpx.ASGITransport(app=stand_in.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://aicc") as http:
            backend = AiccBackend(
                http,
                base_url="http://aicc",
                tokens=AiccTokenSource(
                    http,
                    "http://aicc" + DEFAULT_TOKEN_PATH,
                    "sandbox-aicc-key",
                    "sandbox-aicc-secret",
                ),
                spec=load_template_spec(REPO / "data" / "case_template.yaml"),
                case_type_id="casebot",
                case_type=CASE_TYPES["casebot"],
                creator_id="casebot",
                store=SqliteIdempotencyStore(tmp_path / "keys.sqlite3"),
            )
            yield backend, http


async def test_attached_file_becomes_a_comment_naming_it_its_type_and_size(
    aicc: tuple[AiccBackend, httpx.AsyncClient],
) -> None:
    backend, http = aicc
    case = await backend.create_case(
        CaseDraft(
            title="Screen cracked",
            description="Dropped it",
            contact="ada@example.com",
            priority="High",
            origin="",
            conversation_id="whatsapp:447700900123",
            channel="whatsapp",
        ),
        "k-1",
    )
    photo = Attachment(name="screen.png", content_type="image/png", data=b"p" * 2048)

    await backend.attach_file(case.ref, photo)

    comments = (await http.get(f"/_aicc/cases/{case.ref}/comments")).json()
    assert [comment["content"] for comment in comments] == [
        "The customer sent a file: screen.png (image/png, 2.0 KB). It could not be uploaded "
        "to AICC; ask the customer for it if it is needed."
    ]


async def test_a_file_for_a_case_that_does_not_exist_raises_case_not_found(
    aicc: tuple[AiccBackend, httpx.AsyncClient],
) -> None:
    backend, _ = aicc
    with pytest.raises(CaseNotFound):
        await backend.attach_file(
            "nope", Attachment(name="a.pdf", content_type="application/pdf", data=b"x")
        )
