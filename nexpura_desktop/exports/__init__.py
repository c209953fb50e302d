"""CSV exports: every tenant table, or every row about one customer, all or nothing."""

from .atomic import ExportCancelled, ExportError
from .customer_export import export_customer
from .engine import ExportResult, Progress, TableResult
from .table_export import export_ledger

__all__ = [
    "ExportCancelled",
    "ExportError",
    "ExportResult",
    "Progress",
    "TableResult",
    "export_customer",
    "export_ledger",
]
