"""Live mode of the contract suite: off unless switched on, and then aimed at the real service.

The gate below is the one live test of each back end that always exists: with its switch off it
skips with that back end's one reason, so ``pytest -m live`` says what to set; with it on it
fails when the environment would not reach the real service. The other tests prove, in a
separate pytest process, which tests each setting selects.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from contract_live import (
    SWITCH,
    TITLE_PREFIX,
    Labelled,
    off_reason,
    problems,
    stand_in_only,
    switched_on,
)

from cases.backend import CaseBackend, CaseDraft

REPO = Path(__file__).resolve().parents[4]
HERE = Path(__file__).resolve().parent.relative_to(REPO).as_posix()
GATE = f"{HERE}/test_contract_live.py::test_live_run_reaches_the_real_service"


@pytest.mark.live
@pytest.mark.parametrize("kind", ["connect", "aicc"])
def test_live_run_reaches_the_real_service(kind: str) -> None:
    if not switched_on(kind):
        pytest.skip(off_reason(kind))
    assert problems(kind) == []


def pytest_run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Pytest on this folder in a process of its own, with no live switch but those in ``env``."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if name not in SWITCH.values() and name != "PYTEST_ADDOPTS"
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, HERE],
        cwd=REPO,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def collected(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line for line in result.stdout.splitlines() if "::" in line and " " not in line}


def test_with_no_switch_set_a_live_run_selects_only_the_gates_and_skips_once_per_back_end() -> None:
    result = pytest_run("-m", "live", "-rs", "-v")

    assert result.returncode == 0, result.stdout + result.stderr
    ran = dict(re.findall(r"^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED)", result.stdout, re.M))
    assert ran == {f"{GATE}[connect]": "SKIPPED", f"{GATE}[aicc]": "SKIPPED"}
    reasons = re.findall(r"^SKIPPED \[1\] \S+: (.*)$", result.stdout, re.M)
    assert sorted(reasons) == sorted([off_reason("connect"), off_reason("aicc")])
    assert re.search(r"\b2 skipped, \d+ deselected\b", result.stdout)


def test_with_no_switch_set_no_contract_test_is_collected_on_a_real_back_end() -> None:
    result = pytest_run("--collect-only", "-q")

    ids = collected(result)
    assert f"{HERE}/test_contract_cases.py::test_create_reads_back_every_value_filed[aicc]" in ids
    assert [i for i in ids if "-live]" in i] == []


def test_with_a_switch_set_every_contract_test_runs_live_but_those_needing_the_stand_in() -> None:
    result = pytest_run("--collect-only", "-q", "-m", "live", CASEBOT_LIVE_AICC="1")

    ids = collected(result)
    cases, errors = f"{HERE}/test_contract_cases.py::", f"{HERE}/test_contract_errors.py::"
    assert {
        f"{cases}test_create_reads_back_every_value_filed[aicc-live]",
        f"{cases}test_concurrent_creates_with_one_key_file_one_case[aicc-live]",
        f"{cases}test_linked_contact_finds_its_case[aicc-live]",
        f"{errors}test_a_draft_the_template_rejects_raises_invalid_case_and_files_nothing"
        "[aicc-live-title-missing]",
        f"{GATE}[connect]",
        f"{GATE}[aicc]",
    } <= ids
    # AICC has no call that reads comments; faults and call counts exist only in the sandbox
    assert not ids & {
        f"{cases}test_comments_are_stored_on_the_case_in_order[aicc-live]",
        f"{errors}test_a_blank_comment_raises_invalid_case[aicc-live]",
        f"{errors}test_every_call_to_a_back_end_that_is_down_raises_backend_unavailable"
        "[aicc-live-down]",
        f"{errors}test_every_call_to_a_throttling_back_end_raises_throttled[aicc-live]",
        f"{errors}test_an_update_that_changes_nothing_raises_invalid_case[aicc-live]",
    }
    assert not [i for i in ids if "connect-live" in i]
    assert not [i for i in ids if "test_contract_call_counts" in i or "case_life" in i]
    assert all(i.startswith(GATE) or "[aicc-live" in i for i in ids)


def test_stand_in_only_names_the_back_ends_it_keeps_off_live() -> None:
    every, aicc = [pytest.mark.standin_only.mark], [pytest.mark.standin_only("aicc").mark]

    assert stand_in_only(every, "connect") and stand_in_only(every, "aicc")
    assert stand_in_only(aicc, "aicc") and not stand_in_only(aicc, "connect")
    assert not stand_in_only([], "aicc")


@pytest.mark.parametrize(
    ("env", "found"),
    [
        ({}, ["AICC_BASE_URL is unset", "AICC_APP_KEY is unset", "AICC_APP_SECRET is unset"]),
        (
            {"AICC_BASE_URL": "http://127.0.0.1:8081/aicc", "AICC_CASE_TYPE": "casebot"},
            ["AICC_APP_KEY is unset", "AICC_APP_SECRET is unset", "names this machine"],
        ),
        (
            {
                "AICC_BASE_URL": "https://aicc.example.com",
                "AICC_APP_KEY": "k",
                "AICC_APP_SECRET": "s",
                "AICC_CASE_TYPE": "casebot",
            },
            [],
        ),
    ],
    ids=["nothing", "sandbox", "tenant"],
)
def test_a_live_aicc_run_refuses_an_environment_that_is_not_a_tenant(
    env: dict[str, str], found: list[str]
) -> None:
    said = "; ".join(problems("aicc", env))

    assert all(part in said for part in found)
    assert bool(said) == bool(found)


def test_a_live_connect_run_refuses_the_stand_in_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # credentials boto3 finds at once, so the check never waits on instance metadata
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    env = {
        "CONNECT_CASES_DOMAIN_ID": "d",
        "CONNECT_CASES_TEMPLATE_ID": "t",
        "CONNECT_CASES_ENDPOINT_URL": "http://127.0.0.1:8081/connectcases",
    }

    found = problems("connect", env)
    del env["CONNECT_CASES_ENDPOINT_URL"]

    assert len(found) == 1 and "CONNECT_CASES_ENDPOINT_URL" in found[0]
    assert problems("connect", env) == []
    assert switched_on("connect", {"CASEBOT_LIVE_CONNECT": "1"})
    assert not switched_on("connect", {"CASEBOT_LIVE_CONNECT": "0"})


@pytest.mark.standin_only
async def test_live_titles_carry_the_prefix_where_they_fit_and_are_closed_at_the_end(
    backend: CaseBackend, new_draft: Callable[..., CaseDraft]
) -> None:
    """On the stand-ins: what the service stores starts with the prefix, the test sees none."""
    limit = (await backend.get_template()).fields["title"].max_length
    assert limit
    labelled = Labelled(backend)
    full = "y" * limit

    case = await labelled.create_case(new_draft(), uuid.uuid4().hex)
    long = await labelled.create_case(new_draft(title=full), uuid.uuid4().hex)
    renamed = await labelled.update_case(case.ref, {"title": "Parcel found"})

    assert (case.title, renamed.title, long.title) == ("Parcel lost", "Parcel found", full)
    assert (await backend.get_case(case.ref)).title == TITLE_PREFIX + "Parcel found"
    assert (await backend.get_case(long.ref)).title == full
    await labelled.close_filed()
    assert [(await backend.get_case(c.ref)).status for c in (case, long)] == ["closed", "closed"]
