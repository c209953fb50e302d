"""Checks against Google's Discovery documents (``shared/specs/google/*.json``).

``check_response`` walks a JSON value against a schema: every field must be declared (through
``$ref``s, ``items`` and ``additionalProperties``) with the right JSON type and, for
``date``/``date-time`` strings, the right format.  ``check_request`` makes sure the query
parameters and body a test sends are known to the method, so the tests only use the API
as Google documents it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from tests.specs import spec_file

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# In requests an EventDateTime may omit the offset when it names a timeZone (Event docs).
_LOCAL_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@functools.cache
def calendar_doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(spec_file("google/calendar__v3.json").read_text("utf-8"))
    return data


@functools.cache
def oauth2_doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(spec_file("google/oauth2__v2.json").read_text("utf-8"))
    return data


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "any":
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise AssertionError(f"unknown discovery type {kind!r}")


def _check(
    doc: Mapping[str, Any], schema: Mapping[str, Any], value: Any, where: str, request: bool = False
) -> None:
    if "$ref" in schema:
        _check(doc, doc["schemas"][schema["$ref"]], value, where, request)
        return
    kind = schema.get("type", "object")
    assert _type_ok(kind, value), f"{where}: expected {kind}, got {value!r}"
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            pattern = _LOCAL_DATE_TIME if request else _DATE_TIME
            assert pattern.match(value), f"{where}: not an RFC 3339 date-time: {value!r}"
        elif fmt == "date":
            assert _DATE.match(value), f"{where}: not a date: {value!r}"
        elif fmt in ("int64", "uint64"):
            assert value.lstrip("-").isdigit(), f"{where}: not an {fmt}: {value!r}"
        if "enum" in schema:
            assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    elif kind == "array":
        for index, item in enumerate(value):
            _check(doc, schema.get("items", {"type": "any"}), item, f"{where}[{index}]", request)
    elif kind == "object":
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                _check(doc, properties[key], item, f"{where}.{key}", request)
            elif extra is not None:
                _check(doc, extra, item, f"{where}.{key}", request)
            else:
                raise AssertionError(f"{where}: field {key!r} is not in the discovery schema")


def check_response(schema_name: str, value: Any, doc: Mapping[str, Any] | None = None) -> None:
    """Every field of ``value`` exists in ``schema_name`` with the right JSON type."""
    document = doc if doc is not None else calendar_doc()
    _check(document, {"$ref": schema_name}, value, schema_name)


def method(method_id: str, doc: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``"events.list"`` -> the discovery method description."""
    node: Any = doc if doc is not None else calendar_doc()
    *resources, name = method_id.split(".")
    for resource in resources:
        node = node["resources"][resource]
    found: dict[str, Any] = node["methods"][name]
    return found


def check_request(
    method_id: str,
    query: Mapping[str, Any] | None = None,
    body: Any = None,
    doc: Mapping[str, Any] | None = None,
) -> None:
    """The query parameters and body a test sends are known to the method."""
    document = doc if doc is not None else calendar_doc()
    spec = method(method_id, document)
    known = {**document.get("parameters", {}), **spec.get("parameters", {})}
    for name, raw in (query or {}).items():
        assert name in known, f"{method_id}: unknown query parameter {name!r}"
        param = known[name]
        assert param.get("location") == "query", f"{method_id}: {name!r} is not a query parameter"
        values = raw if isinstance(raw, list | tuple) else [raw]
        assert len(values) == 1 or param.get("repeated"), f"{method_id}: {name!r} not repeated"
        for item in values:
            if "enum" in param:
                assert str(item) in param["enum"], f"{method_id}: {name}={item!r} not allowed"
            if param.get("type") == "integer":
                assert str(item).lstrip("-").isdigit(), f"{method_id}: {name} must be an integer"
            if param.get("type") == "boolean":
                assert str(item).lower() in ("true", "false"), f"{method_id}: {name} boolean"
    if body is not None:
        assert "request" in spec, f"{method_id} takes no request body"
        _check(document, spec["request"], body, f"{method_id} body", request=True)
