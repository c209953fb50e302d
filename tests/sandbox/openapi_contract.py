"""Check HTTP bodies against a vendor's OpenAPI 3.0 document (shared by the emulator tests).

Usage::

    from tests.sandbox.openapi_contract import validate_response, validate_request_body

    validate_response("xero/xero_accounting.yaml", "GET", "/api.xro/2.0/Invoices", 200, body)
    validate_request_body("twilio/twilio_api_v2010.json", "POST",
                          "/2010-04-01/Accounts/AC123/Messages.json", {"To": "+61…"},
                          content_type="application/x-www-form-urlencoded")
    validate_httpx_response("xero/xero-identity.yaml", response)  # all taken from it

``spec`` is a path to a YAML or JSON document, or a name relative to ``shared/specs``
(resolved with :func:`tests.specs.spec_file`).  Documents are parsed once per session.
``path`` is the concrete request path: the query string is ignored and a server's base path
(``/api.xro/2.0`` from ``servers``, or an operation's ``x-basepath``) may be included or
left off.  Templates match segment by segment (``{Sid}.json`` too); literal segments win
over parameters, and a case-insensitive match is tried last (Xero serves ``/connections``
while its document spells ``/Connections``).

Validation uses openapi-schema-validator (read mode for responses, so ``writeOnly``
fields are refused; plain mode for requests, because Xero's documents mark fields such as
``InvoiceID`` read-only although updates send them), with ``$ref`` resolved inside the
document.  Two vendor quirks are checked too: Xero's ``x-is-msdate``/``x-is-msdate-time``
fields must come back as ``/Date(ms+0000)/`` strings in responses (requests may send ISO
dates), and ``uuid``/``date``/``date-time`` formats are enforced.  Form-encoded request
bodies (Twilio) arrive as strings, so scalar values are coerced to the schema's type first.

Any mismatch raises :class:`ContractError` (an ``AssertionError``) naming the operation,
the JSON path of the offending value and the schema rule.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import yaml
from jsonschema import FormatChecker, ValidationError, validators
from openapi_schema_validator import OAS30ReadValidator, OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.specs import spec_file

__all__ = [
    "ContractError",
    "Operation",
    "documented_statuses",
    "find_operation",
    "load_spec",
    "validate_httpx_response",
    "validate_request_body",
    "validate_response",
]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SPEC_URI = "urn:nexpura:openapi-document"
MS_DATE = re.compile(r"^/Date\(-?\d+([+-]\d{4})?\)/$")


class ContractError(AssertionError):
    """A body (or request) that the vendor's contract does not allow."""


@dataclass(frozen=True)
class Operation:
    """One operation of a document, found from a concrete method and path."""

    spec: Path
    method: str
    template: str
    definition: Mapping[str, Any]

    @property
    def pointer(self) -> str:
        return f"/paths/{_escape(self.template)}/{self.method}"

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.template} ({self.spec.name})"


# -- loading ----------------------------------------------------------------------------


def _resolve_spec(spec: str | Path) -> Path:
    path = Path(spec)
    if path.is_file():
        return path.resolve()
    return spec_file(str(spec)).resolve()


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        document: Any = json.loads(text)
    else:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = yaml.load(text, Loader=loader)
    if not isinstance(document, dict) or "paths" not in document:
        raise ContractError(f"{path} is not an OpenAPI document")
    return document


def load_spec(spec: str | Path) -> dict[str, Any]:
    """The parsed document (cached for the session: the vendors' files are large)."""
    return _load(_resolve_spec(spec))


@functools.cache
def _registry(path: Path) -> Registry[Any]:
    resource = Resource.from_contents(_load(path), default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return registry


# -- finding the operation --------------------------------------------------------------


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _base_paths(document: Mapping[str, Any], item: Mapping[str, Any]) -> set[str]:
    bases = {""}
    servers = [*document.get("servers", []), *item.get("servers", [])]
    for server in servers:
        url = str(server.get("url", ""))
        bases.add(urlsplit(url).path.rstrip("/"))
    for op in item.values():
        if isinstance(op, dict) and "x-basepath" in op:
            bases.add(urlsplit(str(op["x-basepath"])).path.rstrip("/"))
    return bases


@functools.cache
def _template_regex(template: str, ignore_case: bool) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}/?$", re.IGNORECASE if ignore_case else 0)


