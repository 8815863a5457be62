"""Reading and writing cases, related items, audit history and client tokens.

Every method runs inside one ``Store.session()``; the domain's configuration queries come from
``ConfigQueries``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.connect_cases.config_store import ConfigQueries
from sandbox.connect_cases.db import Database, dump
from sandbox.connect_cases.records import AuditEvent, CaseRecord, JsonDict, RelatedItem

#: reference numbers are 8 digits and start here
FIRST_REFERENCE_NUMBER = 10000001

# a case row with all its field values as one JSON object, so reading a case is one JSON parse
_CASES_WITH_FIELDS = (
    "SELECT c.*, (SELECT json_group_object(f.field_id, json(f.value)) FROM case_fields f"
    " WHERE f.case_id = c.case_id) AS field_values FROM cases c"
)


class Store:
    """The stand-in's persistence: hands out sessions, each one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a ``Session`` whose reads and writes commit together."""
        with self.db.transaction() as conn:
            yield Session(conn)


class Session(ConfigQueries):
    """Queries and writes over one open transaction."""

    # cases

    def next_reference_number(self, domain_id: str) -> int:
        """Return the next unused reference number of the domain."""
        row = self._one(
            "SELECT MAX(reference_number) AS last FROM cases WHERE domain_id = ?", domain_id
        )
        last = row["last"] if row is not None else None
        return FIRST_REFERENCE_NUMBER if last is None else int(last) + 1

    def insert_case(
        self,
        *,
        domain_id: str,
        case_id: str,
        template_id: str,
        reference_number: int,
        fields: dict[str, JsonDict],
        tags: dict[str, str],
    ) -> None:
        """Store a new case with its field values."""
        self._conn.execute(
            "INSERT INTO cases (domain_id, case_id, template_id, reference_number, tags)"
            " VALUES (?, ?, ?, ?, ?)",
            (domain_id, case_id, template_id, reference_number, dump(tags)),
        )
        self.set_case_fields(case_id, dict(fields))

    def set_case_fields(self, case_id: str, changes: dict[str, JsonDict | None]) -> None:
        """Set field values of a case; ``None`` removes the field's value."""
        for field_id, value in changes.items():
            if value is None:
                self._conn.execute(
                    "DELETE FROM case_fields WHERE case_id = ? AND field_id = ?",
                    (case_id, field_id),
                )
            else:
                self._conn.execute(
                    "INSERT INTO case_fields (case_id, field_id, value) VALUES (?, ?, ?)"
                    " ON CONFLICT (case_id, field_id) DO UPDATE SET value = excluded.value",
                    (case_id, field_id, dump(value)),
                )

    def get_case(self, domain_id: str, case_id: str) -> CaseRecord | None:
        """Return the case or ``None``."""
        row = self._one(
            f"{_CASES_WITH_FIELDS} WHERE c.domain_id = ? AND c.case_id = ?", domain_id, case_id
        )
        return None if row is None else _case(row)

    def list_cases(self, domain_id: str) -> list[CaseRecord]:
        """Return every case of the domain, oldest first."""
        rows = self._all(f"{_CASES_WITH_FIELDS} WHERE c.domain_id = ? ORDER BY c.seq", domain_id)
        return [_case(row) for row in rows]

    # related items and audit history

    def insert_related_item(self, item: RelatedItem) -> None:
        """Attach a related item to its case."""
        self._conn.execute(
            "INSERT INTO related_items (domain_id, case_id, related_item_id, type, content,"
            " association_time, performed_by, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.domain_id,
                item.case_id,
                item.related_item_id,
                item.type,
                dump(item.content),
                item.association_time,
                None if item.performed_by is None else dump(item.performed_by),
                dump(item.tags),
            ),
        )

    def list_related_items(self, domain_id: str, case_id: str | None = None) -> list[RelatedItem]:
        """Return the related items of one case (or of the whole domain), oldest first."""
        if case_id is None:
            rows = self._all(
                "SELECT * FROM related_items WHERE domain_id = ? ORDER BY seq", domain_id
            )
        else:
            rows = self._all(
                "SELECT * FROM related_items WHERE domain_id = ? AND case_id = ? ORDER BY seq",
                domain_id,
                case_id,
            )
        return [_related_item(row) for row in rows]

    def insert_audit_event(self, event: AuditEvent) -> None:
        """Append an entry to a case's audit history."""
        self._conn.execute(
            "INSERT INTO audit_events (domain_id, case_id, event_id, type, related_item_type,"
            " performed_time, fields, performed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.domain_id,
                event.case_id,
                event.event_id,
                event.type,
                event.related_item_type,
                event.performed_time,
                dump(event.fields),
                dump(event.performed_by),
            ),
        )

    def list_audit_events(self, domain_id: str, case_id: str) -> list[AuditEvent]:
        """Return a case's audit history, oldest first."""
        rows = self._all(
            "SELECT * FROM audit_events WHERE domain_id = ? AND case_id = ? ORDER BY seq",
            domain_id,
            case_id,
        )
        return [_audit_event(row) for row in rows]

    # client tokens

    def get_client_token(
        self, domain_id: str, operation: str, token: str
    ) -> tuple[str, JsonDict] | None:
        """Return the request hash and response recorded for a client token, or ``None``."""
        row = self._one(
            "SELECT request_hash, response FROM client_tokens"
            " WHERE domain_id = ? AND operation = ? AND token = ?",
            domain_id,
            operation,
            token,
        )
        return None if row is None else (row["request_hash"], json.loads(row["response"]))

    def put_client_token(
        self,
        domain_id: str,
        operation: str,
        token: str,
        request_hash: str,
        response: JsonDict,
        created_time: str,
    ) -> None:
        """Remember the response given to a client token."""
        self._conn.execute(
            "INSERT INTO client_tokens (domain_id, operation, token, request_hash, response,"
            " created_time) VALUES (?, ?, ?, ?, ?, ?)",
            (domain_id, operation, token, request_hash, dump(response), created_time),
        )


def _case(row: sqlite3.Row) -> CaseRecord:
    return CaseRecord(
        seq=row["seq"],
        domain_id=row["domain_id"],
        case_id=row["case_id"],
        template_id=row["template_id"],
        fields=json.loads(row["field_values"] or "{}"),
        tags=json.loads(row["tags"]),
    )


def _related_item(row: sqlite3.Row) -> RelatedItem:
    return RelatedItem(
        seq=row["seq"],
        domain_id=row["domain_id"],
        case_id=row["case_id"],
        related_item_id=row["related_item_id"],
        type=row["type"],
        content=json.loads(row["content"]),
        association_time=row["association_time"],
        performed_by=None if row["performed_by"] is None else json.loads(row["performed_by"]),
        tags=json.loads(row["tags"]),
    )


def _audit_event(row: sqlite3.Row) -> AuditEvent:
    return AuditEvent(
        seq=row["seq"],
        domain_id=row["domain_id"],
        case_id=row["case_id"],
        event_id=row["event_id"],
        type=row["type"],
        related_item_type=row["related_item_type"],
        performed_time=row["performed_time"],
        fields=json.loads(row["fields"]),
        performed_by=json.loads(row["performed_by"]),
    )
