"""Shared pieces of the Messages page: worker tasks, the send path, words for states.

Every action that touches Twilio (sending, listing Content templates) runs on a worker
thread through :class:`~nexpura_desktop.ui.bridge.BackgroundTask`; the send path is the
``notify`` command's own (:func:`~nexpura_desktop.messaging.commands.notify_and_send`),
with the Twilio notifications job run on the engine's lane instead of a fresh engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ..connectors.twilio.client import TwilioRefused
from ..engine.errors import SyncError
from ..errors import UserError
from ..messaging.commands import NotifyResult
from ..messaging.templates import TemplateError
from .backend import Backend
from .bridge import BackgroundTask
from .strings import S

SEND_TIMEOUT = 120.0
# Expected failures of an action: shown as a sentence, never a crash report.
EXPECTED = (LookupError, ValueError, TemplateError, SyncError, TwilioRefused, TimeoutError)


def engine_send(backend: Backend) -> Callable[[], object]:
    """Run the Twilio notifications job on its lane and wait (call on a worker thread)."""

    def send() -> object:
        subs = backend.engine.sync_now("twilio", "notifications", trigger="manual")
        for sub in subs:
            sub.wait(SEND_TIMEOUT)
        return subs

    return send


def run_task(
    owner: QWidget,
    name: str,
    work: Callable[[], Any],
    done: Callable[[Any], None],
    failed: Callable[[str], None],
) -> BackgroundTask:
    """Start ``work`` on a worker thread; ``done``/``failed`` run on the GUI thread."""

    def wrapped(_progress: object, _cancel: object) -> Any:
        try:
            return work()
        except EXPECTED as exc:
            raise UserError(str(exc)) from exc

    task = BackgroundTask(name, wrapped, owner)
    tasks: list[BackgroundTask] = owner.__dict__.setdefault("_tasks", [])
    tasks.append(task)
    task.succeeded.connect(done)
    task.failed.connect(failed)
    task.finished.connect(lambda: tasks.remove(task) if task in tasks else None)
    task.start()
    return task


def result_sentence(result: NotifyResult) -> str:
    if result.state is None:
        return S.MSG_RESULT_NOT_AGAIN
    detail = result.detail or ""
    return {
        "sent": S.MSG_RESULT_SENT,
        "waiting": S.MSG_RESULT_WAITING,
        "failed": S.MSG_RESULT_FAILED.format(reason=detail),
        "skipped": S.MSG_RESULT_FAILED.format(reason=detail),
    }.get(result.state, S.MSG_RESULT_QUEUED)


def event_state_name(state: str | None) -> str:
    names = {
        None: S.MSG_EVENT_NONE,
        "baseline": S.MSG_EVENT_BASELINE,
        "disabled": S.MSG_EVENT_DISABLED,
        "pending": S.MSG_EVENT_PENDING,
        "waiting": S.MSG_EVENT_WAITING,
        "sending": S.MSG_EVENT_PENDING,
        "sent": S.MSG_EVENT_SENT,
        "failed": S.MSG_EVENT_FAILED,
        "skipped": S.MSG_EVENT_SKIPPED,
    }
    return str(names.get(state, state or ""))


def status_name(status: str | None) -> str:
    names = {
        "pending": S.MSG_STATUS_PENDING,
        "sent": S.MSG_STATUS_SENT,
        "delivered": S.MSG_STATUS_DELIVERED,
        "read": S.MSG_STATUS_READ,
        "failed": S.MSG_STATUS_FAILED,
    }
    return str(names.get(status or "", status or ""))


def category_names() -> dict[str, str]:
    return {
        "job_ready": S.MSG_CAT_JOB_READY,
        "task_assigned": S.MSG_CAT_TASK_ASSIGNED,
        "task_status": S.MSG_CAT_TASK_STATUS,
        "task_urgent": S.MSG_CAT_TASK_URGENT,
        "job_urgent": S.MSG_CAT_JOB_URGENT,
    }


def category_name(category: str | None) -> str:
    return category_names().get(category or "", category or "")
