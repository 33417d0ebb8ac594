"""The run store's tables, and opening a store by URL or path with every failure a one-line StoreError.

One SQLAlchemy Core schema serves SQLite (a file, the default) and PostgreSQL (a team's server). The
tables carry a ``footprint_`` prefix so that a team's database can hold other things too; a
``footprint_meta`` row holds the schema's version, so a newer store is refused by an older footprint
rather than misread.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from footprint.scenario.formats.atomic import umask

SCHEMA_VERSION = 1
STORE_ENV = "FOOTPRINT_STORE"
DEFAULT_FILE = "footprint.sqlite"
BUSY_SECONDS = 30.0
"""How long an SQLite writer waits for another process's transaction (one future's rows take milliseconds)."""
CONNECT_SECONDS = 10
"""How long to wait for a PostgreSQL server before saying it cannot be reached."""
KINDS = ("run", "future", "sweep")
_SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
_CREATE_LOCK = int.from_bytes(b"fprint01")
"""The PostgreSQL advisory lock held while a store's tables are made."""
_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")


class StoreError(Exception):
    """A run store that cannot be opened, read or written, or a run it does not hold; a one-line reason."""


metadata = MetaData()

runs = Table(
    "footprint_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("name", Text, nullable=False),
    Column("created", DateTime, nullable=False, comment="UTC"),
    Column("version", String(64), nullable=False, comment="footprint's version"),
    Column("scenario_hash", String(64), ForeignKey("footprint_scenarios.hash"), nullable=False,
           comment="of the scenario's data (a sweep: its set's), kept once in footprint_scenarios"),
    Column("overrides", Text, nullable=False, comment="JSON list of [path, value]"),
    Column("settings", Text, nullable=False, comment="JSON of the solver settings and the caller's"),
    Column("settings_hash", String(64), nullable=False),
    Column("key", String(64), nullable=False, comment="what a resumed sweep skips by"),
    Column("sweep", Integer, ForeignKey("footprint_runs.id", ondelete="CASCADE")),
    Column("probability", Float),
    Column("status", String(32), nullable=False),
    Column("objective", Float),
    Column("bound", Float),
    Column("gap", Float),
    Column("currency", String(8)),
    Column("build_seconds", Float),
    Column("solve_seconds", Float),
    Column("message", Text),
    Column("decisions", Text, comment="JSON: builds, assignments, plants"),
    Column("summary", Text, comment="JSON: the Plan's summary (a sweep: its futures)"),
    CheckConstraint("kind IN ('run', 'future', 'sweep')", name="footprint_runs_kind"),
    # A future is stored once per sweep whatever races to store it; runs and sweeps have no sweep (NULLs differ).
    UniqueConstraint("sweep", "key", name="footprint_runs_future_key"),
    # A sweep of the same set and settings is resumed, not started twice.
    Index("footprint_runs_sweep_key", "key", unique=True, sqlite_where=text("kind = 'sweep'"),
          postgresql_where=text("kind = 'sweep'")),
    Index("footprint_runs_listing", "kind", "id"),
    Index("footprint_runs_name", "name"),
    sqlite_autoincrement=True,  # ids are never reused, so a run's id names it for good
)

scenarios = Table(  # each scenario once: a sweep's thousand futures share their base's content
    "footprint_scenarios", metadata,
    Column("hash", String(64), primary_key=True),
    Column("content", Text, nullable=False, comment="canonical JSON of the scenario's data"),
)

