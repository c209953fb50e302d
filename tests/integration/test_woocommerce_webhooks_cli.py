"""``woocommerce-webhooks register | list | remove``: idempotent, secret in the keyring only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop import cli
from nexpura_desktop.connectors.woocommerce import commands, webhooks
from nexpura_desktop.paths import resolve
from nexpura_desktop.secrets import MemoryKeyring, SecretStore, set_default_store
from tests.integration.test_woocommerce_sync import shop
from tests.integration.woocommerce_support import control, sync_world

HOOK = "https://desk.example/hooks/woocommerce"


@pytest.fixture
def setup(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, SecretStore]]:
    paths = resolve(isolated_home).ensure()
    world = sync_world(paths.ledger)
    with world.emu.lock:
        world.emu.seed(shop(1))
    store = SecretStore(service="Nexpura Desktop [woo hooks test]", backend=MemoryKeyring())
    set_default_store(store)
    monkeypatch.setattr(commands, "SETTINGS", world.settings)
    monkeypatch.setattr(cli, "_configure_secrets", lambda args, paths: None)
    yield world, store
    set_default_store(None)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(["woocommerce-webhooks", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_register_twice_list_and_remove(
    setup: tuple[Any, SecretStore], capsys: pytest.CaptureFixture[str]
) -> None:
    world, store = setup
    code, out, _ = _run(capsys, "register", "--delivery-url", HOOK, "--json")
    assert code == 0
    first = json.loads(out)
    secret = webhooks.load_webhook_secret(store)
    assert secret and [r["created"] for r in first] == [True, True, True]
    assert _run(capsys, "register", "--delivery-url", HOOK)[0] == 0  # idempotent
    assert webhooks.load_webhook_secret(store) == secret
    with world.emu.lock:
        hooks = list(world.emu.store.webhooks.values())
    assert sorted(h["topic"] for h in hooks) == sorted(webhooks.TOPICS)
    assert {h["secret"] for h in hooks} == {secret}
    ledger_text = world.path.read_bytes()
    assert secret.encode() not in ledger_text  # the keyring only

    code, out, _ = _run(capsys, "list", "--json")
    assert code == 0 and all(h["ours"] for h in json.loads(out)) and len(json.loads(out)) == 3

    world.emu.clock.advance(2)
    control(world, "POST", "/_sandbox/orders", {"line_items": [{"sku": "W-0"}]})
    deliveries = control(world, "GET", "/_sandbox/deliveries")["deliveries"]
    signed = [d for d in deliveries if d["kind"] == "delivery"]
    assert signed and all(
        webhooks.verify(d["body"].encode(), d["headers"]["X-WC-Webhook-Signature"], secret)
        for d in signed
    )

    code, out, _ = _run(capsys, "remove")
    assert code == 0 and "removed 3" in out
    with world.emu.lock:
        assert not world.emu.store.webhooks
    assert webhooks.load_webhook_secret(store) is None


def test_rotation_and_usage_errors(
    setup: tuple[Any, SecretStore], capsys: pytest.CaptureFixture[str]
) -> None:
    _world, store = setup
    assert _run(capsys, "register")[0] == 2  # no --delivery-url
    code, _, err = _run(capsys, "register", "--delivery-url", "not a url")
    assert code == 2 and "web address" in err
    assert _run(capsys, "remove")[0] == 1  # nothing registered
    _run(capsys, "register", "--delivery-url", HOOK)
    before = webhooks.load_webhook_secret(store)
    _run(capsys, "register", "--delivery-url", HOOK, "--new-secret")
    assert webhooks.load_webhook_secret(store) not in (None, before)
