"""Masking a log line takes time linear in it, whatever a user put in the line."""

from __future__ import annotations

import random
import re

import pytest

from common.logsafe import _PHONE, mask_secrets, redact
from tests.support.linear import LINEAR_GROWTH, settled_growth, slowest_growth

OLD_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@pytest.mark.parametrize("step", [redact, mask_secrets], ids=["redact", "mask_secrets"])
def test_masking_takes_linear_time_on_hostile_lines(step: object) -> None:
    assert callable(step)
    shape, grown = slowest_growth(step)

    assert grown < LINEAR_GROWTH, f"grows {grown:.1f}x from 8k to 32k on {shape}"


def test_the_unbounded_email_pattern_was_quadratic() -> None:
    grown = settled_growth(
        lambda text: OLD_EMAIL.sub("<email>", text), "a", 1_000, 4_000, expect_linear=False
    )

    assert grown > LINEAR_GROWTH


@pytest.mark.parametrize(
    "line",
    [
        "mail jo.bloggs+cases@mail.example.co.uk now",
        "a@b.c+d@e.f",
        "from <x_y-z@host-1.example.org>, re: case",
        "no address @ all, but user@mail.localhost",
        "x" * 70 + "@example.com, ref 12345678",
    ],
)
def test_addresses_are_masked_as_before(line: str) -> None:
    old = _PHONE.sub("<phone>", OLD_EMAIL.sub("<email>", line))

    assert redact(line) == old
    assert "<email>" in old


def test_masking_agrees_with_the_unbounded_pattern_on_address_salad() -> None:
    rng = random.Random(3)
    for _ in range(20_000):
        line = "".join(rng.choice("ab1.+-@ _") for _ in range(rng.randint(1, 30)))
        assert redact(line) == _PHONE.sub("<phone>", OLD_EMAIL.sub("<email>", line)), line
