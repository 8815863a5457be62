from __future__ import annotations

from sandbox.calls import CallCounter


def test_registered_service_shows_before_its_first_call() -> None:
    calls = CallCounter()
    calls.register("connectcases")

    assert calls.snapshot() == {"connectcases": {}}


def test_counts_per_service_and_operation_and_reset_keeps_services() -> None:
    calls = CallCounter()
    calls.register("connectcases")
    for operation in ("GetCase", "CreateCase", "GetCase"):
        calls.record("connectcases", operation)
    calls.record("profiles", "SearchProfiles")

    counted = calls.snapshot()
    calls.reset()

    assert counted == {
        "connectcases": {"CreateCase": 1, "GetCase": 2},
        "profiles": {"SearchProfiles": 1},
    }
    assert calls.snapshot() == {"connectcases": {}, "profiles": {}}
