"""A Plan: the solved footprint as labelled tables plus a summary; written to and read from a folder."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

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
        """Write every table as CSV and Parquet, and ``summary.json``; each file atomically."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            _atomic(folder / f"{name}.csv", lambda path, t=table: t.to_csv(path, index=False))
            _atomic(folder / f"{name}.parquet", lambda path, t=table: t.to_parquet(path, index=False))
        text = json.dumps(self.summary, indent=2, default=_json_default)
        _atomic(folder / SUMMARY_FILE, lambda path: Path(path).write_text(text + "\n", encoding="utf-8"))
        return folder

    @classmethod
    def read(cls, folder: str | Path) -> Plan:
        """Read a Plan written by :meth:`write` (Parquet where present, else CSV)."""
        folder = Path(folder)
        summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        tables = {}
        for name in TABLES:
            parquet = folder / f"{name}.parquet"
            tables[name] = pd.read_parquet(parquet) if parquet.exists() else pd.read_csv(folder / f"{name}.csv")
        return cls(summary, tables)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _atomic(path: Path, write: Any) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
