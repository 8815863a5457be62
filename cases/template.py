"""The logical case template file (``CASE_TEMPLATE_FILE``): the fields the assistant collects.

Every back end maps these logical fields onto its own (Connect Cases fields by name, AICC's
``caseInfo`` and extension fields); the action server's form validates against the same file
where the back end says nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class FieldSpec(BaseModel):
    """One logical field as the template file describes it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: the back end's field name (Connect Cases fields are matched by name)
    field_name: str
    type: str = "Text"
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    format: str | None = None
    options: tuple[str, ...] = ()
    #: per option, other ways people say it
    synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: the value a case takes when the customer never said one (a case filed because they
    #: asked for a person before the form asked), recorded on the case as not theirs
    default: str | None = None


class TemplateSpec(BaseModel):
    """The template file: the logical fields the assistant collects."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    template_name: str
    fields: dict[str, FieldSpec]
    #: fields of a case's state that agents change and the form never asks for (``on_hold``)
    state_fields: dict[str, FieldSpec] = Field(default_factory=dict)


@lru_cache(maxsize=8)
def load_template_spec(path: Path) -> TemplateSpec:
    """Read the template file once per path."""
    with path.open(encoding="utf-8") as handle:
        return TemplateSpec.model_validate(yaml.safe_load(handle))
