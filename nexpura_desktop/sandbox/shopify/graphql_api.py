"""``POST /admin/api/{version}/graphql.json``: auth, version, cost/throttle, execution.

The schema is the subset cut from Shopify's published Admin schema (``schema.graphql``,
see ``tools/shopify_schema_subset.py``).  Every answer carries ``extensions.cost``
(service-apis §1.5); an over-budget query gets the ``THROTTLED`` error with no data (HTTP
200 by default, as documented; ``settings.throttled_http_status`` makes it 429) and a query
over the single-query limit gets ``MAX_COST_EXCEEDED``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from .auth import Grant
from .bulk import BulkOp
from .context import Ctx
from .cost import CostCalculator
from .ids import iso
from .mutations import EXTRA_FIELDS, MUTATION
from .resolvers import FIELDS, field_resolver, resolve_node_type

if TYPE_CHECKING:
    from .emulator import ShopifyEmulator

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
VERSION_RE = re.compile(r"^(\d{4})-(01|04|07|10)$")
SUPPORTED_VERSIONS = ("2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04")
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
UNDEFINED_FIELD = re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\.")


def _datetime(value: Any) -> Any:
    return iso(value) if isinstance(value, int | float) else value


@cache
def load_schema() -> GraphQLSchema:
    """The served schema, with Shopify's scalar encodings and abstract-type resolution."""
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    for name, serialize in (("DateTime", _datetime), ("UnsignedInt64", str)):
        scalar = schema.get_type(name)
        assert isinstance(scalar, GraphQLScalarType)
        scalar.coerce_output_value = serialize
    for name in ("Node", "DisplayableError"):
        interface = schema.get_type(name)
        assert isinstance(interface, GraphQLInterfaceType)
        interface.resolve_type = resolve_node_type if name == "Node" else (lambda *_: "UserError")
    FIELDS["Mutation"] = MUTATION
    FIELDS.update(EXTRA_FIELDS)
    return schema


def resolve_version(requested: str) -> str | None:
    """The version that serves a request: retired ones fall forward to the oldest supported."""
    if requested == "unstable":
        return requested
    if not VERSION_RE.match(requested) or requested > SUPPORTED_VERSIONS[-1]:
        return None
    return max(requested, SUPPORTED_VERSIONS[0])


def format_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    match = UNDEFINED_FIELD.match(error.message)
    if match:
        formatted["message"] = f"Field '{match['field']}' doesn't exist on type '{match['type']}'"
        formatted["extensions"] = {
            "code": "undefinedField",
            "typeName": match["type"],
            "fieldName": match["field"],
        }
    if not formatted.get("extensions"):
        formatted.pop("extensions", None)
    return formatted


class GraphQLService:
    """Runs one request against the emulator's shop (call it with the lock held)."""

    def __init__(self, emu: ShopifyEmulator) -> None:
        self.emu = emu
        self.schema = load_schema()

    def context(self, grant: Grant, version: str, *, bulk: bool = False) -> Ctx:
        emu = self.emu
        now = emu.clock.time()
        emu.bulk_ops.refresh(now)
        ctx = Ctx(
            store=emu.store,
            shop=emu.shop,
            now=now,
            scopes=grant.scopes,
            version=version,
            bulk_ops=emu.bulk_ops,
            base_url=emu.base_url,
            app_key=grant.app_key,
            bulk=bulk,
            settings=emu.settings,
        )
        ctx.run_bulk = lambda query: self._bulk(grant, version, query)
        return ctx

    def run(self, grant: Grant, body: dict[str, Any], version: str) -> tuple[dict[str, Any], int]:
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            return {"errors": {"query": "Required parameter missing or invalid"}}, 400
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return {"errors": {"variables": "must be an object"}}, 400
        try:
            document = parse(query)
        except GraphQLError as exc:
            return {"errors": [format_error(exc)]}, 200
        problems = validate(self.schema, document)
        if problems:
            return {"errors": [format_error(e) for e in problems]}, 200
        operation = get_operation_ast(document, body.get("operationName"))
        if operation is None:
            return {"errors": [{"message": "An operation name is required"}]}, 200
        return self._charged(
            grant, version, document, operation, variables, body.get("operationName")
        )

    def _charged(
        self,
        grant: Grant,
        version: str,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        operation_name: str | None,
    ) -> tuple[dict[str, Any], int]:
        emu = self.emu
        calculator = CostCalculator(self.schema, document, operation, variables)
        requested = calculator.requested()
        bucket = emu.bucket(grant.app_key)
        now = emu.clock.time()
        max_cost = int(emu.settings.get("max_query_cost", 1000))
        if requested > max_cost:
            message = (
                f"Query cost is {requested}, which exceeds the single query max cost limit "
                f"({max_cost}).\n\nSee {RATE_LIMIT_DOCS} for more information on how the\n"
                "cost of a query is calculated.\n\nTo query larger amounts of data with fewer "
                "limits, bulk operations should be used instead.\n"
            )
            error = {
                "message": message,
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": requested,
                    "maxCost": max_cost,
                    "documentation": RATE_LIMIT_DOCS,
                },
            }
            return {"errors": [error], "extensions": self._cost(requested, None, grant)}, 200
        if not bucket.take(requested, now):
            error = {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
            }
            status = int(emu.settings.get("throttled_http_status", 200))
            return {"errors": [error], "extensions": self._cost(requested, None, grant)}, status
        ctx = self.context(grant, version)
        result = execute(
            self.schema,
            document,
            context_value=ctx,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=field_resolver,
        )
        assert isinstance(result, ExecutionResult)
        actual = calculator.actual(result.data) if result.data is not None else requested
        actual = min(actual, requested)
        bucket.refund(requested - actual, emu.clock.time())
        response: dict[str, Any] = {}
        if result.errors:
            response["errors"] = [format_error(e) for e in result.errors]
        response["data"] = result.data
        response["extensions"] = self._cost(requested, actual, grant)
        if ctx.search:
            response["extensions"]["search"] = ctx.search
        return response, 200

    def _cost(self, requested: int, actual: int | None, grant: Grant) -> dict[str, Any]:
        status = self.emu.bucket(grant.app_key).status(self.emu.clock.time())
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": status,
            }
        }

    def _bulk(
        self, grant: Grant, version: str, query: str
    ) -> tuple[dict[str, Any] | None, list[str]]:
        try:
            document = parse(query)
        except GraphQLError as exc:
            return None, [exc.message]
        problems = validate(self.schema, document)
        if problems:
            return None, [format_error(e)["message"] for e in problems]
        operation = get_operation_ast(document)
        if operation is None or operation.operation.value != "query":
            return None, ["Bulk queries must be a single query operation."]
        root = self.schema.query_type
        assert root is not None
        if not any(
            getattr(sel, "name", None) is not None
            and sel.name.value in root.fields  # type: ignore[attr-defined]
            and str(root.fields[sel.name.value].type).rstrip("!").endswith("Connection")  # type: ignore[attr-defined]
            for sel in operation.selection_set.selections
        ):
            return None, ["Bulk queries must contain at least one connection."]
        result = execute(
            self.schema,
            document,
            context_value=self.context(grant, version, bulk=True),
            field_resolver=field_resolver,
        )
        assert isinstance(result, ExecutionResult)
        if result.errors:
            return None, [e.message for e in result.errors]
        return result.data, []


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


__all__ = [
    "SUPPORTED_VERSIONS",
    "BulkOp",
    "GraphQLService",
    "dumps",
    "load_schema",
    "resolve_version",
]
