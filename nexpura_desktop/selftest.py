"""``selftest``: can this install work on this PC?  One line per check, ``ok`` or ``FAIL``.

Written for the two places things break that the source checkout never shows: a frozen
bundle that lost a keyring backend, a Qt plugin or the certificate store (PyInstaller
finds them through metadata and plugin folders it can miss), and a shop PC with no
Secret Service, a read-only profile or an old SQLite.  Every check catches its own
failure, so one broken part never hides the others; the exit status is 0 only when all
pass.  Nothing here writes outside the data folders or changes a keyring entry.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import ssl
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .paths import Paths

MIN_SQLITE = (3, 37, 0)  # STRICT tables (3.37), RETURNING (3.35), upsert (3.24)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAIL':<4}  {self.name:<10}  {self.detail}"


@dataclass(frozen=True)
class Context:
    """What the checks look at: the home's folders and which keyring it would use."""

    paths: Paths
    keyring_home: Path | None = None
    sandbox: bool = False


CheckFn = Callable[[Context], Check]


# -- keyring ----------------------------------------------------------------------------------
def backend_name(backend: object) -> str:
    """``module.Class`` of a keyring backend; a chainer lists the backends it chains."""
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    inner = getattr(backend, "backends", None)
    if name.endswith("chainer.ChainerBackend") and inner is not None:
        name += "(" + ", ".join(backend_name(b) for b in inner) + ")"
    return name


def check_keyring(ctx: Context) -> Check:
    """The backend this home's secrets would use, probed with a harmless read."""
    import keyring

    from .auth.keyring_choice import secret_store

    try:
        store = secret_store(ctx.keyring_home, ctx.paths.data, sandbox=ctx.sandbox)
    except UserError as exc:
        return Check("keyring", False, f"{backend_name(keyring.get_keyring())}: {exc}")
    return Check("keyring", True, f"{backend_name(store.backend)} is usable")


# -- Qt ---------------------------------------------------------------------------------------
def check_qt(_ctx: Context) -> Check:
    try:
        from .ui import selftest_qt
    except ImportError as exc:
        return Check("qt", False, f"PySide6 cannot be imported ({exc}); the window cannot open")
    ok, detail = selftest_qt.check_plugins()
    return Check("qt", ok, detail)


def check_window(_ctx: Context) -> Check:
    """The real main window, offscreen when there is no display, in a scratch home."""
    from .app import has_display

    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from .ui import selftest_qt
    except ImportError as exc:
        return Check("window", False, f"PySide6 cannot be imported ({exc})")
    with tempfile.TemporaryDirectory(prefix="nexpura-selftest-") as scratch:
        ok, detail = selftest_qt.open_window(Path(scratch))
    return Check("window", ok, detail)


# -- TLS --------------------------------------------------------------------------------------
def _ca_count(cafile: str) -> int:
    context = ssl.create_default_context(cafile=cafile)
    return int(context.cert_store_stats()["x509_ca"])


def system_ca_source() -> str | None:
    """Where OpenSSL finds the OS roots (Linux: a bundle file or hashed folder), if anywhere."""
    if sys.platform in ("win32", "darwin"):
        return "the OS certificate store"  # truststore asks the OS itself
    paths = ssl.get_default_verify_paths()
    candidates = [
        paths.cafile,
        "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
        "/etc/ssl/ca-bundle.pem",  # openSUSE
        "/etc/ssl/cert.pem",  # Alpine
    ]
    for cafile in candidates:
        if cafile and Path(cafile).is_file() and _ca_count(cafile) > 0:
            return cafile
    capath = paths.capath
    if capath and Path(capath).is_dir() and any(Path(capath).glob("*.0")):
        return capath
    return None


def check_tls(_ctx: Context) -> Check:
    """truststore can build a context (the app's HTTPS), and roots exist to verify against."""
    import truststore

    truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    source = system_ca_source()
    extra = ""
    with contextlib.suppress(ImportError):
        import certifi

        extra = f"; certifi bundle {_ca_count(certifi.where())} roots"
    if source is None:
        return Check("tls", False, "truststore loads but no system CA certificates were found")
    return Check("tls", True, f"truststore {truststore.__version__}, roots from {source}{extra}")


