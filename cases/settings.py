"""What every case back end reads from the environment, whichever ``CASE_BACKEND`` is chosen.

Each back end adds its own settings beside its code (``cases.connect.settings``,
``cases.aicc.settings``); the factory builds the chosen one from these and its own. The
database every action server shares (``ACTIONS_DATABASE_URL``) is read here too, once, since
both the outbox of case submissions (``actions``) and AICC's idempotency keys live in it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.postgres import check_url


class CaseSettings(BaseSettings):
    """The back end's choice and what all of them share; every field is an environment variable."""

    # a value refused is not repeated in the error: ACTIONS_DATABASE_URL holds a password
    model_config = SettingsConfigDict(
        case_sensitive=False, extra="ignore", hide_input_in_errors=True
    )

    #: which case back end the actions use
    case_backend: Literal["connect", "aicc"] = "connect"
    #: the logical case template and its back-end field names, relative to the repo root
    case_template_file: Path = Path("data/case_template.yaml")
    #: how long the template, fields and options read from the back end stay fresh
    template_cache_seconds: float = Field(default=300.0, ge=0)
    #: who the back end records as having made a change
    assistant_name: str = Field(default="casebot", min_length=1)
    #: PostgreSQL (postgresql://user:password@host:5432/db) where every action server keeps
    #: the case submissions waiting for the back end (the outbox), the one-time codes and
    #: AICC's idempotency keys; unset keeps them in local SQLite files (OUTBOX_DB, OTP_DB,
    #: AICC_IDEMPOTENCY_DB)
    actions_database_url: SecretStr | None = None

    @field_validator("actions_database_url")
    @classmethod
    def _postgresql_url(cls, value: SecretStr | None) -> SecretStr | None:
        return check_url(value)


@lru_cache(maxsize=1)
def get_case_settings() -> CaseSettings:
    """The case settings of this process, read once."""
    return CaseSettings()
