"""Provisioning's plans and results as the lines the command prints."""

from __future__ import annotations

from cases.provision.apply import Done, Outcome
from cases.provision.connect import (
    INTEGRATION_TYPE,
    USE_CASE_TYPE,
    AssociateDomain,
    IntegrationDone,
    IntegrationOutcome,
    IntegrationStep,
)
from cases.provision.plan import (
    CreateDomain,
    CreateField,
    CreateLayout,
    CreateTemplate,
    PutFieldOptions,
    Step,
    UpdateField,
    UpdateLayout,
    UpdateTemplate,
)

_PAST = {"create": "created", "update": "updated", "put": "put"}


def describe(step: Step | IntegrationStep) -> tuple[str, str]:
    """The verb (create, update, put) and the subject of a step."""
    if isinstance(step, CreateDomain):
        return "create", f"domain {step.name}"
    if isinstance(step, CreateField):
        kind = "Text, multi-line" if step.multiline else step.type
        return "create", f"field {step.name} ({kind})"
    if isinstance(step, UpdateField):
        parts = []
        if step.description is not None:
            parts.append(f"description {step.old_description!r} -> {step.description!r}")
        if step.make_multiline:
            parts.append("single-line text -> multi-line")
        return "update", f"field {step.name}: {'; '.join(parts)}"
    if isinstance(step, PutFieldOptions):
        changes: dict[str, list[str]] = {}
        for option in step.options:
            changes.setdefault(option.change, []).append(option.value)
        listed = "; ".join(f"{change} {', '.join(values)}" for change, values in changes.items())
        return "put", f"options of {step.field_name}: {listed}"
    if isinstance(step, CreateLayout | UpdateLayout):
        verb = "create" if isinstance(step, CreateLayout) else "update"
        return verb, f"layout {step.name}"
    if isinstance(step, CreateTemplate):
        return "create", f"template {step.name}"
    if isinstance(step, UpdateTemplate):
        return "update", f"template {step.name}: {', '.join(step.changes)}"
    if isinstance(step, AssociateDomain):
        return (
            "create",
            f"integration association {INTEGRATION_TYPE} on instance {step.instance_id}",
        )
    association = step.association_id or "(the new association)"
    return "create", f"use case {USE_CASE_TYPE} on integration association {association}"


def domain_lines(outcome: Outcome, source: str) -> list[str]:
    """The domain part of the report: a plan on a dry run, what was done on --apply."""
    plan = outcome.plan
    title = f"Connect Cases domain {plan.domain_name} (from {source})"
    if not outcome.applied:
        lines = [f"{title}: plan, nothing is changed"]
        lines += [_line(*describe(step)) for step in plan.steps]
        lines += [_line("keep", kept) for kept in plan.kept]
    else:
        lines = [title]
        lines += [_done_line(done) for done in outcome.done]
        if plan.kept:
            lines.append(_line("kept", f"{len(plan.kept)} already as the file says"))
    lines += [_line("ERROR", error) for error in plan.errors]
    if outcome.failure:
        lines.append(_line("FAILED", outcome.failure))
    return lines


def integration_lines(outcome: IntegrationOutcome) -> list[str]:
    """The Amazon Connect instance part of the report."""
    plan = outcome.plan
    lines = [f"Amazon Connect instance {plan.instance_id}"]
    if not outcome.applied:
        lines += [_line(*describe(step)) for step in plan.steps]
    else:
        lines += [_integration_done_line(done) for done in outcome.done]
    lines += [_line("keep", kept) for kept in plan.kept]
    lines += [_line("ERROR", error) for error in plan.errors]
    if outcome.failure:
        lines.append(_line("FAILED", outcome.failure))
    return lines


def summary_line(changed: int, applied: bool, ok: bool) -> str:
    """One line saying how the run ended."""
    if not ok:
        return "Errors: fix them (the lines marked ERROR or FAILED) and run again."
    if changed == 0:
        return "Nothing changed: the service already matches the file."
    if applied:
        return f"Done: {changed} change(s) made."
    return f"{changed} change(s) to make: run again with --apply to make them."


def env_lines(domain_id: str | None, template_id: str | None) -> list[str]:
    """The lines to put in .env; a comment for an id that does not exist yet."""
    lines = ["# for .env"]
    for name, value, what in (
        ("CONNECT_CASES_DOMAIN_ID", domain_id, "domain"),
        ("CONNECT_CASES_TEMPLATE_ID", template_id, "template"),
    ):
        lines.append(
            f"{name}={value}" if value else f"# {name}: known once --apply made the {what}"
        )
    return lines


def _done_line(done: Done) -> str:
    verb, subject = describe(done.step)
    suffix = f": {done.resource_id}" if done.resource_id and verb == "create" else ""
    return _line(_PAST[verb], subject + suffix)


def _integration_done_line(done: IntegrationDone) -> str:
    verb, subject = describe(done.step)
    suffix = f": {done.resource_id}" if done.resource_id else ""
    return _line("exists" if done.already else _PAST[verb], subject + suffix)


def _line(verb: str, text: str) -> str:
    return f"  {verb:<8} {text}"