# -- folders ----------------------------------------------------------------------------------
def _writable(folder: Path) -> str | None:
    """None if a file can be created, read back and removed in ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".selftest-", dir=folder)
        probe = Path(name)
        try:
            os.write(fd, b"nexpura")
        finally:
            os.close(fd)
        try:
            if probe.read_bytes() != b"nexpura":
                return f"{folder}: a written file read back differently"
        finally:
            probe.unlink()
    except OSError as exc:
        return f"{folder}: {exc.strerror or exc}"
    return None


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_folders(ctx: Context) -> Check:
    """Data and logs must be writable now; exports once created (checked at its parent)."""
    problems = [p for p in (_writable(ctx.paths.data), _writable(ctx.paths.logs)) if p]
    exports = ctx.paths.exports
    if exports.exists():
        problem = _writable(exports)
    else:
        parent = _nearest_existing(exports.parent)
        problem = None if os.access(parent, os.W_OK) else f"{exports}: {parent} is read-only"
    problems += [problem] if problem else []
    if problems:
        return Check("folders", False, "; ".join(problems))
    return Check("folders", True, f"data {ctx.paths.data}, exports {exports}")


# -- SQLite -----------------------------------------------------------------------------------
_FEATURES = (
    ("strict", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT) STRICT"),
    ("upsert", "INSERT INTO t VALUES (1, 'a') ON CONFLICT(id) DO UPDATE SET v = excluded.v"),
    ("returning", "INSERT INTO t VALUES (2, 'b') RETURNING id"),
    ("json", "SELECT json_extract('{\"a\": 1}', '$.a'), (SELECT count(*) FROM json_each('[1]'))"),
)


def check_sqlite(ctx: Context) -> Check:
    """The version, the SQL features the ledger uses, and WAL on a file in the data folder."""
    version = sqlite3.sqlite_version
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        wanted = ".".join(map(str, MIN_SQLITE))
        return Check("sqlite", False, f"SQLite {version} is older than the {wanted} needed")
    missing = []
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        for name, sql in _FEATURES:
            try:
                conn.execute(sql).fetchall()
            except sqlite3.Error as exc:
                missing.append(f"{name} ({exc})")
    ctx.paths.data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".selftest-", dir=ctx.paths.data) as scratch:
        with contextlib.closing(sqlite3.connect(Path(scratch) / "wal.sqlite3")) as conn:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            missing.append(f"wal (journal mode stayed {mode})")
    if missing:
        return Check("sqlite", False, f"SQLite {version} lacks " + ", ".join(missing))
    return Check(
        "sqlite", True, f"SQLite {version}: " + ", ".join(n for n, _ in _FEATURES) + ", wal"
    )


# -- import parser ----------------------------------------------------------------------------
def check_parser(_ctx: Context) -> Check:
    """ijson's C backend: without it an import still works, but many times slower."""
    import ijson

    try:
        backend = ijson.get_backend("yajl2_c")
    except ImportError as exc:
        return Check("parser", False, f"ijson's C parser is missing ({exc}); imports will be slow")
    return Check("parser", True, f"ijson {ijson.__version__} with {backend.backend_name} (C)")


CHECKS: tuple[CheckFn, ...] = (
    check_keyring,
    check_qt,
    check_tls,
    check_folders,
    check_sqlite,
    check_parser,
)


def _guarded(fn: CheckFn, ctx: Context) -> Check:
    try:
        return fn(ctx)
    except Exception as exc:  # noqa: BLE001 - a selftest reports every failure as its line
        name = fn.__name__.removeprefix("check_")
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def run_checks(ctx: Context, checks: Iterable[CheckFn] = CHECKS) -> list[Check]:
    """Run every check (each one's failure contained) in order."""
    return [_guarded(fn, ctx) for fn in checks]


def report(results: list[Check], out: Callable[[str], None]) -> int:
    """Print one line per check; the exit status (0 only when every check passed)."""
    for result in results:
        out(result.line())
    return 0 if all(r.ok for r in results) else 1
