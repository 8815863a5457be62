"""A case form left midway for a person: what the customer told it, as a case to file.

A customer who asks for a person while the case form runs should not have to say it all again.
What the form collected becomes the case: the title and description as the customer wrote them
(one stands in for the other when only one was given), the contact, and the priority and origin
when known. A required value the customer never gave is filled only where the template file
names a default for it (``default:``, the priority), and the case says so; a case with no way
to reach the customer (no contact) is not filed at all, since nobody could answer it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from actions.kit.contacts import contact_verified
from actions.kit.rendering import shorten
from actions.kit.sdk import Tracker
from actions.kit.slots import (
    CASE_FORM,
    CHANNEL,
    CONTACT,
    CUSTOMER_ID,
    DESCRIPTION,
    ORIGIN,
    PRIORITY,
    TITLE,
)
from actions.kit.template import FormTemplate
from cases.backend import CaseDraft
from cases.template import TemplateSpec

#: a title made from the description keeps about this many characters
TITLE_FROM_DESCRIPTION = 80


@dataclass(frozen=True)
class Unfinished:
    """The case to file, and what in it the customer did not say, in words for its agent."""

    draft: CaseDraft
    not_given: list[str] = field(default_factory=list)

    def note(self) -> str:
        """Why the case looks the way it does, for the person who picks it up."""
        said = "Filed when the customer asked for a person before the case form was finished."
        if not self.not_given:
            return said
        return f"{said} Not given by the customer: {'; '.join(self.not_given)}."


def form_interrupted(events: Iterable[dict[str, Any]]) -> bool:
    """Whether the case form was running when the latest message came (a rule ended it since)."""
    seen_user = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            seen_user = True
        elif seen_user and kind == "active_loop":
            return bool(event.get("name") == CASE_FORM)
    return False


def unfinished_case(
    tracker: Tracker, template: FormTemplate, spec: TemplateSpec, phone_region: str
) -> Unfinished | None:
    """The case the form's answers so far make, or ``None`` when they make none worth filing:
    nothing said about the problem, no contact, or a required value with no honest default."""
    title, description = _slot(tracker, TITLE), _slot(tracker, DESCRIPTION)
    if not title and not description:
        return None
    not_given: list[str] = []
    if not title:
        title = shorten(description.splitlines()[0], TITLE_FROM_DESCRIPTION)
        not_given.append("a title (the start of the description is used)")
    if not description:
        description = title
        not_given.append("a description (the title is used)")
    values = {
        TITLE: title,
        DESCRIPTION: description,
        CONTACT: _slot(tracker, CONTACT),
        PRIORITY: _slot(tracker, PRIORITY),
    }
    for name, value in values.items():
        rules = spec.fields.get(name)
        if value or rules is None or rules.default is None:
            continue
        values[name] = rules.default
        not_given.append(f"{name} ({rules.default} is used)")
    checked: dict[str, str] = {}
    for name, value in values.items():
        accepted = template.accepted(name, value) if value else None
        if accepted is None and (template.fields[name].required or name == CONTACT):
            return None
        checked[name] = accepted or ""
    draft = CaseDraft(
        **checked,
        origin=template.accepted(ORIGIN, _slot(tracker, ORIGIN) or None) or "",
        conversation_id=tracker.sender_id,
        channel=_slot(tracker, CHANNEL) or "unknown",
        customer_id=_slot(tracker, CUSTOMER_ID) or None,
        contact_verified=contact_verified(tracker, checked[CONTACT], phone_region),
    )
    return Unfinished(draft, not_given)


def _slot(tracker: Tracker, name: str) -> str:
    value = tracker.get_slot(name)
    return value.strip() if isinstance(value, str) else ""
