"""The search keys a profile is found by, and the values it holds under each.

Predefined keys gather several attributes (``_phone`` is any of a profile's four phone numbers);
each phone, email and account attribute is also a key of its own name. Values match exactly, as
they were stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PHONE_ATTRIBUTES = ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber")
EMAIL_ATTRIBUTES = ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress")
_NAME_ATTRIBUTES = ("FirstName", "MiddleName", "LastName")

#: profile attributes that are search keys of their own name
ATTRIBUTE_KEYS = (*PHONE_ATTRIBUTES, *EMAIL_ATTRIBUTES, "AccountNumber")
#: keys whose values come from the profile's own attributes
PROFILE_KEYS = frozenset(
    {"_profileId", "_phone", "_email", "_account", "_fullName", *ATTRIBUTE_KEYS}
)
#: key of the ``_case`` objects linked to a profile
CASE_ID_KEY = "_caseId"
#: every key SearchProfiles accepts
SEARCH_KEYS = PROFILE_KEYS | {CASE_ID_KEY}


def profile_keys(profile_id: str, attributes: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Return the ``(key name, value)`` pairs a profile with ``attributes`` is found by."""
    keys = {("_profileId", profile_id)}
    for group, names in (("_phone", PHONE_ATTRIBUTES), ("_email", EMAIL_ATTRIBUTES)):
        for name in names:
            value = attributes.get(name)
            if value:
                keys.update({(group, value), (name, value)})
    account = attributes.get("AccountNumber")
    if account:
        keys.update({("_account", account), ("AccountNumber", account)})
    full_name = " ".join(attributes[name] for name in _NAME_ATTRIBUTES if attributes.get(name))
    if full_name:
        keys.add(("_fullName", full_name))
    return keys
