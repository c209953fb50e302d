"""Integration status, Sync now through the engine lanes, and data exports."""

from __future__ import annotations

import threading
from pathlib import Path

from nexpura_desktop.api.syncs import ExportGate
from nexpura_desktop.ledger.db import Ledger

from .conftest import Api


def test_integrations_lists_every_service_without_secrets(api: Api) -> None:
    api.connect("shopify")
    api.store.set("shopify/access_token", "shpat_very_secret")
    response = api.client.get("/api/integrations")
    assert response.status_code == 200
    entries = {e["service"]: e for e in response.json()["data"]}
    assert set(entries) == {
        "shopify", "woocommerce", "mailchimp", "xero", "google_calendar", "twilio"
    }  # fmt: skip
    assert entries["shopify"]["status"] == "connected"
    assert entries["google_calendar"]["route"] == "google-calendar"
    assert entries["xero"]["syncing"] is False
    assert "shpat_very_secret" not in response.text
    assert api.token not in response.text


def test_sync_runs_the_services_jobs_on_its_lane(api: Api) -> None:
    api.connect("woocommerce")
    response = api.client.post("/api/integrations/woocommerce/sync", params={"entity": "orders"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "started"
    assert body["jobs"] == ["woocommerce.orders.import"]
    assert api.engine.wait_idle(10)
    assert api.jobs.ran == ["woocommerce.orders.import"]
    with Ledger(api.paths.ledger) as ledger:
        trigger = ledger.conn.execute("SELECT trigger FROM sync_runs").fetchone()[0]
    assert trigger == "api"


def test_nexpuras_route_name_for_google_calendar_works(api: Api) -> None:
    api.connect("google_calendar")
    response = api.client.post("/api/integrations/google-calendar/sync")
    assert response.status_code == 202
    assert response.json()["service"] == "google_calendar"
    assert api.engine.wait_idle(10)


def test_a_busy_service_answers_409_already_syncing(api: Api) -> None:
    api.connect("shopify")
    api.jobs.hold = threading.Event()
    assert api.client.post("/api/integrations/shopify/sync").status_code == 202
    assert api.jobs.started.wait(10)
    second = api.client.post("/api/integrations/shopify/sync")
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_syncing"
    assert "already syncing" in second.json()["error"]["message"]
    assert api.client.get("/api/integrations").json()["data"][0]["syncing"] is True
    api.jobs.hold.set()
    assert api.engine.wait_idle(10)
    assert api.jobs.ran == ["shopify.products.import"]


def test_unknown_or_unconnected_services_are_refused(api: Api) -> None:
    unknown = api.client.post("/api/integrations/myob/sync")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_service"
    unconnected = api.client.post("/api/integrations/woocommerce/sync")
    assert unconnected.status_code == 409
    assert unconnected.json()["error"]["code"] == "cannot_sync"
    assert "not connected" in unconnected.json()["error"]["message"]
    bad = api.client.post("/api/integrations/shopify/sync", params={"direction": "sideways"})
    assert bad.status_code == 400
    assert api.jobs.ran == []


def test_sync_needs_the_token(api: Api) -> None:
    api.connect("shopify")
    with api.anonymous() as client:
        assert client.post("/api/integrations/shopify/sync").status_code == 401
    assert api.jobs.ran == []


def test_data_export_writes_an_export_and_returns_its_path(api: Api) -> None:
    with Ledger(api.paths.ledger) as ledger:
        ledger.conn.execute("INSERT INTO customers(id, full_name) VALUES ('c1', 'Ann')")
    response = api.client.post("/api/data-export")
    assert response.status_code == 201
    body = response.json()
    path = Path(body["path"])
    assert path.is_dir() and path.parent == api.paths.exports
    assert (path / "customers.csv").read_text(encoding="utf-8").count("Ann") == 1
    assert body["rows"] >= 1 and body["tables"] > 10 and body["zip"] is False


def test_data_export_of_some_tables_as_a_zip(api: Api) -> None:
    response = api.client.post("/api/data-export", json={"tables": ["customers"], "zip": True})
    assert response.status_code == 201
    assert response.json()["tables"] == 1
    assert Path(response.json()["path"]).suffix == ".zip"


def test_data_export_refuses_bad_bodies_and_unknown_tables(api: Api) -> None:
    assert api.client.post("/api/data-export", content=b"[1]").status_code == 400
    assert api.client.post("/api/data-export", json={"zip": "yes"}).status_code == 400
    unknown = api.client.post("/api/data-export", json={"tables": ["nope"]})
    assert unknown.status_code == 400
    assert "no table named nope" in unknown.json()["error"]["message"]
    assert not any(api.paths.exports.glob("nexpura-export-*"))


def test_at_most_three_exports_a_minute(api: Api) -> None:
    for _ in range(3):
        assert api.client.post("/api/data-export", json={"tables": ["locations"]}).is_success
    fourth = api.client.post("/api/data-export")
    assert fourth.status_code == 429
    assert 1 <= int(fourth.headers["retry-after"]) <= 61
    assert fourth.json()["error"]["code"] == "rate_limited"


def test_export_gate_one_at_a_time_and_window_slides() -> None:
    now = [0.0]
    gate = ExportGate(per_minute=2, clock=lambda: now[0])
    assert gate.begin() == (True, 0)
    assert gate.begin() == (False, 0)  # one is running
    gate.end()
    assert gate.begin() == (True, 0)
    gate.end()
    ok, wait = gate.begin()
    assert not ok and wait > 0
    now[0] = 61.0
    assert gate.begin() == (True, 0)
