"""Pure pieces of connecting: OAuth 1.0a, Shopify HMAC and scopes, formats, keyring choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexpura_desktop.auth import oauth1
from nexpura_desktop.auth.context import ConnectError
from nexpura_desktop.auth.endpoints import hub_origin
from nexpura_desktop.auth.keyring_choice import SandboxFileKeyring, secret_store
from nexpura_desktop.auth.mailchimp import data_centre
from nexpura_desktop.auth.shopify import (
    limit_directions,
    needed_scopes,
    normalise_shop,
    verify_callback,
)
from nexpura_desktop.auth.twilio import sender
from nexpura_desktop.auth.woocommerce import normalise_store_url
from nexpura_desktop.errors import UserError
from nexpura_desktop.sandbox.shopify.auth import sign as shopify_sign
from nexpura_desktop.sandbox.woocommerce import auth as woo_auth


def test_oauth1_signature_matches_woocommerce_check() -> None:
    params = {"per_page": "100", "search": "rose gold & pearl", "page": "2"}
    ours = oauth1.sign_params(
        "GET", "http://shop.test/wp-json/wc/v3/products", params, "ck_x", "cs_secret",
        timestamp=1_700_000_000, nonce="abc",
    )  # fmt: skip
    theirs_base = woo_auth.signature_base_string(
        "GET", "http://shop.test/wp-json/wc/v3/products",
        {**params, **{k: v for k, v in ours.items() if k != "oauth_signature"}},
    )  # fmt: skip
    assert ours["oauth_signature"] == woo_auth.sign(theirs_base, "cs_secret", "HMAC-SHA256")
    changed = oauth1.sign_params(
        "GET", "http://shop.test/wp-json/wc/v3/products", {**params, "page": "3"}, "ck_x",
        "cs_secret", timestamp=1_700_000_000, nonce="abc",
    )  # fmt: skip
    assert changed["oauth_signature"] != ours["oauth_signature"]


def test_shopify_callback_hmac() -> None:
    params = {"code": "c0de", "shop": "a.myshopify.com", "state": "s", "timestamp": "1"}
    params["hmac"] = shopify_sign(params, "secret")
    assert verify_callback(params, "secret")
    assert not verify_callback(params, "other-secret")
    assert not verify_callback({**params, "code": "c0dE"}, "secret")
    assert not verify_callback({k: v for k, v in params.items() if k != "hmac"}, "secret")


def test_shopify_shop_names() -> None:
    assert normalise_shop("Nexpura-Demo") == "nexpura-demo.myshopify.com"
    assert normalise_shop("https://nexpura-demo.myshopify.com/admin") == (
        "nexpura-demo.myshopify.com"
    )
    for bad in ("evil.com", "-x.myshopify.com", "a b", "x.myshopify.com.evil.com"):
        with pytest.raises(ConnectError):
            normalise_shop(bad)


def test_shopify_scopes_and_directions() -> None:
    wanted = {"products": "both", "orders": "import", "inventory": "export"}
    assert needed_scopes(wanted) == [
        "read_locations", "read_orders", "read_products", "write_inventory", "write_products"
    ]  # fmt: skip
    got, notes = limit_directions(wanted, {"write_products", "read_orders", "read_locations"})
    assert got == {"products": "both", "orders": "import", "inventory": "off"}
    assert len(notes) == 1 and "write_inventory" in notes[0]
    got, notes = limit_directions({"customers": "both"}, {"read_customers"})
    assert got == {"customers": "import"} and "write_customers" in notes[0]


def test_formats() -> None:
    assert data_centre("0123456789abcdef0123456789abcdef-us21") == "us21"
    with pytest.raises(ConnectError):
        data_centre("0123456789ABCDEF0123456789ABCDEF-us21")
    assert sender("+61 491 570 006", whatsapp=True) == "whatsapp:+61491570006"
    assert sender("whatsapp:+61491570006", whatsapp=False) == "+61491570006"
    assert sender("MG" + "a" * 32, whatsapp=True) == "MG" + "a" * 32
    with pytest.raises(ConnectError):
        sender("0412345678", whatsapp=False)
    assert normalise_store_url("shop.example.com/wp-admin/") == "https://shop.example.com"
    assert normalise_store_url("http://x.test/blog/wp-json/wc/v3") == "http://x.test/blog"
    assert hub_origin("http://127.0.0.1:8700/_sandbox/services") == "http://127.0.0.1:8700"
    assert hub_origin("127.0.0.1:8700") == "http://127.0.0.1:8700"


def test_keyring_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "sandbox-file")
    with pytest.raises(UserError, match="only allowed with --sandbox"):
        secret_store(tmp_path, tmp_path, sandbox=False)
    store = secret_store(tmp_path, tmp_path, sandbox=True)
    assert isinstance(store.backend, SandboxFileKeyring)
    store.set("a/b", "x" * 2500)  # chunked
    assert secret_store(tmp_path, tmp_path, sandbox=True).get("a/b") == "x" * 2500
    store.delete("a/b")
    assert store.get("a/b") is None
    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "plaintext")
    with pytest.raises(UserError, match="must be system, memory or sandbox-file"):
        secret_store(tmp_path, tmp_path, sandbox=True)


def test_test_keyrings_are_never_chosen_automatically() -> None:
    import keyring.backend

    from nexpura_desktop.secrets import MemoryKeyring

    MemoryKeyring()
    best = max(keyring.backend.get_all_keyring(), key=keyring.backend.by_priority)
    assert not isinstance(best, MemoryKeyring | SandboxFileKeyring)
