"""CSV cell rules: RFC 4180 quoting, value kinds, formula neutralising, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexpura_desktop.exports import engine, export_ledger
from nexpura_desktop.exports.csv_cells import CellRules, is_dangerous, select_lines
from nexpura_desktop.ledger.db import Ledger

from .export_ledgers import column, generic_table, insert, new_ledger, read_csv

FORMULA_STARTS = "=+-@\t\r"


def export_notes(tmp_path: Path, notes: list[str], *, raw: bool) -> list[str]:
    """Store ``notes`` in customers.notes (a TEXT column) and read them back from the CSV."""
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        for i, note in enumerate(notes):
            insert(ledger, "customers", {"id": f"c{i:05d}", "notes": note})
    result = export_ledger(tmp_path / "l.sqlite3", tmp_path / "out", tables=["customers"], raw=raw)
    return column(read_csv(result.path / "customers.csv"), "notes")


# Arbitrary text (no surrogates, no NUL, which no writer produces) weighted towards the
# characters that matter: separators, quotes, line breaks, formula starts, and the unit and
# record separators the fast path joins cells and rows with.
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(",\"\r\n=+-@\t '0123456789.()\x1f\x1e")),
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    ),
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=st.lists(texts, min_size=1, max_size=12))
def test_raw_round_trip_gives_the_original_text(
    tmp_path_factory: pytest.TempPathFactory, notes: list[str]
) -> None:
    tmp = tmp_path_factory.mktemp("rt")
    assert export_notes(tmp, notes, raw=True) == notes


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=st.lists(texts, min_size=1, max_size=12))
def test_neutralised_round_trip_only_prefixes_formula_cells(
    tmp_path_factory: pytest.TempPathFactory, notes: list[str]
) -> None:
    tmp = tmp_path_factory.mktemp("rt")
    got = export_notes(tmp, notes, raw=False)
    expected = ["'" + n if is_dangerous(n) else n for n in notes]
    assert got == expected
    for cell in got:
        assert not (cell[:1] in tuple(FORMULA_STARTS) and is_dangerous(cell))


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-E5", "'-E5"),
        ("+61412345678", "+61412345678"),
        ("+61 412 345 678", "+61 412 345 678"),
        ("-", "-"),
        ("-12.50", "-12.50"),
        ("(02) 9876 5432", "(02) 9876 5432"),
        ("0412 345 678", "0412 345 678"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_injection_is_neutralised_but_phones_and_amounts_are_kept(
    tmp_path: Path, text: str, out: str
) -> None:
    assert export_notes(tmp_path, [text], raw=False) == [out]
    assert export_notes(tmp_path / "raw", [text], raw=True) == [text]


def test_line_format_is_rfc4180_with_minimal_quoting(tmp_path: Path) -> None:
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        generic_table(ledger, "notes_plain", {"a": "x", "b": "y"})
        for i, (a, b) in enumerate([("plain", "x,y"), ('say "hi"', "two\nlines"), (None, "")]):
            insert(ledger, "notes_plain", {"id": f"n{i}", "a": a, "b": b})
    result = export_ledger(tmp_path / "l.sqlite3", tmp_path / "out", tables=["notes_plain"])
    data = (result.path / "notes_plain.csv").read_bytes()
    assert data == (b'id,a,b\r\nn0,plain,"x,y"\r\nn1,"say ""hi""","two\nlines"\r\nn2,,\r\n')


def test_value_kinds_are_written_as_the_rules_say(tmp_path: Path) -> None:
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        insert(
            ledger,
            "customers",
            {
                "id": "c1",
                "is_vip": True,
                "email_opted_out": False,
                "marketing_consent": None,
                "store_credit": -12.5,
                "loyalty_points": -3,
                "tags": ["vip", {"ring": "N½"}],
                "created_at": "2025-03-01T09:30:00",
                "updated_at": "2025-03-01T09:30:00.123+10:00",
                "birthday": "1990-02-03",
                "full_name": 'Zoë O\'Brien, née "Smith"',
            },
        )
        insert(
            ledger, "customers", {"id": "c2", "store_credit": 0.1 + 0.2, "loyalty_points": 2**62}
        )
        insert(ledger, "customers", {"id": "c3", "store_credit": 12.0, "is_vip": "maybe"})
    result = export_ledger(tmp_path / "l.sqlite3", tmp_path / "out", tables=["customers"])
    rows = read_csv(result.path / "customers.csv")
    get = {name: column(rows, name) for name in rows[0]}
    assert get["is_vip"] == ["true", "false", "maybe"]  # the column default 0 → false
    assert get["email_opted_out"][0] == "false"
    assert get["marketing_consent"][0] == ""
    # NUMERIC affinity stores 12.0 as the integer 12
    assert get["store_credit"] == ["-12.5", "0.30000000000000004", "12"]
    assert float(get["store_credit"][1]) == 0.1 + 0.2
    assert get["loyalty_points"][:2] == ["-3", str(2**62)]
    assert json.loads(get["tags"][0]) == ["vip", {"ring": "N½"}]
    assert get["tags"][0] == '["vip",{"ring":"N½"}]'
    assert get["created_at"][0] == "2025-03-01T09:30:00+00:00"
    assert get["updated_at"][0] == "2025-03-01T09:30:00.123000+10:00"
    assert get["birthday"][0] == "1990-02-03"
    assert get["full_name"][0] == 'Zoë O\'Brien, née "Smith"'


