"""Shared helpers for the Twilio emulator tests: an httpx session on the in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from nexpura_desktop.sandbox import Sandbox

API_SPEC = "twilio/twilio_api_v2010.json"
CONTENT_SPEC = "twilio/twilio_content_v1.json"
CUSTOMER = "+61491570110"
OTHER = "+61491570111"


class Twilio:
    """A client of the emulator, speaking only HTTP (API + control surface)."""

    def __init__(self, client: httpx.AsyncClient, creds: dict[str, Any]) -> None:
        self.http = client
        self.creds = creds
        self.account = creds["account_sid"]
        self.messages_path = f"/2010-04-01/Accounts/{self.account}/Messages.json"

    async def send(self, **form: Any) -> httpx.Response:
        form.setdefault("To", CUSTOMER)
        if "MessagingServiceSid" not in form:
            whatsapp = str(form["To"]).startswith("whatsapp:")
            form.setdefault("From", self.creds["whatsapp_from" if whatsapp else "sms_from"])
        return await self.http.post(self.messages_path, data=form)

    async def sent(self, **form: Any) -> dict[str, Any]:
        response = await self.send(**form)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def fetch(self, sid: str) -> dict[str, Any]:
        response = await self.http.get(f"/2010-04-01/Accounts/{self.account}/Messages/{sid}.json")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def inbound(self, sender: str, body: str, **extra: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/_sandbox/inbound", json={"from": sender, "body": body, **extra}
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def advance(self, seconds: float) -> None:
        response = await self.http.post("/_sandbox/clock", json={"advance": seconds})
        assert response.status_code == 200

    async def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post("/_sandbox/seed", json=data)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@asynccontextmanager
async def twilio(*, auth: bool = True) -> AsyncIterator[Twilio]:
    """A fresh emulator (own clock) and a client authenticated with the Auth Token."""
    sandbox = Sandbox(services=["twilio"])
    creds = sandbox["twilio"].credentials()
    async with httpx.AsyncClient(
        transport=sandbox.transport(),
        base_url=creds["base_url"],
        auth=(creds["account_sid"], creds["auth_token"]) if auth else None,
    ) as client:
        yield Twilio(client, creds)
