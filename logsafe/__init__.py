"""Phone numbers and email addresses kept out of log lines, in every casebot process.

``redact`` masks them in a text; ``RedactingFilter`` does it to every record a handler emits;
``protect_root_logging`` puts that filter on every handler the root logger has (the action
server's logging is set up by rasa-sdk, so the filter is added after it).
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a run of 7+ digits, possibly with a leading + and spaces, dots, dashes or brackets between;
# 8-digit case references look the same and are masked too (logs name cases by their id)
_PHONE = re.compile(r"(?<![\w(])\+?\(?\d(?:[ .()-]{0,2}\d){6,}(?![\w])")


def redact(text: str) -> str:
    """``text`` with email addresses and phone numbers masked."""
    return _PHONE.sub("<phone>", _EMAIL.sub("<email>", text))


class RedactingFilter(logging.Filter):
    """Replace each record's message by its masked rendering."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message (arguments included); never drops a record."""
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def protect_root_logging() -> None:
    """Add ``RedactingFilter`` to every handler of the root logger that lacks one."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
