"""The standard authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636), as forms.

Google and Xero speak it the same way: the same authorize link, the same form POSTed to
the token endpoint for the code and later for each refresh.  Only the extra fields differ
(Google's ``client_secret``, ``access_type`` and ``prompt``), so the services pass those
and keep their own steps (choosing a calendar or an organisation) to themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ..ledger import connections
from .browser_flow import SignIn, with_query
from .context import ConnectContext, fail_for, json_body, token_answer
from .pkce import Pkce
from .tokens import RefreshFunction, TokenSet


def authorize_link(
    url: str, client_id: str, scope: str, extra: Mapping[str, str] | None = None
) -> Callable[[str, str, Pkce], str]:
    """``authorize_url`` for :func:`browser_flow.sign_in`: code flow, S256 challenge."""

    def authorize(redirect_uri: str, state: str, pkce: Pkce) -> str:
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": pkce.challenge,
            "code_challenge_method": pkce.method,
            **(extra or {}),
        }
        return with_query(url, params)

    return authorize


async def exchange_code(
    ctx: ConnectContext,
    client: httpx.AsyncClient,
    token_url: str,
    label: str,
    signed: SignIn,
    credentials: Mapping[str, str],
) -> TokenSet:
    """Trade the callback's code (with the PKCE verifier) for tokens.

    ``credentials`` are the client's own fields: ``client_id``, and ``client_secret`` for
    a client that has one.
    """
    response = await client.post(
        token_url,
        data={
            "grant_type": "authorization_code",
            "code": signed.callback.code,
            "redirect_uri": signed.redirect_uri,
            "code_verifier": signed.pkce.verifier,
            **credentials,
        },
    )
    if response.status_code != 200:
        raise fail_for(response, label, "exchanging the sign-in code")
    return TokenSet.from_response(json_body(response, label), now=ctx.clock())


def refresh_grant(
    ctx: ConnectContext,
    service: str,
    label: str,
    token_url: str,
    secret_item: str | None = None,
) -> RefreshFunction:
    """For :class:`TokenManager`: one ``refresh_token`` grant with the saved client id.

    The client id is read from the connection (and the secret from the keyring item
    ``secret_item``) at each refresh, so a reconnect with another client takes effect.
    """

    async def refresh(refresh_token: str) -> dict[str, Any]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": connections.get(ctx.ledger.conn, service).config.get("client_id", ""),
        }
        if secret_item is not None:
            form["client_secret"] = ctx.secrets.get(secret_item) or ""
        async with ctx.client() as client:
            response = await client.post(token_url, data=form)
        return token_answer(response, label)

    return refresh