tables = Table(
    "footprint_tables", metadata,
    Column("run", Integer, ForeignKey("footprint_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False, comment="Arrow IPC stream"),
)

meta = Table(
    "footprint_meta", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def masked(url: str) -> str:
    """``url`` with any password shown as ***."""
    return _PASSWORD.sub(r"\1***@", url)


def store_url(where: str | Path | None) -> tuple[URL, str]:
    """The database URL of a store, and how to name it in messages (a path, or the URL with its password
    masked): None is ``FOOTPRINT_STORE``, else ``footprint.sqlite`` here; a path an SQLite file; anything with
    ``://`` an SQLAlchemy URL (SQLite or PostgreSQL)."""
    if where is None:
        where = os.environ.get(STORE_ENV) or DEFAULT_FILE
    if isinstance(where, Path) or "://" not in where:
        path = Path(where)
        return URL.create("sqlite", database=str(path)), str(path)
    try:
        url = make_url(where)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise StoreError(f"{masked(where)}: not a database URL; give a file (an SQLite run store) or a URL "
                         "such as postgresql+psycopg://USER:PASSWORD@HOST/DATABASE") from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"{masked(where)}: the run store works on SQLite and PostgreSQL (sqlite:///FILE, "
                         f"postgresql+psycopg://USER@HOST/DATABASE), not {backend}")
    if url.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2; footprint ships psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.database:
        return url, url.database
    return url, url.render_as_string(hide_password=True)


def open_engine(url: URL, name: str, *, create: bool = True, read_only: bool = False) -> tuple[Engine, bool]:
    """An engine on the store's database with its version checked and its tables made if absent (else, without
    ``create``, StoreError for a store not made yet), and whether it may be written. An SQLite file that this
    user may not write (nor its folder) is opened for reading without ``create`` or with ``read_only``, and
    refused otherwise."""
    file = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    writable = True
    if file is not None:
        writable = _check_file(file, name, create)
        if not writable and create and not read_only:
            raise StoreError(_not_writable(file, name))
        if not writable:
            url = _read_only_url(file)
    engine = _engine(url, name, writable)
    try:
        if file is not None and not file.exists():
            _make_file(file, name)
        _prepare(engine, name, create and writable)
    except SQLAlchemyError as err:
        engine.dispose()
        raise StoreError(f"{name}: {reason(err)}") from None
    except OSError as err:
        engine.dispose()
        raise StoreError(f"cannot write the run store {name}: {(err.strerror or str(err)).lower()}") from None
    except StoreError:
        engine.dispose()
        raise
    return engine, writable


def _read_only_url(file: Path) -> URL:
    """The URL that reads ``file`` without writing anything: where its folder may not be written either, SQLite
    cannot make the shared-memory file its write-ahead log needs, and reads the file as it is (immutable)."""
    query = {"mode": "ro", "uri": "true"}
    if not os.access(file.parent, os.W_OK | os.X_OK):
        query["immutable"] = "1"
    return URL.create("sqlite", database=file.absolute().as_uri(), query=query)


def _engine(url: URL, name: str, writable: bool = True) -> Engine:
    try:
        if url.get_backend_name() != "sqlite":
            return create_engine(url, connect_args={"connect_timeout": CONNECT_SECONDS})
        engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})
    except ArgumentError as err:  # an unknown driver
        raise StoreError(f"{name}: {err}") from None
    except ImportError as err:
        raise StoreError(f"{name}: its database driver is not installed ({err}); footprint ships psycopg for "
                         "postgresql+psycopg:// URLs") from None
    event.listen(engine, "connect", _sqlite_settings if writable else _sqlite_reading)
    return engine


