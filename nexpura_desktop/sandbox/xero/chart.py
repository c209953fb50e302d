"""What a new Australian Xero organisation starts with: its tax rates and chart of accounts.

Codes, names and tax types follow Xero's default AU chart (200 Sales / GST on Income
``OUTPUT``, 310 Cost of Goods Sold / ``INPUT``, 610 Accounts Receivable …), so a client
that reads ``GET /TaxRates`` and ``GET /Accounts`` finds what a real AU shop has.
"""

from __future__ import annotations

from typing import Any

# (TaxType, Name, rate %, ReportTaxType, revenue?, expenses?)
AU_TAX_RATES: list[tuple[str, str, float, str, bool, bool]] = [
    ("OUTPUT", "GST on Income", 10.0, "OUTPUT", True, False),
    ("INPUT", "GST on Expenses", 10.0, "INPUT", False, True),
    ("EXEMPTOUTPUT", "GST Free Income", 0.0, "EXEMPTOUTPUT", True, False),
    ("EXEMPTEXPENSES", "GST Free Expenses", 0.0, "EXEMPTEXPENSES", False, True),
    ("BASEXCLUDED", "BAS Excluded", 0.0, "BASEXCLUDED", True, True),
    ("EXEMPTEXPORT", "GST Free Exports", 0.0, "EXEMPTOUTPUT", True, False),
    ("INPUTTAXED", "Input Taxed", 0.0, "INPUTTAXED", True, True),
    ("CAPEXINPUT", "GST on Capital", 10.0, "CAPEXINPUT", False, True),
    ("GSTONIMPORTS", "GST on Imports", 0.0, "GSTONIMPORTS", False, True),
]

# (Code, Name, Type, TaxType, Class, SystemAccount, ReportingCode)
AU_ACCOUNTS: list[tuple[str, str, str, str, str, str | None, str]] = [
    ("090", "Business Bank Account", "BANK", "BASEXCLUDED", "ASSET", None, "ASS"),
    ("200", "Sales", "REVENUE", "OUTPUT", "REVENUE", None, "REV.TRA.GOO"),
    ("260", "Other Revenue", "REVENUE", "OUTPUT", "REVENUE", None, "REV.OTH"),
    ("270", "Interest Income", "REVENUE", "EXEMPTOUTPUT", "REVENUE", None, "REV.INV.INT"),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT", "EXPENSE", None, "EXP.COS"),
    ("400", "Advertising", "EXPENSE", "INPUT", "EXPENSE", None, "EXP.ADV"),
    ("404", "Bank Fees", "EXPENSE", "EXEMPTEXPENSES", "EXPENSE", None, "EXP.BAN"),
    ("408", "Cleaning", "EXPENSE", "INPUT", "EXPENSE", None, "EXP"),
    ("412", "Consulting & Accounting", "EXPENSE", "INPUT", "EXPENSE", None, "EXP"),
    ("429", "General Expenses", "EXPENSE", "INPUT", "EXPENSE", None, "EXP"),
    ("469", "Rent", "EXPENSE", "INPUT", "EXPENSE", None, "EXP.REN"),
    ("477", "Wages and Salaries", "EXPENSE", "BASEXCLUDED", "EXPENSE", None, "EXP.EMP.WAG"),
    ("610", "Accounts Receivable", "CURRENT", "BASEXCLUDED", "ASSET", "DEBTORS", "ASS.CUR.REC.TRA"),
    ("630", "Inventory", "INVENTORY", "BASEXCLUDED", "ASSET", None, "ASS.CUR.INY"),
    ("800", "Accounts Payable", "CURRLIAB", "BASEXCLUDED", "LIABILITY", "CREDITORS", "LIA.CUR.PAY"),
    ("820", "GST", "CURRLIAB", "BASEXCLUDED", "LIABILITY", "GST", "LIA.CUR.TAX.GST"),
    ("960", "Retained Earnings", "EQUITY", "BASEXCLUDED", "EQUITY", "RETAINEDEARNINGS", "EQU.RET"),
    ("970", "Owner A Funds Introduced", "EQUITY", "BASEXCLUDED", "EQUITY", None, "EQU.ADJ"),
]


def tax_rate_row(entry: tuple[str, str, float, str, bool, bool]) -> dict[str, Any]:
    tax_type, name, rate, report, revenue, expenses = entry
    return {
        "Name": name,
        "TaxType": tax_type,
        "ReportTaxType": report,
        "CanApplyToAssets": expenses,
        "CanApplyToEquity": expenses,
        "CanApplyToExpenses": expenses,
        "CanApplyToLiabilities": expenses,
        "CanApplyToRevenue": revenue,
        "DisplayTaxRate": rate,
        "EffectiveRate": rate,
        "Status": "ACTIVE",
        "TaxComponents": [
            {"Name": "GST", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}
        ],
    }
