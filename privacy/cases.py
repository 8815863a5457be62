"""What the back end holds of a person: erasure cannot remove it, an agent must.

Case records belong to the contact centre's case system (Amazon Connect Cases, Huawei AICC),
which keeps them under its own rules; casebot only lists them, by searching the back end for
the contact exactly as casebot writes it into a case (E.164, or the email address). With
Connect, the Customer Profiles profile casebot may have created for a verified contact is
listed the same way (``profile_ids``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.backend import CaseBackend, CaseFilter
from cases.connect.profiles import contact_key
from common.erasure import Person

if TYPE_CHECKING:
    from mypy_boto3_customer_profiles import CustomerProfilesClient

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


def profile_ids(
    client: CustomerProfilesClient, domain: str, person: Person, spellings: tuple[str, ...] = ()
) -> list[str]:
    """The ids of the Customer Profiles profiles in ``domain`` holding the person's contact."""
    found: dict[str, None] = {}
    for contact in dict.fromkeys(c for c in (person.phone, person.email, *spellings) if c):
        key_name, value = contact_key(contact)
        token: str | None = None
        for _ in range(MAX_PAGES):
            if token:
                page = client.search_profiles(
                    DomainName=domain, KeyName=key_name, Values=[value], NextToken=token
                )
            else:
                page = client.search_profiles(DomainName=domain, KeyName=key_name, Values=[value])
            found.update((item["ProfileId"], None) for item in page.get("Items", []))
            token = page.get("NextToken")
            if not token:
                break
    return list(found)
