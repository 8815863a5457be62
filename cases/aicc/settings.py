"""What the Huawei AICC back end reads: the tenant, its credentials, the case type, the token."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AiccSettings(BaseSettings):
    """Where AICC is and how new cases are filed; every field is an environment variable."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    #: base URL, e.g. https://aicc.example.com (paths /service/AICC__Case/... are appended)
    aicc_base_url: str | None = None
    #: machine-to-machine credentials for the access-token interface
    aicc_app_key: str | None = None
    aicc_app_secret: SecretStr | None = None
    #: case type id new cases get (20 bytes at most)
    aicc_case_type: str = "casebot"
    #: creatorId recorded on new cases
    aicc_creator_id: str = "casebot"
    #: spelling of the auto-assignment flag: Huawei's reference spells it isAtuoAssigned in
    #: every table (isAutoAssigned appears only in copies of it); set it for a real tenant
    aicc_auto_assigned_key: Literal["isAutoAssigned", "isAtuoAssigned"] = "isAutoAssigned"
    #: time zone dueDate is written in (AICC's format has no zone)
    aicc_time_zone: str = "UTC"
    #: per case type extension fields
    aicc_case_types_file: Path = Path("data/aicc/case_types.yaml")
    aicc_timeout_seconds: float = Field(default=10.0, gt=0)
    #: the token interface's path (Huawei's reference, cec_07_0260)
    aicc_token_path: str = "/baas/auth/v1.0/oauth2/token"
    #: a token is replaced this many seconds before it expires
    aicc_token_refresh_margin_seconds: float = Field(default=60.0, ge=0)
    #: SQLite file of idempotency key -> caseId (AICC takes no client token), unless
    #: ACTIONS_DATABASE_URL (``cases.settings``) keeps them in PostgreSQL
    aicc_idempotency_db: Path = Path("var/aicc-idempotency.sqlite3")
    #: days a key is kept after its create was first sent: a retry (the outbox's, after a
    #: lost answer) comes within minutes, and AICC is searched for a lost create 30 days back
    aicc_idempotency_retention_days: float = Field(default=30.0, gt=0)


@lru_cache(maxsize=1)
def get_aicc_settings() -> AiccSettings:
    """The AICC settings of this process, read once."""
    return AiccSettings()
