"""The action server, started as rasa-sdk starts it, registers the domain's custom actions only.

rasa-sdk imports every module of the ``actions`` package and registers every ``Action`` subclass
it finds that is not abstract, building each with ``cls()``. Run in a fresh interpreter, so
nothing another test imported counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
# what ``python -m rasa_sdk --actions actions`` does before it serves
START = """
import json, sys
from rasa_sdk.executor import ActionExecutor

executor = ActionExecutor()
executor.register_package("actions")
print(json.dumps({"actions": sorted(executor.actions), "modules": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def started() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", START],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def domain_actions() -> set[str]:
    names: set[str] = set()
    for path in sorted((REPO / "bot" / "domain").glob("*.yml")):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update(name for name in domain.get("actions") or [] if not name.startswith("utter_"))
    return names


def test_the_registered_actions_are_exactly_the_domains_custom_actions(
    started: dict[str, Any],
) -> None:
    # the base actions (CaseAction, GatewayAction) are abstract, so never registered
    assert set(started["actions"]) == domain_actions()


def test_starting_the_action_server_imports_no_provisioning(started: dict[str, Any]) -> None:
    modules = set(started["modules"])

    assert "actions.triggered" in modules
    assert {name for name in modules if name.startswith("cases.provision")} == set()
