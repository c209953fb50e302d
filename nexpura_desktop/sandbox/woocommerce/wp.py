"""WordPress REST plumbing the WooCommerce API inherits: WP_Error bodies, PHP-style JSON
and the core argument validation (``rest_invalid_param``).

Every error WooCommerce returns is a serialised ``WP_Error``:
``{"code": …, "message": …, "data": {"status": …}}`` (service-apis.md §2.2), so handlers
raise :class:`WPError` and one place renders it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

# WP_REST_Server encodes with wp_json_encode() and no flags: "/" is escaped as "\/" and
# non-ASCII as \uXXXX, exactly like PHP's json_encode.  Webhook signatures are computed over
# these bytes, so a client must verify the raw body, never a re-serialisation.
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"

RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


class WPError(Exception):
    """A WP_Error on its way to becoming a JSON response."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data: dict[str, Any] = {"status": status, **data}
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


def php_json(payload: Any) -> bytes:
    """``json_encode`` without flags: compact, ASCII-only, slashes escaped."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


def wp_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        php_json(payload), status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE
    )


def error_response(error: WPError) -> Response:
    return wp_response(error.body(), error.status, error.headers)


def no_route() -> WPError:
    """WordPress answers an unknown route *and* a known route with the wrong method so."""
    return WPError("rest_no_route", "No route was found matching the URL and request method.", 404)


def _php_list(items: Sequence[str]) -> str:
    """wp_sprintf_l: "a and b", "a, b, and c"."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


class Params:
    """Collects WP core argument errors so they are reported together, as WP does."""

    def __init__(self, source: Mapping[str, str]) -> None:
        self.source = source
        self.errors: dict[str, tuple[str, str]] = {}

    def _fail(self, name: str, code: str, message: str) -> None:
        self.errors.setdefault(name, (code, message))

    def raw(self, name: str) -> str | None:
        value = self.source.get(name)
        return None if value is None else str(value)

    def integer(
        self,
        name: str,
        default: int | None = None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        raw = self.raw(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"-?\d+", raw.strip()):
            self._fail(name, "rest_invalid_type", f"{name} is not of type integer.")
            return default
        value = int(raw)
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            self._fail(
                name,
                "rest_out_of_bounds",
                f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)",
            )
            return default
        if minimum is not None and value < minimum:
            self._fail(
                name, "rest_out_of_bounds", f"{name} must be greater than or equal to {minimum}"
            )
            return default
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.raw(name)
        if raw is None or raw == "":
            return default
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        self._fail(name, "rest_invalid_type", f"{name} is not of type boolean.")
        return default

    def enum(self, name: str, allowed: Sequence[str], default: str | None) -> str | None:
        raw = self.raw(name)
        if raw is None or raw == "":
            return default
        if raw not in allowed:
            self._fail(name, "rest_not_in_enum", f"{name} is not one of {_php_list(allowed)}.")
            return default
        return raw

    def enum_list(self, name: str, allowed: Sequence[str], default: list[str]) -> list[str]:
        """An ``array`` argument: WP splits a comma-separated string into items."""
        raw = self.raw(name)
        if raw is None or raw == "":
            return default
        items = [p.strip() for p in raw.split(",") if p.strip()]
        for index, item in enumerate(items):
            if item not in allowed:
                self._fail(
                    name,
                    "rest_not_in_enum",
                    f"{name}[{index}] is not one of {_php_list(allowed)}.",
                )
                return default
        return items

    def int_list(self, name: str) -> list[int] | None:
        raw = self.raw(name)
        if raw is None or raw == "":
            return None
        result: list[int] = []
        for index, part in enumerate(p.strip() for p in raw.split(",") if p.strip()):
            if not re.fullmatch(r"\d+", part):
                self._fail(name, "rest_invalid_type", f"{name}[{index}] is not of type integer.")
                return None
            result.append(int(part))
        return result

    def date(self, name: str) -> str | None:
        """A ``date-time`` argument (validated like rest_parse_date, returned as sent)."""
        raw = self.raw(name)
        if raw is None or raw == "":
            return None
        if RFC3339.match(raw) is None:
            self._fail(name, "rest_invalid_date", "Invalid date.")
            return None
        return raw

    def check(self) -> None:
        if not self.errors:
            return
        names = list(self.errors)
        raise WPError(
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(names)}",
            400,
            params={n: self.errors[n][1] for n in names},
            details={
                n: {"code": self.errors[n][0], "message": self.errors[n][1], "data": None}
                for n in names
            },
        )
