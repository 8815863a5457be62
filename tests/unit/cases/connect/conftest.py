"""Connect-only fixtures: the shared stubs, with references looked up as the back end does."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def stubs(stubs: Any) -> Any:
    """The stubs of ``tests/unit/cases``, whose ``find`` asks for two cases, as ``_find`` does.

    Connect Cases does not keep reference numbers unique, so the back end asks for two cases
    to tell a reference of one case from a shared one; ``find_shared`` answers two.
    """

    def search(ref: str, *cases: dict[str, Any]) -> None:
        stubs.stubber.add_response(
            "search_cases",
            {"cases": list(cases)},
            {
                "domainId": stubs.domain_id,
                "maxResults": 2,
                "filter": {
                    "field": {"equalTo": {"id": "reference_number", "value": {"stringValue": ref}}}
                },
                "fields": [{"id": field_id} for field_id in stubs.wanted],
            },
        )

    def case(case_id: str, **values: Any) -> dict[str, Any]:
        return {
            "caseId": case_id,
            "templateId": stubs.template_id,
            "fields": stubs.case_fields(**values),
        }

    def find(ref: str, case_id: str = "case-1", **values: Any) -> None:
        search(ref, case(case_id, **values))

    def find_shared(ref: str, *case_ids: str) -> None:
        search(ref, *(case(case_id) for case_id in case_ids))

    stubs.find = find
    stubs.find_shared = find_shared
    return stubs
