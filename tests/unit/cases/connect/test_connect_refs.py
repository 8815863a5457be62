"""Reference numbers that two cases share: refused, forgotten, never remembered again."""

from __future__ import annotations

from typing import Any

import pytest

from cases.backend import Conflict
from cases.connect.backend import ConnectCasesBackend
from cases.connect.refs import KnownCases


def test_a_reference_seen_on_a_second_case_is_forgotten_for_good() -> None:
    known = KnownCases()
    known.remember("40961234", "case-1")
    known.remember("40961234", "case-1")
    assert known.get("40961234") == "case-1"

    known.remember("40961234", "case-2")
    known.remember("40961234", "case-2")

    assert known.get("40961234") is None
    assert known.is_shared("40961234")


def test_only_the_latest_references_are_kept() -> None:
    known = KnownCases(limit=2)
    for n in range(3):
        known.remember(f"1000000{n}", f"case-{n}")

    assert [known.get(f"1000000{n}") for n in range(3)] == [None, "case-1", "case-2"]


async def test_a_shared_reference_is_a_conflict_each_time_and_never_a_guess(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.find_shared("40961234", "case-1", "case-2")
    stubs.find_shared("40961234", "case-1", "case-2")

    with pytest.raises(Conflict, match="more than one case"):
        await connect.get_case("40961234")
    # nothing was remembered: the comment searches again, and is refused again
    with pytest.raises(Conflict):
        await connect.add_comment("40961234", "For one case only.")

    stubs.stubber.assert_no_pending_responses()
    assert stubs.calls.count("SearchCases") == 2
    assert "CreateRelatedItem" not in stubs.calls
