"""The HTML a person sees at login.xero.com: the consent page and Xero's error page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from starlette.responses import HTMLResponse

SCOPE_TEXT = {
    "openid": "Verify your identity",
    "profile": "View your name",
    "email": "View your email address",
    "offline_access": "Keep access while you are away (for 60 days)",
    "accounting.invoices": "View and manage your invoices",
    "accounting.invoices.read": "View your invoices",
    "accounting.contacts": "View and manage your contacts",
    "accounting.contacts.read": "View your contacts",
    "accounting.settings": "View and manage your organisation settings",
    "accounting.settings.read": "View your organisation settings",
}

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;background:#f4f6f8;margin:0}
main{max-width:440px;margin:48px auto;background:#fff;border-radius:8px;padding:32px;
box-shadow:0 2px 8px rgba(0,0,0,.12)} h1{font-size:20px} .brand{color:#13b5ea;font-weight:bold}
button{font-size:15px;padding:10px 20px;border-radius:4px;border:1px solid #13b5ea;cursor:pointer}
#allow{background:#13b5ea;color:#fff} #deny{background:#fff;color:#13b5ea} li{margin:4px 0}
"""


def consent_page(
    app_name: str,
    scopes: Iterable[str],
    organisations: Iterable[tuple[str, str]],
    hidden: Mapping[str, str],
) -> HTMLResponse:
    """Xero's "Allow access" page: pick organisations, then Allow access or Cancel."""
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    scope_items = "".join(f"<li>{escape(SCOPE_TEXT.get(s, s))}</li>" for s in scopes)
    orgs = "".join(
        f'<li><label><input type="checkbox" name="tenant" value="{escape(tid)}" checked> '
        f"{escape(name)}</label></li>"
        for tid, name in organisations
    )
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Xero | Authorise app</title>
<style>{STYLE}</style></head><body><main>
<p class="brand">xero (sandbox)</p>
<h1>{escape(app_name)} wants to access your Xero data</h1>
<form method="post" action="/identity/connect/authorize" id="consent">{fields}
<p>This app will be able to:</p><ul>{scope_items}</ul>
<p>Organisations to connect:</p><ul>{orgs}</ul>
<button type="submit" id="allow" name="action" value="allow">Allow access</button>
<button type="submit" id="deny" name="action" value="deny">Cancel</button>
</form></main></body></html>"""
    return HTMLResponse(html)


def error_page(error: str, description: str, status: int = 400) -> HTMLResponse:
    """The page Xero shows when it cannot trust the redirect (e.g. an unknown redirect_uri)."""
    message = f"{error} : {description}" if description else error
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Xero | Error</title>
<style>{STYLE}</style></head><body><main>
<p class="brand">xero (sandbox)</p><h1>Sorry, something went wrong</h1>
<p id="error">{escape(message)}</p></main></body></html>"""
    return HTMLResponse(html, status_code=status)
