"""Message templates per category and channel, with variables and a preview step.

Variables are written ``{first_name}``; the known ones are :data:`VARIABLES`.  A shop's
own template is stored disabled; :func:`preview` renders it (with a real subject or
sample values) and remembers what was previewed; :func:`enable` refuses a text that was
not previewed as it stands.  WhatsApp templates outside the 24-hour window are sent as a
Twilio Content SID with ``content_variables`` mapping Twilio's ``{{1}}``… to our names.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

VARIABLES = (
    "first_name",
    "item",
    "tracking_id",
    "shop_name",
    "pickup_location",
    "task_title",
    "task_status",
)
SAMPLE = {
    "first_name": "Olivia",
    "item": "gold ring",
    "tracking_id": "RPR-1A2B3C4D5E6F",
    "shop_name": "Larkspur Fine Jewellery",
    "pickup_location": "The Strand Arcade, Sydney",
    "task_title": "Polish the Harlow pendant",
    "task_status": "in progress",
}
DEFAULT_BODIES = {
    "job_ready": (
        "Hi {first_name}, your {item} is ready to collect from {shop_name} at "
        "{pickup_location}. Your reference is {tracking_id}. Reply STOP to opt out."
    ),
    "task_assigned": "Hi {first_name}, you have a new task: {task_title}.",
    "task_status": "Task update: {task_title} is now {task_status}.",
    "task_urgent": "URGENT: {task_title} has been flagged urgent.",
    "job_urgent": "URGENT: {item} ({tracking_id}) has been flagged urgent.",
}
# Content templates the WhatsApp job-ready message uses outside the window (by friendly name).
DEFAULT_CONTENT = {
    ("job_ready", "repairs"): "repair_ready",
    ("job_ready", "bespoke_jobs"): "bespoke_ready",
}
DEFAULT_CONTENT_VARIABLES = {"1": "first_name", "2": "item", "3": "tracking_id"}


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    category: str
    channel: str
    body: str
    content_sid: str | None
    content_variables: dict[str, str]
    enabled: bool
    custom: bool


def digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def check(body: str) -> None:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(body) if f is not None]
    except ValueError as exc:
        raise TemplateError(f"the template is not well formed: {exc}") from None
    unknown = sorted({n for n in names if n not in VARIABLES})
    if unknown:
        raise TemplateError(f"unknown variable(s) {', '.join(unknown)}; use {', '.join(VARIABLES)}")
    if not body.strip():
        raise TemplateError("a template needs some text")


def render(body: str, values: dict[str, str]) -> str:
    check(body)
    return body.format_map({k: values.get(k, "") for k in VARIABLES})


def get(conn: sqlite3.Connection, category: str, channel: str) -> Template:
    """The shop's enabled template, or the built-in default."""
    row = conn.execute(
        "SELECT body, content_sid, content_variables, enabled FROM messaging_templates "
        "WHERE category = ? AND channel = ?",
        (category, channel),
    ).fetchone()
    if row is not None and int(row[3]):
        return Template(
            category, channel, str(row[0]), row[1], dict(json.loads(row[2])), True, True
        )
    return get_default(category, channel)


def get_default(category: str, channel: str) -> Template:
    """The built-in template of a slot."""
    return Template(
        category,
        channel,
        DEFAULT_BODIES[category],
        None,
        dict(DEFAULT_CONTENT_VARIABLES) if category == "job_ready" else {},
        True,
        False,
    )


def stored(conn: sqlite3.Connection, category: str, channel: str) -> Template | None:
    """The shop's saved template for the slot, enabled or not (None: the built-in is used)."""
    row = conn.execute(
        "SELECT body, content_sid, content_variables, enabled FROM messaging_templates "
        "WHERE category = ? AND channel = ?",
        (category, channel),
    ).fetchone()
    if row is None:
        return None
    return Template(
        category, channel, str(row[0]), row[1], dict(json.loads(row[2])), bool(row[3]), True
    )


def is_previewed(conn: sqlite3.Connection, category: str, channel: str) -> bool:
    row = conn.execute(
        "SELECT body, previewed_digest FROM messaging_templates WHERE category = ? AND channel = ?",
        (category, channel),
    ).fetchone()
    return row is not None and row[1] == digest(str(row[0]))


def save(
    conn: sqlite3.Connection,
    category: str,
    channel: str,
    body: str,
    *,
    content_sid: str | None = None,
    content_variables: dict[str, str] | None = None,
) -> None:
    """Store (or change) a template; it stays off until previewed and enabled."""
    if category not in DEFAULT_BODIES or channel not in ("whatsapp", "sms"):
        raise TemplateError(f"no template slot {category}/{channel}")
    check(body)
    for name in (content_variables or {}).values():
        if name not in VARIABLES:
            raise TemplateError(f"unknown variable {name!r} in the Content variables")
    conn.execute(
        "INSERT INTO messaging_templates(category, channel, body, content_sid, "
        "content_variables, previewed_digest, enabled, updated_at) "
        "VALUES (?, ?, ?, ?, ?, NULL, 0, ?) ON CONFLICT(category, channel) DO UPDATE SET "
        "body = excluded.body, content_sid = excluded.content_sid, "
        "content_variables = excluded.content_variables, previewed_digest = NULL, enabled = 0, "
        "updated_at = excluded.updated_at",
        (
            category,
            channel,
            body,
            content_sid,
            json.dumps(content_variables or {}),
            datetime.now(UTC).isoformat(),
        ),
    )


def preview(
    conn: sqlite3.Connection, category: str, channel: str, values: dict[str, Any] | None = None
) -> str:
    """The text as a recipient would see it (sample values unless given); marks it previewed."""
    row = conn.execute(
        "SELECT body FROM messaging_templates WHERE category = ? AND channel = ?",
        (category, channel),
    ).fetchone()
    body = str(row[0]) if row is not None else DEFAULT_BODIES[category]
    text = render(body, {**SAMPLE, **{k: str(v) for k, v in (values or {}).items()}})
    if row is not None:
        conn.execute(
            "UPDATE messaging_templates SET previewed_digest = ? "
            "WHERE category = ? AND channel = ?",
            (digest(body), category, channel),
        )
    return text


def enable(conn: sqlite3.Connection, category: str, channel: str) -> None:
    row = conn.execute(
        "SELECT body, previewed_digest FROM messaging_templates WHERE category = ? AND channel = ?",
        (category, channel),
    ).fetchone()
    if row is None:
        raise TemplateError(f"there is no saved {category}/{channel} template to enable")
    if row[1] != digest(str(row[0])):
        raise TemplateError("preview the template before enabling it")
    conn.execute(
        "UPDATE messaging_templates SET enabled = 1 WHERE category = ? AND channel = ?",
        (category, channel),
    )
