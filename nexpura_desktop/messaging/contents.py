"""The Twilio account's Content templates (for choosing a WhatsApp template), and previews.

Listing calls Twilio, so the UI runs :func:`list_contents` on a worker thread.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..connectors.twilio.settings import TwilioSettings, load_settings
from ..ledger.db import Ledger
from .templates import VARIABLES, TemplateError

SettingsFor = Callable[[Ledger], TwilioSettings]
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class ContentTemplate:
    sid: str
    friendly_name: str
    text: str
    variables: dict[str, str]  # Twilio's "1" → its sample value

    def render(self, mapping: dict[str, str], values: dict[str, str]) -> str:
        """The text with ``{{n}}`` filled from our variable names (Twilio's sample if unmapped)."""

        def fill(m: re.Match[str]) -> str:
            key = m.group(1)
            name = mapping.get(key)
            return values.get(name, "") if name else self.variables.get(key, m.group(0))

        return _PLACEHOLDER.sub(fill, self.text)


def _text(types: Any) -> str:
    for spec in (types or {}).values() if isinstance(types, dict) else ():
        if isinstance(spec, dict) and isinstance(spec.get("body"), str):
            return str(spec["body"])
    return ""


async def fetch_contents(settings: TwilioSettings) -> list[ContentTemplate]:
    from ..connectors.twilio.streams import open_client

    async with await open_client(None, settings) as client:
        found = await client.contents()
    return sorted(
        (
            ContentTemplate(
                str(c.get("sid")),
                str(c.get("friendly_name") or c.get("sid")),
                _text(c.get("types")),
                {str(k): str(v) for k, v in dict(c.get("variables") or {}).items()},
            )
            for c in found
            if c.get("sid")
        ),
        key=lambda t: t.friendly_name.lower(),
    )


def list_contents(
    ledger_path: Path, settings_for: SettingsFor = load_settings
) -> list[ContentTemplate]:
    """Blocking: the connected account's Content templates (worker thread)."""
    with Ledger(ledger_path) as ledger:
        settings = settings_for(ledger)
    return asyncio.run(fetch_contents(settings))


def parse_mapping(text: str) -> dict[str, str]:
    """``"1=first_name, 2=item"`` → ``{"1": "first_name", "2": "item"}`` (checked)."""
    mapping: dict[str, str] = {}
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        key, sep, name = (x.strip() for x in part.partition("="))
        if not sep or not key or not name:
            raise TemplateError(f"write each Content variable as number=name, not {part!r}")
        if name not in VARIABLES:
            raise TemplateError(f"unknown variable {name!r}; use {', '.join(VARIABLES)}")
        mapping[key] = name
    return mapping


def format_mapping(mapping: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(mapping.items(), key=lambda kv: kv[0]))
