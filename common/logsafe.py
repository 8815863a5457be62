"""Secrets, phone numbers and email addresses kept out of log lines, in every casebot process.

``mask_secrets`` masks credentials in a text (``token=`` and similar query parameters, bearer
tokens), always: Rasa's HTTP API takes its token in the URL, and HTTP clients log URLs.
``redact`` masks phone numbers and email addresses, unless an operator turns it off.
``RedactingFilter`` does both to every record a handler emits; ``protect_root_logging`` puts
that filter on every handler the root logger has (the action server's logging is set up by
rasa-sdk, so the filter is added after it).
"""

from __future__ import annotations

import logging
import re

# The part before the "@" is a whole run of address characters, or at most 64 of them (where a
# match stopped inside a run): were any start inside a run allowed, a long run with no "@" would
# be scanned again from each of its characters, in time quadratic in its length.
_EMAIL = re.compile(r"(?:(?<![\w.+-])[\w.+-]+|[\w.+-]{1,64})@[\w-]+(?:\.[\w-]+)+")
# a run of 7+ digits, possibly with a leading + and spaces, dots, dashes or brackets between;
# 8-digit case references look the same and are masked too (logs name cases by their id)
_PHONE = re.compile(r"(?<![\w(])\+?\(?\d(?:[ .()-]{0,2}\d){6,}(?![\w])")


# a credential in a URL's query: ?token=..., &access_token=..., &api_key=...
_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:token|access_token|auth_token|api_key|apikey|key|secret|password|signature)=)"
    r"[^&\s\"'#]+"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]+")
SECRET_MASK = "<secret>"


def mask_secrets(text: str) -> str:
    """``text`` with credentials in URLs and bearer tokens masked."""
    return _BEARER.sub(r"\1" + SECRET_MASK, _SECRET_PARAM.sub(r"\1" + SECRET_MASK, text))


def redact(text: str) -> str:
    """``text`` with email addresses and phone numbers masked."""
    return _PHONE.sub("<phone>", _EMAIL.sub("<email>", text))


class RedactingFilter(logging.Filter):
    """Replace each record's message by its masked rendering: secrets always, PII when asked."""

    def __init__(self, pii: bool = True) -> None:
        super().__init__()
        self.pii = pii

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message (arguments included); never drops a record."""
        message = mask_secrets(record.getMessage())
        record.msg = redact(message) if self.pii else message
        record.args = None
        return True


def protect_root_logging(pii: bool = True) -> None:
    """Add ``RedactingFilter`` to every handler of the root logger that lacks one."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(pii))
