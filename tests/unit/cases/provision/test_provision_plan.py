from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from cases.provision.plan import (
    CreateDomain,
    CreateField,
    CreateLayout,
    CreateTemplate,
    OptionChange,
    PutFieldOptions,
    UpdateField,
    UpdateLayout,
    UpdateTemplate,
    layout_content,
    plan_domain,
)
from cases.provision.spec import DomainFileError, DomainSpec, load_domain_spec
from cases.provision.state import (
    ActualDomain,
    ActualField,
    ActualLayout,
    ActualOption,
    ActualTemplate,
    DomainRef,
)

REPO = Path(__file__).resolve().parents[4]
DOMAIN_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
REF = DomainRef("dom-1", "arn:aws:cases:us-east-1:111122223333:domain/dom-1", "casebot", "Active")


@pytest.fixture
def spec() -> DomainSpec:
    return load_domain_spec(DOMAIN_FILE)


def field_id(name: str) -> str:
    return "id-" + name.lower().replace(" ", "-").replace("/", "-")


def matching(spec: DomainSpec) -> ActualDomain:
    """The domain exactly as the file describes it."""
    fields = tuple(
        ActualField(
            field_id(f.name),
            f.name,
            f.type,
            "System" if f.system else "Custom",
            f.description,
            f.multiline,
        )
        for f in spec.fields
    )
    options = {
        field_id(f.name): tuple(ActualOption(o.name, o.value) for o in f.options)
        for f in spec.fields
        if f.options is not None
    }
    assert spec.layout is not None
    layout = ActualLayout(
        "layout-1",
        spec.layout.name,
        dict(
            layout_content(
                [field_id(n) for n in spec.layout.top_panel],
                [field_id(n) for n in spec.layout.more_info],
            )
        ),
    )
    template = ActualTemplate(
        "tmpl-1",
        spec.template.name,
        spec.template.description,
        "Active",
        frozenset(field_id(n) for n in spec.template.required),
        "layout-1",
    )
    return ActualDomain(REF, fields, options, layout, template)


def with_field(actual: ActualDomain, name: str, **changes: str | bool | None) -> ActualDomain:
    fields = tuple(replace(f, **changes) if f.name == name else f for f in actual.fields)
    return replace(actual, fields=fields)


def test_empty_service_creates_the_domain_then_everything_in_it(spec: DomainSpec) -> None:
    plan = plan_domain(spec, None)

    assert plan.errors == ()
    assert plan.steps == (
        CreateDomain("casebot"),
        CreateField(
            "Description", "Text", "What happened, in the customer's words", multiline=True
        ),
        CreateField(
            "Contact", "Text", "Email address or phone number (E.164) to reach the customer"
        ),
        CreateField("Priority", "SingleSelect", "How urgent the case is"),
        PutFieldOptions(
            "Priority",
            tuple(OptionChange(v, v, True, "add") for v in ("Low", "Medium", "High", "Critical")),
        ),
        CreateField("Origin", "SingleSelect", "Where the case came from"),
        PutFieldOptions(
            "Origin",
            tuple(
                OptionChange(v, v, True, "add") for v in ("webchat", "WhatsApp", "Voice", "Email")
            ),
        ),
        CreateField(
            "Contact verified",
            "SingleSelect",
            "Yes when the contact is the customer's own (the number they wrote from, or in a "
            "signed identity); a typed one is No and gets no automatic messages",
        ),
        PutFieldOptions(
            "Contact verified", tuple(OptionChange(v, v, True, "add") for v in ("Yes", "No"))
        ),
        CreateField(
            "On hold", "Boolean", "The case waits on the customer or someone else; agents set it"
        ),
        CreateField(
            "Customer satisfaction",
            "Number",
            "The customer's rating from 1 to 5, asked when the case closed (their words, if any, "
            "are a comment)",
        ),
        CreateLayout(
            "casebot default layout",
            ("Title", "Status", "On hold", "Priority", "Contact"),
            (
                "Description",
                "Origin",
                "Contact verified",
                "Customer satisfaction",
                "Customer",
                "Reference number",
            ),
        ),
        CreateTemplate(
            "Customer case",
            "A case opened by the assistant on behalf of a customer",
            "Active",
            ("Title", "Description", "Contact", "Priority"),
            True,
        ),
    )
    assert plan.domain is None and plan.template_id is None


