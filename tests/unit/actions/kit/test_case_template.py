from __future__ import annotations

import pytest

from actions.kit.template import (
    DESCRIPTION_HARD_MAX,
    Accepted,
    FormTemplate,
    Rejected,
    load_form_template,
    merge_template,
)
from cases.backend import BackendUnavailable, CaseTemplate, TemplateField
from cases.template import TemplateSpec


@pytest.fixture
def template(spec: TemplateSpec) -> FormTemplate:
    return merge_template(spec, None, "GB")


def accepted(template: FormTemplate, name: str, raw: object) -> Accepted:
    verdict = template.check(name, raw)
    assert isinstance(verdict, Accepted), verdict
    return verdict


def rejected(template: FormTemplate, name: str, raw: object) -> str:
    verdict = template.check(name, raw)
    assert isinstance(verdict, Rejected), verdict
    return verdict.reason


# title


def test_title_is_trimmed_and_whitespace_collapsed(template: FormTemplate) -> None:
    assert accepted(template, "title", "  Router \n keeps   dropping ").value == (
        "Router keeps dropping"
    )


def test_title_shorter_than_minimum_is_rejected_with_reason(template: FormTemplate) -> None:
    assert rejected(template, "title", " ab ") == "a title needs at least 3 characters"


def test_title_longer_than_maximum_is_rejected_with_reason(template: FormTemplate) -> None:
    assert accepted(template, "title", "x" * 200).value == "x" * 200
    assert rejected(template, "title", "x" * 201) == "a title can have at most 200 characters"


def test_value_that_is_not_text_is_rejected(template: FormTemplate) -> None:
    assert rejected(template, "title", {"a": 1}) == "I need that as text"


# description


def test_description_keeps_its_line_breaks(template: FormTemplate) -> None:
    verdict = accepted(template, "description", "  Line one.\r\nLine two.  ")
    assert verdict.value == "Line one.\nLine two."
    assert verdict.overflows is False


def test_description_too_short_is_rejected(template: FormTemplate) -> None:
    assert rejected(template, "description", "hi") == "a description needs at least 5 characters"


def test_description_at_the_field_limit_does_not_overflow(template: FormTemplate) -> None:
    assert accepted(template, "description", "x" * 4100).overflows is False


def test_30000_character_description_is_accepted_whole_and_flagged(
    template: FormTemplate,
) -> None:
    text = ("All the details of what went wrong. " * 900)[:30_000].strip()
    verdict = accepted(template, "description", text)
    assert verdict.value == text
    assert verdict.overflows is True


def test_description_over_the_hard_maximum_is_rejected(template: FormTemplate) -> None:
    assert accepted(template, "description", "x" * DESCRIPTION_HARD_MAX).overflows
    reason = rejected(template, "description", "x" * (DESCRIPTION_HARD_MAX + 1))
    assert reason == "a description can have at most 100,000 characters"


# contact


def test_email_is_normalised(template: FormTemplate) -> None:
    assert accepted(template, "contact", " Bob@Example.COM ").value == "Bob@example.com"


def test_email_inside_a_sentence_is_found(template: FormTemplate) -> None:
    assert accepted(template, "contact", "mail me at ann@example.org.").value == "ann@example.org"


def test_email_without_a_real_domain_is_rejected(template: FormTemplate) -> None:
    assert rejected(template, "contact", "bob@localhost") == (
        "that doesn't look like an email address or phone number"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "+44 7911 123456",
        "+447911123456",
        "07911 123456",
        "07911-123-456",
        "call me on 07911 123456",
    ],
)
def test_uk_phone_with_or_without_country_code_becomes_e164(
    template: FormTemplate, typed: str
) -> None:
    assert accepted(template, "contact", typed).value == "+447911123456"


def test_phone_without_country_code_uses_the_default_region(spec: TemplateSpec) -> None:
    american = merge_template(spec, None, "US")
    assert accepted(american, "contact", "(202) 555-0143").value == "+12025550143"
    assert accepted(american, "contact", "+44 20 7946 0958").value == "+442079460958"


@pytest.mark.parametrize("typed", ["12345", "no idea", "tomorrow", ""])
def test_text_that_is_neither_email_nor_phone_is_rejected(
    template: FormTemplate, typed: str
) -> None:
    assert rejected(template, "contact", typed) == (
        "that doesn't look like an email address or phone number"
    )


# priority and origin


@pytest.mark.parametrize(
    ("said", "priority"),
    [
        ("high", "High"),
        ("LOW", "Low"),
        ("Critical", "Critical"),
        ("urgent", "High"),
        ("ASAP!", "High"),
        ("not urgent", "Low"),
        ("it's not urgent at all", "Low"),
        ("no rush", "Low"),
        ("this is extremely urgent", "Critical"),
        ("we have an outage", "Critical"),
        ("normal", "Medium"),
        ("p1", "Critical"),
        ("P2", "High"),
        ("priority 3", "Medium"),
        ("p4", "Low"),
    ],
)
def test_priority_matches_options_synonyms_and_levels(
    template: FormTemplate, said: str, priority: str
) -> None:
    assert accepted(template, "priority", said).value == priority


@pytest.mark.parametrize("said", ["purple", "not critical", "low or high", "p9"])
def test_unclear_priority_is_rejected_listing_the_options(
    template: FormTemplate, said: str
) -> None:
    assert rejected(template, "priority", said) == (
        "please pick one of Low, Medium, High or Critical"
    )


@pytest.mark.parametrize(
    ("said", "origin"),
    [
        ("webchat", "webchat"),
        ("whatsapp", "WhatsApp"),
        ("Twilio", "WhatsApp"),
        ("phone call", "Voice"),
        ("the website", "webchat"),
        ("E-mail", "Email"),
    ],
)
def test_origin_matches_options_in_the_templates_spelling(
    template: FormTemplate, said: str, origin: str
) -> None:
    assert accepted(template, "origin", said).value == origin


def test_unknown_origin_is_rejected(template: FormTemplate) -> None:
    assert rejected(template, "origin", "carrier pigeon") == (
        "please pick one of webchat, WhatsApp, Voice or Email"
    )


# merging what the back end says


def backend_template(**overrides: TemplateField) -> CaseTemplate:
    fields = {
        "title": TemplateField(name="title", field_id="title", type="Text", max_length=4100),
        "priority": TemplateField(
            name="priority", field_id="p-1", type="SingleSelect", options=("Low", "High")
        ),
    }
    fields.update(overrides)
    return CaseTemplate(template_id="t", name="Customer case", fields=fields)


def test_back_end_options_replace_the_files(spec: TemplateSpec) -> None:
    template = merge_template(spec, backend_template(), "GB")
    assert accepted(template, "priority", "urgent").value == "High"
    assert rejected(template, "priority", "medium") == "please pick one of Low or High"
    assert accepted(template, "priority", "p1").value == "High"


def test_back_end_required_flag_wins_and_the_smaller_limit_applies(spec: TemplateSpec) -> None:
    told = backend_template(
        title=TemplateField(name="title", field_id="title", type="Text", max_length=50)
    )
    template = merge_template(spec, told, "GB")
    assert template.fields["title"].required is False
    assert template.fields["title"].max_length == 50
    assert template.fields["description"].required is True  # the back end said nothing


async def test_template_falls_back_to_the_file_when_the_back_end_is_down(
    spec: TemplateSpec, backend
) -> None:
    backend.template_failure = BackendUnavailable("down")
    template = await load_form_template(backend, spec, "GB")
    assert template == merge_template(spec, None, "GB")
