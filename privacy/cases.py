"""The cases the back end holds for a person: erasure cannot remove those, an agent must.

Case records belong to the contact centre's case system (Amazon Connect Cases, Huawei AICC),
which keeps them under its own rules; casebot only lists them, by searching the back end for
the contact exactly as casebot writes it into a case (E.164, or the email address).
"""

from __future__ import annotations

from cases.backend import CaseBackend, CaseFilter
from common.erasure import Person

#: pages read per contact at most, so a back end that keeps answering with a token ends
MAX_PAGES = 50
BACKEND_NAMES = {"connect": "Amazon Connect Cases", "aicc": "Huawei AICC"}


async def case_references(
    backend: CaseBackend, person: Person, spellings: tuple[str, ...] = ()
) -> list[str]:
    """The references of every case whose contact is the person's, each once, in order found.

    ``spellings``: other forms the contact may be written in (an address's local part as the
    assistant kept its case, where the person's own form is lower-case).
    """
    found: dict[str, None] = {}
    contacts = (person.phone, person.email, *spellings)
    for contact in dict.fromkeys(c for c in contacts if c is not None):
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = await backend.search_cases(CaseFilter(contact=contact), token)
            found.update((case.ref, None) for case in page.cases)
            token = page.next_token
            if token is None:
                break
    return list(found)
