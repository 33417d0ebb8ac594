"""A Plan: the solved footprint as labelled tables plus a summary; written to and read from a folder.

A stochastic plan is one Plan too, "stacked": its summary's ``kind`` is ``stochastic``, each table of
TABLES holds every future's rows under a leading ``future`` column, and STOCHASTIC_TABLES are beside
them (the regret table, the revisions, the iterations of its solve).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from footprint.plan.extensions import Accessor, html_of
from footprint.plan.fields import FieldError, checked_plan, text_names
from footprint.plan.results import MANIFEST, ResultsError, read_summary, write_folder
from footprint.scenario.model.scenario import Scenario

TABLES: dict[str, tuple[str, ...]] = {
    "flows": ("plant", "product", "market", "year", "sourcing", "mode", "units"),
    "production": ("plant", "pool", "product", "year", "units"),
    "utilization": ("plant", "pool", "year", "capacity", "used", "share"),
    "builds": ("option", "plant", "pool", "year", "count", "added_capacity", "capex"),
    "plants": ("plant", "year", "open", "opened", "closed"),
    "assignments": ("plant", "product", "year", "units", "assigned", "launched"),
    "single_sources": ("plant", "product", "market", "year", "units"),
    "demand": ("product", "market", "year", "demand", "served", "lost"),
    "sourcing": ("plant", "product", "option", "year", "units", "fixed_cost"),
    "costs": ("year", "component", "amount", "discounted"),
    "exposure": ("plant", "market", "year", "currency", "component", "amount", "amount_in_currency"),
    "landed_cost": ("plant", "product", "market", "year", "sourcing", "component", "per_unit"),
    "fx_rates": ("currency", "year", "rate", "source"),
    "supplies": ("supplier", "component", "plant", "year", "mode", "units"),
    "transfers": ("origin", "component", "destination", "year", "mode", "units"),
    "inbound": ("plant", "product", "facility", "year", "mode", "units"),
    "deliveries": ("facility", "product", "market", "year", "mode", "units"),
    "sites": ("kind", "site", "year", "open", "opened", "closed"),
    "claims": ("plant", "product", "agreement", "market", "year", "units"),
    "part_claims": ("origin", "component", "agreement", "destination", "year", "units"),
    "rvc": ("plant", "product", "agreement", "year", "units", "value", "originating", "rvc", "threshold",
            "duty_saved"),
    "modes": ("origin", "destination", "mode", "year", "units", "transit_days", "freight", "fixed_cost"),
}
"""Each table of a Plan and its columns, in order."""
LATER_TABLES = ("single_sources", "supplies", "transfers", "inbound", "deliveries", "sites", "claims", "rvc",
                "modes", "part_claims")
"""Tables of TABLES that plans written before them lack (their results folders and stored runs): read back as
empty, which is what those plans had of them (single sourcing; the tiers beyond the plants; the preferences claimed
by the rules of origin of their components; the transport modes used; the preferences claimed for components sent
between plants)."""
LATER_COLUMNS = {**dict.fromkeys(("flows", "supplies", "transfers", "inbound", "deliveries"), "mode"),
                 "revisions": "market"}
"""Columns of TABLES (and STOCHASTIC_TABLES) that plans written before them lack, by table: read back as nothing
(none: the plan's transport mode was not recorded then; no revision named a market)."""

STOCHASTIC = "stochastic"
"""The summary's ``kind`` of a stacked Plan (a deterministic one has none)."""
SWEEP = "sweep"
"""The summary's ``kind`` of a sweep's tables (plan/sweep_export.py): not a Plan."""
FUTURE = "future"
STOCHASTIC_TABLES: dict[str, tuple[str, ...]] = {
    "regret": ("name", "probability", "npv", "own", "ev_plan"),
    "revisions": ("future", "kind", "option", "plant", "product", "market", "year", "committed", "revised"),
    "iterations": ("iteration", "lower", "upper", "gap", "seconds", "cuts", "feasibility_cuts"),
}
"""The tables a stacked Plan has beside TABLES, and their columns: per future its NPV cost under the plan,
its own optimum and under the mean future's decisions; the decisions each future revises (kind ``build``,
``opens``, ``closes``, ``assignment`` or ``single_source``: the plant a single-sourced demand of the product in the
market comes from; ``committed`` and ``revised`` count them in the plan with every decision made now and in that
future's); the bounds of a decomposition's iterations (none: solved whole)."""

SUMMARY_FILE = "summary.json"


def table_columns(stacked: bool) -> dict[str, tuple[str, ...]]:
    """Each table of a Plan and its columns: TABLES, or for a stacked Plan the same with ``future`` first,
    and STOCHASTIC_TABLES."""
    if not stacked:
        return TABLES
    return {**{name: (FUTURE, *columns) for name, columns in TABLES.items()}, **STOCHASTIC_TABLES}


def empty_table(name: str, columns: Mapping[str, tuple[str, ...]] = TABLES) -> pd.DataFrame:
    """Table ``name`` with no rows (its columns as ``columns`` has them), for a plan written before it had the
    table (LATER_TABLES); its columns get their types where it is checked (plan/fields.py)."""
    return pd.DataFrame(columns=list(columns[name]))


def with_later_columns(name: str, table: pd.DataFrame, columns: Mapping[str, tuple[str, ...]] = TABLES
                       ) -> pd.DataFrame:
    """Table ``name`` as read back, with the columns of LATER_COLUMNS it was written without (as nothing)."""
    later = LATER_COLUMNS.get(name)
    if later is None or later in table.columns or later not in columns[name]:
        return table
    wanted = [column for column in columns[name] if column != later]
    if list(table.columns) != wanted:
        return table  # not as written before the column: its check says what is wrong
    return table.assign(**{later: None})[list(columns[name])]


def _checked(name: str, table: pd.DataFrame, columns: Mapping[str, tuple[str, ...]] = TABLES) -> pd.DataFrame:
    found = tuple(table.columns)
    if found != columns[name]:
        raise ValueError(f"table {name!r} has columns {found}, expected {columns[name]}")
    return table


def stack_plans(parts: Sequence[tuple[str, Mapping[str, pd.DataFrame]]]) -> dict[str, pd.DataFrame]:
    """Each table of TABLES with every part's rows under its name in a leading ``future`` column, in the
    order given: (future name, that future's Plan tables) pairs."""
    names = [name for name, _ in parts]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"expected the tables of one or more futures, each named once; got {names}")
    stacked = {}
    for table, columns in TABLES.items():
        frames = [_checked(table, tables[table]).assign(**{FUTURE: name})[[FUTURE, *columns]]
                  for name, tables in parts]
        rows = [frame for frame in frames if len(frame)] or frames[:1]  # pandas warns of concatenating empty ones
        stacked[table] = pd.concat(rows, ignore_index=True)
    return stacked


