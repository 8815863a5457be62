"""Every environment variable a process reads is explained in README.md and .env.example."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

import actions.kit.settings
import actions.otp.settings
import api.jobs.retention_settings
import api.ratelimit_settings
import api.settings
import cases.aicc.settings
import cases.connect.settings
import cases.settings
import sandbox.settings

ROOT = Path(__file__).resolve().parents[2]
MODULES = (
    api.settings,
    api.ratelimit_settings,
    api.jobs.retention_settings,
    actions.kit.settings,
    actions.otp.settings,
    cases.settings,
    cases.connect.settings,
    cases.aicc.settings,
    sandbox.settings,
)
#: read under the name of another setting the README explains (boto3's own variable)
SHARED = {"SANDBOX_REGION": "AWS_DEFAULT_REGION"}


def _settings_classes() -> Iterator[type[BaseSettings]]:
    for module in MODULES:
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseSettings)
                and value.__module__ == module.__name__
            ):
                yield value


def _variables() -> list[str]:
    names: set[str] = set()
    for cls in _settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        for field_name, field in cls.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, str):
                names.add(alias.upper())
            elif isinstance(alias, AliasChoices):
                names.update(str(choice).upper() for choice in alias.choices[1:])
            else:
                names.add((prefix + field_name).upper())
    return sorted(names)


def _mentioned(text: str) -> set[str]:
    return set(re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", text))


VARIABLES = _variables()


def test_the_settings_classes_are_found() -> None:
    # the walk over the settings modules finds the variables everybody sets first
    assert {"RASA_API_TOKEN", "CASE_BACKEND", "SANDBOX_DB_PATH"} <= set(VARIABLES)
    # and those of each back end, read beside its code
    assert {"CONNECT_CASES_DOMAIN_ID", "CUSTOMER_PROFILES_DOMAIN", "AICC_BASE_URL"} <= set(
        VARIABLES
    )


def test_every_module_that_defines_settings_is_walked() -> None:
    # a settings class in a module of its own (as each back end has) is not missed
    defining = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in ("actions", "api", "cases", "sandbox")
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"^class \w+\([^)]*\bBaseSettings\b", path.read_text(encoding="utf-8"), re.M)
    }
    assert defining == {module.__name__ for module in MODULES}


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_variable_is_documented(document: str) -> None:
    mentioned = _mentioned((ROOT / document).read_text(encoding="utf-8"))
    missing = [name for name in VARIABLES if SHARED.get(name, name) not in mentioned]
    assert missing == [], f"{document} does not explain {missing}"