def test_numbers_and_json_numbers_are_never_altered(tmp_path: Path) -> None:
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        generic_table(ledger, "amounts", {"amount": 1.5, "meta": {"a": 1}, "count": 1})
        insert(ledger, "amounts", {"id": "a1", "amount": -12.5, "meta": -1.5e-07, "count": -7})
    result = export_ledger(tmp_path / "l.sqlite3", tmp_path / "out", tables=["amounts"])
    assert read_csv(result.path / "amounts.csv")[1] == ["a1", "-12.5", "-1.5e-07", "-7"]


def test_excel_adds_a_bom_and_plain_has_none(tmp_path: Path) -> None:
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        insert(ledger, "customers", {"id": "c1", "full_name": "Zoë"})
    plain = export_ledger(tmp_path / "l.sqlite3", tmp_path / "a", tables=["customers"])
    excel = export_ledger(tmp_path / "l.sqlite3", tmp_path / "b", tables=["customers"], excel=True)
    assert column(read_csv(plain.path / "customers.csv"), "full_name") == ["Zoë"]
    assert column(read_csv(excel.path / "customers.csv", bom=True), "full_name") == ["Zoë"]


def test_a_single_column_table_keeps_rows_with_an_empty_cell(tmp_path: Path) -> None:
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        create = "CREATE TABLE solo (code TEXT)"
        ledger.conn.execute(create)
        ledger.conn.execute(
            "INSERT INTO tenant_tables(name, kind, key_column) VALUES ('solo', 'generic', 'rowid')"
        )
        ledger.conn.executemany("INSERT INTO solo VALUES (?)", [("a",), ("",), (None,), ("=x",)])
    result = export_ledger(tmp_path / "l.sqlite3", tmp_path / "out", tables=["solo"])
    assert read_csv(result.path / "solo.csv") == [["code"], ["a"], [""], [""], ["'=x"]]


# Amounts (the shortcut's case), reals that need 17 digits, tiny, huge and negative ones.
reals = st.one_of(
    st.integers(-(10**12), 10**12).map(lambda cents: cents / 100),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.29, 0.1 + 0.2, 1e13 - 0.01, 1e13 + 0.5, -1.5e-07, 2.0**53 + 2, 1e300]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(reals, min_size=1, max_size=20))
def test_reals_are_written_as_the_precise_rules_say_and_read_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, amounts: list[float]
) -> None:
    tmp = tmp_path_factory.mktemp("reals")
    with new_ledger(tmp / "l.sqlite3") as ledger, ledger.transaction():
        generic_table(ledger, "amounts", {"amount": 1.5, "note": "x"})
        for i, amount in enumerate(amounts):
            insert(ledger, "amounts", {"id": f"a{i:03d}", "amount": amount, "note": "n"})
    result = export_ledger(tmp / "l.sqlite3", tmp / "out", tables=["amounts"])
    got = (result.path / "amounts.csv").read_bytes()
    with Ledger(tmp / "l.sqlite3", readonly=True) as ledger:
        info = ledger.table_info("amounts")
        lines = ledger.conn.execute(select_lines("amounts", info.columns, CellRules()))
        precise = b"id,amount,note\r\n" + b"".join(r[0] for r in lines)
    assert got == precise
    # SQLite 3.40's printf is not exact near the ends of the double range (1e300…).
    cells = column(read_csv(result.path / "amounts.csv"), "amount")
    assert [float(c) for c, a in zip(cells, amounts, strict=True) if abs(a) < 1e200] == [
        a for a in amounts if abs(a) < 1e200
    ]


def test_chunks_follow_rowid_order_across_gaps_and_extremes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 3)
    rowids = [-(2**63), -5, 1, 2, 4, 1000, 10**12, 2**63 - 2, 2**63 - 1]
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        generic_table(ledger, "notes_plain", {"a": "x"})
        for rowid in reversed(rowids):
            ledger.conn.execute(
                "INSERT INTO notes_plain(rowid, id, a) VALUES (?, ?, ?)",
                (rowid, f"n{rowid}", "x,\x1f" if rowid == 1000 else "y"),
            )
    result = export_ledger(tmp_path / "l.sqlite3", tmp_path / "out", tables=["notes_plain"])
    rows = read_csv(result.path / "notes_plain.csv")
    assert [r[0] for r in rows[1:]] == [f"n{rowid}" for rowid in rowids]
    assert column(rows, "a") == ["y"] * 5 + ["x,\x1f"] + ["y"] * 3
    assert result.tables[0].rows == len(rowids)