def _make_file(path: Path, name: str) -> None:
    """Make a new SQLite store whole in a temporary file beside ``path`` and link it into place: processes that
    open a new store at once never see it half made (SQLite can refuse a second process at once while a new
    file turns to WAL); one link wins, and the others find the store made."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        engine = _engine(URL.create("sqlite", database=temporary), name)
        with engine.begin() as connection:
            metadata.create_all(connection)
            connection.execute(meta.insert().values(name="schema_version", value=str(SCHEMA_VERSION)))
        engine.dispose()  # the last connection closed writes its WAL into the file (which stays in WAL mode)
        os.chmod(temporary, 0o666 & ~umask())  # mkstemp makes it 0600 whatever the umask
        with contextlib.suppress(FileExistsError):  # made by another process meanwhile
            os.link(temporary, path)
    finally:
        for leftover in (temporary, f"{temporary}-wal", f"{temporary}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(leftover)


def _check_file(path: Path, name: str, create: bool) -> bool:
    """Refuse, before SQLite says something vaguer, hangs (on a FIFO) or makes a file that should not be made, a
    path that cannot be a run store; whether this user may write it (and its folder, where SQLite keeps its
    journal)."""
    if not create and not path.exists():
        raise StoreError(_not_made(name))
    if path.is_dir():
        raise StoreError(f"{name} is a folder; name a file for the run store (such as {path / DEFAULT_FILE})")
    folder = path.parent
    if not folder.is_dir():
        raise StoreError(f"cannot open the run store {name}: {folder} is not a folder")
    for each in (path, *(path.with_name(path.name + suffix) for suffix in _SQLITE_SIDE_FILES)):
        try:
            mode = each.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError as err:
            raise StoreError(f"cannot read the run store {name}: {(err.strerror or str(err)).lower()}") from None
        if not stat.S_ISREG(mode):
            raise StoreError(f"{each} is not a regular file (a FIFO, a socket or a device); a run store is an SQLite "
                             "file: name another")
    folder_writable = os.access(folder, os.W_OK | os.X_OK)
    if not path.exists():
        return folder_writable
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as err:
        raise StoreError(f"cannot read the run store {name}: {(err.strerror or str(err)).lower()}") from None
    if header and header != _SQLITE_HEADER:
        raise StoreError(f"{name} is not an SQLite database (a run store is one); name another file")
    return folder_writable and os.access(path, os.W_OK)


def _not_writable(path: Path, name: str) -> str:
    if not os.access(path.parent, os.W_OK | os.X_OK):  # SQLite writes its journal beside the file
        return (f"cannot write the run store {name}: the folder {path.parent} is not writable (give --store a file "
                f"elsewhere, or set {STORE_ENV}); commands that only read a store (runs, show, export, report, "
                "compare, serve) read it")
    return (f"cannot write the run store {name}: the file is read-only; commands that only read a store (runs, "
            "show, export, report, compare, serve) read it")


def _sqlite_settings(connection: Any, _record: Any) -> None:
    """WAL lets readers and a writer in other processes work at once; foreign keys delete a run's tables with it.

    With WAL, synchronous NORMAL syncs at checkpoints rather than at every commit: a killed process loses no
    committed run and the file is never corrupt; only a power cut may take back the last commits. A sweep
    stores each future in its own transaction, and a sync per commit cost more than storing it.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_reading(connection: Any, _record: Any) -> None:
    """A store opened for reading: foreign keys as a writer has them, and nothing written (its journal mode is
    the file's)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _not_made(name: str) -> str:
    return f"no run store at {name} yet (`footprint run` makes one; --store or {STORE_ENV} names another)"


def _prepare(engine: Engine, name: str, create: bool) -> None:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        version = _version(connection) if meta.name in present else None
    if engine.dialect.name == "sqlite" and present and not present & set(metadata.tables):
        listed = ", ".join(sorted(present)[:5])
        raise StoreError(f"{name} is an SQLite database of something else (tables {listed}), not a run store; "
                         "name another file")
    if version is not None and not version.isdigit():
        raise StoreError(f"{name}: the run store's schema version is damaged (footprint_meta holds {version[:40]!r}, "
                         "expected a whole number); restore the store from a copy")
    if version is not None and int(version) > SCHEMA_VERSION:
        raise StoreError(f"{name} is a run store of schema version {version}, newer than this footprint's "
                         f"({SCHEMA_VERSION}); upgrade footprint to use it")
    if version is not None and set(metadata.tables) <= present:
        return
    if not create:
        raise StoreError(_not_made(name))
    with engine.begin() as connection:
        # One process at a time makes the tables (processes of a sweep may start at once; on SQLite, this is
        # an empty file given as the store); the others wait for it, then find them made.
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's DDL is transactional too
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK})
        metadata.create_all(connection)
        if _version(connection) is None:
            connection.execute(meta.insert().values(name="schema_version", value=str(SCHEMA_VERSION)))


def _version(connection: Connection) -> str | None:
    value = connection.scalar(select(meta.c.value).where(meta.c.name == "schema_version"))
    return None if value is None else str(value)


@contextlib.contextmanager
def failing_as(name: str, what: str) -> Iterator[None]:
    """The database's failures while doing ``what`` as one StoreError line naming the store ``name``."""
    try:
        yield
    except SQLAlchemyError as err:
        raise StoreError(f"{name}: cannot {what}: {reason(err)}") from None


def reason(err: SQLAlchemyError) -> str:
    """The database's own words for a failure, on one line, with any password masked."""
    original = getattr(err, "orig", None)
    words = str(original if original is not None else err)
    words = " ".join(line.strip() for line in words.splitlines() if line.strip())
    return masked(words) or type(err).__name__


__all__ = ["DEFAULT_FILE", "KINDS", "SCHEMA_VERSION", "STORE_ENV", "StoreError", "failing_as", "masked", "meta",
           "metadata", "open_engine", "reason", "runs", "store_url", "tables"]
