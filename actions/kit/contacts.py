"""Whether a case's contact is the customer's own, as far as the gateway vouches.

A contact is verified when it is one of the viewer's verified contacts (``Viewer.contacts``):
the number a WhatsApp or Twilio message came from, or an email or phone in a signed webchat
identity. A contact typed into the form is verified only when it equals one of those; any
other still goes on the case for agents to reach the customer, but gets no customer profile
and nothing sent to it unasked, since anyone can type anyone's number.
"""

from __future__ import annotations

from actions.kit.access import viewer_of
from actions.kit.normalise import normalise_email, normalise_phone
from actions.kit.sdk import Tracker


def contact_verified(tracker: Tracker, contact: str, phone_region: str) -> bool:
    """Whether ``contact`` (as the form accepted it) is one the gateway vouches for here."""
    wanted = contact_key(contact, phone_region)
    if wanted is None:
        return False
    vouched = viewer_of(tracker, phone_region).contacts
    return any(contact_key(known, phone_region) == wanted for known in vouched)


def contact_key(contact: str, region: str) -> str | None:
    """``contact`` as compared: an email without case, a phone in E.164; ``None`` if neither."""
    text = contact.strip()
    if not text:
        return None
    normal = normalise_email(text) if "@" in text else normalise_phone(text, region)
    # an address is one mailbox whatever the case of its letters
    return normal.casefold() if normal else None
