"""The whole Google flow with a real headless browser (Debian's chromium) clicking "Allow".

The app's connect runs against a sandbox on real loopback ports; its ``open_url`` hands
the authorize URL to chromium (driven with Selenium + chromedriver), which loads the
consent page, clicks ``#submit_approve_access`` and follows the redirect to the app's
loopback listener.  Skips only when chromium is absent outside CI; under CI it must run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from nexpura_desktop.auth import connect as conn_api
from nexpura_desktop.auth.context import ConnectContext
from nexpura_desktop.auth.endpoints import load_endpoints
from nexpura_desktop.auth.google import GoogleOptions
from nexpura_desktop.auth.tokens import TokenStore
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.secrets import MemoryKeyring, SecretStore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
UNDER_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER) and not UNDER_CI,
        reason="chromium and chromium-driver are not installed (apt-get install chromium "
        "chromium-driver); CI installs them",
    ),
]


def test_google_flow_with_headless_chromium(tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'profile'}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    seen: list[str] = []
    try:
        with SandboxServer(port_base=0) as server, Ledger(tmp_path / "l.sqlite3") as ledger:

            async def main() -> None:
                loop = asyncio.get_running_loop()
                endpoints = await load_endpoints(server.hub_url)
                ctx = ConnectContext(
                    ledger=ledger,
                    secrets=SecretStore(service="e2e", backend=MemoryKeyring()),
                    endpoints=endpoints,
                    flow_timeout=60,
                )

                def click_allow(url: str) -> None:
                    driver.get(url)
                    WebDriverWait(driver, 20).until(
                        expected_conditions.element_to_be_clickable(
                            (By.CSS_SELECTOR, "#submit_approve_access")
                        )
                    ).click()
                    WebDriverWait(driver, 20).until(
                        lambda d: "Signed in" in d.page_source or "Not connected" in d.page_source
                    )
                    seen.append(driver.page_source)

                # The browser runs beside the loop (the listener must keep serving).
                def open_url(url: str) -> None:
                    seen.append(url)
                    loop.run_in_executor(None, click_allow, url)

                ctx.open_url = open_url
                await conn_api.connect(ctx, GoogleOptions())
                assert TokenStore(ctx.secrets, "google_calendar").load() is not None

            asyncio.run(main())
            row = connections.get(ledger.conn, "google_calendar")
            assert row.status == "connected"
            assert row.config["calendar_id"] == "owner.sandbox@gmail.com"
            assert seen[0].startswith(server.sandbox.origins["google"])
    finally:
        driver.quit()
    assert "Signed in" in seen[-1]
