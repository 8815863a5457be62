"""Back-end cost: API calls per turn of a case's life, counted at the sandbox.

    .venv/bin/python -m bench.backend_cost

Conversations through the gateway, with the sandbox's call counters reset before each step:
a case created by a process that has read nothing yet (cold), one created after it (warm, a
customer not seen before, then one seen before), status checks, a list of the customer's own
cases, a comment and a change of priority, then a status check and a change of the case the
conversation is about (no reference named). The cold status check is the first thing a freshly
started stack does, on the same sandbox data. Then the same on the AICC back end
(``CASE_BACKEND=aicc``), where a cold process first fetches an access token.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

import httpx

from bench.common import emit, table
from tests.support.stack import Stack, running_stack

#: Connect reference numbers are 8 digits here, AICC case ids 16
REF = re.compile(r"\b\d{8,20}\b")


def counts(stack: Stack, reset: bool = False) -> dict[str, int]:
    """Calls per operation since the last reset (all stand-ins), optionally resetting after."""
    sandbox = f"http://127.0.0.1:{stack.env['SANDBOX_PORT']}"
    snapshot: dict[str, dict[str, int]] = httpx.get(f"{sandbox}/_sandbox/calls").json()
    if reset:
        httpx.post(f"{sandbox}/_sandbox/calls/reset").raise_for_status()
    return {
        op: n
        for service, ops in snapshot.items()
        if service in ("connectcases", "customer-profiles", "aicc")
        for op, n in ops.items()
        if n
    }


def say(stack: Stack, sender: str, text: str) -> str:
    response = httpx.post(
        f"{stack.gateway_url}/webchat/messages",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    response.raise_for_status()
    return "\n".join(reply.get("text", "") for reply in response.json())


def create(stack: Stack, contact: str, sender: str | None = None) -> tuple[str, str]:
    """Open a case in a new conversation; its sender and the case's reference."""
    sender = sender or uuid.uuid4().hex
    for text in (
        "I want to open a case",
        "Printer on fire",
        "The office printer started smoking when printing.",
        contact,
        "high",
    ):
        say(stack, sender, text)
    answer = say(stack, sender, "yes")
    found = REF.search(answer)
    if not found:
        raise RuntimeError(f"no case reference in {answer!r}")
    return sender, found.group(0)


def status(stack: Stack, sender: str, ref: str) -> str:
    """Ask for the case's status in the conversation that opened it (so it may be seen)."""
    answer = say(stack, sender, f"status of case {ref}")
    if ref not in answer:
        raise RuntimeError(f"the status answer does not name the case: {answer!r}")
    return answer


def listing(stack: Stack, sender: str, ref: str) -> str:
    """List the customer's own cases in the conversation that opened ``ref``."""
    answer = say(stack, sender, "list my cases")
    if ref not in answer:
        raise RuntimeError(f"the list of my cases does not name {ref}: {answer!r}")
    return answer


def comment(stack: Stack, sender: str, ref: str) -> str:
    """Add a comment to the case; the form asks for the text when the request lacks it."""
    answer = say(stack, sender, f"add a note to case {ref}: the courier called")
    if "added that" not in answer:
        answer = say(stack, sender, "the courier called")
    if f"added that to case {ref}" not in answer:
        raise RuntimeError(f"the comment was not added: {answer!r}")
    return answer


def change(stack: Stack, sender: str, ref: str) -> str:
    """Lower the case's priority (it was opened as high)."""
    answer = say(stack, sender, f"set case {ref} to low")
    if f"case {ref} now has" not in answer:
        raise RuntimeError(f"the case was not changed: {answer!r}")
    return answer


def status_at_hand(stack: Stack, sender: str, ref: str) -> str:
    """Ask again about the case the conversation is about, without naming it."""
    answer = say(stack, sender, "what is the status of my case now?")
    if ref not in answer:
        raise RuntimeError(f"the status answer does not name the case: {answer!r}")
    return answer


def change_at_hand(stack: Stack, sender: str, ref: str) -> str:
    """Change the case the conversation is about, without naming it."""
    answer = say(stack, sender, "please set the priority to medium")
    if f"case {ref} now has" not in answer:
        raise RuntimeError(f"the case was not changed: {answer!r}")
    return answer


def life(stack: Stack, sender: str, ref: str, label: str) -> list[list[object]]:
    """A warm status check, list, comment and change of ``ref``, then of the case at hand.

    One row each; by the last two the conversation knows the case's id.
    """
    rows: list[list[object]] = []
    for step, turn in (
        ("status check, warm", status),
        ("list my cases, warm", listing),
        ("comment, warm", comment),
        ("change (priority), warm", change),
        ("status check of the case at hand, warm", status_at_hand),
        ("change of the case at hand, warm", change_at_hand),
    ):
        turn(stack, sender, ref)
        rows.append([f"{label}{step}", *summary(counts(stack, True))])
    return rows


def describe(calls: dict[str, int]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(calls.items())) or "none"


def main() -> None:
    """Count, print and record."""
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="casebot-bench-") as tmp:
        # the second stack starts on the first one's cases and conversations
        shared = {
            "SANDBOX_DB_PATH": str(Path(tmp) / "sandbox.sqlite3"),
            "RASA_TRACKER_DB": str(Path(tmp) / "tracker.db"),
        }
        (Path(tmp) / "first").mkdir()
        (Path(tmp) / "second").mkdir()
        with running_stack(Path(tmp) / "first", shared) as stack:
            counts(stack, reset=True)
            sender, ref = create(stack, "first.customer@example.com")
            rows.append(["create, cold process, new customer", *summary(counts(stack, True))])
            create(stack, "second.customer@example.com")
            rows.append(["create, warm, new customer", *summary(counts(stack, True))])
            create(stack, "second.customer@example.com")
            rows.append(["create, warm, known customer", *summary(counts(stack, True))])
            rows += life(stack, sender, ref, "")
        with running_stack(Path(tmp) / "second", shared) as stack:
            counts(stack, reset=True)
            status(stack, sender, ref)
            rows.append(["status check, cold process", *summary(counts(stack, True))])
            status(stack, sender, ref)
            rows.append(["status check, warm (again)", *summary(counts(stack, True))])
        (Path(tmp) / "aicc").mkdir()
        with running_stack(Path(tmp) / "aicc", {"CASE_BACKEND": "aicc"}) as stack:
            counts(stack, reset=True)
            sender, ref = create(stack, "first.customer@example.com")
            rows.append(["AICC: create, cold process", *summary(counts(stack, True))])
            create(stack, "second.customer@example.com")
            rows.append(["AICC: create, warm", *summary(counts(stack, True))])
            rows += life(stack, sender, ref, "AICC: ")
    emit(
        table(
            "Back-end cost per operation (API calls counted at the sandbox; target: 1 call "
            "per create when warm)",
            ["step", "calls", "by operation"],
            rows,
        )
    )


def summary(calls: dict[str, int]) -> list[object]:
    return [sum(calls.values()), describe(calls)]


if __name__ == "__main__":
    main()
