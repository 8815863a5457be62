"""Reference number -> case id, remembered only while no other case is known to share it.

Connect Cases does not keep reference numbers unique: two cases can carry the same 8 digits.
``search_by_ref`` finds the cases of a reference. An id is remembered for a reference the back
end created or found by a search of the whole domain that answered one case, so comments,
history and links right after need no search. A reference seen on a second case is forgotten
and never remembered again, so no look-up can be answered from memory with a case it was not
meant for.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from cases.connect.calls import call
from cases.connect.values import Scalar, values_of

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient

__all__ = ["SHARED_MAX", "KnownCases", "search_by_ref"]

#: the most cases one reference is looked up on: far more than ever share one
SHARED_MAX = 25


async def search_by_ref(
    client: ConnectCasesClient, domain_id: str, fields: list[str], ref: str, limit: int
) -> list[tuple[str, dict[str, Scalar]]]:
    """Up to ``limit`` cases (id, values by field id) whose reference number is ``ref``."""
    found = await call(
        "SearchCases",
        client.search_cases,
        domainId=domain_id,
        maxResults=limit,
        filter={"field": {"equalTo": {"id": "reference_number", "value": {"stringValue": ref}}}},
        fields=[{"id": field_id} for field_id in fields],
    )
    return [(item["caseId"], values_of(item["fields"])) for item in found["cases"] if item]


class KnownCases:
    """The case ids of references known to name one case, most recent ``limit`` of them."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._ids: OrderedDict[str, str] = OrderedDict()
        # kept as long as the ids: a shared reference must not be remembered again
        self._shared: OrderedDict[str, None] = OrderedDict()

    def get(self, ref: str) -> str | None:
        """The case id of ``ref``, when known to be the only one."""
        return self._ids.get(ref)

    def remember(self, ref: str, case_id: str) -> None:
        """``ref`` names ``case_id``; a reference already known for another case becomes shared."""
        if ref in self._shared:
            return
        known = self._ids.get(ref)
        if known is not None and known != case_id:
            self.shared(ref)
            return
        self._ids[ref] = case_id
        self._ids.move_to_end(ref)
        while len(self._ids) > self._limit:
            self._ids.popitem(last=False)

    def shared(self, ref: str) -> None:
        """More than one case carries ``ref``: forget it, and never remember it again."""
        self._ids.pop(ref, None)
        self._shared[ref] = None
        self._shared.move_to_end(ref)
        while len(self._shared) > self._limit:
            self._shared.popitem(last=False)

    def is_shared(self, ref: str) -> bool:
        """Whether ``ref`` has been seen on more than one case."""
        return ref in self._shared