def test_matching_service_needs_nothing(spec: DomainSpec) -> None:
    plan = plan_domain(spec, matching(spec))

    assert (plan.steps, plan.errors) == ((), ())
    assert {"layout casebot default layout", "template Customer case", "field Priority"} <= set(
        plan.kept
    )
    assert (plan.domain, plan.template_id) == (REF, "tmpl-1")


def test_changed_option_list_puts_only_the_differences(spec: DomainSpec) -> None:
    actual = matching(spec)
    priority = field_id("Priority")
    options = dict(actual.options)
    options[priority] = (
        ActualOption("Low", "Low", active=False),
        ActualOption("Normal", "Medium"),
        ActualOption("High", "High"),
        ActualOption("Urgent", "Urgent"),
        ActualOption("Old", "Old", active=False),
    )

    plan = plan_domain(spec, replace(actual, options=options))

    assert plan.steps == (
        PutFieldOptions(
            "Priority",
            (
                OptionChange("Low", "Low", True, "reactivate"),
                OptionChange("Medium", "Medium", True, "rename"),
                OptionChange("Critical", "Critical", True, "add"),
                OptionChange("Urgent", "Urgent", False, "deactivate"),
            ),
        ),
    )


def test_extra_options_of_a_system_field_are_left_alone(spec: DomainSpec) -> None:
    actual = matching(spec)
    options = dict(actual.options)
    options[field_id("Status")] += (ActualOption("escalated", "escalated"),)

    plan = plan_domain(spec, replace(actual, options=options))

    assert plan.steps == ()


def test_type_mismatch_is_an_error_and_the_field_is_not_touched(spec: DomainSpec) -> None:
    actual = with_field(matching(spec), "Priority", type="Text")
    actual = replace(
        actual, options={k: v for k, v in actual.options.items() if k != "id-priority"}
    )

    plan = plan_domain(spec, actual)

    assert len(plan.errors) == 1
    assert "Priority is Text in the domain but SingleSelect in the file" in plan.errors[0]
    assert plan.steps == ()


def test_missing_system_field_is_an_error_not_a_create(spec: DomainSpec) -> None:
    actual = matching(spec)
    actual = replace(actual, fields=tuple(f for f in actual.fields if f.name != "Summary"))

    plan = plan_domain(spec, actual)

    assert plan.errors == ("system field Summary is missing from the domain",)
    assert not any(isinstance(step, CreateField) for step in plan.steps)


def test_changed_description_updates_the_field(spec: DomainSpec) -> None:
    actual = with_field(matching(spec), "Contact", description="How to reach them")

    plan = plan_domain(spec, actual)

    assert plan.steps == (
        UpdateField(
            field_id("Contact"),
            "Contact",
            "Email address or phone number (E.164) to reach the customer",
            "How to reach them",
        ),
    )


def test_missing_custom_field_is_created_and_layout_and_template_updated(
    spec: DomainSpec,
) -> None:
    actual = matching(spec)
    actual = replace(actual, fields=tuple(f for f in actual.fields if f.name != "Contact"))

    plan = plan_domain(spec, actual)

    kinds = [type(step) for step in plan.steps]
    assert kinds == [CreateField, UpdateLayout, UpdateTemplate]
    assert plan.steps[2] == UpdateTemplate(
        "tmpl-1",
        "Customer case",
        "A case opened by the assistant on behalf of a customer",
        "Active",
        ("Title", "Description", "Contact", "Priority"),
        True,
        ("required fields",),
    )


