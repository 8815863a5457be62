"""Compare the domain a file asks for with the one the service has: a list of typed steps.

Pure: no client, no I/O. Fields are matched by name. A missing custom field is created, a
custom field whose description differs is updated, and so is a single-line Text field the file
wants multi-line (never the other way: values longer than a single line's 500 characters may
already be stored); a field whose type differs is an error (a type is never changed: cases
already hold values of the old one). Single-select options the
file lists are added, renamed or reactivated; a custom field's active options the file does not
list are deactivated (not deleted, so cases that hold them stay readable); a system field's
options are only checked: one the file lists and the domain lacks is an error, since options
are never added to a system field (AWS's status is open/closed; "on hold" is a custom field).
Layout and template are created, or updated when they differ.
When the domain does not exist yet, the plan assumes it will come with the system fields the
file lists; they are checked against the real ones once it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cases.provision.spec import DomainSpec, FieldSpec, FieldType, TemplateStatus
from cases.provision.state import (
    ActualDomain,
    ActualField,
    ActualOption,
    DomainRef,
)

if TYPE_CHECKING:
    from mypy_boto3_connectcases.type_defs import LayoutContentTypeDef, LayoutSectionsTypeDef

TOP_PANEL_TITLE = "Top panel"
MORE_INFO_TITLE = "More info"


@dataclass(frozen=True)
class CreateDomain:
    """CreateDomain."""

    name: str


@dataclass(frozen=True)
class CreateField:
    """CreateField for a custom field the domain lacks."""

    name: str
    type: FieldType
    description: str | None
    multiline: bool = False


@dataclass(frozen=True)
class UpdateField:
    """UpdateField: a custom field's description, or its text made multi-line."""

    field_id: str
    name: str
    #: ``None`` leaves the description as it is
    description: str | None
    old_description: str | None
    make_multiline: bool = False


@dataclass(frozen=True)
class OptionChange:
    """One option to put, and why."""

    name: str
    value: str
    active: bool
    #: add, rename, reactivate or deactivate
    change: str


@dataclass(frozen=True)
class PutFieldOptions:
    """BatchPutFieldOptions for one single-select field (known by name: it may be new)."""

    field_name: str
    options: tuple[OptionChange, ...]


@dataclass(frozen=True)
class CreateLayout:
    """CreateLayout; fields by name."""

    name: str
    top_panel: tuple[str, ...]
    more_info: tuple[str, ...]


@dataclass(frozen=True)
class UpdateLayout:
    """UpdateLayout; fields by name."""

    layout_id: str
    name: str
    top_panel: tuple[str, ...]
    more_info: tuple[str, ...]


@dataclass(frozen=True)
class CreateTemplate:
    """CreateTemplate; required fields by name, default layout the file's layout."""

    name: str
    description: str | None
    status: TemplateStatus
    required: tuple[str, ...]
    with_layout: bool


@dataclass(frozen=True)
class UpdateTemplate:
    """UpdateTemplate to the file's state; ``changes`` names what differs."""

    template_id: str
    name: str
    description: str | None
    status: TemplateStatus
    required: tuple[str, ...]
    with_layout: bool
    changes: tuple[str, ...]


Step = (
    CreateDomain
    | CreateField
    | UpdateField
    | PutFieldOptions
    | CreateLayout
    | UpdateLayout
    | CreateTemplate
    | UpdateTemplate
)


@dataclass(frozen=True)
class Plan:
    """What to do, what is already right, and what provisioning must not fix by itself."""

    domain_name: str
    steps: tuple[Step, ...]
    #: what already matches the file, e.g. ``field Title``
    kept: tuple[str, ...]
    errors: tuple[str, ...]
    #: the domain, when it exists
    domain: DomainRef | None = None
    #: the template's id, when it exists
    template_id: str | None = None


def plan_domain(spec: DomainSpec, actual: ActualDomain | None) -> Plan:
    """The steps that make ``actual`` (``None``: no such domain) match ``spec``."""
    steps: list[Step] = []
    kept: list[str] = []
    errors: list[str] = []
    if actual is None:
        steps.append(CreateDomain(spec.name))
        actual = _assumed_new_domain(spec)
        domain = None
    else:
        kept.append(f"domain {spec.name}")
        domain = actual.ref
    for wanted in spec.fields:
        _plan_field(wanted, actual, steps, kept, errors)
    layout_id = _plan_layout(spec, actual, steps, kept)
    _plan_template(spec, actual, layout_id, steps, kept)
    return Plan(
        domain_name=spec.name,
        steps=tuple(steps),
        kept=tuple(kept),
        errors=tuple(errors),
        domain=domain,
        template_id=actual.template.template_id if actual.template else None,
    )


def layout_content(top_panel: list[str], more_info: list[str]) -> LayoutContentTypeDef:
    """The LayoutContent showing these field ids, as CreateLayout and UpdateLayout take it."""
    return {
        "basic": {
            "topPanel": _sections(TOP_PANEL_TITLE, top_panel),
            "moreInfo": _sections(MORE_INFO_TITLE, more_info),
        }
    }


def _sections(title: str, field_ids: list[str]) -> LayoutSectionsTypeDef:
    return {"sections": [{"fieldGroup": {"name": title, "fields": [{"id": i} for i in field_ids]}}]}


