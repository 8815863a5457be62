"""Read a REST-JSON request into an operation's input parameters, and check them against the model.

botocore's ``ParamValidator`` checks types, required members, unions and minimums; the model's
maximums, enums and patterns it leaves to the service, so ``constraint_errors`` checks those.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.validate import ParamValidator
from starlette.datastructures import QueryParams

from sandbox.aws.errors import SerializationError

_NUMBER_TYPES = ("integer", "long", "double", "float")


def read_input(
    operation: OperationModel,
    *,
    path_params: Mapping[str, Any],
    query: QueryParams,
    body: bytes,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Gather the operation's input members from the path, query string, headers and JSON body.

    Body keys the model does not know are kept, so validation reports them as unknown fields.
    """
    shape = operation.input_shape
    payload = _json_object(body)
    if shape is None:
        return dict(payload)
    params: dict[str, Any] = {}
    body_names: dict[str, str] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in path_params:
                params[name] = str(path_params[wire_name])
        elif location == "querystring":
            if isinstance(member, ListShape):
                values = query.getlist(wire_name)
                if values:
                    params[name] = [_scalar(value, member.member) for value in values]
            elif wire_name in query:
                params[name] = _scalar(query[wire_name], member)
        elif location == "header":
            if headers is not None and wire_name in headers:
                params[name] = headers[wire_name]
        elif location is None:
            body_names[wire_name] = name
    for key, value in payload.items():
        if key in body_names:
            params[body_names[key]] = value
        elif key not in shape.members:
            params[key] = value
        # a body key naming a path or query member is ignored: the path and query decide those
    return params


def validate_input(params: Mapping[str, Any], shape: Shape | None) -> list[str]:
    """Return every way ``params`` breaks ``shape``; empty when they fit."""
    if shape is None:
        return []
    report = ParamValidator().validate(dict(params), shape)
    problems = [report.generate_report()] if report.has_errors() else []
    problems.extend(constraint_errors(params, shape, ""))
    return problems


def constraint_errors(value: Any, shape: Shape, path: str) -> Iterator[str]:
    """Yield the maximum, enum and pattern violations in ``value`` (recursively)."""
    meta = shape.metadata
    kind = shape.type_name
    where = path or "input"
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            if value.get(name) is not None:
                yield from constraint_errors(value[name], member, f"{path}.{name}".lstrip("."))
    elif isinstance(shape, ListShape) and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            yield f"Value at '{where}' must have at most {meta['max']} items"
        for index, item in enumerate(value):
            yield from constraint_errors(item, shape.member, f"{where}.{index + 1}")
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            yield f"Value at '{where}' must have at most {meta['max']} entries"
        for key, item in value.items():
            yield from constraint_errors(key, shape.key, f"{where}.key")
            yield from constraint_errors(item, shape.value, f"{where}.{key}")
    elif kind == "string" and isinstance(value, str):
        yield from _string_errors(value, shape, where)
    elif kind in _NUMBER_TYPES and isinstance(value, int | float) and not isinstance(value, bool):
        if "max" in meta and value > meta["max"]:
            yield f"Value at '{where}' must be less than or equal to {meta['max']}"


def _string_errors(value: str, shape: Shape, where: str) -> Iterator[str]:
    meta = shape.metadata
    if "max" in meta and len(value) > meta["max"]:
        yield f"Value at '{where}' must have length less than or equal to {meta['max']}"
    enum = meta.get("enum")
    if enum and value not in enum:
        yield f"Value '{value}' at '{where}' must be one of {', '.join(enum)}"
    pattern = _pattern(meta.get("pattern"))
    if pattern is not None and not pattern.fullmatch(value):
        yield f"Value at '{where}' must match the pattern {pattern.pattern}"


@lru_cache(maxsize=256)
def _pattern(source: str | None) -> re.Pattern[str] | None:
    if not source:
        return None
    try:
        return re.compile(source)
    except re.error:
        # the model's patterns are written for Java; one Python cannot read is not checked
        return None


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise SerializationError("The request body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise SerializationError("The request body must be a JSON object")
    return payload


def _scalar(raw: str, shape: Shape) -> Any:
    # query-string values arrive as text; leave unreadable ones as text so validation names them
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("double", "float"):
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw
