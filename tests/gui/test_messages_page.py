"""The Messages page against the in-process Twilio sandbox: the log, ready-for-pickup,
templates with Content SIDs from the account, messaging settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QTableWidget

from nexpura_desktop.connectors.twilio.settings import TwilioSettings
from nexpura_desktop.connectors.twilio.streams import register
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.messaging import settings as msg_settings
from nexpura_desktop.messaging import templates
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.pages.messages import MessagesPage
from nexpura_desktop.ui.strings import S

from ..integration.messaging_support import World
from .conftest import connect

ALICE = "+61491570110"
Holder = dict[str, World]


@pytest.fixture
def holder() -> Holder:
    return {}


@pytest.fixture
def registry(holder: Holder) -> Registry:
    """The real Twilio jobs, reaching the sandbox of the test's ``World``."""
    reg = Registry()

    def provider(_ledger: Ledger) -> TwilioSettings:
        return holder["world"].settings()

    register(reg, settings=provider)
    return reg


@pytest.fixture
def world(backend: Backend, holder: Holder) -> World:
    w = World(backend.paths.ledger)
    holder["world"] = w
    connect(backend, "twilio")
    w.run()  # the first scan: a baseline
    return w


@pytest.fixture
def page(
    qtbot: Any, backend: Backend, world: World, allow_qt_message: Callable[[str], None]
) -> MessagesPage:
    allow_qt_message("This plugin does not support propagateSizeHints()")  # offscreen
    made = MessagesPage(backend)
    qtbot.addWidget(made)
    made.templates.twilio_settings = lambda _ledger: world.settings()
    made.show()
    return made


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


def click(button: QPushButton) -> None:
    assert button.isEnabled()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_mark_ready_and_notify_then_the_log_follows_delivery(
    qtbot: Any, page: MessagesPage, world: World
) -> None:
    world.customer("1", "0491 570 110", "sms")
    world.repair("r1", "1")
    world.insert("repairs", id="r2", tenant_id="t-1", customer_id="1", stage="collected")
    pickup = page.pickup
    pickup.refresh()
    assert [(j.id, j.stage) for j in pickup.jobs] == [("r1", "in_progress")]  # closed: hidden
    pickup.select("repair", "r1")
    assert not pickup.again_button.isEnabled()
    click(pickup.mark_button)
    qtbot.waitUntil(lambda: pickup.message.text() == S.MSG_RESULT_SENT, timeout=20_000)
    assert len(world.sent_to(ALICE)) == 1
    assert world.sql("SELECT stage FROM repairs WHERE id = 'r1'") == [("ready",)]
    assert cell(pickup.table, 0, 4) == S.MSG_EVENT_SENT
    assert not pickup.mark_button.isEnabled() and not pickup.again_button.isEnabled()

    table = page.table
    assert table.rowCount() == 1
    assert cell(table, 0, 0) == S.CHANNEL_SMS and cell(table, 0, 2) == ALICE
    assert cell(table, 0, 3) == S.MSG_STATUS_PENDING
    assert cell(table, 0, 6) == S.MSG_CAT_JOB_READY
    page.timer.setInterval(20)  # the page re-reads the log while shown
    world.advance(30)
    world.poll()
    qtbot.waitUntil(lambda: cell(page.table, 0, 3) == S.MSG_STATUS_DELIVERED, timeout=5_000)
    page.status_filter.setCurrentIndex(page.status_filter.findData("failed"))
    assert page.table.rowCount() == 0 and page.empty.isVisibleTo(page)
    page.status_filter.setCurrentIndex(page.status_filter.findData("delivered"))
    page.category_filter.setCurrentIndex(page.category_filter.findData("job_ready"))
    assert page.table.rowCount() == 1
    page.category_filter.setCurrentIndex(page.category_filter.findData("task_status"))
    assert page.table.rowCount() == 0


def test_a_failed_message_can_be_retried_and_a_ready_job_notified_again(
    qtbot: Any, page: MessagesPage, world: World
) -> None:
    world.customer("1", "12345", "sms")  # not a phone number: reported, not sent
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    world.run()
    page.refresh()
    assert page.table.rowCount() == 1
    assert cell(page.table, 0, 3) == S.MSG_STATUS_FAILED
    assert "12345" in cell(page.table, 0, 5)
    assert not page.retry_button.isEnabled()
    page.pickup.select("repair", "r1")
    assert page.pickup.again_button.isEnabled()  # the customer was never told
    assert not page.pickup.mark_button.isEnabled()

    world.sql("UPDATE customers SET mobile = '0491 570 110' WHERE id = '1'")
    page.table.selectRow(0)
    click(page.retry_button)
    qtbot.waitUntil(lambda: page.message.text() == S.MSG_RESULT_SENT, timeout=20_000)
    assert len(world.sent_to(ALICE)) == 1
    assert page.table.rowCount() == 2
    for row in range(2):
        page.table.selectRow(row)
        assert not page.retry_button.isEnabled()  # it got through: nothing to retry
    page.pickup.select("repair", "r1")
    assert not page.pickup.again_button.isEnabled()


def test_notify_again_is_refused_when_the_customer_was_told(
    qtbot: Any, page: MessagesPage, world: World
) -> None:
    world.customer("1", "0491 570 110", "sms")
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    world.run()
    page.pickup.refresh()
    page.pickup.select("repair", "r1")
    assert not page.pickup.again_button.isEnabled()
    page.pickup.notify_again()  # even if asked directly, the rules hold
    qtbot.waitUntil(lambda: page.pickup.message.text() == S.MSG_RESULT_NOT_AGAIN, timeout=20_000)
    assert len(world.sent_to(ALICE)) == 1


def test_templates_preview_before_enabling(page: MessagesPage, world: World) -> None:
    panel = page.templates
    panel.category.setCurrentIndex(panel.category.findData("job_ready"))
    panel.channel.setCurrentIndex(panel.channel.findData("sms"))
    assert panel.state.text() == S.MSG_TEMPLATE_BUILT_IN
    panel.body.setPlainText("Hello {first_name}, {item} is ready at {shop_name}.")
    assert "Hello Olivia, gold ring is ready at Larkspur" in panel.preview.text()
    assert not panel.enable_button.isEnabled()
    panel.body.setPlainText("Hello {nickname}")
    assert S.MSG_TEMPLATE_PROBLEM.format(problem="")[:8] in panel.preview.text()
    assert not panel.save_and_preview()  # refused: nothing stored
    with Ledger(world.path) as ledger:
        assert templates.stored(ledger.conn, "job_ready", "sms") is None

    panel.body.setPlainText("Hello {first_name}, your {item} is ready ({tracking_id}).")
    click(panel.save_button)
    assert panel.state.text() == S.MSG_TEMPLATE_SAVED_OFF
    assert "Hello Olivia" in panel.message.text()
    panel.body.setPlainText("Hello {first_name}!")  # changed after the preview
    assert panel.state.text() == S.MSG_TEMPLATE_EDITED and not panel.enable_button.isEnabled()
    panel.load_slot()  # back to what is saved
    click(panel.enable_button)
    assert panel.state.text() == S.MSG_TEMPLATE_ENABLED
    with Ledger(world.path) as ledger:
        assert templates.get(ledger.conn, "job_ready", "sms").body.startswith("Hello {first")

    world.customer("1", "0491 570 110", "sms")
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    world.run()
    (sent,) = world.sent_to(ALICE)
    assert sent["body"].startswith("Hello Pat1, your gold ring is ready (RPR-")


def test_whatsapp_template_chosen_from_the_account(
    qtbot: Any, page: MessagesPage, world: World
) -> None:
    panel = page.templates
    panel.category.setCurrentIndex(panel.category.findData("job_ready"))
    panel.channel.setCurrentIndex(panel.channel.findData("whatsapp"))
    assert panel.content_row.isEnabled()
    click(panel.load_button)
    qtbot.waitUntil(lambda: len(panel.contents) > 0, timeout=20_000)
    names = {c.friendly_name: c.sid for c in panel.contents}
    assert {"repair_ready", "bespoke_ready"} <= set(names)
    sid = names["bespoke_ready"]
    assert sid.startswith("HX")
    panel.content.setCurrentIndex(panel.content.findData(sid))
    panel.content_vars.setText("1=first_name, 2=item, 3=tracking_id")
    assert "your bespoke gold ring is finished! Reference RPR-1A2B3C4D5E6F" in panel.preview.text()
    panel.content_vars.setText("1=nickname")
    assert "nickname" in panel.preview.text() and not panel.save_and_preview()
    panel.content_vars.setText("1=first_name, 2=item, 3=tracking_id")
    assert panel.save_and_preview()
    assert panel.enable()
    with Ledger(world.path) as ledger:
        chosen = templates.get(ledger.conn, "job_ready", "whatsapp")
    assert chosen.content_sid == sid and chosen.content_variables["2"] == "item"

    world.customer("1", "0491 570 110", "whatsapp")
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    world.run()  # outside the 24-hour window: the chosen template goes out
    (sent,) = world.sent_to(ALICE)
    assert sent["body"].startswith("Hi Pat1, your bespoke gold ring is finished!")


def test_loading_templates_without_a_working_account_says_why(
    qtbot: Any, page: MessagesPage
) -> None:
    def broken(_ledger: Ledger) -> TwilioSettings:
        raise ValueError("Twilio is not connected")

    page.templates.twilio_settings = broken
    click(page.templates.load_button)
    qtbot.waitUntil(lambda: page.templates.load_button.isEnabled(), timeout=20_000)
    assert "Twilio is not connected" in page.templates.message.text()


def test_messaging_settings_are_saved_and_bad_input_refused(
    page: MessagesPage, world: World
) -> None:
    panel = page.settings
    assert all(box.isChecked() for box in panel.switches.values())
    assert not panel.quiet.isChecked()  # the test world turns quiet hours off
    panel.switches["task_status"].setChecked(False)
    panel.order.setCurrentIndex(panel.order.findData(["sms"]))
    panel.quiet.setChecked(True)
    panel.quiet_start.setTime(QTime(21, 30))
    panel.quiet_end.setTime(QTime(7, 0))
    panel.country.setText("Narnia")
    assert not panel.save()
    assert panel.message.text() == S.MSG_COUNTRY_INVALID.format(country="Narnia")
    panel.country.setText("nz")
    assert panel.save()
    with Ledger(world.path) as ledger:
        shop = msg_settings.load(ledger.conn)
    assert shop.enabled["task_status"] is False and shop.enabled["job_ready"] is True
    assert shop.customer_channels == ("sms",) and shop.region == "NZ"
    assert (shop.quiet_start.hour, shop.quiet_start.minute, shop.quiet_end.hour) == (21, 30, 7)
    assert panel.country.text() == "NZ"
    panel.quiet_end.setTime(QTime(21, 30))
    assert not panel.save() and panel.message.text() == S.MSG_QUIET_SAME
    panel.switches["task_urgent"].setChecked(False)  # one switch: tasks and jobs
    panel.quiet.setChecked(False)
    assert panel.save()
    with Ledger(world.path) as ledger:
        shop = msg_settings.load(ledger.conn)
    assert not shop.enabled["task_urgent"] and not shop.enabled["job_urgent"]
    assert shop.quiet_until(world.clock_now()) is None