def _assumed_new_domain(spec: DomainSpec) -> ActualDomain:
    system = [f for f in spec.fields if f.system]
    fields = tuple(ActualField(f"<{f.name}>", f.name, f.type, "System") for f in system)
    options = {
        f"<{f.name}>": tuple(ActualOption(o.name, o.value) for o in f.options or ()) for f in system
    }
    return ActualDomain(ref=DomainRef("", "", spec.name, "Active"), fields=fields, options=options)


def _plan_field(
    wanted: FieldSpec,
    actual: ActualDomain,
    steps: list[Step],
    kept: list[str],
    errors: list[str],
) -> None:
    found = actual.field_named(wanted.name)
    if found is None:
        if wanted.system:
            errors.append(f"system field {wanted.name} is missing from the domain")
            return
        steps.append(CreateField(wanted.name, wanted.type, wanted.description, wanted.multiline))
        if wanted.type == "SingleSelect" and wanted.options:
            changes = tuple(OptionChange(o.name, o.value, True, "add") for o in wanted.options)
            steps.append(PutFieldOptions(wanted.name, changes))
        return
    if found.type != wanted.type:
        errors.append(
            f"field {wanted.name} is {found.type} in the domain but {wanted.type} in the file; "
            "provisioning never changes a field's type"
        )
        return
    describe = wanted.description is not None and wanted.description != found.description
    widen = wanted.multiline and not found.multiline
    if not wanted.system and (describe or widen):
        steps.append(
            UpdateField(
                found.field_id,
                found.name,
                wanted.description if describe else None,
                found.description,
                make_multiline=widen,
            )
        )
    else:
        kept.append(f"field {wanted.name}")
    if wanted.type == "SingleSelect" and wanted.options is not None and wanted.system:
        # a system field's options are the service's: they are checked, never added to
        have = {o.value for o in actual.options.get(found.field_id, ()) if o.active}
        missing = [o.value for o in wanted.options if o.value not in have]
        if missing:
            errors.append(
                f"system field {wanted.name} has no option {', '.join(missing)}; options are "
                "never added to a system field (use a custom field the template declares)"
            )
        else:
            kept.append(f"options of {wanted.name}")
    elif wanted.type == "SingleSelect" and wanted.options is not None:
        changes = _option_changes(wanted, actual.options.get(found.field_id, ()))
        if changes:
            steps.append(PutFieldOptions(wanted.name, changes))
        else:
            kept.append(f"options of {wanted.name}")


def _option_changes(
    wanted: FieldSpec, actual: tuple[ActualOption, ...]
) -> tuple[OptionChange, ...]:
    have = {option.value: option for option in actual}
    changes: list[OptionChange] = []
    for option in wanted.options or ():
        old = have.get(option.value)
        if old is None:
            changes.append(OptionChange(option.name, option.value, True, "add"))
        elif old.name != option.name:
            changes.append(OptionChange(option.name, option.value, True, "rename"))
        elif not old.active:
            changes.append(OptionChange(option.name, option.value, True, "reactivate"))
    if not wanted.system:
        listed = {option.value for option in wanted.options or ()}
        changes += [
            OptionChange(old.name, old.value, False, "deactivate")
            for old in actual
            if old.active and old.value not in listed
        ]
    return tuple(changes)


def _field_ids(actual: ActualDomain, names: tuple[str, ...]) -> list[str] | None:
    """The ids of fields named ``names``; ``None`` when one does not exist yet."""
    ids = [found.field_id for name in names if (found := actual.field_named(name)) is not None]
    return ids if len(ids) == len(names) else None


def _plan_layout(
    spec: DomainSpec, actual: ActualDomain, steps: list[Step], kept: list[str]
) -> str | None:
    """Plan the layout; return its id when it exists already."""
    wanted = spec.layout
    if wanted is None:
        return None
    if actual.layout is None:
        steps.append(CreateLayout(wanted.name, wanted.top_panel, wanted.more_info))
        return None
    top, more = _field_ids(actual, wanted.top_panel), _field_ids(actual, wanted.more_info)
    content = layout_content(top, more) if top is not None and more is not None else None
    if content is not None and content == dict(actual.layout.content):
        kept.append(f"layout {wanted.name}")
    else:
        steps.append(
            UpdateLayout(actual.layout.layout_id, wanted.name, wanted.top_panel, wanted.more_info)
        )
    return actual.layout.layout_id


def _plan_template(
    spec: DomainSpec,
    actual: ActualDomain,
    layout_id: str | None,
    steps: list[Step],
    kept: list[str],
) -> None:
    wanted = spec.template
    with_layout = spec.layout is not None
    if actual.template is None:
        steps.append(
            CreateTemplate(
                wanted.name, wanted.description, wanted.status, wanted.required, with_layout
            )
        )
        return
    have = actual.template
    required = _field_ids(actual, wanted.required)
    changes = []
    if required is None or frozenset(required) != have.required:
        changes.append("required fields")
    if with_layout and (layout_id is None or layout_id != have.default_layout):
        changes.append("default layout")
    if wanted.status != have.status:
        changes.append("status")
    if wanted.description is not None and wanted.description != have.description:
        changes.append("description")
    if not changes:
        kept.append(f"template {wanted.name}")
        return
    steps.append(
        UpdateTemplate(
            have.template_id,
            wanted.name,
            wanted.description,
            wanted.status,
            wanted.required,
            with_layout,
            tuple(changes),
        )
    )
