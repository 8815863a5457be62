"""Fixtures the action and case back-end tests share: the template, settings, saved trackers,
and a PostgreSQL server (started the first time a test asks for a database on it)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from actions.kit.sdk import Tracker
from actions.kit.settings import ActionSettings
from cases.settings import CaseSettings
from cases.template import TemplateSpec, load_template_spec
from tests.support.databases import fresh_database
from tests.support.services import PostgresServer, postgres_server

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "unit" / "actions" / "data"
TEMPLATE_FILE = REPO / "data" / "case_template.yaml"


@pytest.fixture
def spec() -> TemplateSpec:
    return load_template_spec(TEMPLATE_FILE)


@pytest.fixture
def settings(tmp_path: Path) -> ActionSettings:
    return ActionSettings(
        default_phone_region="GB",
        outbox_db=tmp_path / "outbox.sqlite3",
        otp_db=tmp_path / "otp.sqlite3",
    )


@pytest.fixture
def case_settings() -> CaseSettings:
    return CaseSettings(
        case_backend="connect", case_template_file=TEMPLATE_FILE, assistant_name="casebot"
    )


def tracker_state(name: str) -> dict[str, Any]:
    """A saved tracker (as Rasa sends it to the action server) from tests/unit/actions/data."""
    state: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return state


@pytest.fixture
def load_tracker() -> Callable[..., Tracker]:
    def load(
        name: str, *, slots: dict[str, Any] | None = None, events: tuple[Any, ...] | list[Any] = ()
    ) -> Tracker:
        state = copy.deepcopy(tracker_state(name))
        state["slots"].update(slots or {})
        state["events"].extend(copy.deepcopy(list(events)))
        return Tracker.from_dict(state)

    return load


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    """A new, empty database on the session's server."""
    return fresh_database(postgres)
