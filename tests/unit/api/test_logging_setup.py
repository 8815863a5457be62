"""How the gateway process sets up logging over what uvicorn configured before it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import uvicorn

from api.observability import configure_logging

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put the root and uvicorn loggers back as pytest had them."""
    names = ("", *UVICORN_LOGGERS)
    saved = {
        name: (
            logging.getLogger(name).handlers[:],
            logging.getLogger(name).level,
            logging.getLogger(name).propagate,
        )
        for name in names
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def uvicorn_then_gateway(*, access_log: bool, level: str) -> None:
    """What ``uvicorn api.main:app --factory [--no-access-log]`` does, in that order."""
    uvicorn.Config("api.main:app", factory=True, access_log=access_log).configure_logging()
    configure_logging(level, "json", redact_pii=True)


def test_no_access_log_flag_leaves_request_logging_off() -> None:
    uvicorn_then_gateway(access_log=False, level="INFO")

    # uvicorn decides per connection whether to log requests from exactly this
    assert logging.getLogger("uvicorn.access").hasHandlers() is False
    assert logging.getLogger("uvicorn.error").hasHandlers() is True


def test_access_log_left_on_goes_through_the_gateway_handler() -> None:
    uvicorn_then_gateway(access_log=True, level="INFO")

    access = logging.getLogger("uvicorn.access")
    assert access.handlers == []
    assert access.hasHandlers() is True
    assert access.isEnabledFor(logging.INFO) is True


def test_level_setting_rules_uvicorn_loggers_too() -> None:
    uvicorn_then_gateway(access_log=True, level="WARNING")

    assert logging.getLogger("uvicorn.error").isEnabledFor(logging.INFO) is False
    assert logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO) is False
    assert logging.getLogger("uvicorn.error").isEnabledFor(logging.WARNING) is True


@pytest.mark.parametrize(("level", "httpx_info"), [("INFO", False), ("DEBUG", True)])
def test_httpx_request_lines_only_when_debugging(level: str, httpx_info: bool) -> None:
    saved = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    try:
        uvicorn_then_gateway(access_log=False, level=level)

        assert logging.getLogger("httpx").isEnabledFor(logging.INFO) is httpx_info
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING) is True
    finally:
        for name, value in saved.items():
            logging.getLogger(name).setLevel(value)
