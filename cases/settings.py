"""What every case back end reads from the environment, whichever ``CASE_BACKEND`` is chosen.

Each back end adds its own settings beside its code (``cases.connect.settings``,
``cases.aicc.settings``); the factory builds the chosen one from these and its own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CaseSettings(BaseSettings):
    """The back end's choice and what all of them share; every field is an environment variable."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    #: which case back end the actions use
    case_backend: Literal["connect", "aicc"] = "connect"
    #: the logical case template and its back-end field names, relative to the repo root
    case_template_file: Path = Path("data/case_template.yaml")
    #: how long the template, fields and options read from the back end stay fresh
    template_cache_seconds: float = Field(default=300.0, ge=0)
    #: who the back end records as having made a change
    assistant_name: str = Field(default="casebot", min_length=1)


@lru_cache(maxsize=1)
def get_case_settings() -> CaseSettings:
    """The case settings of this process, read once."""
    return CaseSettings()
