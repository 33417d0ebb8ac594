"""A stored sweep written out by `footprint export SWEEP` (and the app's downloads): one table of its futures and
each Plan table with every future's rows stacked under a leading ``future`` column, the layout of a stochastic
plan's tables. One file per table whatever the number of futures (a sweep of 1,000 futures is 12 tables, not
1,000 folders), each read whole by pandas or Excel and filtered or pivoted by future; the futures table joins
them to each future's probability, status, objective and the values it sets.

A results folder (CSV and Parquet, summary.json, written whole or not at all as ``run --out`` writes one) or one
workbook (a summary sheet, the futures sheet, then a sheet per table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from footprint.plan.plan import FUTURE, SUMMARY_FILE, SWEEP, TABLES, stack_plans
from footprint.plan.results import write_folder
from footprint.plan.store import FAILED, Run, RunStore, canonical_json
from footprint.plan.workbook import FUTURES_SHEET, write_sheets

FUTURES_COLUMNS = ("id", "name", "probability", "status", "objective", "currency", "gap", "message", "overrides")
"""The futures table: each future's run id in the store, how it ended, and the values it sets (the overrides as
JSON: ``[["fx.KRW", 1100.0]]``)."""


def sweep_tables(store: RunStore, sweep: Run) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The summary and the tables of stored sweep ``sweep``: ``futures`` first, then each of TABLES stacked
    (the futures with a plan, in the sweep's order)."""
    futures = store.futures(int(sweep.id or 0))
    listed = futures.assign(overrides=futures["overrides"].map(lambda pairs: canonical_json([list(p) for p in pairs])))
    solved = futures[(futures["status"] != FAILED) & futures["decisions"].notna()]
    parts = [(str(row.name), store.plan(int(row.id)).tables) for row in solved.itertuples()]
    stacked = stack_plans(parts) if parts else {name: pd.DataFrame(columns=[FUTURE, *columns])
                                                for name, columns in TABLES.items()}
    currencies = sorted({str(c) for c in futures["currency"].dropna()})
    summary = {"kind": SWEEP, "sweep": sweep.id, "name": sweep.name, "status": sweep.status,
               "futures": len(futures), "with_plan": len(parts), "currency": ", ".join(currencies) or None,
               "message": sweep.message}
    return summary, {FUTURES_SHEET: listed[list(FUTURES_COLUMNS)], **stacked}


def write_sweep(store: RunStore, sweep: Run, target: str | Path) -> Path:
    """Write stored sweep ``sweep`` into ``target``: a results folder, or one workbook when it ends in ``.xlsx``.
    ResultsError or PlanWorkbookError say why it could not (a table longer than a sheet holds: write the folder)."""
    target = Path(target)
    summary, tables = sweep_tables(store, sweep)
    if target.suffix.lower() == ".xlsx":
        return write_sheets(summary, tables, target)
    writers = {}
    for name, table in tables.items():
        writers[f"{name}.csv"] = lambda path, t=table: t.to_csv(path, index=False)
        writers[f"{name}.parquet"] = lambda path, t=table: t.to_parquet(path, index=False)
    return write_folder(target, SUMMARY_FILE, summary, writers)


__all__ = ["FUTURES_COLUMNS", "sweep_tables", "write_sweep"]
