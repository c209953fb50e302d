"""The Marketing API 3.0 routes (reference/service-apis.md §3.1–§3.4, §3.6).

Served at ``{base}/3.0/…`` whatever the key's data centre (the real host is
``https://<dc>.api.mailchimp.com/3.0``).  Each handler authenticates, parses the JSON body,
calls :class:`.store.Account` under the emulator's lock and renders the real shapes; every
failure leaves as a problem+json document.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import check_authorization
from .errors import MailchimpError
from .model import iso
from .query import page, shape
from .render import audience_json, link, member_json, merge_field_json
from .store import parse_time
from .validation import check_status, check_tags_body, require_object

if TYPE_CHECKING:
    from .emulator import MailchimpEmulator

Handler = Callable[[Request], Awaitable[Response]]
PREFIX = "/3.0"


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() == "true"


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise MailchimpError(
            400, "JSON Parse Error", "We encountered an unspecified JSON parsing error."
        ) from None


class MailchimpApi:
    """Route handlers bound to one emulator."""

    def __init__(self, emu: MailchimpEmulator) -> None:
        self.emu = emu

    @property
    def root(self) -> str:
        return f"{self.emu.base_url}{PREFIX}"

    def routes(self) -> list[BaseRoute]:
        r = self._guard
        lists = f"{PREFIX}/lists/{{list_id}}"
        member = f"{lists}/members/{{subscriber_hash}}"
        return [
            Route(f"{PREFIX}/", r(self.api_root), methods=["GET"]),
            Route(f"{PREFIX}/ping", r(self.ping), methods=["GET"]),
            Route(f"{PREFIX}/lists", r(self.get_lists), methods=["GET"]),
            Route(lists, r(self.one_list), methods=["GET", "POST"]),
            Route(f"{lists}/merge-fields", r(self.merge_fields), methods=["GET"]),
            Route(f"{lists}/merge-fields/{{merge_id}}", r(self.merge_field), methods=["GET"]),
            Route(f"{lists}/members", r(self.members), methods=["GET", "POST"]),
            Route(member, r(self.member), methods=["GET", "PUT", "PATCH", "DELETE"]),
            Route(f"{member}/actions/delete-permanent", r(self.delete_permanent), methods=["POST"]),
            Route(f"{member}/tags", r(self.tags), methods=["GET", "POST"]),
        ]

    def _guard(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            try:
                check_authorization(
                    request.headers.get("authorization"),
                    api_key=self.emu.api_key,
                    oauth_tokens=self.emu.oauth_tokens,
                )
                return await handler(request)
            except MailchimpError as exc:
                return exc.response()

        return guarded

    # -- account -----------------------------------------------------------------------
    async def api_root(self, request: Request) -> Response:
        return JSONResponse(
            shape(
                {
                    "account_id": self.emu.account_id,
                    "login_id": "100000001",
                    "account_name": "Nexpura Sandbox Jewellers",
                    "email": "owner@nexpura-sandbox.com",
                    "first_name": "Sandbox",
                    "last_name": "Owner",
                    "username": "nexpura-sandbox",
                    "role": "owner",
                    "pricing_plan_type": "monthly",
                    "account_timezone": "Australia/Melbourne",
                    "total_subscribers": sum(
                        len(a.members) for a in self.emu.account.audiences.values()
                    ),
                    "_links": [link("self", f"{self.root}/"), link("lists", f"{self.root}/lists")],
                },
                request.query_params,
            )
        )

    async def ping(self, request: Request) -> Response:
        return JSONResponse({"health_status": "Everything's Chimpy!"})

    # -- lists ---------------------------------------------------------------------------
    async def get_lists(self, request: Request) -> Response:
        with self.emu.lock:
            audiences = list(self.emu.account.audiences.values())
            total = _flag(request, "include_total_contacts")
            doc = {
                "lists": [
                    audience_json(a, self.root, total_contacts=total)
                    for a in page(audiences, request.query_params)
                ],
                "total_items": len(audiences),
                "constraints": {
                    "may_create": True,
                    "max_instances": 100,
                    "current_total_instances": len(audiences),
                },
                "_links": [
                    link("self", f"{self.root}/lists"),
                    link("create", f"{self.root}/lists", "POST"),
                ],
            }
        return JSONResponse(shape(doc, request.query_params))

    async def one_list(self, request: Request) -> Response:
        list_id = request.path_params["list_id"]
        if request.method == "POST":
            return await self.batch_subscribe(request, list_id)
        with self.emu.lock:
            aud = self.emu.account.audience(list_id)
            total = _flag(request, "include_total_contacts")
            doc = audience_json(aud, self.root, total_contacts=total)
        return JSONResponse(shape(doc, request.query_params))

    async def batch_subscribe(self, request: Request, list_id: str) -> Response:
        """§3.4: HTTP 200 even when some members failed; failures are in ``errors``."""
        body = await _json_body(request)
        with self.emu.lock:
            aud = self.emu.account.audience(list_id)
            result = self.emu.account.batch(
                aud,
                body,
                skip_merge=_flag(request, "skip_merge_validation"),
                skip_duplicates=_flag(request, "skip_duplicate_check"),
            )
            doc = {
                "new_members": [member_json(aud, m, self.root) for m in result.new_members],
                "updated_members": [member_json(aud, m, self.root) for m in result.updated_members],
                "errors": result.errors,
                "total_created": len(result.new_members),
                "total_updated": len(result.updated_members),
                "error_count": len(result.errors),
                "_links": [
                    link("self", f"{self.root}/lists/{aud.id}"),
                    link("parent", f"{self.root}/lists"),
                ],
            }
        return JSONResponse(shape(doc, request.query_params))

    # -- merge fields --------------------------------------------------------------------
    async def merge_fields(self, request: Request) -> Response:
        with self.emu.lock:
            aud = self.emu.account.audience(request.path_params["list_id"])
            fields = aud.merge_fields
            doc = {
                "merge_fields": [
                    merge_field_json(aud, mf, self.root)
                    for mf in page(fields, request.query_params)
                ],
                "list_id": aud.id,
                "total_items": len(fields),
                "_links": [link("self", f"{self.root}/lists/{aud.id}/merge-fields")],
            }
        return JSONResponse(shape(doc, request.query_params))

    async def merge_field(self, request: Request) -> Response:
        with self.emu.lock:
            aud = self.emu.account.audience(request.path_params["list_id"])
            wanted = request.path_params["merge_id"]
            for mf in aud.merge_fields:
                if str(mf.merge_id) == wanted:
                    doc = merge_field_json(aud, mf, self.root)
                    return JSONResponse(shape(doc, request.query_params))
        raise MailchimpError(404)

    # -- members ---------------------------------------------------------------------------
    async def members(self, request: Request) -> Response:
        list_id = request.path_params["list_id"]
        params = request.query_params
        if request.method == "POST":
            body = await _json_body(request)
            with self.emu.lock:
                aud = self.emu.account.audience(list_id)
                m = self.emu.account.create(
                    aud, body, skip_merge=_flag(request, "skip_merge_validation")
                )
                return JSONResponse(member_json(aud, m, self.root))
        status = params.get("status") or None
        if status == "archived":
            wanted: str | None = "archived"
        else:
            wanted = check_status(status, "status")
        since = params.get("since_last_changed")
        before = params.get("before_last_changed")
        with self.emu.lock:
            aud = self.emu.account.audience(list_id)
            found = self.emu.account.list_members(
                aud,
                status=wanted,
                since_last_changed=parse_time(since, "since_last_changed") if since else None,
                before_last_changed=parse_time(before, "before_last_changed") if before else None,
            )
            doc = {
                "members": [member_json(aud, m, self.root) for m in page(found, params)],
                "list_id": aud.id,
                "total_items": len(found),
                "_links": [
                    link("self", f"{self.root}/lists/{aud.id}/members"),
                    link("create", f"{self.root}/lists/{aud.id}/members", "POST"),
                ],
            }
        return JSONResponse(shape(doc, params))

    async def member(self, request: Request) -> Response:
        list_id = request.path_params["list_id"]
        key = request.path_params["subscriber_hash"]
        body = await _json_body(request) if request.method in ("PUT", "PATCH") else None
        skip_merge = _flag(request, "skip_merge_validation")
        account = self.emu.account
        with self.emu.lock:
            aud = account.audience(list_id)
            if request.method == "DELETE":
                account.archive(aud, key)
                return Response(status_code=204)
            if request.method == "PUT":
                m = account.upsert(aud, key, body, skip_merge=skip_merge)
            elif request.method == "PATCH":
                m = account.patch(aud, key, body)
            else:
                m = account.member(aud, key)
            doc = member_json(aud, m, self.root)
        return JSONResponse(shape(doc, request.query_params))

    async def delete_permanent(self, request: Request) -> Response:
        with self.emu.lock:
            aud = self.emu.account.audience(request.path_params["list_id"])
            self.emu.account.delete_permanent(aud, request.path_params["subscriber_hash"])
        return Response(status_code=204)

    async def tags(self, request: Request) -> Response:
        """§3.2: POST applies active/inactive tags and answers 204 No Content."""
        key = request.path_params["subscriber_hash"]
        if request.method == "POST":
            tags = check_tags_body(require_object(await _json_body(request)))
            with self.emu.lock:
                aud = self.emu.account.audience(request.path_params["list_id"])
                self.emu.account.set_tags(aud, key, tags)
            return Response(status_code=204)
        with self.emu.lock:
            aud = self.emu.account.audience(request.path_params["list_id"])
            m = self.emu.account.member(aud, key)
            all_tags = [
                {"id": aud.tag_id(name), "name": name, "date_added": iso(added)}
                for name, added in m.tags.items()
            ]
            doc = {
                "tags": page(all_tags, request.query_params),
                "total_items": len(all_tags),
                "_links": [link("self", f"{self.root}/lists/{aud.id}/members/{m.id}/tags")],
            }
        return JSONResponse(shape(doc, request.query_params))
