"""CaseFilter (and the related items' CustomFieldsFilter) turned into predicates.

A filter is a union: exactly one of ``field``, ``not``, ``tag``, ``andAll``, ``orAll``. Field
operators: ``equalTo`` (``emptyValue`` matches an unset field), ``contains`` (text, ignoring case),
and ``greaterThan``/``greaterThanOrEqualTo``/``lessThan``/``lessThanOrEqualTo`` (Number and
DateTime fields). ``andAll`` of nothing matches every case, ``orAll`` of nothing none.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from sandbox.connect_cases.errors import ValidationException
from sandbox.connect_cases.records import CaseRecord, JsonDict
from sandbox.connect_cases.values import FieldCatalog, comparable, kind_problem, member

#: a filter over (field values by id, tags)
Predicate = Callable[[dict[str, JsonDict], dict[str, str]], bool]

_ORDER_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "greaterThan": operator.gt,
    "greaterThanOrEqualTo": operator.ge,
    "lessThan": operator.lt,
    "lessThanOrEqualTo": operator.le,
}
_ORDERED_TYPES = frozenset({"Number", "DateTime"})


def case_filter(spec: JsonDict | None, catalog: FieldCatalog) -> Callable[[CaseRecord], bool]:
    """Compile a CaseFilter; no filter matches every case."""
    if spec is None:
        return lambda case: True
    predicate = _compile(spec, catalog, allow_tags=True)
    return lambda case: predicate(case.fields, case.tags)


def fields_filter(spec: JsonDict, catalog: FieldCatalog) -> Callable[[dict[str, JsonDict]], bool]:
    """Compile a CustomFieldsFilter over a custom related item's field values."""
    predicate = _compile(spec, catalog, allow_tags=False)
    return lambda fields: predicate(fields, {})


def _compile(spec: JsonDict, catalog: FieldCatalog, *, allow_tags: bool) -> Predicate:
    members = [name for name, value in spec.items() if value is not None]
    if len(members) != 1:
        raise ValidationException(
            "A filter sets exactly one of field, not, tag, andAll, orAll; "
            f"this one sets {', '.join(members) or 'none'}"
        )
    kind, body = members[0], spec[members[0]]
    if kind == "field":
        return _field_predicate(body, catalog)
    if kind == "tag" and allow_tags:
        return _tag_predicate(body)
    if kind == "not":
        inner = _compile(body, catalog, allow_tags=allow_tags)
        return lambda fields, tags: not inner(fields, tags)
    if kind in ("andAll", "orAll"):
        parts = [_compile(part, catalog, allow_tags=allow_tags) for part in body]
        combine = all if kind == "andAll" else any
        return lambda fields, tags: combine(part(fields, tags) for part in parts)
    raise ValidationException(f"Unknown filter member {kind}")


def _field_predicate(spec: JsonDict, catalog: FieldCatalog) -> Predicate:
    operators = [name for name, value in spec.items() if value is not None]
    if len(operators) != 1:
        raise ValidationException("A field filter sets exactly one operator")
    op = operators[0]
    field_id = spec[op]["id"]
    field = catalog.field(field_id)
    value = spec[op]["value"]
    kind, target = member(value)
    if kind == "emptyValue":
        if op != "equalTo":
            raise ValidationException(f"emptyValue can only be used with equalTo, not {op}")
        return lambda fields, tags: field_id not in fields
    # only the member's kind is checked: a value no case can hold simply matches nothing
    problem = kind_problem(field, kind)
    if problem:
        raise ValidationException(f"Invalid filter: {problem}")
    if op == "contains":
        if kind != "stringValue" or field.type == "DateTime":
            raise ValidationException(f"contains needs a text field and a stringValue ({field_id})")
        needle = str(target).casefold()
        return lambda fields, tags: needle in _text(fields.get(field_id)).casefold()
    wanted = comparable(field, value)
    if wanted is None:
        raise ValidationException(f"Invalid filter: {target!r} is not a {field.type} value")
    if op == "equalTo":
        if field.type == "DateTime":
            return lambda fields, tags: comparable(field, fields.get(field_id)) == wanted
        return lambda fields, tags: fields.get(field_id) == value
    if field.type not in _ORDERED_TYPES:
        raise ValidationException(f"{op} needs a Number or DateTime field, not {field.type}")
    compare = _ORDER_OPERATORS[op]

    def ordered(fields: dict[str, JsonDict], tags: dict[str, str]) -> bool:
        actual = comparable(field, fields.get(field_id))
        return actual is not None and compare(actual, wanted)

    return ordered


def _text(value: JsonDict | None) -> str:
    return str(value.get("stringValue", "")) if value else ""


def _tag_predicate(spec: JsonDict) -> Predicate:
    equal_to = spec.get("equalTo")
    if equal_to is None:
        raise ValidationException("A tag filter needs equalTo")
    key, wanted = equal_to.get("key"), equal_to.get("value")

    def tagged(fields: dict[str, JsonDict], tags: dict[str, str]) -> bool:
        if key is None:
            return wanted is None or wanted in tags.values()
        return key in tags and (wanted is None or tags[key] == wanted)

    return tagged
