"""Shopify's full published Admin schema, for validating queries (built once per session).

``validate_against_admin_schema(query)`` reports what Shopify itself would reject (unknown
fields, wrong argument types …): connector tests run the app's own queries through it.
graphql-core's schema self-check rejects Shopify's schema (specs/README "Using these
files"), so the built schema is marked as already checked.
"""

from __future__ import annotations

from functools import cache

from graphql import GraphQLError, GraphQLSchema, build_schema, parse, validate

from tests.specs import spec_file

ADMIN_SDL = "shopify/admin_2026-01.graphql"


@cache
def full_admin_schema() -> GraphQLSchema:
    sdl = spec_file(ADMIN_SDL).read_text(encoding="utf-8")
    schema = build_schema(sdl, assume_valid=True, assume_valid_sdl=True, no_location=True)
    schema._validation_errors = []  # skip graphql-core's self-check (see module docstring)
    return schema


def validate_against_admin_schema(query: str) -> list[str]:
    try:
        document = parse(query)
    except GraphQLError as exc:
        return [exc.message]
    return [error.message for error in validate(full_admin_schema(), document)]
