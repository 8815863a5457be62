"""The code store, in SQLite and in PostgreSQL: one code per conversation, kept as a digest,
spent by tries, gone when expired, and requests counted against the hourly limits whether or not
a code went out."""

from __future__ import annotations

import hmac

import pytest

from actions.otp import postgres as postgres_module
from actions.otp import store as store_module
from actions.otp.store import Code, CodeStore, Limits, Verdict
from common.erasure import Person
from tests.unit.actions.otp.conftest import Clock

LIMITS = Limits(per_case=3, per_sender=5)
RIGHT = b"r" * 32
WRONG = b"w" * 32


def code(clock: Clock, conversation: str = "webchat:a", live: bool = True, tries: int = 5) -> Code:
    return Code(conversation, "10000001#case-1", RIGHT, live, tries, clock.now + 600)


def test_the_right_digest_opens_the_case_once(store: CodeStore, clock: Clock) -> None:
    assert store.issue(code(clock), "10000001", LIMITS)

    right = store.attempt("webchat:a", RIGHT)

    assert right.verdict is Verdict.RIGHT
    assert right.handle == "10000001#case-1"
    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.NONE


def test_a_code_works_only_in_its_own_conversation(store: CodeStore, clock: Clock) -> None:
    store.issue(code(clock), "10000001", LIMITS)

    assert store.attempt("webchat:b", RIGHT).verdict is Verdict.NONE
    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.RIGHT


def test_a_code_never_sent_never_verifies_even_when_its_digest_is_given(
    store: CodeStore, clock: Clock
) -> None:
    store.issue(code(clock, live=False), "99999999", LIMITS)

    attempt = store.attempt("webchat:a", RIGHT)

    assert attempt.verdict is Verdict.WRONG
    assert attempt.handle is None


def test_wrong_tries_run_out_and_then_even_the_right_code_is_refused(
    store: CodeStore, clock: Clock
) -> None:
    store.issue(code(clock, tries=5), "10000001", LIMITS)

    left = [store.attempt("webchat:a", WRONG).tries_left for _ in range(5)]

    assert left == [4, 3, 2, 1, 0]
    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.LOCKED


def test_a_code_expires_after_its_time(store: CodeStore, clock: Clock) -> None:
    store.issue(code(clock), "10000001", LIMITS)
    clock.now += 599
    assert store.attempt("webchat:a", WRONG).verdict is Verdict.WRONG

    clock.now += 1

    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.EXPIRED
    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.NONE


def test_asking_again_replaces_the_code_and_its_tries(store: CodeStore, clock: Clock) -> None:
    store.issue(code(clock, tries=1), "10000001", LIMITS)
    store.attempt("webchat:a", WRONG)
    newer = Code("webchat:a", "10000002", WRONG, True, 5, clock.now + 600)

    store.issue(newer, "10000002", LIMITS)

    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.WRONG
    assert store.attempt("webchat:a", WRONG).handle == "10000002"


def test_compares_in_constant_time_whether_or_not_the_code_was_sent(
    store: CodeStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(store_module.hmac, "compare_digest", spy)
    monkeypatch.setattr(postgres_module.hmac, "compare_digest", spy)
    store.issue(code(clock, "webchat:live", live=True), "10000001", LIMITS)
    store.issue(code(clock, "webchat:dud", live=False), "99999999", LIMITS)

    store.attempt("webchat:live", WRONG)
    store.attempt("webchat:dud", WRONG)
    store.attempt("webchat:live", RIGHT)

    assert compared == [(RIGHT, WRONG), (RIGHT, WRONG), (RIGHT, RIGHT)]


def test_a_case_gets_so_many_requests_an_hour_from_any_conversations(
    store: CodeStore, clock: Clock
) -> None:
    issued = [
        store.issue(code(clock, f"webchat:{n}", live=n % 2 == 0), "10000001", LIMITS)
        for n in range(4)
    ]

    assert issued == [True, True, True, False]
    # the refused request kept nothing: the fourth conversation has no code
    assert store.attempt("webchat:3", RIGHT).verdict is Verdict.NONE
    assert store.issue(code(clock, "webchat:3"), "10000002", LIMITS), "another case is not limited"
    clock.now += 3600
    assert store.issue(code(clock, "webchat:4"), "10000001", LIMITS), "an hour later, again"


def test_requests_refused_over_the_limit_do_not_count_against_the_next_hour(
    store: CodeStore, clock: Clock
) -> None:
    issued = [store.issue(code(clock, f"webchat:{n}"), "10000001", LIMITS) for n in range(3)]
    clock.now += 1800
    refused = [store.issue(code(clock, f"webchat:x{n}"), "10000001", LIMITS) for n in range(3)]
    # the three that were issued are past the hour; the three refused half an hour ago are not
    clock.now += 1801

    assert (issued, refused) == ([True] * 3, [False] * 3)
    assert store.issue(code(clock, "webchat:later"), "10000001", LIMITS)


def test_a_conversation_gets_so_many_requests_an_hour_whatever_the_cases(
    store: CodeStore, clock: Clock
) -> None:
    issued = [store.issue(code(clock), f"1000000{n}", LIMITS) for n in range(6)]

    assert issued == [True] * 5 + [False]


def test_purge_removes_expired_codes_then_requests_past_the_hour(
    store: CodeStore, clock: Clock
) -> None:
    store.issue(code(clock, "webchat:a"), "10000001", LIMITS)
    store.issue(code(clock, "webchat:b"), "10000001", LIMITS)
    clock.now += 599
    assert store.purge() == 0
    clock.now += 1

    assert store.purge() == 2, "both codes expired; their requests stay within the hour"
    assert store.attempt("webchat:a", RIGHT).verdict is Verdict.NONE
    assert store.issue(code(clock, "webchat:c"), "10000001", LIMITS)
    assert not store.issue(code(clock, "webchat:d"), "10000001", LIMITS), "still counted"
    clock.now += 3000

    # the first two requests are an hour old; the third and its code (expired) go later
    assert store.purge() == 3
    assert store.issue(code(clock, "webchat:d"), "10000001", LIMITS)


def test_erase_removes_one_persons_conversations_only(store: CodeStore, clock: Clock) -> None:
    for conversation in ("whatsapp:447700900123", "webchat:ada", "whatsapp:447700900999"):
        store.issue(code(clock, conversation), "10000001", Limits(10, 10))
    ada = Person(phone="+447700900123").with_conversations({"webchat:ada"})

    assert store.erase(ada) == 4

    assert store.attempt("whatsapp:447700900123", RIGHT).verdict is Verdict.NONE
    assert store.attempt("webchat:ada", RIGHT).verdict is Verdict.NONE
    assert store.attempt("whatsapp:447700900999", RIGHT).verdict is Verdict.RIGHT
