"""Xero: draft invoices (issue 6) and keeping the connection alive."""
