"""An Amazon Connect Cases change event, as EventBridge delivers it.

::

    {"id": "<event id>", "source": "aws.cases", "detail-type": "Amazon Connect Cases Change",
     "time": "...", "detail": {"eventType": "CASE.UPDATED", "approximateChangeTime": "...",
     "changedFieldIds": ["status", ...], "performedBy": {...},
     "case": {"caseId", "templateId", "createdDateTime", "fields": ...}}}

The case's fields are there only when the domain's ``PutCaseEventConfiguration`` lists them in
``includedData.caseData.fields``. They are read in either shape seen: a map of field id to
value, or a list of ``{"id", "value"}``; a value is plain or a ``FieldValueUnion``
(``{"stringValue": ...}``, ``{"doubleValue": ...}``, ``{"emptyValue": {}}``...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

FieldValue = str | float | bool | None
_UNION_KEYS = ("stringValue", "doubleValue", "booleanValue", "userArnValue")


class CaseData(BaseModel):
    """The case as it is after the change."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    case_id: str = Field(alias="caseId", min_length=1)
    template_id: str | None = Field(default=None, alias="templateId")
    fields: Any = None

    def values(self) -> dict[str, FieldValue]:
        """The case's included fields by id, as plain values."""
        raw = self.fields
        if isinstance(raw, list):
            pairs = [(item.get("id"), item.get("value")) for item in raw if isinstance(item, dict)]
        elif isinstance(raw, dict):
            pairs = list(raw.items())
        else:
            pairs = []
        return {key: _plain(value) for key, value in pairs if isinstance(key, str)}


class Detail(BaseModel):
    """What changed, when and on which case."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    event_type: str = Field(alias="eventType")
    approximate_change_time: AwareDatetime | None = Field(
        default=None, alias="approximateChangeTime"
    )
    changed_field_ids: list[str] | None = Field(default=None, alias="changedFieldIds")
    case: CaseData | None = None


class CaseEvent(BaseModel):
    """One EventBridge event from Connect Cases."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1, max_length=256)
    source: str
    time: AwareDatetime | None = None
    detail: Detail

    @property
    def changed_at(self) -> str:
        """When the change happened, ISO 8601 in UTC (so comparable as text)."""
        at = self.detail.approximate_change_time or self.time or datetime.now(UTC)
        return at.astimezone(UTC).isoformat(timespec="microseconds")


def _plain(value: object) -> FieldValue:
    if isinstance(value, dict):
        for key in _UNION_KEYS:
            if key in value:
                return _plain(value[key])
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return None
