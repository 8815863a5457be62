"""Two action servers on one code store (two objects on one SQLite file, or two pools on one
PostgreSQL database): a code asked for on one is checked on the other, and tries and limits are
counted once across both, even when requests reach both at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from actions.otp.store import Code, Limits, Verdict
from tests.unit.actions.otp.conftest import Clock, OpenStore

RIGHT = b"r" * 32
WRONG = b"w" * 32
ROOMY = Limits(per_case=100, per_sender=100)


def code(clock: Clock, conversation: str = "whatsapp:447700900123", tries: int = 5) -> Code:
    return Code(conversation, "10000001#case-1", RIGHT, True, tries, clock.now + 600)


def test_a_code_asked_for_on_one_server_is_checked_on_the_other(
    open_store: OpenStore, clock: Clock
) -> None:
    one, other = open_store(), open_store()
    assert one.issue(code(clock), "10000001", ROOMY)

    assert other.attempt("whatsapp:447700900123", WRONG).tries_left == 4
    right = other.attempt("whatsapp:447700900123", RIGHT)

    assert (right.verdict, right.handle) == (Verdict.RIGHT, "10000001#case-1")
    assert one.attempt("whatsapp:447700900123", RIGHT).verdict is Verdict.NONE, "spent"


def test_tries_on_both_servers_share_one_count(open_store: OpenStore, clock: Clock) -> None:
    one, other = open_store(), open_store()
    one.issue(code(clock, tries=3), "10000001", ROOMY)

    left = [store.attempt("whatsapp:447700900123", WRONG).tries_left for store in (one, other)]

    assert left == [2, 1]
    assert one.attempt("whatsapp:447700900123", WRONG).tries_left == 0
    assert other.attempt("whatsapp:447700900123", RIGHT).verdict is Verdict.LOCKED


def test_wrong_tries_at_once_on_both_servers_never_exceed_the_tries(
    open_store: OpenStore, clock: Clock
) -> None:
    stores = [open_store(), open_store()]
    stores[0].issue(code(clock, tries=5), "10000001", ROOMY)

    def wrong(n: int) -> Verdict:
        return stores[n % 2].attempt("whatsapp:447700900123", WRONG).verdict

    with ThreadPoolExecutor(max_workers=16) as pool:
        verdicts = list(pool.map(wrong, range(40)))

    assert verdicts.count(Verdict.WRONG) == 5
    assert verdicts.count(Verdict.LOCKED) == 35
    assert stores[1].attempt("whatsapp:447700900123", RIGHT).verdict is Verdict.LOCKED


def test_requests_at_once_on_both_servers_stay_within_the_limits(
    open_store: OpenStore, clock: Clock
) -> None:
    stores = [open_store(), open_store()]
    limits = Limits(per_case=3, per_sender=4)

    def ask_case(n: int) -> bool:
        return stores[n % 2].issue(code(clock, f"webchat:{n}"), "10000001", limits)

    def ask_sender(n: int) -> bool:
        return stores[n % 2].issue(code(clock, "webchat:one"), f"2000000{n}", limits)

    with ThreadPoolExecutor(max_workers=16) as pool:
        by_case = list(pool.map(ask_case, range(24)))
        by_sender = list(pool.map(ask_sender, range(10)))

    assert by_case.count(True) == 3
    assert by_sender.count(True) == 4
