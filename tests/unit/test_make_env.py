"""`make run`'s .env: fresh secrets the first time, the same ones ever after."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.sandbox_secrets import PUBLISHED
from scripts import make_env
from scripts.make_env import SECRETS, main, values

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
ALL = [name for group in SECRETS for name in group]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    target = tmp_path / ".env"
    assert main(EXAMPLE, target) == 0
    return target


def test_a_new_env_holds_no_published_secret_and_no_empty_one(written: Path) -> None:
    env = values(written.read_text())
    left = {name for name, value in env.items() if value in PUBLISHED}

    assert all(len(env[name]) >= 32 and env[name] not in PUBLISHED for name in ALL)
    # names, not secrets: boto3's keys the sandbox takes whatever they are, AICC's app key
    assert left == {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AICC_APP_KEY", "SANDBOX_AICC_APP_KEY",
    }  # fmt: skip
    assert len({env[group[0]] for group in SECRETS}) == len(SECRETS)
    assert written.stat().st_mode & 0o777 == 0o600


def test_a_secret_the_sandbox_must_know_too_gets_one_value_for_both(written: Path) -> None:
    env = values(written.read_text())

    assert env["WHATSAPP_ACCESS_TOKEN"] == env["SANDBOX_WHATSAPP_ACCESS_TOKEN"]
    assert env["AICC_APP_SECRET"] == env["SANDBOX_AICC_APP_SECRET"]


def test_every_other_setting_is_copied_as_the_example_has_it(written: Path) -> None:
    example, env = values(EXAMPLE.read_text()), values(written.read_text())

    assert {k: v for k, v in env.items() if k not in ALL} == {
        k: v for k, v in example.items() if k not in ALL
    }


def test_a_second_run_keeps_the_secrets_so_sessions_survive(written: Path) -> None:
    before = written.read_text()

    assert main(EXAMPLE, written) == 0

    assert written.read_text() == before


def test_an_old_env_with_published_or_missing_secrets_gets_fresh_ones_and_keeps_its_own(
    tmp_path: Path,
) -> None:
    target = tmp_path / ".env"
    target.write_text(
        "RASA_API_TOKEN=kept-token-of-this-installation-0123456789\n"
        "WHATSAPP_APP_SECRET=sandbox-app-secret\n"
        "INTERNAL_API_TOKEN=\n"
        "WHATSAPP_ACCESS_TOKEN=a-real-meta-token\n"
        "SANDBOX_WHATSAPP_ACCESS_TOKEN=sandbox-whatsapp-token\n"
        "LOG_LEVEL=DEBUG\n"
    )

    assert main(EXAMPLE, target) == 0

    env = values(target.read_text())
    assert env["RASA_API_TOKEN"] == "kept-token-of-this-installation-0123456789"
    assert env["WHATSAPP_ACCESS_TOKEN"] == "a-real-meta-token"
    assert env["LOG_LEVEL"] == "DEBUG"
    for name in ("WHATSAPP_APP_SECRET", "INTERNAL_API_TOKEN", "ACTION_SERVER_TOKEN"):
        assert len(env[name]) >= 32 and env[name] not in PUBLISHED, name
    assert env["SANDBOX_WHATSAPP_ACCESS_TOKEN"] not in PUBLISHED


def test_the_published_values_are_the_ones_every_process_refuses() -> None:
    assert make_env.PUBLISHED == PUBLISHED
