"""REST API keys, checked the way ``class-wc-rest-authentication.php`` does it.

service-apis.md §2.1:

* over HTTPS, ``?consumer_key=…&consumer_secret=…`` is tried first, then HTTP Basic;
* otherwise (and over HTTPS when no Basic credentials were given) only OAuth 1.0a
  one-legged signatures count: Basic and query-string keys sent over plain HTTP are
  ignored, so the request is simply unauthenticated (401 ``woocommerce_rest_cannot_view``);
* a key with ``read`` permission is refused on writes (401, §2.1).

Quirks kept on purpose because a real shop has them:

* the signature's base URI is the site's *home URL* (not the Host header) plus the request
  path, with the scheme forced to http/https by ``is_ssl()``;
* every query and form parameter is signed, the key/value pairs are percent-encoded twice
  (``rawurlencode`` then ``rawurlencode("k=v")``), and parameters are sorted by raw key;
* the signature is compared after ``rawurldecode(str_replace(' ', '+', sig))``;
* used nonces are stored per key *keyed by timestamp*, so a second request with the same
  timestamp replaces the first nonce (the older one could then be replayed);
* the check order is: missing parameters → unknown key → signature → timestamp → nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from .wp import WPError

OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
TIMESTAMP_WINDOW = 15 * 60
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ = frozenset({"GET", "HEAD"})
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')


def new_key_pair() -> tuple[str, str]:
    return "ck_" + secrets.token_hex(20), "cs_" + secrets.token_hex(20)


@dataclass
class ApiKey:
    """One row of ``woocommerce_api_keys``."""

    key_id: int
    user_id: int
    description: str
    permissions: str  # read | write | read_write
    consumer_key: str
    consumer_secret: str
    nonces: dict[int, str] = field(default_factory=dict)
    last_access: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "description": self.description,
            "permissions": self.permissions,
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "last_access": self.last_access,
        }


def rawurlencode(value: str) -> str:
    """PHP ``rawurlencode`` (RFC 3986: only ``A-Za-z0-9-_.~`` stay as they are)."""
    return quote(value, safe="-_.~")


def signature_base_string(method: str, base_uri: str, params: Mapping[str, str]) -> str:
    """``METHOD&rawurlencode(uri)&`` + pairs, as WooCommerce's check_oauth_signature builds it."""
    ordered = sorted(params.items(), key=lambda kv: kv[0].encode("utf-8"))  # uksort strcmp
    pairs = [rawurlencode(f"{rawurlencode(key)}={rawurlencode(value)}") for key, value in ordered]
    return f"{method.upper()}&{rawurlencode(base_uri)}&{'%26'.join(pairs)}"


def sign(base_string: str, consumer_secret: str, method: str) -> str:
    algorithm = hashlib.sha256 if method == "HMAC-SHA256" else hashlib.sha1
    digest = hmac.new((consumer_secret + "&").encode(), base_string.encode(), algorithm).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_oauth_header(header: str) -> dict[str, str]:
    if not header.startswith("OAuth "):
        return {}
    params = {
        name: unquote_plus(quoted if quoted else bare)
        for name, _whole, quoted, bare in _HEADER_PARAM.findall(header)
    }
    params.pop("realm", None)
    return params


@dataclass
class AuthRequest:
    """What the authenticator needs to know about one request."""

    method: str
    https: bool
    raw_path: str
    query: Mapping[str, str]
    form: Mapping[str, str]
    authorization: str
    home_url: str
    now: float


