"""The HTML pages a merchant sees during OAuth: the grant screen and Shopify's error page."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}"
        "button{font-size:1em;padding:.5em 1.5em;margin-right:1em}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def grant_page(shop: str, app_name: str, scopes: list[str], hidden: Mapping[str, str]) -> str:
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    items = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes)
    body = (
        f"<h1>Install {escape(app_name)}</h1>"
        f"<p>{escape(app_name)} wants to access <strong>{escape(shop)}</strong>:</p>"
        f'<ul id="scopes">{items}</ul>'
        f'<form method="post" action="/admin/oauth/authorize">{fields}'
        '<button type="submit" name="decision" value="approve" id="approve">Install app</button>'
        '<button type="submit" name="decision" value="deny" id="deny">Cancel</button>'
        "</form>"
    )
    return _page(f"Install {app_name} – Shopify", body)


def error_page(message: str) -> str:
    return _page("Oauth error", f'<h1>Oauth error</h1><p id="error">{escape(message)}</p>')


def cancelled_page(shop: str) -> str:
    return _page(
        "Installation cancelled",
        f"<h1>Installation cancelled</h1><p>The app was not installed on {escape(shop)}.</p>",
    )
