"""The handlers of the Customer Profiles operations the stand-in serves.

SearchProfiles finds profiles holding any of ``Values`` under ``KeyName`` (see ``keys``); with
``AdditionalSearchKeys`` the keys combine by ``LogicalOperator`` (``OR`` unless it says ``AND``)
and each profile's ``FoundByItems`` names the key values it was found by. Profiles come oldest
first, ``MaxResults`` (default 20) a page. CreateProfile always makes a new profile, as the
service does: it never merges one into a profile with the same phone or email.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sandbox.aws.pagination import paginate
from sandbox.aws.service import Call
from sandbox.customer_profiles.case_objects import CaseObject, CaseObjects
from sandbox.customer_profiles.errors import BadRequestException, ResourceNotFoundException
from sandbox.customer_profiles.keys import CASE_ID_KEY, SEARCH_KEYS, profile_keys
from sandbox.customer_profiles.store import ProfileDomain, ProfileSession, ProfileStore

JsonDict = dict[str, Any]

DEFAULT_SEARCH_PAGE = 20
DEFAULT_OBJECTS_PAGE = 20
#: how long profiles of a new domain are kept, as the console's default
DEFAULT_EXPIRATION_DAYS = 366
#: the standard object types every domain has
STANDARD_OBJECT_TYPES = frozenset({"_asset", "_case", "_order"})


class ProfileOperations:
    """SearchProfiles, CreateProfile, GetDomain and ListProfileObjects over one store."""

    def __init__(self, store: ProfileStore, cases: CaseObjects) -> None:
        self._store = store
        self._cases = cases

    def get_domain(self, call: Call) -> JsonDict:
        """GetDomain: the domain's settings and how many profiles it holds."""
        name: str = call.params["DomainName"]
        with self._store.session() as session:
            domain = require_domain(session, name)
            profile_count = session.count_profiles(name)
        object_count = len(self._cases.linked(name))
        return {
            "DomainName": domain.name,
            "DefaultExpirationDays": domain.default_expiration_days,
            "Stats": {
                "ProfileCount": profile_count,
                "MeteringProfileCount": profile_count,
                "ObjectCount": object_count,
                "TotalSize": 0,
            },
            "CreatedAt": domain.created_at,
            "LastUpdatedAt": domain.last_updated_at,
        }

    def create_profile(self, call: Call) -> JsonDict:
        """CreateProfile: a new profile with the given attributes; returns its id."""
        attributes = {key: value for key, value in call.params.items() if key != "DomainName"}
        name: str = call.params["DomainName"]
        profile_id = uuid.uuid4().hex
        with self._store.session() as session:
            require_domain(session, name)
            session.insert_profile(
                name, profile_id, attributes, profile_keys(profile_id, attributes)
            )
        return {"ProfileId": profile_id}

    def search_profiles(self, call: Call) -> JsonDict:
        """SearchProfiles."""
        params = call.params
        name: str = params["DomainName"]
        search = [(params["KeyName"], params["Values"])] + [
            (key["KeyName"], key["Values"]) for key in params.get("AdditionalSearchKeys") or []
        ]
        unknown = sorted({key for key, _ in search} - SEARCH_KEYS)
        if unknown:
            raise BadRequestException(f"Unknown search key: {', '.join(unknown)}")
        # read outside the profile store's transaction: the cases live in another store
        cases = self._cases.linked(name) if any(k == CASE_ID_KEY for k, _ in search) else []
        with self._store.session() as session:
            require_domain(session, name)
            matches = [
                _by_case_id(cases, values)
                if key == CASE_ID_KEY
                else session.find(name, key, values)
                for key, values in search
            ]
            if params.get("LogicalOperator") == "AND":
                ids = set.intersection(*(set(found) for found in matches))
            else:
                ids = set().union(*matches)
            profiles = session.profiles(name, ids)
        page, next_token, _ = paginate(
            profiles,
            max_results=params.get("MaxResults") or DEFAULT_SEARCH_PAGE,
            token=params.get("NextToken"),
            query=_query(params),
            seq=lambda profile: profile.seq,
        )
        items = [
            {
                "ProfileId": profile.profile_id,
                **profile.attributes,
                "FoundByItems": [
                    {"KeyName": key, "Values": sorted(found[profile.profile_id])}
                    for (key, _), found in zip(search, matches, strict=True)
                    if profile.profile_id in found
                ],
            }
            for profile in page
        ]
        return _with_token({"Items": items}, next_token)

    def list_profile_objects(self, call: Call) -> JsonDict:
        """ListProfileObjects: a profile's ``_case`` objects, optionally filtered by ``_caseId``."""
        params = call.params
        name: str = params["DomainName"]
        object_type: str = params["ObjectTypeName"]
        profile_id: str = params["ProfileId"]
        with self._store.session() as session:
            require_domain(session, name)
            if not session.profiles(name, [profile_id]):
                raise ResourceNotFoundException(f"Profile {profile_id} not found")
        if object_type not in STANDARD_OBJECT_TYPES:
            raise ResourceNotFoundException(f"Object type {object_type} not found")
        object_filter = params.get("ObjectFilter")
        if object_filter is not None and (object_type, object_filter["KeyName"]) != (
            "_case",
            CASE_ID_KEY,
        ):
            raise BadRequestException(
                f"{object_filter['KeyName']} is not a key of object type {object_type}"
            )
        # only cases are linked to profiles here: assets and orders are never ingested
        objects = self._cases.linked(name, profile_id) if object_type == "_case" else []
        if object_filter is not None:
            objects = [case for case in objects if case.case_id in object_filter["Values"]]
        page, next_token, _ = paginate(
            objects,
            max_results=params.get("MaxResults") or DEFAULT_OBJECTS_PAGE,
            token=params.get("NextToken"),
            query=_query(params),
        )
        items = [
            {
                "ObjectTypeName": object_type,
                "ProfileObjectUniqueKey": case.unique_key,
                "Object": case.json(),
            }
            for case in page
        ]
        return _with_token({"Items": items}, next_token)


def require_domain(session: ProfileSession, name: str) -> ProfileDomain:
    """Return the domain or raise ``ResourceNotFoundException``."""
    domain = session.get_domain(name)
    if domain is None:
        raise ResourceNotFoundException(f"Domain {name} not found")
    return domain


def seed_domain(store: ProfileStore, name: str) -> None:
    """Create the domain ``name`` unless it exists; its profiles are never touched."""
    with store.session() as session:
        session.ensure_domain(name, DEFAULT_EXPIRATION_DAYS, time.time())


def _by_case_id(cases: list[CaseObject], values: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for case in cases:
        if case.case_id in values:
            found.setdefault(case.profile_id, set()).add(case.case_id)
    return found


def _with_token(result: JsonDict, next_token: str | None) -> JsonDict:
    if next_token:
        result["NextToken"] = next_token
    return result


def _query(params: JsonDict) -> JsonDict:
    # a token stays valid whatever page size the next call asks for
    return {key: value for key, value in params.items() if key not in ("NextToken", "MaxResults")}
