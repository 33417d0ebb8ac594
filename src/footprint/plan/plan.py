"""A Plan: the solved footprint as labelled tables plus a summary; written to and read from a folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from footprint.plan.results import MANIFEST, ResultsError, read_summary, write_folder

TABLES: dict[str, tuple[str, ...]] = {
    "flows": ("plant", "product", "market", "year", "sourcing", "units"),
    "production": ("plant", "pool", "product", "year", "units"),
    "utilization": ("plant", "pool", "year", "capacity", "used", "share"),
    "builds": ("option", "plant", "pool", "year", "count", "added_capacity", "capex"),
    "plants": ("plant", "year", "open", "opened", "closed"),
    "assignments": ("plant", "product", "year", "units", "assigned", "launched"),
    "demand": ("product", "market", "year", "demand", "served", "lost"),
    "sourcing": ("plant", "product", "option", "year", "units", "fixed_cost"),
    "costs": ("year", "component", "amount", "discounted"),
    "exposure": ("plant", "market", "year", "currency", "component", "amount", "amount_in_currency"),
    "landed_cost": ("plant", "product", "market", "year", "sourcing", "component", "per_unit"),
    "fx_rates": ("currency", "year", "rate", "source"),
}
"""Each table of a Plan and its columns, in order."""

SUMMARY_FILE = "summary.json"


def _checked(name: str, table: pd.DataFrame) -> pd.DataFrame:
    found = tuple(table.columns)
    if found != TABLES[name]:
        raise ValueError(f"table {name!r} has columns {found}, expected {TABLES[name]}")
    return table


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
            self._made[name] = _checked(name, self._makers.pop(name)())
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def __reduce__(self) -> tuple[type, tuple[dict[str, pd.DataFrame]]]:
        return dict, (dict(self.items()),)


@dataclass(frozen=True)
class Plan:
    """What the optimizer decided and what it costs. Amounts are in ``summary['currency']``."""

    summary: dict[str, Any]
    tables: Mapping[str, pd.DataFrame]

    def __post_init__(self) -> None:
        if not isinstance(self.tables, Tables):  # made ones (read from a folder) are checked now
            for name in TABLES:
                _checked(name, self.tables[name])

    @property
    def flows(self) -> pd.DataFrame:
        return self.tables["flows"]

    @property
    def production(self) -> pd.DataFrame:
        return self.tables["production"]

    @property
    def utilization(self) -> pd.DataFrame:
        return self.tables["utilization"]

    @property
    def builds(self) -> pd.DataFrame:
        return self.tables["builds"]

    @property
    def assignments(self) -> pd.DataFrame:
        return self.tables["assignments"]

    @property
    def demand(self) -> pd.DataFrame:
        return self.tables["demand"]

    @property
    def costs(self) -> pd.DataFrame:
        return self.tables["costs"]

    @property
    def landed_cost(self) -> pd.DataFrame:
        return self.tables["landed_cost"]

    @property
    def status(self) -> str:
        return str(self.summary["status"])

    @property
    def objective(self) -> float:
        return float(self.summary["objective"])

    def write(self, folder: str | Path) -> Path:
        """Write every table as CSV and Parquet, and ``summary.json``, into ``folder`` as one whole: a run
        stopped at any moment leaves the folder's earlier results, or these, never a mix. ResultsError
        says why it could not."""
        writers: dict[str, Callable[[Path], None]] = {}
        for name, table in self.tables.items():
            writers[f"{name}.csv"] = lambda path, t=table: t.to_csv(path, index=False)
            writers[f"{name}.parquet"] = lambda path, t=table: t.to_parquet(path, index=False)
        return write_folder(Path(folder), SUMMARY_FILE, self.summary, writers)

    @classmethod
    def read(cls, folder: str | Path) -> Plan:
        """Read a Plan written by :meth:`write` (Parquet where present, else CSV); ResultsError for a folder
        with a table missing, truncated or changed, naming it."""
        folder = Path(folder)
        summary, present = read_summary(folder, SUMMARY_FILE)
        listed = MANIFEST in summary  # folders written before the manifest list nothing: take what is there
        missing = [name for name in TABLES if not any(
            f"{name}.{kind}" in present or (not listed and (folder / f"{name}.{kind}").is_file())
            for kind in ("parquet", "csv"))]
        if missing:
            raise ResultsError(f"{folder}: incomplete results, table(s) missing: {', '.join(missing)}")
        tables = {}
        for name in TABLES:
            parquet = folder / f"{name}.parquet"
            try:
                tables[name] = pd.read_parquet(parquet) if parquet.is_file() else pd.read_csv(folder / f"{name}.csv")
            except Exception as err:  # pyarrow and pandas raise many kinds for a damaged file
                raise ResultsError(f"{folder}: table {name!r} cannot be read ({type(err).__name__})") from None
        summary = {key: value for key, value in summary.items() if key != MANIFEST}
        try:
            return cls(summary, tables)
        except ValueError as err:
            raise ResultsError(f"{folder}: {err}") from None
