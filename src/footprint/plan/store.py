"""The run store: every run, sweep and future kept in a database, and read back as Plans.

A run is one row of ``footprint_runs`` (its scenario's hash, its overrides and settings, status,
objective, decisions and the Plan's summary) and one row of ``footprint_tables`` per table of its
Plan, stored together in one transaction; the scenario's canonical JSON is kept once per hash in
``footprint_scenarios`` (a sweep's futures share their base's). A sweep is a row
too; its futures point to it, and a future is stored at most once per sweep (by its key: the
scenario, overrides and settings), so a sweep killed and run again skips what it stored and
stores each future exactly once, whichever process gets there first. The schema is in
``store_schema``; SQLite and PostgreSQL share every line of this module.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
from pyarrow import ipc
from sqlalchemy import ColumnElement, Engine, Row, String, case, func, select, type_coerce
from sqlalchemy.exc import IntegrityError

from footprint.plan.decisions import Decisions, Level
from footprint.plan.fields import FieldError, checked_plan, shown
from footprint.plan.plan import LATER_TABLES, STOCHASTIC, Plan, empty_table, table_columns, with_later_columns
from footprint.plan.store_schema import (
    KINDS,
    StoreError,
    failing_as,
    open_engine,
    runs,
    scenarios,
    store_url,
    tables,
)

if TYPE_CHECKING:  # the store need not load the solver: a process that only stores runs starts sooner
    from footprint.optimize.highs import SolverOptions

FAILED = "failed"
"""The status of a future that has no plan (infeasible, or its worker failed); its message says why."""
RUNNING, LATEST = "running", "latest"
MAX_ID = 2**63 - 1
"""The largest id a store can hold (a 64-bit integer): a larger number names no run."""
_EXACT_INTEGER = 2 ** 53
_DECISION_SETS = ("builds", "assignments", "plants", "single_sources")
"""The decisions a run keeps (those of the assignments level; the flows level reads the flows table)."""


def canonical_json(value: Any) -> str:
    """``value`` (plain data, as read from YAML) as one canonical JSON text: keys sorted (and as text), dates as
    ISO strings, a whole float as an integer (``2.0`` and ``2`` are one number), no spaces."""
    return json.dumps(_plain(value, "data"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        plain = {str(key): _plain(item, f"{where}.{key}") for key, item in value.items()}
        if len(plain) != len(value):
            raise StoreError(f"{where}: keys that differ only as number and text ({sorted(plain)[:5]}); "
                             "cannot store it")
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGER else value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars, from tables read with pandas
        return _plain(value.item(), where)
    raise StoreError(f"{where}: a {type(value).__name__} is not plain data; cannot store it")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_scenario(data: Any) -> tuple[str, str]:
    """The scenario's plain data (as read from its file, variants merged) as canonical JSON, and its sha256."""
    text = canonical_json(data)
    return text, _sha256(text)


def run_key(scenario_hash: str, overrides: Sequence[tuple[str, Any]], settings: Mapping[str, Any],
            distinct: str | None = None) -> str:
    """What a sweep skips by: the sha256 of the scenario's hash, the overrides applied to it and the settings'
    hash (overrides count, so futures made from one scenario by overrides have keys of their own). ``distinct``:
    the name of a future that sets the same values as another of its sweep, so that each is stored."""
    keyed = list(overrides) if distinct is None else [*overrides, ["future", distinct]]
    return _sha256(f"{scenario_hash}\n{canonical_json(keyed)}\n{_sha256(canonical_json(settings))}")


def solver_settings(options: SolverOptions, **extra: Any) -> dict[str, Any]:
    """The settings a run is stored with: the solver's that change a plan, and anything the caller adds."""
    return {"time_limit": options.time_limit, "mip_gap": options.mip_gap, "threads": options.threads, **extra}