def _candidates(document: Mapping[str, Any], method: str) -> Iterator[tuple[str, dict[str, Any]]]:
    def literal_weight(template: str) -> tuple[int, int]:
        segments = template.strip("/").split("/")
        return (-sum("{" not in s for s in segments), -len(template))

    paths: dict[str, Any] = document["paths"]
    for template in sorted(paths, key=literal_weight):
        item = paths[template]
        if isinstance(item, dict) and isinstance(item.get(method), dict):
            yield template, item


def find_operation(spec: str | Path, method: str, path: str) -> Operation:
    """The operation serving ``method path`` (a concrete path, base path optional)."""
    spec_path = _resolve_spec(spec)
    document = _load(spec_path)
    method = method.lower()
    if method not in HTTP_METHODS:
        raise ContractError(f"unknown HTTP method {method!r}")
    concrete = urlsplit(path).path or "/"
    for ignore_case in (False, True):
        for template, item in _candidates(document, method):
            regex = _template_regex(template, ignore_case)
            for base in sorted(_base_paths(document, item), key=len, reverse=True):
                folded_path = concrete.lower() if ignore_case else concrete
                folded_base = base.lower() if ignore_case else base
                if base and not folded_path.startswith(folded_base + "/"):
                    continue
                if regex.match(concrete[len(base) :]):
                    return Operation(spec_path, method, template, item[method])
    raise ContractError(f"{method.upper()} {concrete}: no such operation in {spec_path.name}")


def documented_statuses(spec: str | Path, method: str, path: str) -> list[str]:
    """The response codes the document lists for that operation (e.g. ``["200", "400"]``)."""
    op = find_operation(spec, method, path)
    return [str(code) for code in op.definition.get("responses", {})]


# -- validating --------------------------------------------------------------------------


def _deref(spec_path: Path, node: Any, pointer: str) -> tuple[Mapping[str, Any], str]:
    """Follow local ``$ref``s of response/request objects; returns the object and its pointer."""
    document = _load(spec_path)
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 20:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            raise ContractError(f"cannot follow non-local $ref {ref!r}")
        pointer = ref[1:]
        node = document
        for token in pointer.lstrip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        seen += 1
    if not isinstance(node, Mapping):
        raise ContractError(f"{pointer} is not an object")
    return node, pointer


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    def is_uuid(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return str(uuid.UUID(value)) == value.lower()

    def is_date(value: object) -> bool:
        if isinstance(value, str):
            date.fromisoformat(value)
        return True

    def is_date_time(value: object) -> bool:
        # Xero's identity service sends local-looking "2019-12-07T18:46:19.5165400".
        if isinstance(value, str):
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    checker.checkers["uuid"] = (is_uuid, ValueError)
    checker.checkers["date"] = (is_date, ValueError)
    checker.checkers["date-time"] = (is_date_time, ValueError)
    return checker


FORMAT_CHECKER = _format_checker()
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+([+-]\d{2}:?\d{2}|Z)?)?$")


