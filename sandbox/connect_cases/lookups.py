"""Finding a domain or case named in a request, or answering ResourceNotFoundException."""

from __future__ import annotations

from sandbox.connect_cases.errors import ResourceNotFoundException
from sandbox.connect_cases.records import CaseRecord, Domain
from sandbox.connect_cases.store import Session


def require_domain(session: Session, domain_id: str) -> Domain:
    """Return the domain or raise ``ResourceNotFoundException``."""
    domain = session.get_domain(domain_id)
    if domain is None:
        raise ResourceNotFoundException("Domain", domain_id)
    return domain


def require_case(session: Session, domain_id: str, case_id: str) -> CaseRecord:
    """Return the case of an existing domain or raise ``ResourceNotFoundException``."""
    require_domain(session, domain_id)
    case = session.get_case(domain_id, case_id)
    if case is None:
        raise ResourceNotFoundException("Case", case_id)
    return case
