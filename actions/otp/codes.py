"""The code itself: six digits from ``secrets``, kept as a keyed hash, read back from a message.

The hash is HMAC-SHA256 under ``OTP_HASH_KEY`` of the conversation id and the code, so a code
works only in the conversation it was asked for in, and a copy of the store alone does not
give the codes away (a million candidates are tried in no time against an unkeyed hash).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

DIGITS = 6

# six digits, a space or hyphen allowed between any two ("123 456", "12-34-56"), not part of a
# longer number; each start reads at most eleven characters, so a message is read in linear time
_TYPED = re.compile(r"(?<!\d)(?<!\d[ -])\d(?:[ -]?\d){5}(?![ -]?\d)")


def new_code() -> str:
    """A fresh code: six digits, every one of the million equally likely."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def digest(key: bytes, conversation_id: str, code: str) -> bytes:
    """The keyed hash a code is kept as, bound to its conversation."""
    message = f"{conversation_id}\0{code}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def typed_code(text: str) -> str | None:
    """The six digits a message gives as a code ("code: 123 456"), else ``None``."""
    found = _TYPED.search(text)
    return None if found is None else re.sub(r"[ -]", "", found.group())


def mask(contact: str) -> str:
    """An address or number with most of it hidden: ``j***@example.com``, ``+44*******123``."""
    local, at, domain = contact.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    return f"{contact[:3]}{'*' * max(len(contact) - 6, 3)}{contact[-3:]}"
