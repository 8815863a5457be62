"""Secrets, phone numbers and email addresses kept out of log lines, in every casebot process.

``mask_secrets`` masks credentials in a text (``token=`` and similar query parameters, bearer
tokens), always: Rasa's HTTP API takes its token in the URL, and HTTP clients log URLs.
``redact`` masks phone numbers and email addresses, unless an operator turns it off.
``RedactingFilter`` does both to every record a handler emits (its message, the traceback and
stack it carries, and the ``extra`` fields a caller added); ``protect_root_logging`` puts that
filter on every handler the root logger has (the action server's logging is set up by
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


# what every LogRecord has; anything else on a record came from a caller's ``extra``
_STANDARD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_PLAIN = (int, float, bool, type(None))
_TRACEBACKS = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Replace each record's text by its masked rendering: secrets always, PII when asked.

    An exception's traceback quotes the values it was raised with (a request's URL with its
    token, a customer's number), and formatters print it apart from the message; so it is
    rendered here, masked, and kept as ``exc_text`` (which every formatter prints as it is)
    in place of ``exc_info``.
    """

    def __init__(self, pii: bool = True) -> None:
        super().__init__()
        self.pii = pii

    def mask(self, text: str) -> str:
        """``text`` with secrets masked, and PII when this filter masks it."""
        masked = mask_secrets(text)
        return redact(masked) if self.pii else masked

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message, traceback, stack and extra fields; never drops a record."""
        record.msg = self.mask(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = record.exc_text or _TRACEBACKS.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD_FIELDS or isinstance(value, _PLAIN):
                continue
            setattr(record, key, self.mask(value if isinstance(value, str) else repr(value)))
        return True


def protect_root_logging(pii: bool = True) -> None:
    """Add ``RedactingFilter`` to every handler of the root logger that lacks one."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(pii))
