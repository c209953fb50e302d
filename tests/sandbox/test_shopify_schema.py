"""The served schema is a faithful subset of Shopify's published Admin schema (issue 3,
"Vendor contracts"; service-apis §1.5): same types, fields, arguments, defaults, enum values."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    is_non_null_type,
)

from nexpura_desktop.sandbox.shopify.graphql_api import load_schema
from tests.sandbox.shopify_schema import full_admin_schema, validate_against_admin_schema

BUILTIN = {"String", "Int", "Float", "Boolean", "ID"}


def _problems() -> list[str]:
    served, full = load_schema(), full_admin_schema()
    problems: list[str] = []
    for name, kept in served.type_map.items():
        if name.startswith("__") or name in BUILTIN:
            continue
        real = full.get_type(name)
        if real is None or type(real) is not type(kept):
            problems.append(f"{name}: not in the published schema as the same kind")
            continue
        if isinstance(kept, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(real, GraphQLObjectType | GraphQLInterfaceType)
            real_ifaces = {i.name for i in real.interfaces}
            problems += [
                f"{name} implements {i.name}" for i in kept.interfaces if i.name not in real_ifaces
            ]
            for fname, field in kept.fields.items():
                rfield = real.fields.get(fname)
                if rfield is None or str(rfield.type) != str(field.type):
                    problems.append(f"{name}.{fname}: missing or different type")
                    continue
                if field.deprecation_reason != rfield.deprecation_reason:
                    problems.append(f"{name}.{fname}: deprecation differs")
                for aname, arg in field.args.items():
                    rarg = rfield.args.get(aname)
                    if (
                        rarg is None
                        or str(rarg.type) != str(arg.type)
                        or rarg.default_value != arg.default_value
                    ):
                        problems.append(f"{name}.{fname}({aname}): missing or different")
                for aname, rarg in rfield.args.items():
                    if (
                        is_non_null_type(rarg.type)
                        and rarg.default_value is None
                        and aname not in field.args
                    ):
                        problems.append(f"{name}.{fname}({aname}) is required but dropped")
        elif isinstance(kept, GraphQLInputObjectType):
            assert isinstance(real, GraphQLInputObjectType)
            for fname, field in kept.fields.items():
                rfield = real.fields.get(fname)
                if (
                    rfield is None
                    or str(rfield.type) != str(field.type)
                    or rfield.default_value != field.default_value
                ):
                    problems.append(f"{name}.{fname}: missing or different input field")
            for fname, rfield in real.fields.items():
                if (
                    is_non_null_type(rfield.type)
                    and rfield.default_value is None
                    and fname not in kept.fields
                ):
                    problems.append(f"{name}.{fname} is required but dropped")
        elif isinstance(kept, GraphQLEnumType):
            assert isinstance(real, GraphQLEnumType)
            problems += [f"{name}.{v}" for v in kept.values if v not in real.values]
        else:
            assert isinstance(kept, GraphQLScalarType)
    return problems


def test_every_served_type_field_argument_and_enum_value_is_published() -> None:
    assert _problems() == []


def test_roots_serve_the_sync_surface() -> None:
    schema = load_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    assert schema.query_type.name == "QueryRoot" and schema.mutation_type.name == "Mutation"
    for field in (
        "products",
        "productVariants",
        "customers",
        "orders",
        "locations",
        "inventoryItems",
        "bulkOperation",
        "currentBulkOperation",
        "shop",
        "node",
    ):
        assert field in schema.query_type.fields
    for field in (
        "productCreate",
        "productVariantsBulkCreate",
        "customerCreate",
        "inventorySetQuantities",
        "bulkOperationRunQuery",
        "bulkOperationCancel",
    ):
        assert field in schema.mutation_type.fields


def test_full_schema_validator_reports_unknown_fields() -> None:
    ok = "query($q: String) { products(first: 10, query: $q) { nodes { id title } } }"
    assert validate_against_admin_schema(ok) == []
    problems = validate_against_admin_schema("{ products(first: 1) { nodes { idd } } }")
    assert problems and "idd" in problems[0]
