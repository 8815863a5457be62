"""Carry a plan out against Connect Cases, and the run as a whole: read, plan, (apply).

A domain that does not exist is created first and waited for; the rest of the plan is then
made again against the real new domain, so its system fields are checked before anything is
built on them. A plan with errors changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from cases.provision.plan import (
    CreateDomain,
    CreateField,
    CreateLayout,
    CreateTemplate,
    Plan,
    PutFieldOptions,
    Step,
    UpdateField,
    UpdateLayout,
    UpdateTemplate,
    layout_content,
    plan_domain,
)
from cases.provision.spec import DomainSpec
from cases.provision.state import (
    ActualDomain,
    DomainRef,
    ProvisionError,
    find_domain,
    read_domain,
    wait_until_active,
)

if TYPE_CHECKING:
    from mypy_boto3_connectcases.client import ConnectCasesClient
    from mypy_boto3_connectcases.type_defs import (
        FieldAttributesTypeDef,
        FieldOptionTypeDef,
        LayoutConfigurationTypeDef,
        RequiredFieldTypeDef,
    )

#: BatchPutFieldOptions takes at most this many options
_OPTIONS_BATCH = 50

Waiter = Callable[["ConnectCasesClient", DomainRef], DomainRef]


class _Described(TypedDict, total=False):
    description: str


class _TemplateExtras(_Described, total=False):
    layoutConfiguration: LayoutConfigurationTypeDef


class _FieldExtras(_Described, total=False):
    attributes: FieldAttributesTypeDef


#: a Text field of 4,100 characters rather than a single line's 500
_MULTILINE: FieldAttributesTypeDef = {"text": {"isMultiline": True}}


@dataclass(frozen=True)
class Done:
    """A step carried out, with the id the service gave what it created."""

    step: Step
    resource_id: str | None = None


@dataclass
class Outcome:
    """What a run found, planned and did."""

    plan: Plan
    applied: bool
    done: list[Done] = field(default_factory=list)
    #: why the run stopped part-way, when it did
    failure: str | None = None
    #: the domain, once it exists
    domain: DomainRef | None = None

    @property
    def template_id(self) -> str | None:
        """The template's id, once it exists."""
        created = next((d for d in self.done if isinstance(d.step, CreateTemplate)), None)
        return created.resource_id if created is not None else self.plan.template_id

    @property
    def ok(self) -> bool:
        """True when nothing is left wrong."""
        return not self.plan.errors and self.failure is None


def provision_domain(
    client: ConnectCasesClient,
    spec: DomainSpec,
    *,
    apply: bool,
    wait: Waiter = wait_until_active,
) -> Outcome:
    """Read the domain named in ``spec``, plan, and (``apply``) make it match."""
    ref = find_domain(client, spec.name)
    if ref is not None and ref.status != "Active":
        ref = wait(client, ref)
    actual = read_domain(client, ref, spec) if ref else None
    plan = plan_domain(spec, actual)
    if not apply or plan.errors:
        return Outcome(plan, applied=False, domain=ref)
    outcome = Outcome(plan, applied=True, domain=ref)
    try:
        if actual is None:
            created = create_domain(client, spec.name)
            outcome.done.append(Done(CreateDomain(spec.name), created.domain_id))
            outcome.domain = ref = wait(client, created)
            actual = read_domain(client, ref, spec)
            outcome.plan = plan = plan_domain(spec, actual)
            if plan.errors:
                return outcome
        applier = Applier(client, actual)
        for step in plan.steps:
            outcome.done.append(applier.apply(step))
    except (ClientError, BotoCoreError, ProvisionError) as exc:
        outcome.failure = str(exc)
    return outcome


def create_domain(client: ConnectCasesClient, name: str) -> DomainRef:
    """CreateDomain; the answer may still be ``CreationInProgress``."""
    created = client.create_domain(name=name)
    return DomainRef(created["domainId"], created["domainArn"], name, created["domainStatus"])


