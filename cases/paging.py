"""Following a back end's search pages to the end, for callers that want every case."""

from __future__ import annotations

from cases.backend import Case, CaseBackend, CaseFilter

#: a guard against a back end whose tokens never end
MAX_CASES = 2_000


async def search_all(
    backend: CaseBackend, filter: CaseFilter, *, limit: int = MAX_CASES
) -> list[Case]:
    """Every case matching ``filter`` (at most ``limit``), following next-page tokens."""
    cases: list[Case] = []
    token: str | None = None
    seen_tokens: set[str] = set()
    while len(cases) < limit:
        page = await backend.search_cases(filter, token)
        cases.extend(page.cases)
        token = page.next_token
        if not token or token in seen_tokens:
            break
        seen_tokens.add(token)
    return cases[:limit]
