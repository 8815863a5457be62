from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.backend import (
    BackendError,
    Case,
    CaseDraft,
    CaseFilter,
    CaseNotFound,
    CaseTemplate,
    Conflict,
    Page,
    TemplateField,
)
from cases.settings import get_case_settings
from cases.template import TemplateSpec

TEMPLATE_FILE = Path(__file__).resolve().parents[3] / "data" / "case_template.yaml"


class InMemoryBackend:
    """A CaseBackend that keeps cases in a dict and remembers every create."""

    def __init__(self, spec: TemplateSpec) -> None:
        self.spec = spec
        self.creates: list[tuple[CaseDraft, str]] = []
        self.cases: dict[str, tuple[CaseDraft, Case]] = {}
        self.failures: list[BackendError] = []
        self.template_failure: BackendError | None = None
        self.comments: dict[str, list[str]] = {}

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        self.creates.append((draft, idempotency_key))
        if self.failures:
            raise self.failures.pop(0)
        if idempotency_key in self.cases:
            known, case = self.cases[idempotency_key]
            if known != draft:
                raise Conflict("key reused with another draft")
            return case
        ref = f"{len(self.cases) + 1:08d}"
        case = Case(case_id=f"case-{ref}", ref=ref, title=draft.title, status="open")
        self.cases[idempotency_key] = (draft, case)
        return case

    async def get_case(self, ref: str) -> Case:
        for _, case in self.cases.values():
            if case.ref == ref:
                return case
        raise CaseNotFound(ref)

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        return Page(cases=[case for _, case in self.cases.values()])

    async def update_case(self, ref: str, fields: dict[str, str | None]) -> Case:
        return await self.get_case(ref)

    async def add_comment(self, ref: str, text: str) -> None:
        self.comments.setdefault(ref, []).append(text)

    async def get_template(self) -> CaseTemplate:
        if self.template_failure is not None:
            raise self.template_failure
        return CaseTemplate(
            template_id="tmpl",
            name=self.spec.template_name,
            fields={
                name: TemplateField(
                    name=name,
                    field_id=rules.field_name,
                    type=rules.type,
                    required=rules.required,
                    max_length=min(rules.max_length or 4100, 4100)
                    if rules.type == "Text"
                    else None,
                    options=rules.options,
                )
                for name, rules in self.spec.fields.items()
            },
        )


@pytest.fixture
def backend(spec: TemplateSpec) -> InMemoryBackend:
    return InMemoryBackend(spec)


@pytest.fixture(autouse=True)
def repository_template(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Actions built without case settings read the process's: the repository's template file."""
    monkeypatch.setenv("CASE_TEMPLATE_FILE", str(TEMPLATE_FILE))
    get_case_settings.cache_clear()
    yield
    get_case_settings.cache_clear()
