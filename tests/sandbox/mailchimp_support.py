"""Shared helpers for the Mailchimp emulator tests (test_mailchimp_*.py)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.mailchimp import MailchimpEmulator
from tests.specs import spec_file

SPEC = "mailchimp/openapi.json"
PROBLEM_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"


def md5(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


@dataclass
class Mc:
    """An authenticated client plus the pieces tests need."""

    client: httpx.AsyncClient
    control: httpx.AsyncClient
    emu: MailchimpEmulator
    creds: dict[str, Any]

    @property
    def list_id(self) -> str:
        return str(self.creds["audience_id"])

    def member_path(self, email: str, list_id: str | None = None) -> str:
        return f"/lists/{list_id or self.list_id}/members/{md5(email)}"

    async def put(self, email: str, **body: Any) -> httpx.Response:
        return await self.client.put(self.member_path(email), json={"email_address": email, **body})

    async def contact_event(self, email: str, status: str) -> httpx.Response:
        r = await self.control.post(f"/_sandbox/members/{email}/status", json={"status": status})
        assert r.status_code == 200, r.text
        return r


@asynccontextmanager
async def mailchimp(time_scale: float = 1.0) -> AsyncIterator[Mc]:
    sandbox = Sandbox(services=["mailchimp"], time_scale=time_scale)
    emu = sandbox["mailchimp"]
    assert isinstance(emu, MailchimpEmulator)
    creds = emu.credentials()
    transport = sandbox.transport()
    async with (
        httpx.AsyncClient(
            transport=transport, base_url=creds["api_base_url"], auth=("anyuser", creds["api_key"])
        ) as client,
        httpx.AsyncClient(transport=transport, base_url=sandbox.origins["mailchimp"]) as control,
    ):
        yield Mc(client, control, emu, creds)


def assert_problem(r: httpx.Response, status: int, title: str) -> dict[str, Any]:
    """§3.6: every error is application/problem+json with the five RFC 7807 members."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["type"] == PROBLEM_TYPE
    assert body["title"] == title, body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["instance"], str) and body["instance"]
    return body


@functools.cache
def _document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(spec_file(SPEC).read_text(encoding="utf-8"))
    return doc


def validate_schema(name: str, instance: Any) -> None:
    """Validate against one named component schema of the Mailchimp OpenAPI document."""
    registry: Registry[Any] = Registry().with_resource(
        "urn:mailchimp", Resource.from_contents(_document(), default_specification=DRAFT4)
    )
    validator = OAS30ReadValidator(
        {"$ref": f"urn:mailchimp#/components/schemas/{name}"}, registry=registry
    )
    errors = list(validator.iter_errors(instance))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def schema_properties(name: str) -> set[str]:
    return set(_document()["components"]["schemas"][name]["properties"])