class Tables(Mapping[str, pd.DataFrame]):
    """A Plan's tables, each made when first read: a re-solve that compares decisions (breakeven)
    makes two small tables, not all of them. Once every table is made, what made them is let go;
    a pickled Tables is a plain dict of made tables."""

    def __init__(self, makers: Mapping[str, Callable[[], pd.DataFrame]]) -> None:
        if set(makers) != set(TABLES):
            raise ValueError(f"tables {sorted(makers)}, expected {sorted(TABLES)}")
        self._makers = dict(makers)
        self._made: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._made:
            self._made[name] = text_names(name, _checked(name, self._makers.pop(name)()))
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def __reduce__(self) -> tuple[type, tuple[dict[str, pd.DataFrame]]]:
        return dict, (dict(self.items()),)


@dataclass(frozen=True)
class Plan:
    """What the optimizer decided and what it costs. Amounts are in ``summary['currency']``.

    In a notebook it shows its decisions and NPV (``_repr_html_``), and ``plan.plot`` draws it (``map()``,
    ``costs()``, ``utilization()``: views/notebook.py)."""

    summary: dict[str, Any]
    """The plan's key figures: status, objective, bound, gap, currency, builds, plant decisions, the model's
    size and times (``summary.json``)."""
    tables: Mapping[str, pd.DataFrame]
    """Every table by name (``flows``, ``builds``, ``costs``, ...), each a DataFrame made when first read."""
    scenario: Scenario | None = field(default=None, repr=False, compare=False)
    """The scenario it was solved from, where known (not for a plan read from a folder or the run store): where its
    sites are, for its map."""

    plot = Accessor("plot")
    """``plan.plot.map()``, ``.costs()``, ``.utilization()``: its figures, as plotly Figures (views/notebook.py)."""

    def _repr_html_(self) -> str | None:
        return html_of(self)

    def __post_init__(self) -> None:
        if not isinstance(self.tables, Tables):  # made ones (read from a folder, or stacked) are checked now
            columns = table_columns(self.stacked)
            missing = [name for name in columns if name not in self.tables]
            if missing:
                raise ValueError(f"a {'stacked ' if self.stacked else ''}plan without table(s) {', '.join(missing)}")
            for name in columns:
                _checked(name, self.tables[name], columns)

    @property
    def stacked(self) -> bool:
        """Whether this is a stochastic plan: every future's tables under a ``future`` column."""
        return self.summary.get("kind") == STOCHASTIC

    @property
    def probabilities(self) -> dict[str, float]:
        """A stacked Plan's futures in order, with their probabilities (none for a deterministic one)."""
        return {str(name): float(p) for name, p in self.summary.get("futures", {}).items()} if self.stacked else {}

    def future(self, name: str) -> Plan:
        """A stacked Plan's tables in future ``name``, as that future's own Plan under the stochastic plan's
        decisions (its objective: the future's NPV cost in the regret table)."""
        if name not in self.probabilities:
            raise KeyError(f"no future {name!r}; the plan's futures: {', '.join(self.probabilities)}")
        tables = {table: self.tables[table].loc[lambda frame: frame[FUTURE] == name, list(columns)]
                  .reset_index(drop=True) for table, columns in TABLES.items()}
        regret = self.tables["regret"]
        keys = ("status", "objective_sense", "currency", "horizon", "gap")
        summary = {key: self.summary[key] for key in keys if key in self.summary}
        summary["scenario"] = f"{self.summary.get('scenario', '')} [{name}]"
        summary["objective"] = float(regret.loc[regret["name"] == name, "npv"].iloc[0])
        return Plan(summary, tables, self.scenario)

    @property
    def flows(self) -> pd.DataFrame:
        """Units per plant, product, market and year, with the sourcing and the transport mode (the ``flows`` table)."""
        return self.tables["flows"]

    @property
    def production(self) -> pd.DataFrame:
        """Units made per plant, capacity pool, product and year (the ``production`` table)."""
        return self.tables["production"]

    @property
    def utilization(self) -> pd.DataFrame:
        """Each capacity pool's capacity, units used and share in use, per year (the ``utilization`` table)."""
        return self.tables["utilization"]

    @property
    def builds(self) -> pd.DataFrame:
        """The capacity options built: option, plant, pool, year online, builds, capacity added, capex (the ``builds``
        table)."""
        return self.tables["builds"]

    @property
    def assignments(self) -> pd.DataFrame:
        """Which plant makes which product each year where that is a decision: units, assigned, launched (the
        ``assignments`` table)."""
        return self.tables["assignments"]

    @property
    def demand(self) -> pd.DataFrame:
        """Demand, units served and units lost per product, market and year (the ``demand`` table)."""
        return self.tables["demand"]

    @property
    def costs(self) -> pd.DataFrame:
        """Each cost component per year, undiscounted and discounted; ``discounted`` sums to the objective (the
        ``costs`` table)."""
        return self.tables["costs"]

    @property
    def landed_cost(self) -> pd.DataFrame:
        """Cost per unit by component on every lane and year the plan uses (the ``landed_cost`` table)."""
        return self.tables["landed_cost"]

    @property
    def status(self) -> str:
        """The solver's status: ``optimal``, ``time_limit``, ``interrupted``, ..."""
        return str(self.summary["status"])

    @property
    def objective(self) -> float:
        """The objective: the net present value of all costs (or of profit, when maximizing it), in
        ``summary['currency']``."""
        return float(self.summary["objective"])

    def write(self, folder: str | Path) -> Path:
        """Write every table as CSV and Parquet, and ``summary.json``, into ``folder`` as one whole: a run
        stopped at any moment leaves the folder's earlier results, or these, never a mix. ResultsError
        says why it could not."""
        writers: dict[str, Callable[[Path], None]] = {}
        for name in table_columns(self.stacked):
            table = self.tables[name]
            writers[f"{name}.csv"] = lambda path, t=table: t.to_csv(path, index=False)
            writers[f"{name}.parquet"] = lambda path, t=table: t.to_parquet(path, index=False)
        return write_folder(Path(folder), SUMMARY_FILE, self.summary, writers)

    @classmethod
    def read(cls, folder: str | Path) -> Plan:
        """Read a Plan written by :meth:`write` (Parquet where present, else CSV); ResultsError for a folder
        with a table missing, truncated or changed, naming it."""
        folder = Path(folder)
        summary, present = read_summary(folder, SUMMARY_FILE)
        if summary.get("kind") == SWEEP:
            raise ResultsError(f"{folder}: a sweep's tables (`footprint export SWEEP`), not a plan; export one of its "
                               "futures (SWEEP/FUTURE) to read its plan")
        listed = MANIFEST in summary  # folders written before the manifest list nothing: take what is there
        names = table_columns(summary.get("kind") == STOCHASTIC)
        missing = [name for name in names if not any(
            f"{name}.{kind}" in present or (not listed and (folder / f"{name}.{kind}").is_file())
            for kind in ("parquet", "csv"))]
        written = summary.get(MANIFEST, {})
        tables = {name: empty_table(name, names) for name in missing if name in LATER_TABLES and not any(
            f"{name}.{kind}" in written for kind in ("parquet", "csv"))}  # written before the table was
        missing = [name for name in missing if name not in tables]
        if missing:
            raise ResultsError(f"{folder}: incomplete results, table(s) missing: {', '.join(missing)}")
        files = dict.fromkeys(tables, "")
        for name in (name for name in names if name not in tables):
            parquet = folder / f"{name}.parquet"
            files[name] = parquet.name if parquet.is_file() else f"{name}.csv"
            try:
                tables[name] = with_later_columns(name, pd.read_parquet(parquet) if parquet.is_file()
                                                  else pd.read_csv(folder / files[name]), names)
            except Exception as err:  # pyarrow and pandas raise many kinds for a damaged file
                raise ResultsError(f"{folder}: table {name!r} cannot be read ({type(err).__name__})") from None
        summary = {key: value for key, value in summary.items() if key != MANIFEST}
        tables = {name: tables[name] for name in names}
        try:
            return cls(summary, checked_plan(summary, tables))
        except FieldError as err:
            if err.table is None:
                raise ResultsError(f"{folder}: {SUMMARY_FILE}: {err}") from None
            file = files[err.table]
            row = ("" if err.row is None else f", line {err.row + 2}" if file.endswith(".csv")  # after the header
                   else f", row {err.row + 1}")
            raise ResultsError(f"{folder}: {file}: column {err.column}{row}: {err}") from None
        except ValueError as err:
            raise ResultsError(f"{folder}: {err}") from None