@dataclass(frozen=True)
class Run:
    """A run, future or sweep as the store keeps it; ``id``, ``created`` (UTC) and ``version`` (footprint's)
    are given by the store. A sweep's ``scenario`` is its set's content, its summary lists its futures."""

    kind: str
    name: str
    scenario: str
    """The scenario's data as canonical JSON (:func:`canonical_scenario`)."""
    scenario_hash: str
    settings: dict[str, Any]
    status: str
    overrides: tuple[tuple[str, Any], ...] = ()
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    currency: str | None = None
    build_seconds: float | None = None
    solve_seconds: float | None = None
    message: str | None = None
    decisions: Decisions | None = None
    summary: dict[str, Any] | None = None
    sweep: int | None = None
    probability: float | None = None
    id: int | None = None
    created: datetime | None = None
    version: str | None = None
    distinct: str | None = None
    """A future that sets the same values as another of its sweep: its name, in its key (see :func:`run_key`)."""

    @property
    def settings_hash(self) -> str:
        return _sha256(canonical_json(self.settings))

    @property
    def key(self) -> str:
        return run_key(self.scenario_hash, self.overrides, self.settings, self.distinct)

    @property
    def has_plan(self) -> bool:
        return self.kind != "sweep" and self.status != FAILED

    @property
    def scenario_data(self) -> Any:
        """The scenario's data; StoreError where the stored content is damaged."""
        try:
            return json.loads(self.scenario)
        except json.JSONDecodeError as err:
            raise StoreError(f"run {self.id}: its scenario is damaged (not JSON: {err.msg} at character "
                             f"{err.pos}); the store was changed by something other than footprint") from None


def check_run_name(name: str) -> str:
    """``name`` if a run given it can be referred to by it (see :meth:`RunStore.get`); StoreError if it is empty,
    has spaces around it, is all digits (it would read as an id) or is ``latest``."""
    if not name.strip() or name != name.strip():
        raise StoreError(f"a run's name may not be empty or start or end with a space, found {name!r}")
    if name.isdigit() or name == LATEST:
        raise StoreError(f"a run named {name!r} could not be referred to by its name ({name!r} reads as "
                         f"{'an id' if name.isdigit() else 'the newest run'}); choose another")
    return name


def run_record(plan: Plan | None, *, name: str, data: Any, settings: Mapping[str, Any],
               overrides: Iterable[tuple[str, Any]] = (), kind: str = "run", sweep: int | None = None,
               probability: float | None = None, message: str | None = None) -> Run:
    """The record of a solved ``plan`` (None: a future that failed, ``message`` saying why) of the scenario
    ``data`` with ``overrides`` applied, solved with ``settings`` (:func:`solver_settings`)."""
    text, digest = canonical_scenario(data)
    given = {"kind": kind, "name": name, "scenario": text, "scenario_hash": digest, "settings": dict(settings),
             "overrides": tuple((str(path), value) for path, value in overrides), "sweep": sweep,
             "probability": probability}
    if plan is None:
        return Run(status=FAILED, message=message, **given)
    s = plan.summary
    return Run(status=plan.status, objective=s["objective"], bound=s.get("bound"), gap=s.get("gap"),
               currency=s.get("currency"), build_seconds=s.get("build_seconds"),
               solve_seconds=s.get("solve_seconds"), message=s.get("message"), decisions=Decisions.of(plan),
               summary=dict(s), **given)


def encode_tables(plan: Plan) -> dict[str, bytes]:
    """Each table of ``plan`` as an Arrow IPC stream: typed and lossless (categories, text, booleans, integers
    come back as they went). For the Plan's small tables IPC is about twice as fast as Parquet both ways
    (rogue-2012's twelve tables: 4 ms to write and 6 ms to read, Parquet 8 and 16 ms), at about the same size."""
    encoded = {}
    for name in table_columns(plan.stacked):
        table = pa.Table.from_pandas(plan.tables[name], preserve_index=False)
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        encoded[name] = sink.getvalue().to_pybytes()
    return encoded


def decode_tables(encoded: Mapping[str, bytes]) -> dict[str, pd.DataFrame]:
    """The tables that :func:`encode_tables` encoded."""
    return {name: ipc.open_stream(data).read_all().to_pandas() for name, data in encoded.items()}


def _as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=_json_value)


