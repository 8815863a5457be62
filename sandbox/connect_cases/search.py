"""SearchCases and ListCasesForContact.

SearchCases keeps the cases that match ``filter`` and whose text fields contain ``searchTerm``
(ignoring case), orders them by ``sorts`` (cases without the sort field come last either way;
newest first without sorts and between equals) and returns the requested ``fields`` of one page.
"""

from __future__ import annotations

from sandbox.aws.pagination import paginate
from sandbox.aws.service import Call
from sandbox.connect_cases.filters import case_filter
from sandbox.connect_cases.lookups import require_domain
from sandbox.connect_cases.records import CaseRecord, JsonDict, RelatedItem
from sandbox.connect_cases.store import Store
from sandbox.connect_cases.values import FieldCatalog, comparable, is_text

DEFAULT_SEARCH_PAGE = 25
DEFAULT_CONTACT_PAGE = 10


class SearchOperations:
    """The handlers that find cases."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def search_cases(self, call: Call) -> JsonDict:
        """SearchCases."""
        params = call.params
        domain_id: str = params["domainId"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            catalog = FieldCatalog.load(session, domain_id)
            cases = session.list_cases(domain_id)
        matches = case_filter(params.get("filter"), catalog)
        term = (params.get("searchTerm") or "").strip().casefold()
        found = [case for case in cases if matches(case) and _has_term(case, term, catalog)]
        ordered = sort_cases(found, params.get("sorts") or [], catalog)
        page, next_token, total = paginate(
            ordered,
            max_results=params.get("maxResults") or DEFAULT_SEARCH_PAGE,
            token=params.get("nextToken"),
            query=_query(params),
            seq=lambda case: case.seq,
        )
        wanted = list(dict.fromkeys(item["id"] for item in params.get("fields") or []))
        result: JsonDict = {
            "cases": [
                {
                    "caseId": case.case_id,
                    "templateId": case.template_id,
                    "fields": [
                        {"id": fid, "value": case.fields[fid]}
                        for fid in wanted
                        if fid in case.fields
                    ],
                    "tags": case.tags,
                }
                for case in page
            ],
            "totalCount": total,
        }
        if next_token:
            result["nextToken"] = next_token
        return result

    def list_cases_for_contact(self, call: Call) -> JsonDict:
        """ListCasesForContact: the cases a ``Contact`` related item links to the contact."""
        params = call.params
        domain_id: str = params["domainId"]
        contact_arn: str = params["contactArn"]
        with self._store.session() as session:
            require_domain(session, domain_id)
            links = [
                item
                for item in session.list_related_items(domain_id)
                if item.type == "Contact" and item.content["contact"]["contactArn"] == contact_arn
            ]
            templates = {case.case_id: case.template_id for case in session.list_cases(domain_id)}
        first_links: dict[str, RelatedItem] = {}
        for item in links:
            first_links.setdefault(item.case_id, item)
        page, next_token, _ = paginate(
            list(first_links.values()),
            max_results=params.get("maxResults") or DEFAULT_CONTACT_PAGE,
            token=params.get("nextToken"),
            query=_query(params),
            seq=lambda item: item.seq,
        )
        result: JsonDict = {
            "cases": [
                {"caseId": item.case_id, "templateId": templates[item.case_id]} for item in page
            ]
        }
        if next_token:
            result["nextToken"] = next_token
        return result


def sort_cases(
    cases: list[CaseRecord], sorts: list[JsonDict], catalog: FieldCatalog
) -> list[CaseRecord]:
    """Order cases by ``sorts`` (``[{fieldId, sortOrder}]``), newest first between equals."""
    fields = [catalog.field(sort["fieldId"]) for sort in sorts]
    ordered = sorted(cases, key=lambda case: case.seq, reverse=True)
    # stable sorts, least significant key first; cases lacking a key keep to the end
    for sort, field in reversed(list(zip(sorts, fields, strict=True))):
        keyed = [(comparable(field, case.fields.get(field.field_id)), case) for case in ordered]
        present = [(key, case) for key, case in keyed if key is not None]
        absent = [case for key, case in keyed if key is None]
        present.sort(key=lambda pair: pair[0], reverse=sort["sortOrder"] == "Desc")
        ordered = [case for _, case in present] + absent
    return ordered


def _has_term(case: CaseRecord, term: str, catalog: FieldCatalog) -> bool:
    if not term:
        return True
    for field_id, value in case.fields.items():
        field = catalog.fields.get(field_id)
        text = value.get("stringValue")
        if field is not None and is_text(field) and text and term in text.casefold():
            return True
    return False


def _query(params: JsonDict) -> JsonDict:
    # a token stays valid whatever page size the next call asks for
    return {key: value for key, value in params.items() if key not in ("nextToken", "maxResults")}
