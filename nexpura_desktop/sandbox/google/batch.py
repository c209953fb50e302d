"""``POST /batch/calendar/v3``: ``multipart/mixed`` batches of Calendar calls (§5.4).

Each part is ``Content-Type: application/http`` holding a whole HTTP request with a path
only; the outer headers (``Authorization``) apply unless a part overrides them.  At most
1000 calls per batch.  Every call runs through the Calendar routes (so it authenticates and
counts against the quota on its own and can fail on its own); the response has one part
per call in the same order, each with ``Content-ID: <response-…>``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from .errors import HTTP_REASONS, ApiError

if TYPE_CHECKING:
    from .emulator import GoogleEmulator

MAX_CALLS = 1000
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


class BatchPart:
    def __init__(self, content_id: str | None, method: str, target: str,
                 headers: list[tuple[str, str]], body: bytes) -> None:  # fmt: skip
        self.content_id = content_id
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body


def _split_head(blob: bytes) -> tuple[list[str], bytes]:
    """Header lines and the rest of one MIME entity or HTTP message."""
    blob = blob.lstrip(b"\r\n") if blob.startswith((b"\r\n", b"\n")) else blob
    for sep in (b"\r\n\r\n", b"\n\n"):
        head, found, rest = blob.partition(sep)
        if found:
            return head.decode("latin-1").splitlines(), rest
    return blob.decode("latin-1").splitlines(), b""


def parse_batch(content_type: str, body: bytes) -> list[BatchPart]:
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/mixed") or not match:
        raise ApiError(400, "badRequest", "Bad Request: expected a multipart/mixed batch body.")
    delimiter = b"--" + match.group(1).encode("latin-1")
    chunks = body.split(delimiter)[1:]
    parts: list[BatchPart] = []
    for chunk in chunks:
        if chunk.startswith(b"--"):
            break
        mime_lines, http_message = _split_head(chunk.removeprefix(b"\r\n").removeprefix(b"\n"))
        mime = _headers(mime_lines)
        content_id = dict((k.lower(), v) for k, v in mime).get("content-id")
        request_lines, payload = _split_head(http_message)
        if not request_lines:
            raise ApiError(400, "badRequest", "Bad Request: a batch part holds no HTTP request.")
        request_line = request_lines[0].split()
        if len(request_line) < 2:
            raise ApiError(
                400, "badRequest", "Bad Request: malformed request line in a batch part."
            )
        payload = payload.rstrip(b"\r\n")
        parts.append(
            BatchPart(
                content_id,
                request_line[0].upper(),
                request_line[1],
                _headers(request_lines[1:]),
                payload,
            )
        )
    return parts


def _headers(lines: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            out.append((name.strip(), value.strip()))
    return out


def _response_id(content_id: str | None) -> str | None:
    if content_id is None:
        return None
    inner = content_id.strip().removeprefix("<").removesuffix(">")
    return f"<response-{inner}>"


class BatchApi:
    def __init__(self, emu: GoogleEmulator, calendar_app: Starlette) -> None:
        self.emu = emu
        self.calendar_app = calendar_app

    async def handle(self, request: Request) -> Response:
        try:
            parts = parse_batch(request.headers.get("content-type", ""), await request.body())
            if not parts:
                raise ApiError(400, "badRequest", "Bad Request: the batch holds no requests.")
            if len(parts) > MAX_CALLS:
                raise ApiError(
                    400,
                    "batchSizeTooLarge",
                    f"A batch request cannot contain more than {MAX_CALLS} requests.",
                )
        except ApiError as exc:
            return exc.response()
        outer = [(k, v) for k, v in request.headers.items() if k.lower() == "authorization"]
        boundary = "batch_" + self.emu.new_boundary()
        out: list[bytes] = []
        for part in parts:
            status, headers, body = await self._dispatch(part, outer)
            head = ["Content-Type: application/http"]
            response_id = _response_id(part.content_id)
            if response_id is not None:
                head.append(f"Content-ID: {response_id}")
            lines = [f"HTTP/1.1 {status} {HTTP_REASONS.get(status, '')}".rstrip()]
            lines += [f"{k}: {v}" for k, v in headers if k.lower() not in ("content-length",)]
            text = (
                f"--{boundary}\r\n"
                + "\r\n".join(head)
                + "\r\n\r\n"
                + "\r\n".join(lines)
                + "\r\n\r\n"
            )
            out.append(text.encode("latin-1") + body + b"\r\n")
        out.append(f"--{boundary}--\r\n".encode("latin-1"))
        return Response(
            b"".join(out),
            status_code=200,
            media_type=f"multipart/mixed; boundary={boundary}",
        )

    async def _dispatch(
        self, part: BatchPart, outer: list[tuple[str, str]]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        target = urlsplit(part.target)
        path, query = target.path, target.query
        own = {k.lower() for k, _ in part.headers}
        headers = [*part.headers, *((k, v) for k, v in outer if k.lower() not in own)]
        if part.body and "content-length" not in own:
            headers.append(("Content-Length", str(len(part.body))))
        if not path.startswith("/calendar/v3/"):
            return 404, [("Content-Type", "text/html; charset=UTF-8")], b"Not Found"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": part.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            "client": ("127.0.0.1", 0),
            "server": ("batch.internal", 80),
        }
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": part.body, "more_body": False}
            return {"type": "http.disconnect"}

        status = 500
        out_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", [])
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.calendar_app(scope, receive, send)
        return status, out_headers, b"".join(chunks)