class Authenticator:
    """Owns the keys; answers "who is this request?" or raises the real WP_Error."""

    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}

    def add(self, key: ApiKey) -> None:
        self.keys[key.consumer_key] = key

    def authenticate(self, req: AuthRequest) -> ApiKey | None:
        """The key the request proved, ``None`` when it did not try, or raise the error."""
        user: ApiKey | None = None
        if req.https:
            user = self._basic(req)
        if user is None:
            user = self._oauth(req)
        if user is not None:
            self._check_permissions(user, req.method)
        return user

    def _basic(self, req: AuthRequest) -> ApiKey | None:
        key = secret = ""
        if req.query.get("consumer_key") and req.query.get("consumer_secret"):
            key, secret = req.query["consumer_key"], req.query["consumer_secret"]
        if not key and req.authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(req.authorization[6:].strip()).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            key, _, secret = decoded.partition(":")
        if not key or not secret:
            return None
        user = self.keys.get(key)
        if user is None:  # an unknown key over Basic is silently "not authenticated"
            return None
        if not hmac.compare_digest(user.consumer_secret, secret):
            raise WPError(
                "woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401
            )
        return user

    def _oauth(self, req: AuthRequest) -> ApiKey | None:
        params: dict[str, str] = {**req.query, **req.form}
        params.update(parse_oauth_header(req.authorization.strip()))
        missing = [name for name in OAUTH_REQUIRED if not params.get(name)]
        if len(missing) == len(OAUTH_REQUIRED):
            return None  # not even trying OAuth
        if missing:
            noun = "parameter" if len(missing) == 1 else "parameters"
            raise WPError(
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth {noun} {', '.join(missing)}",
                401,
            )
        user = self.keys.get(params["oauth_consumer_key"])
        if user is None:
            raise WPError("woocommerce_rest_authentication_error", "Consumer key is invalid.", 401)
        self._check_signature(user, params, req)
        self._check_timestamp_and_nonce(user, params["oauth_timestamp"], params["oauth_nonce"], req)
        return user

    @staticmethod
    def _base_uri(req: AuthRequest) -> str:
        home = urlsplit(req.home_url)
        scheme = "https" if req.https else "http"
        home_path = home.path.rstrip("/")
        path = req.raw_path
        if home_path and path.startswith(home_path + "/"):
            path = path[len(home_path) :]
        return f"{scheme}://{home.netloc}{home_path}{path}"

    def _check_signature(self, user: ApiKey, params: dict[str, str], req: AuthRequest) -> None:
        provided = unquote(params.pop("oauth_signature").replace(" ", "+"))
        method = params["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise WPError(
                "woocommerce_rest_authentication_error",
                "Invalid signature - signature method is invalid.",
                401,
            )
        base = signature_base_string(req.method, self._base_uri(req), params)
        expected = sign(base, user.consumer_secret, method)
        if not hmac.compare_digest(expected.encode(), provided.encode()):
            raise WPError(
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
                401,
            )

    @staticmethod
    def _check_timestamp_and_nonce(
        user: ApiKey, raw_timestamp: str, nonce: str, req: AuthRequest
    ) -> None:
        try:
            timestamp = int(raw_timestamp)
        except ValueError:
            timestamp = -1
        now = int(req.now)
        if timestamp < now - TIMESTAMP_WINDOW or timestamp > now + TIMESTAMP_WINDOW:
            raise WPError("woocommerce_rest_authentication_error", "Invalid timestamp.", 401)
        if nonce in user.nonces.values():
            raise WPError(
                "woocommerce_rest_authentication_error",
                "Invalid nonce - nonce has already been used.",
                401,
            )
        user.nonces[timestamp] = nonce
        for stamp in [s for s in user.nonces if s < now - TIMESTAMP_WINDOW]:
            del user.nonces[stamp]

    @staticmethod
    def _check_permissions(user: ApiKey, method: str) -> None:
        method = method.upper()
        if method in READ and user.permissions not in ("read", "read_write"):
            raise WPError(
                "woocommerce_rest_authentication_error",
                "The API key provided does not have read permissions.",
                401,
            )
        if method in WRITE and user.permissions not in ("write", "read_write"):
            raise WPError(
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
                401,
            )
        if method not in READ | WRITE | {"OPTIONS"}:
            raise WPError("woocommerce_rest_authentication_error", "Unknown request method.", 401)
