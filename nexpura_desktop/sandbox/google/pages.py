"""HTML of the Google sign-in pages: the consent screen and "Access blocked" errors.

The consent page is a plain form so a person or a headless browser can use it: scope
checkboxes (granular consent, §5.1) and two buttons with stable ids,
``#submit_approve_access`` and ``#submit_deny_access``.
"""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

_STYLE = (
    "body{font-family:Roboto,Arial,sans-serif;background:#f0f4f9;margin:0}"
    ".card{max-width:460px;margin:48px auto;background:#fff;border-radius:28px;padding:36px}"
    "h1{font-weight:400;font-size:24px}.scope{margin:10px 0}.err{color:#b3261e}"
    "button{border-radius:20px;padding:10px 24px;font-size:14px;border:1px solid #747775}"
    "#submit_approve_access{background:#0b57d0;color:#fff;border:none;margin-left:8px}"
)

SCOPE_TEXT = {
    "openid": "Associate you with your personal info on Google",
    "email": "See your primary Google Account email address",
    "profile": "See your personal info, including any personal info you've made public",
    "https://www.googleapis.com/auth/userinfo.email": "See your primary Google Account email",
    "https://www.googleapis.com/auth/userinfo.profile": "See your personal info",
    "https://www.googleapis.com/auth/calendar": "See, edit, share, and permanently delete all the "
    "calendars you can access using Google Calendar",
    "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your calendars",
    "https://www.googleapis.com/auth/calendar.readonly": "See and download any calendar you can "
    "access using your Google Calendar",
    "https://www.googleapis.com/auth/calendar.events.readonly": "View events on all your calendars",
    "https://www.googleapis.com/auth/calendar.app.created": "Make secondary Google calendars, and "
    "see, create, change, and delete events on them",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body><div class="card">{body}</div></body></html>\n'
    )
    return HTMLResponse(document, status_code=status)


def consent_page(
    *, consent_id: str, action: str, app_name: str, email: str, scopes: list[str]
) -> HTMLResponse:
    items = "".join(
        f'<div class="scope"><label><input type="checkbox" name="scope" '
        f'value="{html.escape(s)}" id="scope_{i}" checked> '
        f"{html.escape(SCOPE_TEXT.get(s, s))}</label></div>"
        for i, s in enumerate(scopes)
    )
    body = (
        "<p>Sign in with Google</p>"
        f"<h1>{html.escape(app_name)} wants access to your Google Account</h1>"
        f'<p id="account">{html.escape(email)}</p>'
        f'<form method="post" action="{html.escape(action)}" id="consent_form">'
        f'<input type="hidden" name="consent_id" value="{html.escape(consent_id)}">'
        f"<p>Select what {html.escape(app_name)} can access</p>{items}"
        '<p><button type="submit" name="action" value="deny" id="submit_deny_access">'
        "Cancel</button>"
        '<button type="submit" name="action" value="allow" id="submit_approve_access">'
        "Allow</button></p></form>"
    )
    return _page(f"Sign in - Google Accounts - {app_name}", body)


def error_page(status: int, error: str, detail: str, app_name: str | None = None) -> HTMLResponse:
    """What Google shows instead of redirecting when the request itself is bad."""
    who = f"{html.escape(app_name)}\u2019s request is invalid" if app_name else "Access blocked"
    body = (
        f"<h1>{who}</h1>"
        '<p class="err" id="error_code">'
        f"Error {status}: {html.escape(error)}</p>"
        f'<p id="error_detail">{html.escape(detail)}</p>'
        "<p>Request details: the app sent a request that Google could not accept.</p>"
    )
    return _page("Error 400 (OAuth2 Error)" if status == 400 else "Access blocked", body, status)
