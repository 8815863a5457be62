"""Log masking reaches every part of a record a handler prints, not only its message."""

from __future__ import annotations

import io
import json
import logging

from api.observability import ContextFilter, JsonFormatter
from common.logsafe import RedactingFilter

PHONE = "+447700900123"
EMAIL = "ada@example.com"
TOKEN = "s3cr3t-t0ken-value"


def emit(formatter: logging.Formatter, log: logging.Filter, call: str) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.addFilter(log)
    logger = logging.getLogger(f"test.logsafe.{call}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        if call == "traceback":
            try:
                raise ValueError(f"no case for {PHONE} at https://x/y?token={TOKEN}")
            except ValueError:
                logger.exception("lookup failed")
        elif call == "stack":
            logger.warning("here", stack_info=True, extra={"who": EMAIL})
        else:
            logger.warning("turn", extra={"contact": PHONE, "detail": {"email": EMAIL}})
    finally:
        logger.handlers[:] = []
    return out.getvalue()


def test_a_traceback_is_masked_in_plain_text_logs() -> None:
    text = emit(logging.Formatter("%(message)s"), RedactingFilter(), "traceback")

    assert "ValueError" in text
    assert PHONE not in text
    assert TOKEN not in text
    assert "<phone>" in text


def test_a_traceback_is_masked_in_json_logs() -> None:
    line = json.loads(emit(JsonFormatter(), ContextFilter(redact_pii=True), "traceback"))

    assert "ValueError" in line["error"]
    assert PHONE not in line["error"]
    assert TOKEN not in line["error"]


def test_extra_fields_are_masked_for_formatters_that_print_them() -> None:
    text = emit(logging.Formatter("%(message)s %(contact)s %(detail)s"), RedactingFilter(), "extra")

    assert PHONE not in text
    assert EMAIL not in text
    assert text.startswith("turn <phone> ")


def test_a_stack_and_its_extras_are_masked() -> None:
    text = emit(logging.Formatter("%(message)s %(who)s"), RedactingFilter(), "stack")

    assert EMAIL not in text
    assert "Stack (most recent call last)" in text


def test_pii_stays_when_redaction_is_off_but_secrets_do_not() -> None:
    text = emit(logging.Formatter("%(message)s"), RedactingFilter(pii=False), "traceback")

    assert PHONE in text
    assert TOKEN not in text