class Applier:
    """Carries out the steps of a plan made against ``actual``, resolving names to ids."""

    def __init__(self, client: ConnectCasesClient, actual: ActualDomain) -> None:
        self._client = client
        self._domain_id = actual.ref.domain_id
        self._field_ids = {f.name: f.field_id for f in actual.fields}
        self._layout_id = actual.layout.layout_id if actual.layout else None

    def apply(self, step: Step) -> Done:
        """Carry out one step."""
        if isinstance(step, CreateField):
            return self._create_field(step)
        if isinstance(step, UpdateField):
            return self._update_field(step)
        if isinstance(step, PutFieldOptions):
            return self._put_options(step)
        if isinstance(step, CreateLayout | UpdateLayout):
            return self._layout(step)
        if isinstance(step, CreateTemplate | UpdateTemplate):
            return self._template(step)
        raise ProvisionError(f"{type(step).__name__} cannot be applied to an existing domain")

    def _create_field(self, step: CreateField) -> Done:
        extras: _FieldExtras = {}
        if step.description is not None:
            extras["description"] = step.description
        if step.multiline:
            extras["attributes"] = _MULTILINE
        created = self._client.create_field(
            domainId=self._domain_id, name=step.name, type=step.type, **extras
        )
        self._field_ids[step.name] = created["fieldId"]
        return Done(step, created["fieldId"])

    def _update_field(self, step: UpdateField) -> Done:
        extras: _FieldExtras = {}
        if step.description is not None:
            extras["description"] = step.description
        if step.make_multiline:
            extras["attributes"] = _MULTILINE
        self._client.update_field(domainId=self._domain_id, fieldId=step.field_id, **extras)
        return Done(step, step.field_id)

    def _put_options(self, step: PutFieldOptions) -> Done:
        field_id = self._ids((step.field_name,))[0]
        options: list[FieldOptionTypeDef] = [
            {"name": o.name, "value": o.value, "active": o.active} for o in step.options
        ]
        for start in range(0, len(options), _OPTIONS_BATCH):
            answer = self._client.batch_put_field_options(
                domainId=self._domain_id,
                fieldId=field_id,
                options=options[start : start + _OPTIONS_BATCH],
            )
            refused = answer.get("errors") or []
            if refused:
                details = "; ".join(f"{e['value']}: {e['message']}" for e in refused)
                raise ProvisionError(f"options of {step.field_name} refused: {details}")
        return Done(step, field_id)

    def _layout(self, step: CreateLayout | UpdateLayout) -> Done:
        content = layout_content(self._ids(step.top_panel), self._ids(step.more_info))
        if isinstance(step, CreateLayout):
            created = self._client.create_layout(
                domainId=self._domain_id, name=step.name, content=content
            )
            self._layout_id = created["layoutId"]
        else:
            self._client.update_layout(
                domainId=self._domain_id, layoutId=step.layout_id, name=step.name, content=content
            )
            self._layout_id = step.layout_id
        return Done(step, self._layout_id)

    def _template(self, step: CreateTemplate | UpdateTemplate) -> Done:
        extras: _TemplateExtras = {}
        if step.description is not None:
            extras["description"] = step.description
        if step.with_layout:
            if self._layout_id is None:
                raise ProvisionError(f"template {step.name} needs a layout that does not exist")
            extras["layoutConfiguration"] = {"defaultLayout": self._layout_id}
        required: list[RequiredFieldTypeDef] = [{"fieldId": i} for i in self._ids(step.required)]
        if isinstance(step, CreateTemplate):
            created = self._client.create_template(
                domainId=self._domain_id,
                name=step.name,
                status=step.status,
                requiredFields=required,
                **extras,
            )
            return Done(step, created["templateId"])
        self._client.update_template(
            domainId=self._domain_id,
            templateId=step.template_id,
            name=step.name,
            status=step.status,
            requiredFields=required,
            **extras,
        )
        return Done(step, step.template_id)

    def _ids(self, names: tuple[str, ...]) -> list[str]:
        missing = [name for name in names if name not in self._field_ids]
        if missing:
            raise ProvisionError(f"no field named {', '.join(missing)} in the domain")
        return [self._field_ids[name] for name in names]
