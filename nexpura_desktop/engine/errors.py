"""How sync failures are classified, and the one sentence each becomes for the owner.

Connectors raise these (their ``client.py`` maps HTTP statuses onto them); the engine
turns them into a run outcome and a message.  Every message says what happened *and*
what to do, because the reader is a shop owner, not an engineer (ARCHITECTURE.md §4.8).
"""

from __future__ import annotations

from datetime import datetime

from ..errors import UserError

_NAMES = {
    "shopify": "Shopify",
    "woocommerce": "WooCommerce",
    "mailchimp": "Mailchimp",
    "xero": "Xero",
    "google_calendar": "Google Calendar",
    "twilio": "Twilio",
    "exports": "Exports",
}


def service_label(service: str) -> str:
    """The name the owner knows a service by (``google_calendar`` → ``Google Calendar``)."""
    return _NAMES.get(service, service.replace("_", " ").title())


class SyncError(UserError):
    """A classified sync failure; ``sentence(service)`` is what the owner reads."""

    #: Whether the rest of the service's jobs are pointless after this error.
    stops_service = False

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail.strip().rstrip(".")

    def sentence(self, service: str) -> str:
        return f"{service_label(service)} sync failed: {self.detail or 'unknown error'}."


class ConfigurationError(SyncError):
    """Something the owner must fix in the settings (a wrong store URL, a missing choice)."""

    stops_service = True

    def sentence(self, service: str) -> str:
        name = service_label(service)
        return f"{name} needs attention: {self.detail}. Fix it under Integrations › {name}."


class AuthExpired(SyncError):
    """The service no longer accepts our credentials: only reconnecting helps."""

    stops_service = True

    def sentence(self, service: str) -> str:
        name = service_label(service)
        why = f" ({self.detail})" if self.detail else ""
        return f"{name} needs you to reconnect{why}: open Integrations and click Reconnect."


class Transient(SyncError):
    """The service could not be reached or failed on its side; the next sync retries."""

    def sentence(self, service: str) -> str:
        why = f" ({self.detail})" if self.detail else ""
        return (
            f"{service_label(service)} could not be reached{why}; "
            "nothing was lost and the next sync will try again."
        )


class Throttled(Transient):
    """The service asked us to slow down for longer than we are willing to wait."""

    def __init__(self, detail: str = "", *, resume_at: datetime | None = None) -> None:
        super().__init__(detail)
        self.resume_at = resume_at

    def sentence(self, service: str) -> str:
        when = self.resume_at.astimezone().strftime("%H:%M:%S") if self.resume_at else "later"
        return (
            f"{service_label(service)} is limiting requests (throttled); "
            f"the sync will resume at {when}."
        )


class RecordError(SyncError):
    """One record could not be synced; it is skipped and listed under Activity › Issues."""

    def sentence(self, service: str) -> str:
        return (
            f"{service_label(service)}: {self.detail}; this record was skipped and is listed "
            "under Activity › Issues."
        )


class SyncCancelled(Exception):
    """Raised by ``raise_if_cancelled()``: the owner (or shutdown) asked the job to stop."""


class UnknownSync(UserError):
    """``sync`` named a service or entity that has no jobs, or a service not connected."""


def describe(exc: BaseException, service: str) -> str:
    """The owner-facing sentence for any exception a job raised."""
    if isinstance(exc, SyncError):
        return exc.sentence(service)
    if isinstance(exc, SyncCancelled):
        return f"{service_label(service)} sync was cancelled; everything done so far is kept."
    return (
        f"{service_label(service)} sync failed unexpectedly ({type(exc).__name__}); "
        "the details are in the log file."
    )
