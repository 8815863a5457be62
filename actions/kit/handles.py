"""A case's handle: its reference, and where that is not unique, the back end's id beside it.

Connect Cases lets two cases share a reference number, so what the assistant keeps of a case
in a slot (``case_ref``, ``opened_cases``) or puts in a button's payload is ``ref#id`` where the
id differs from the reference: the next turn then reads exactly that case, by its id, with no
search. People are only ever shown the reference. A handle a user types is no key: the case it
names must still carry the reference and be one the viewer may see.
"""

from __future__ import annotations

from cases.backend import Case

#: what separates the reference from the id; neither a Connect reference nor an AICC id has one
MARK = "#"


def handle_of(case: Case) -> str:
    """What to keep of ``case`` to find exactly it again."""
    return case.ref if case.case_id == case.ref else f"{case.ref}{MARK}{case.case_id}"


def parse_handle(handle: str) -> tuple[str, str | None]:
    """The reference a handle names, and the case id when it carries one."""
    ref, _, case_id = handle.strip().partition(MARK)
    return ref.strip(), case_id.strip() or None


def shown_ref(handle: str) -> str:
    """The part of a handle people see: the reference."""
    return parse_handle(handle)[0]


def names(handle: str, case: Case) -> bool:
    """Whether ``handle`` names ``case`` (a bare reference names every case carrying it)."""
    ref, case_id = parse_handle(handle)
    return case.ref == ref and (case_id is None or case.case_id == case_id)
