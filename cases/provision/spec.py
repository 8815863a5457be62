"""The Connect Cases domain a file asks for (``data/connect_cases/domain.yaml``), as read.

Fields, the layout and the template are matched to the service's by *name*. The ids the file
gives (``domainId``, ``fieldId``, ``layoutId``, ``templateId``) are the sandbox's fixed ids; a
real domain makes its own, so provisioning ignores them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

FieldType = Literal["Text", "Number", "Boolean", "DateTime", "SingleSelect", "Url", "User"]
TemplateStatus = Literal["Active", "Inactive"]


class DomainFileError(ValueError):
    """The domain file cannot be read or does not describe a domain."""


class OptionSpec(BaseModel):
    """One choice of a single-select field; a bare string in the file is its name and value."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: str


class FieldSpec(BaseModel):
    """A field the domain must have."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType
    #: a system field comes with every domain; provisioning only checks it
    system: bool = False
    description: str | None = None
    #: a Text field that takes 4,100 characters instead of a single line's 500
    multiline: bool = False
    #: the options a single-select field must offer; ``None`` when the file lists none
    options: tuple[OptionSpec, ...] | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _bare_options(cls, value: Any) -> Any:
        if value is None:
            return None
        return [{"name": item, "value": item} if isinstance(item, str) else item for item in value]

    @model_validator(mode="after")
    def _multiline_text(self) -> FieldSpec:
        if self.multiline and self.type != "Text":
            raise ValueError(f"field {self.name}: only a Text field can be multi-line")
        return self


class LayoutSpec(BaseModel):
    """The layout: the fields of the agent's top panel and of "more info", by name."""

    model_config = ConfigDict(frozen=True)

    name: str
    top_panel: tuple[str, ...] = ()
    more_info: tuple[str, ...] = ()


class CaseTemplateSpec(BaseModel):
    """The case template: its required fields (by name) and status."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str | None = None
    status: TemplateStatus = "Active"
    required: tuple[str, ...] = ()


class DomainSpec(BaseModel):
    """The whole domain: name, fields, layout and template."""

    model_config = ConfigDict(frozen=True)

    name: str
    fields: tuple[FieldSpec, ...]
    layout: LayoutSpec | None = None
    template: CaseTemplateSpec

    @model_validator(mode="after")
    def _names_are_known(self) -> DomainSpec:
        names = [field.name for field in self.fields]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"fields defined more than once: {', '.join(repeated)}")
        used = [*self.template.required]
        if self.layout is not None:
            used += [*self.layout.top_panel, *self.layout.more_info]
        unknown = sorted(set(used) - set(names))
        if unknown:
            raise ValueError(f"the layout or template names undefined fields: {', '.join(unknown)}")
        return self

    def field(self, name: str) -> FieldSpec:
        """The field named ``name``."""
        return next(field for field in self.fields if field.name == name)


def load_domain_spec(path: Path, domain_name: str | None = None) -> DomainSpec:
    """Read ``path``; ``domain_name`` replaces the name the file gives the domain."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DomainFileError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise DomainFileError(f"{path} does not describe a domain")
    fields = [{**item, "system": True} for item in raw.get("system_fields") or []] + [
        {**item, "system": False} for item in raw.get("custom_fields") or []
    ]
    try:
        return DomainSpec.model_validate(
            {
                "name": domain_name or (raw.get("domain") or {}).get("name"),
                "fields": fields,
                "layout": raw.get("layout"),
                "template": raw.get("template"),
            }
        )
    except ValidationError as exc:
        raise DomainFileError(f"{path} is not a valid domain description:\n{exc}") from exc
