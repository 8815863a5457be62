"""The case template the form validates against, and one validator per logical field.

The fallback is the template file (``cases.template``, ``data/case_template.yaml``); what the
back end's ``get_template()`` says (required flags, single-select options, length limits) wins
where it says something. Each validator answers ``Accepted`` with the normalised value or
``Rejected`` with a short reason the user can read ("a title needs at least 3 characters").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from actions.kit.normalise import match_choice, normalise_email, normalise_phone, spoken_list, words
from cases.backend import BackendError, CaseBackend, CaseTemplate, TemplateField
from cases.template import FieldSpec, TemplateSpec

logger = logging.getLogger(__name__)

#: longest description accepted at all; past the back end's field limit the text spills
#: into comments, and this bounds how many
DESCRIPTION_HARD_MAX = 100_000


@dataclass(frozen=True)
class Accepted:
    """A value the case can take, normalised."""

    value: str
    #: longer than the back end's field: the field gets the start, comments the full text
    overflows: bool = False


@dataclass(frozen=True)
class Rejected:
    """A value the case cannot take, and why, in words for the user."""

    reason: str


Verdict = Accepted | Rejected


class FormField(BaseModel):
    """One field as the form checks it: the file's rules merged with the back end's."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    required: bool
    min_length: int | None = None
    max_length: int | None = None
    options: tuple[str, ...] = ()
    #: phrase (in ``normalise.words`` form) -> option
    phrases: dict[str, str] = Field(default_factory=dict)


class FormTemplate(BaseModel):
    """Every field of the case form and how to check a value for it."""

    model_config = ConfigDict(frozen=True)

    fields: dict[str, FormField]
    #: region for phone numbers typed without a +country code
    phone_region: str
    #: the statuses a case can be given, as the back end says; ``None`` when it could not say
    statuses: tuple[str, ...] | None = None

    def check(self, name: str, raw: object) -> Verdict:
        """Check ``raw`` as a value of the logical field ``name``."""
        text = _as_text(raw)
        if text is None:
            return Rejected("I need that as text")
        field = self.fields[name]
        return _CHECKS[name](self, field, text)

    def accepted(self, name: str, said: str | None) -> str | None:
        """``said`` as the field ``name`` takes it, or ``None`` when it does not (or is unsaid)."""
        if said is None:
            return None
        verdict = self.check(name, said)
        return verdict.value if isinstance(verdict, Accepted) else None


def merge_template(
    spec: TemplateSpec, backend: CaseTemplate | None, phone_region: str
) -> FormTemplate:
    """The form's view of the template: ``spec`` overridden by what ``backend`` says."""
    fields: dict[str, FormField] = {}
    for name, rules in spec.fields.items():
        told: TemplateField | None = backend.fields.get(name) if backend else None
        options = told.options if told and told.options else rules.options
        limits = [n for n in (rules.max_length, told.max_length if told else None) if n]
        fields[name] = FormField(
            name=name,
            type=told.type if told else rules.type,
            required=told.required if told else rules.required,
            min_length=rules.min_length,
            max_length=min(limits) if limits else None,
            options=options,
            phrases=_phrases(name, rules, options),
        )
    return FormTemplate(
        fields=fields, phone_region=phone_region, statuses=backend.statuses if backend else None
    )


async def load_form_template(
    backend: CaseBackend, spec: TemplateSpec, phone_region: str
) -> FormTemplate:
    """The merged template; the file alone when the back end cannot say."""
    try:
        told = await backend.get_template()
    except BackendError:
        logger.warning("case template unavailable from the back end; using the template file")
        told = None
    return merge_template(spec, told, phone_region)


def _phrases(name: str, rules: FieldSpec, options: tuple[str, ...]) -> dict[str, str]:
    phrases: dict[str, str] = {}
    for option in options:
        for said in rules.synonyms.get(option, ()):
            phrases[words(said)] = option
    if name == "priority":
        # ticket-style levels: p1 is the most urgent, i.e. the last option of the file's order
        ranked = [o for o in reversed(rules.options) if o in options] or list(reversed(options))
        for level, option in enumerate(ranked, start=1):
            phrases[f"p{level}"] = option
            phrases[f"priority {level}"] = option
    for option in options:
        phrases[words(option)] = option
    return phrases


def _as_text(raw: object) -> str | None:
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    return None


def _check_title(template: FormTemplate, field: FormField, text: str) -> Verdict:
    title = " ".join(text.split())
    if field.min_length and len(title) < field.min_length:
        return Rejected(f"a title needs at least {field.min_length} characters")
    if field.max_length and len(title) > field.max_length:
        return Rejected(f"a title can have at most {field.max_length} characters")
    return Accepted(title)


def _check_description(template: FormTemplate, field: FormField, text: str) -> Verdict:
    description = text.replace("\r\n", "\n").strip()
    if field.min_length and len(description) < field.min_length:
        return Rejected(f"a description needs at least {field.min_length} characters")
    if len(description) > DESCRIPTION_HARD_MAX:
        return Rejected(f"a description can have at most {DESCRIPTION_HARD_MAX:,} characters")
    overflows = field.max_length is not None and len(description) > field.max_length
    return Accepted(description, overflows=overflows)


def _check_contact(template: FormTemplate, field: FormField, text: str) -> Verdict:
    if "@" in text:
        contact = normalise_email(text)
    else:
        contact = normalise_phone(text, template.phone_region)
    if contact is None or (field.max_length and len(contact) > field.max_length):
        return Rejected("that doesn't look like an email address or phone number")
    return Accepted(contact)


def _check_choice(template: FormTemplate, field: FormField, text: str) -> Verdict:
    found = match_choice(text, field.phrases)
    if len(found) == 1:
        return Accepted(found.pop())
    return Rejected(f"please pick one of {spoken_list(field.options)}")


_CHECKS: dict[str, Callable[[FormTemplate, FormField, str], Verdict]] = {
    "title": _check_title,
    "description": _check_description,
    "contact": _check_contact,
    "priority": _check_choice,
    "origin": _check_choice,
}