def _ms_date_keyword(strict: bool) -> Any:
    def check(
        validator: Any, enabled: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        if not enabled or not isinstance(instance, str):
            return
        if MS_DATE.match(instance):
            return
        if not strict and ISO_DATE.match(instance):
            return
        expected = "/Date(ms+0000)/" if strict else "/Date(ms+0000)/ or an ISO date"
        yield ValidationError(f"{instance!r} is not a {expected} date")

    return check


def _extended(base: Any, strict_dates: bool) -> Any:
    keyword = _ms_date_keyword(strict_dates)
    return validators.extend(base, {"x-is-msdate": keyword, "x-is-msdate-time": keyword})


ResponseValidator = _extended(OAS30ReadValidator, strict_dates=True)
RequestValidator = _extended(OAS30Validator, strict_dates=False)


@functools.cache
def _validator(path: Path, pointer: str, for_response: bool) -> Any:
    cls = ResponseValidator if for_response else RequestValidator
    return cls(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(path),
        format_checker=FORMAT_CHECKER,
    )


def _media(content: Mapping[str, Any], content_type: str) -> str | None:
    wanted = content_type.split(";")[0].strip().lower()
    for media in content:
        if media.lower() == wanted:
            return str(media)
    if wanted.endswith("json"):
        for media in content:
            if media.lower().split(";")[0].endswith("json"):
                return str(media)
    return "*/*" if "*/*" in content else None


def _raise_first(op: Operation, what: str, validator: Any, body: Any) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = []
    for error in errors[:5]:
        where = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
        lines.append(f"  {where}: {error.message}")
    more = f"\n  … and {len(errors) - 5} more" if len(errors) > 5 else ""
    raise ContractError(f"{op}: {what} breaks the contract:\n" + "\n".join(lines) + more)


def _decode(body: Any) -> Any:
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ContractError(f"body is not JSON: {body[:200]!r}") from exc
    return body


def validate_response(
    spec: str | Path,
    method: str,
    path: str,
    status: int,
    body: Any,
    *,
    content_type: str = "application/json",
) -> None:
    """Raise :class:`ContractError` unless ``body`` is what the document allows for ``status``."""
    op = find_operation(spec, method, path)
    responses: Mapping[Any, Any] = op.definition.get("responses", {})
    keys = {str(k): k for k in responses}
    key = next(
        (keys[k] for k in (str(status), f"{str(status)[0]}XX", "default") if k in keys), None
    )
    if key is None:
        raise ContractError(f"{op}: status {status} is not documented (only {sorted(keys)})")
    response_obj, response_ptr = _deref(
        op.spec, responses[key], f"{op.pointer}/responses/{_escape(str(key))}"
    )
    content: Mapping[str, Any] = response_obj.get("content") or {}
    if not content:
        if body not in (None, b"", ""):
            raise ContractError(f"{op}: status {status} has no body in the contract")
        return
    media = _media(content, content_type)
    if media is None:
        raise ContractError(f"{op}: {status} is not documented as {content_type}")
    if "schema" not in content[media]:
        return
    pointer = f"{response_ptr}/content/{_escape(media)}/schema"
    validator = _validator(op.spec, pointer, True)
    _raise_first(op, f"the {status} response", validator, _decode(body))


def validate_request_body(
    spec: str | Path,
    method: str,
    path: str,
    body: Any,
    *,
    content_type: str = "application/json",
) -> None:
    """Raise :class:`ContractError` unless ``body`` is a request body the operation accepts.

    A form-encoded body may be given as a mapping (values strings or lists of strings) or
    as the encoded string.
    """
    op = find_operation(spec, method, path)
    if op.definition.get("requestBody") is None:
        raise ContractError(f"{op}: the contract has no request body")
    request, request_ptr = _deref(
        op.spec, op.definition["requestBody"], f"{op.pointer}/requestBody"
    )
    content: Mapping[str, Any] = request.get("content") or {}
    media = _media(content, content_type)
    if media is None:
        raise ContractError(f"{op}: request bodies are not documented as {content_type}")
    pointer = f"{request_ptr}/content/{_escape(media)}/schema"
    validator = _validator(op.spec, pointer, False)
    is_form = "form-urlencoded" in media
    instance = _coerce_form(op.spec, pointer, body) if is_form else _decode(body)
    _raise_first(op, "the request body", validator, instance)


def validate_httpx_response(spec: str | Path, response: httpx.Response) -> None:
    """:func:`validate_response` with method, path, status and body taken from ``response``."""
    content_type = response.headers.get("content-type", "application/json")
    body: Any = response.content or None
    if body is not None and "json" in content_type:
        body = response.json()
    validate_response(
        spec,
        response.request.method,
        response.request.url.path,
        response.status_code,
        body,
        content_type=content_type,
    )


def _coerce_form(spec_path: Path, pointer: str, body: Any) -> dict[str, Any]:
    """Form values are strings: turn them into the scalar types the schema names."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8")
    raw: Mapping[str, Any] = (
        parse_qs(body, keep_blank_values=True) if isinstance(body, str) else body
    )
    resolver = _registry(spec_path).resolver()
    schema = resolver.lookup(f"{SPEC_URI}#{pointer}").contents
    properties: Mapping[str, Any] = schema.get("properties", {})
    result: dict[str, Any] = {}
    for name, value in raw.items():
        prop = properties.get(name, {})
        if "$ref" in prop:
            prop = resolver.lookup(f"{SPEC_URI}{prop['$ref']}").contents
        values = list(value) if isinstance(value, list | tuple) else [value]
        kind = prop.get("type")
        if kind == "array":
            item_kind = (prop.get("items") or {}).get("type")
            result[name] = [_scalar(v, item_kind) for v in values]
        else:
            result[name] = _scalar(values[-1] if values else "", kind)
    return result


def _scalar(value: Any, kind: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value