def _json_value(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars in a summary
        return value.item()
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _decisions_json(decisions: Decisions | None) -> str | None:
    if decisions is None:
        return None
    return json.dumps({name: sorted(getattr(decisions, name)) for name in _DECISION_SETS})


_DECISION_ITEMS = {"builds": (str, int, int), "assignments": (str, str, int), "plants": (str, str, int),
                   "single_sources": (str, str, str, int)}
"""Each decision set's items as stored: (option, year, count), (plant, product, year), (plant, verb, year), (plant,
product, market, year)."""
_LATER_SETS = ("single_sources",)
"""Decision sets that runs stored before them lack: none taken."""


def _decisions(text: Any) -> Decisions | None:
    if text is None:
        return None
    data = _json(text, dict)
    data = {name: [] for name in _LATER_SETS} | data
    for name, kinds in _DECISION_ITEMS.items():
        items = data.get(name)
        if not isinstance(items, list) or not all(_fits(item, kinds) for item in items):
            raise ValueError(f"expected {name} as a list of [{', '.join(kind.__name__ for kind in kinds)}]")
    return Decisions(**{name: frozenset(tuple(item) for item in data[name]) for name in _DECISION_SETS},
                     level=Level.ASSIGNMENTS)


def _fits(item: Any, kinds: tuple[type, ...]) -> bool:
    return isinstance(item, list) and len(item) == len(kinds) and all(
        isinstance(part, kind) and not isinstance(part, bool) for part, kind in zip(item, kinds, strict=True))


def _json(text: Any, kind: type) -> Any:
    """The stored JSON ``text``, a ``kind`` (dict or list); ValueError saying what it is instead."""
    if not isinstance(text, str):
        raise ValueError(f"expected JSON text, found a {type(text).__name__}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err.msg} at character {err.pos}") from None
    if not isinstance(value, kind):
        raise ValueError(f"expected a JSON {'object' if kind is dict else 'list'}, found {shown(value)}")
    return value


def _package_version() -> str:
    try:
        return version("footprint")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class RunStore:
    """Runs, sweeps and futures kept in a database: ``None`` is ``FOOTPRINT_STORE`` or ``footprint.sqlite``
    in the current folder, a path an SQLite file, anything with ``://`` an SQLAlchemy URL (SQLite or
    ``postgresql+psycopg://USER:PASSWORD@HOST/DATABASE``). Its tables are made when absent. StoreError, in one
    line naming the store (password masked), for anything that keeps it from being opened, read or written;
    with ``create=False`` (for reading), for a store not made yet too."""

    def __init__(self, url: str | Path | None = None, *, create: bool = True, read_only: bool = False) -> None:
        address, self.name = store_url(url)  # name: its file, or its URL with the password masked
        self._engine, self.writable = open_engine(address, self.name, create=create, read_only=read_only)
        self.label = Path(self.name).name if address.get_backend_name() == "sqlite" else \
            f"{address.database} on {address.host or 'localhost'}"
        """The store as pages name it: its file's name, not the path; a database's name and host."""

    @property
    def engine(self) -> Engine:
        """The store's database connections, for tables of its own that another layer keeps beside the runs (the
        web app's scenarios and jobs): one engine per store in a process."""
        return self._engine

    def __repr__(self) -> str:
        return f"RunStore({self.name!r})"

    def close(self) -> None:
        """Close the store's connections (a RunStore is also a context manager that does so)."""
        self._engine.dispose()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _doing(self, what: str) -> AbstractContextManager[None]:
        """The database's failures while doing ``what`` as one StoreError line naming the store."""
        return failing_as(self.name, what)

    def save_run(self, record: Run, encoded: Mapping[str, bytes]) -> int:
        """Store a run or a future (``record``, from :func:`run_record`) and its Plan's tables (``encoded``, from
        :func:`encode_tables`; none for a failed future) in one transaction: all of it or nothing. A future
        its sweep already holds (the same key) is left as stored and its id returned: two processes racing
        to store one future leave one row. Returns the run's id."""
        if record.kind not in ("run", "future") or (record.kind == "future") != (record.sweep is not None):
            raise ValueError(f"save_run stores a run, or a future of a sweep; got a {record.kind} "
                             f"{'of sweep ' + str(record.sweep) if record.sweep is not None else 'of no sweep'}")
        self._check_writable(f"store {record.kind} {record.name!r}")
        names = set(table_columns(_stacked(record))) if record.has_plan else set()
        if set(encoded) != names:
            raise ValueError(f"a run with a plan is stored with its tables {sorted(names)}, a failed one without; "
                             f"got {sorted(encoded)}")
        with self._doing(f"store {record.kind} {record.name!r}"):
            try:
                self._keep_scenario(record)
                with self._engine.begin() as connection:
                    run_id = connection.execute(runs.insert().values(self._row(record))).inserted_primary_key[0]
                    if encoded:
                        connection.execute(tables.insert(), [{"run": run_id, "name": name, "data": data}
                                                             for name, data in encoded.items()])
            except IntegrityError:  # the future is stored already (or its sweep is not there)
                existing = self._rows(select(runs.c.id).where(runs.c.sweep == record.sweep, runs.c.key == record.key),
                                      "look for the stored future") if record.kind == "future" else []
                if not existing:
                    raise
                return int(existing[0].id)
        return int(run_id)

    def _check_writable(self, what: str) -> None:
        if not self.writable:
            raise StoreError(f"{self.name}: cannot {what}: this user may not write the run store (it is read only "
                             "here); give --store a store you may write")

    def _keep_scenario(self, record: Run) -> None:
        """The record's scenario content, stored once by its hash (in its own transaction: a content stored
        twice by two processes at once is the same content, and one of them keeps it)."""
        present = select(scenarios.c.hash).where(scenarios.c.hash == record.scenario_hash)
        if self._rows(present, "look for the scenario"):
            return
        try:
            with self._engine.begin() as connection:
                connection.execute(scenarios.insert().values(hash=record.scenario_hash, content=record.scenario))
        except IntegrityError:
            pass  # another process stored it first

    def _row(self, record: Run) -> dict[str, Any]:
        return {"kind": record.kind, "name": record.name, "created": datetime.now(UTC).replace(tzinfo=None),
                "version": _package_version(), "scenario_hash": record.scenario_hash,
                "overrides": canonical_json(list(record.overrides)), "settings": canonical_json(record.settings),
                "settings_hash": record.settings_hash, "key": record.key, "sweep": record.sweep,
                "probability": record.probability, "status": record.status, "objective": _number(record.objective),
                "bound": _number(record.bound), "gap": _number(record.gap), "currency": record.currency,
                "build_seconds": _number(record.build_seconds), "solve_seconds": _number(record.solve_seconds),
                "message": record.message, "decisions": _decisions_json(record.decisions),
                "summary": _as_json(record.summary)}

    def _rows(self, statement: Any, doing: str) -> list[Row[Any]]:
        with self._doing(doing), self._engine.connect() as connection:
            return list(connection.execute(statement))

    def start_sweep(self, name: str, set_content: Any, settings: Mapping[str, Any],
                    futures: Sequence[tuple[str, float | None, str]]) -> tuple[int, set[str]]:
        """Start a sweep of ``futures`` (name, probability, key from :func:`run_key`), or resume the sweep of the
        same set content and settings if the store has it (the same id, named ``name`` from now on). Returns the
        sweep's id and the keys of its futures stored already: those to skip."""
        planned = [[str(future), None if p is None else float(p), str(key)] for future, p, key in futures]
        for position, what in ((0, "name"), (2, "key")):
            seen = [entry[position] for entry in planned]
            twice = sorted({item for item in seen if seen.count(item) > 1})
            if twice:
                raise StoreError(f"sweep {name!r}: futures with the same {what} ({', '.join(twice[:5])}); "
                                 "each future is stored once by its name and key")
        self._check_writable(f"start sweep {name!r}")
        text, digest = canonical_scenario(set_content)
        record = Run("sweep", name, text, digest, dict(settings), RUNNING, summary={"futures": planned})
        doing = f"start sweep {name!r}"
        with self._doing(doing):
            self._keep_scenario(record)
            try:
                with self._engine.begin() as connection:
                    sweep_id = connection.execute(runs.insert().values(self._row(record))).inserted_primary_key[0]
            except IntegrityError:  # the same sweep was started before: resume it
                with self._engine.begin() as connection:
                    sweep_id = connection.scalar(select(runs.c.id).where(runs.c.kind == "sweep",
                                                                         runs.c.key == record.key))
                    connection.execute(runs.update().where(runs.c.id == sweep_id).values(  # the name given now
                        name=name, status=RUNNING, message=None, summary=_as_json(record.summary)))
        stored = {key for (key,) in self._rows(select(runs.c.key).where(runs.c.sweep == sweep_id), doing)}
        return int(sweep_id), stored & {entry[2] for entry in planned}

    def finish_sweep(self, sweep_id: int, status: str, message: str | None = None) -> None:
        """Record how sweep ``sweep_id`` ended: ``done``, ``interrupted`` or ``failed`` (with a message)."""
        self._check_writable(f"finish sweep {sweep_id}")
        with self._doing(f"finish sweep {sweep_id}"), self._engine.begin() as connection:
            done = connection.execute(runs.update().where(runs.c.id == sweep_id, runs.c.kind == "sweep")
                                      .values(status=status, message=message))
        if done.rowcount == 0:
            raise StoreError(f"{self.name}: no sweep {sweep_id}")

    def runs(self, kind: str | None = None, search: str | None = None, limit: int = 50,
             offset: int = 0) -> pd.DataFrame:
        """Runs and sweeps newest first (``kind``: only runs, stochastic plans, sweeps or futures; ``search``: a
        part of the name, any case): id, kind, name, status, objective, currency, created (UTC), for a stochastic
        plan the futures it holds, and for a sweep its futures stored and planned (its futures themselves are
        listed by ``kind="future"`` or :meth:`futures`). A stochastic plan is a run whose listed kind is
        ``stochastic`` (its Plan's summary says so)."""
        if kind is not None and kind not in (*KINDS, STOCHASTIC):
            raise StoreError(f"kind {kind!r}: expected one of {', '.join((*KINDS, STOCHASTIC))}")
        child = runs.alias("child")
        stored = select(func.count()).select_from(child).where(child.c.sweep == runs.c.id).scalar_subquery()
        statement = select(runs.c.id, runs.c.kind, runs.c.name, runs.c.status, runs.c.objective, runs.c.currency,
                           _CREATED, case((runs.c.kind == "sweep", stored)).label("futures"), runs.c.summary)
        # A stochastic plan is stored as a run whose summary says so (json.dumps writes it thus).
        stochastic = func.coalesce(runs.c.summary, "").contains(f'"kind": "{STOCHASTIC}"', autoescape=True)
        condition = {None: runs.c.kind != "future", STOCHASTIC: (runs.c.kind == "run") & stochastic,
                     "run": (runs.c.kind == "run") & ~stochastic}.get(kind, runs.c.kind == kind)
        statement = statement.where(condition)
        if search:
            statement = statement.where(runs.c.name.icontains(search, autoescape=True))
        limit, offset = (min(max(number, 0), MAX_ID) for number in (limit, offset))  # what a database can take
        rows = self._rows(statement.order_by(runs.c.id.desc()).limit(limit).offset(offset), "list the runs")
        listed = [_listed(row, self.name) for row in rows]
        frame = pd.DataFrame([row[:-1] for row in listed], columns=["id", "kind", "name", "status", "objective",
                                                                   "currency", "created", "futures"])
        frame["created"] = pd.to_datetime(frame["created"], utc=True)
        frame["futures"] = frame["futures"].astype("Int64")
        summaries = [row[-1] for row in listed]
        frame["kind"] = [STOCHASTIC if (summary or {}).get("kind") == STOCHASTIC else kind
                         for kind, summary in zip(frame["kind"], summaries, strict=True)]
        frame["futures"] = pd.array([len(summary["futures"]) if kind == STOCHASTIC else stored
                                     for kind, stored, summary in zip(frame["kind"], frame["futures"], summaries,
                                                                      strict=True)], dtype="Int64")
        frame["planned"] = pd.array([len(summary["futures"]) if kind == "sweep" else None
                                     for kind, summary in zip(frame["kind"], summaries, strict=True)], dtype="Int64")
        return frame

    def _find(self, condition: ColumnElement[bool]) -> Run | None:
        columns = [_CREATED if column.name == "created" else column for column in runs.c]
        with_content = select(*columns, scenarios.c.content).join(scenarios, runs.c.scenario_hash == scenarios.c.hash)
        rows = self._rows(with_content.where(condition).order_by(runs.c.id.desc()).limit(1), "read a run")
        return _run(rows[0], self.name) if rows else None

    def get(self, ref: int | str) -> Run:
        """The run ``ref`` names: its id, ``latest`` (the newest run or sweep), ``SWEEP/FUTURE`` (a future by
        name in a sweep given by id or name, the newest of that name), or a name (the newest run or sweep
        of that name). StoreError, naming what the store holds, for a ref that names nothing."""
        text = str(ref).strip()
        found: Run | None = None
        if _is_id(text):
            found = self._find(runs.c.id == int(text)) if int(text) <= MAX_ID else None
        elif text == LATEST:
            found = self._find(runs.c.kind != "future")
        else:
            sweep_part, slash, future = text.rpartition("/")
            sweep = self._sweep(sweep_part) if slash else None
            if sweep is not None:
                found = self._find((runs.c.sweep == sweep.id) & (runs.c.name == future))
                if found is None:
                    names = [name for (name,) in self._rows(select(runs.c.name).where(runs.c.sweep == sweep.id)
                                                            .order_by(runs.c.id), "read a sweep")]
                    more = f" and {len(names) - 10:,} more" if len(names) > 10 else ""
                    raise StoreError(f"{self.name}: sweep {sweep.id} ({sweep.name}) has no future {future!r}; it "
                                     f"holds {', '.join(names[:10]) or 'none yet'}{more}")
            else:
                found = self._find((runs.c.name == text) & (runs.c.kind != "future"))
        if found is None:
            raise StoreError(f"{self.name}: no run {text!r}; {self._holdings()}")
        return found

    def _sweep(self, ref: str) -> Run | None:
        if _is_id(ref):
            return self._find((runs.c.id == int(ref)) & (runs.c.kind == "sweep")) if int(ref) <= MAX_ID else None
        return self._find((runs.c.name == ref) & (runs.c.kind == "sweep"))

    def _holdings(self) -> str:
        newest = self.runs(limit=5)
        if newest.empty:
            return "the store holds no runs yet"
        listed = ", ".join(f"{row.id} ({row.kind} {row.name})" for row in newest.itertuples())
        return (f"refer to a run by its id, `{LATEST}`, its name or SWEEP/FUTURE; the newest: {listed} "
                "(`footprint runs` lists them all)")

    def plan(self, ref: int | str) -> Plan:
        """The Plan of run ``ref`` (see :meth:`get`), rebuilt from its stored summary and tables."""
        run = self.get(ref)
        if run.kind == "sweep":
            raise StoreError(f"run {run.id} is a sweep ({run.name}); its futures have the plans: "
                             f"{run.id}/FUTURE (`footprint show {run.id}` lists them)")
        if not run.has_plan:
            raise StoreError(f"run {run.id} ({run.name}) has no plan: {run.message or run.status}")
        rows = dict(self._rows(select(tables.c.name, tables.c.data).where(tables.c.run == run.id), "read a plan"))
        summary = dict(run.summary or {})
        names = table_columns(_stacked(run))
        stored = [name for name in names if name in rows or name not in LATER_TABLES]  # others: stored before them
        try:
            decoded = decode_tables({name: bytes(rows[name]) for name in stored})
        except (KeyError, TypeError, ValueError, pa.ArrowException) as err:
            raise StoreError(f"{self.name}: the tables of run {run.id} are damaged ({err})") from None
        decoded = {name: with_later_columns(name, decoded[name], names) if name in decoded
                   else empty_table(name, names) for name in names}
        try:
            return Plan(summary, checked_plan(summary, decoded))
        except FieldError as err:
            where = "its summary" if err.table is None else f"its table {err.table}, column {err.column}" + (
                "" if err.row is None else f", row {err.row + 1}")
            raise StoreError(f"{self.name}: run {run.id}: {where} is damaged: {err}") from None
        except ValueError as err:
            raise StoreError(f"{self.name}: the tables of run {run.id} are damaged ({err})") from None

    def futures(self, sweep_id: int, level: Level = Level.ASSIGNMENTS) -> pd.DataFrame:
        """The stored futures of sweep ``sweep_id`` in the order it planned them: id, name, probability, status,
        objective, currency, gap, decisions (:class:`Decisions` at ``level``, None for a failed future), message and
        overrides (the (path, value) pairs that make the future, as :class:`Run` has them). The flows level reads
        each future's flows table."""
        sweep = self._find((runs.c.id == sweep_id) & (runs.c.kind == "sweep"))
        if sweep is None:
            raise StoreError(f"{self.name}: no sweep {sweep_id}")
        order = {entry[0]: position for position, entry in enumerate((sweep.summary or {}).get("futures", []))}
        parsers = {"id": _id, "name": _text, "probability": _read_finite, "status": _text,
                   "objective": _read_finite, "currency": _optional_text, "gap": _read_number, "decisions": _decisions,
                   "message": _optional_text, "overrides": _overrides}
        rows = self._rows(select(*(runs.c[name] for name in parsers)).where(runs.c.sweep == sweep_id)
                          .order_by(runs.c.id), "read a sweep")
        futures = [{name: fields.read(name, parse) for name, parse in parsers.items()}
                   for fields in (_Fields(row, self.name) for row in rows)]
        futures.sort(key=lambda future: order.get(future["name"], len(order)))
        frame = pd.DataFrame(futures, columns=list(parsers))
        decided = frame["decisions"].tolist()
        frame["decisions"] = (self._with_flows(frame["id"].tolist(), decided) if level is Level.FLOWS else
                              [None if decisions is None else decisions.at(level) for decisions in decided])
        return frame

    def _with_flows(self, ids: list[int], decided: list[Decisions | None]) -> list[Decisions | None]:
        """Each future's decisions with the lanes its stored flows table supplies through (read one future at a
        time: a large sweep's flows need not all be in memory at once)."""
        with_flows: list[Decisions | None] = []
        for run, decisions in zip(ids, decided, strict=True):
            if decisions is None:
                with_flows.append(None)
                continue
            rows = self._rows(select(tables.c.data).where(tables.c.run == run, tables.c.name == "flows"),
                              "read a future's flows")
            try:
                flows = decode_tables({"flows": bytes(rows[0].data)})["flows"]
            except (IndexError, TypeError, ValueError, pa.ArrowException) as err:
                raise StoreError(f"{self.name}: the flows of run {run} are damaged or missing ({err})") from None
            with_flows.append(decisions.with_flows(flows))
        return with_flows


_CREATED = type_coerce(runs.c.created, String).label("created")
"""When a run was stored, as the database holds it: parsed by :func:`_created`, so that a damaged value is a
message and not SQLAlchemy's failure inside a query."""


def _listed(row: Row[Any], store: str) -> tuple[Any, ...]:
    """A row of the runs listing with the fields it shows checked (see :func:`_run`)."""
    f = _Fields(row, store)
    summary = f.read("summary", _optional_object)
    kind = f.read("kind", _kind)
    if kind == "sweep" or (summary or {}).get("kind") == STOCHASTIC:
        f.read("summary", _planned if kind == "sweep" else _stochastic_futures)
    return (f.id, kind, f.read("name", _text), f.read("status", _text), f.read("objective", _read_finite),
            f.read("currency", _optional_text), f.read("created", _created), row.futures, summary)


def _stochastic_futures(text: Any) -> None:
    if not isinstance(_object(text).get("futures"), dict):
        raise ValueError("expected a stochastic plan's futures, each with its probability")


def _is_id(text: str) -> bool:
    """Whether a reference is a run's id: ASCII digits (``str.isdigit`` takes ² and other digits too)."""
    return text.isascii() and text.isdigit()


def _stacked(record: Run) -> bool:
    """Whether a run is a stochastic plan's (its Plan's tables stacked by future)."""
    return (record.summary or {}).get("kind") == STOCHASTIC


def _run(row: Row[Any], store: str) -> Run:
    """The Run of a stored row (its runs columns and its scenario's content), each field checked: StoreError
    naming the run and the field that is damaged."""
    f = _Fields(row, store)
    summary = f.read("summary", _optional_object)
    if f.read("kind", _kind) == "sweep":
        f.read("summary", _planned)
    return Run(kind=f.read("kind", _kind), name=f.read("name", _text), scenario=f.read("content", _text),
               scenario_hash=f.read("scenario_hash", _text), settings=f.read("settings", _object),
               status=f.read("status", _text), overrides=f.read("overrides", _overrides),
               objective=f.read("objective", _read_finite), bound=f.read("bound", _read_number),
               gap=f.read("gap", _read_number), currency=f.read("currency", _optional_text),
               build_seconds=f.read("build_seconds", _read_finite),
               solve_seconds=f.read("solve_seconds", _read_finite),
               message=f.read("message", _optional_text), decisions=f.read("decisions", _decisions),
               summary=summary, sweep=f.read("sweep", _optional_id), probability=f.read("probability", _read_finite),
               id=f.id, created=f.read("created", _created), version=f.read("version", _text))


class _Fields:
    """A stored row's fields, each read by a parser that raises ValueError (or TypeError) for a damaged value."""

    def __init__(self, row: Row[Any], store: str) -> None:
        self.values, self.store = row._mapping, store
        self.id = self.read("id", _id) if "id" in self.values else None

    def read(self, name: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(self.values[name])
        except (ValueError, TypeError, OverflowError) as err:
            where = f"run {self.values['id']}" if name != "id" else "a run"
            raise StoreError(f"{self.store}: {where}: the field {name} is damaged ({err}); the store was changed by "
                             "something other than footprint") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a text, found {shown(value)}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValueError(f"expected one of {', '.join(KINDS)}, found {shown(value)}")
    return str(value)


def _id(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"expected a run's id, found {shown(value)}")
    return value


def _optional_id(value: Any) -> int | None:
    return None if value is None else _id(value)


def _read_number(value: Any) -> float | None:
    """A stored number (an SQLite column may hold a text instead), or None."""
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        raise ValueError(f"expected a number, found {shown(value)}")
    return float(value)


def _read_finite(value: Any) -> float | None:
    number = _read_number(value)
    if number is not None and not math.isfinite(number):
        raise ValueError(f"expected a finite number, found {shown(value)}")
    return number


def _object(value: Any) -> dict[str, Any]:
    return _json(value, dict)  # type: ignore[no-any-return]


def _optional_object(value: Any) -> dict[str, Any] | None:
    return None if value is None else _object(value)


def _overrides(value: Any) -> tuple[tuple[str, Any], ...]:
    pairs = _json(value, list)
    if not all(isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in pairs):
        raise ValueError("expected a list of [path, value] pairs")
    return tuple((path, item) for path, item in pairs)


def _planned(text: Any) -> None:
    """A sweep's summary: the futures it planned, each [name, probability or null, key]."""
    futures = _object(text).get("futures")
    if not isinstance(futures, list) or not all(
            isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str) and isinstance(entry[2], str)
            and (entry[1] is None or _read_finite(entry[1]) is not None) for entry in futures):
        raise ValueError("expected the futures it planned, each [name, probability or null, key]")


def _created(value: Any) -> datetime:
    """When a run was stored (UTC): PostgreSQL gives a datetime, SQLite the text SQLAlchemy wrote."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"expected a date and time, found {shown(value)}")
    return value.replace(tzinfo=UTC)


__all__ = ["FAILED", "LATEST", "MAX_ID", "Run", "RunStore", "StoreError", "canonical_json", "canonical_scenario",
           "check_run_name", "decode_tables", "encode_tables", "run_key", "run_record", "solver_settings"]