def test_changed_template_required_fields_update_the_template(spec: DomainSpec) -> None:
    actual = matching(spec)
    assert actual.template is not None
    actual = replace(actual, template=replace(actual.template, required=frozenset({"id-title"})))

    plan = plan_domain(spec, actual)

    assert plan.steps == (
        UpdateTemplate(
            "tmpl-1",
            "Customer case",
            "A case opened by the assistant on behalf of a customer",
            "Active",
            ("Title", "Description", "Contact", "Priority"),
            True,
            ("required fields",),
        ),
    )


def test_inactive_template_without_its_layout_is_updated_for_both(spec: DomainSpec) -> None:
    actual = matching(spec)
    assert actual.template is not None
    template = replace(actual.template, status="Inactive", default_layout=None)

    plan = plan_domain(spec, replace(actual, template=template))

    assert [step.changes for step in plan.steps if isinstance(step, UpdateTemplate)] == [
        ("default layout", "status")
    ]


def test_layout_showing_other_fields_is_updated(spec: DomainSpec) -> None:
    actual = matching(spec)
    assert actual.layout is not None
    content = layout_content([field_id("Title")], [])
    actual = replace(actual, layout=replace(actual.layout, content=dict(content)))

    plan = plan_domain(spec, actual)

    assert plan.steps == (
        UpdateLayout(
            "layout-1",
            "casebot default layout",
            ("Title", "Status", "On hold", "Priority", "Contact"),
            (
                "Description",
                "Origin",
                "Contact verified",
                "Customer satisfaction",
                "Customer",
                "Reference number",
            ),
        ),
    )


def test_domain_name_from_the_command_line_replaces_the_files() -> None:
    spec = load_domain_spec(DOMAIN_FILE, "casebot-staging")

    assert plan_domain(spec, None).steps[0] == CreateDomain("casebot-staging")


def test_single_line_description_is_made_multi_line_and_nothing_else_changes(
    spec: DomainSpec,
) -> None:
    actual = with_field(matching(spec), "Description", multiline=False)

    plan = plan_domain(spec, actual)

    assert plan.steps == (
        UpdateField(
            field_id("Description"),
            "Description",
            None,
            "What happened, in the customer's words",
            make_multiline=True,
        ),
    )


def test_multi_line_field_the_file_calls_single_line_is_left_multi_line(spec: DomainSpec) -> None:
    # narrowing could cut values already stored past a single line's 500 characters
    actual = with_field(matching(spec), "Contact", multiline=True)

    assert plan_domain(spec, actual).steps == ()


def test_only_a_text_field_may_be_multi_line(tmp_path: Path) -> None:
    domain_file = tmp_path / "domain.yaml"
    domain_file.write_text(
        DOMAIN_FILE.read_text(encoding="utf-8").replace(
            "    options: [Low, Medium, High, Critical]",
            "    options: [Low, Medium, High, Critical]\n    multiline: true",
        ),
        encoding="utf-8",
    )

    with pytest.raises(DomainFileError, match="only a Text field"):
        load_domain_spec(domain_file)


def test_options_are_never_added_to_a_system_field() -> None:
    """AWS's status is open/closed; a file asking for more is an error, not an added option."""
    raw = yaml.safe_load(DOMAIN_FILE.read_text())
    for field in raw["system_fields"]:
        if field["fieldId"] == "status":
            field["options"] = ["open", "pending", "closed"]
    spec = DomainSpec.model_validate(
        {
            "name": raw["domain"]["name"],
            "fields": [{**f, "system": True} for f in raw["system_fields"]]
            + [{**f, "system": False} for f in raw["custom_fields"]],
            "layout": raw["layout"],
            "template": raw["template"],
        }
    )
    actual = matching(load_domain_spec(DOMAIN_FILE))

    plan = plan_domain(spec, actual)

    assert not [s for s in plan.steps if isinstance(s, PutFieldOptions)]
    assert any("system field Status has no option pending" in e for e in plan.errors)
