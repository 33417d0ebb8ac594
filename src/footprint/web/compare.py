"""Runs compared: two runs as the tables views/compare.py prints (the same headers and cells), or any number side
by side (each against the first: its key figures, and what each builds, opens and closes); every table shown is a
download (CSV or Excel)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from footprint.analysis.compare import CompareError, compare
from footprint.plan.store import Run
from footprint.views.compare import ShownTable, comparison_tables, shown_rows
from footprint.views.report_sets import compare_report
from footprint.web.downloads import table_file
from footprint.web.render import page
from footprint.web.state import state
from footprint.web.tables import MAX_ROWS, HtmlTable

router = APIRouter()
UNNAMED = {"kpis": "key figure", "plants": "event"}
"""The heading of a comparison's table's first unnamed column (the terminal leaves it blank)."""
SIDE_BY_SIDE = ("kpis", "builds", "plants")
"""The tables of runs side by side: each run's column from its comparison with the first."""
MAX_SIDE_BY_SIDE = 20
Runs = Annotated[list[str], Query(alias="run")]


@router.get("/compare")
def compare_page(request: Request, a: str = "", b: str = "", runs: Runs = []) -> Response:  # noqa: B006
    """Run ``b`` against run ``a`` (each an id, latest, a name or SWEEP/FUTURE), or the ``run``s side by side
    (two or more); without them, the form."""
    given = _given(a, b, runs)
    if len(given) < 2:
        return page(request, "compare.html", a=a, b=b, given=given, comparison=None, tables=[], stored=[])
    stored, comparison, tables = _compared(request, given)
    return page(request, "compare.html", a=a, b=b, given=given, stored=stored, comparison=comparison, tables=tables,
                query="&".join(f"run={run.id}" for run in stored))


@router.get("/compare/tables/{table}.{suffix}")
def compare_download(request: Request, table: str, suffix: str, a: str = "", b: str = "",
                     runs: Runs = []) -> Response:  # noqa: B006
    """One table of a comparison (as its page shows it) as CSV or as an Excel workbook of one sheet."""
    _, _, tables = _compared(request, _given(a, b, runs))
    found = {shown.name: shown for _, shown in tables}
    if table not in found or suffix not in ("csv", "xlsx"):
        raise CompareError(f"this comparison has no table {table}.{suffix}; its tables are {', '.join(found)}, "
                           "each as .csv or .xlsx")
    shown = found[table]
    frame = pd.DataFrame(list(shown.rows), columns=list(shown.columns))
    return table_file(frame, f"compare-{table}.{suffix}", table, suffix)


@router.get("/compare/report")
def compare_report_page(request: Request, a: str, b: str) -> Response:
    """Run ``b`` against run ``a`` drawn: the report `footprint report A B --compare` writes."""
    store = state(request).store
    runs = store.get(a.strip()), store.get(b.strip())
    plans = store.plan(runs[0].id or 0), store.plan(runs[1].id or 0)
    return HTMLResponse(compare_report(compare(*plans, names=(f"A (run {runs[0].id})", f"B (run {runs[1].id})"))))


def _given(a: str, b: str, runs: list[str]) -> list[str]:
    """The runs asked for: ``run`` (side by side, the oldest of them by id the reference) where two or more, else
    ``a`` and ``b``."""
    listed = sorted((run.strip() for run in runs if run.strip()), key=lambda run: (not run.isdigit(), len(run), run))
    return listed if len(listed) >= 2 else [run for run in (a.strip(), b.strip()) if run]


def _compared(request: Request, given: list[str]) -> tuple[list[Run], object, list[tuple[str, HtmlTable]]]:
    """The runs, the comparison of two (None for more) and the tables their page shows."""
    if len(given) > MAX_SIDE_BY_SIDE:
        raise CompareError(f"{len(given)} runs: at most {MAX_SIDE_BY_SIDE} are compared side by side")
    store = state(request).store
    stored = [store.get(run) for run in given]
    plans = [store.plan(run.id or 0) for run in stored]
    names = [f"run {run.id}" for run in stored]
    if len(stored) == 2:
        comparison = compare(*plans, names=(f"A (run {stored[0].id})", f"B (run {stored[1].id})"))
        return stored, comparison, [(shown.title, _html(shown)) for shown in comparison_tables(comparison)]
    against = [comparison_tables(compare(plans[0], plan, names=(names[0], name)))
               for plan, name in zip(plans[1:], names[1:], strict=True)]
    return stored, None, [(title, table) for title, table in _side_by_side(names, against)]


def _side_by_side(names: list[str], against: list[list[ShownTable]]) -> list[tuple[str, HtmlTable]]:
    """Each of SIDE_BY_SIDE with a column per run: its rows (by their labels) from every comparison with the first
    run; a run whose comparison lacks a row takes the first run's value (the row did not differ)."""
    made = []
    for name in SIDE_BY_SIDE:
        tables = [next(shown for shown in shown_tables if shown.name == name) for shown_tables in against]
        values: dict[tuple[str, ...], list[str | None]] = {}
        first = tables[0]
        position = first.columns.index(names[0])
        for index, shown in enumerate(tables):
            for row in shown_rows(shown):
                key = tuple(row[:position])
                cells = values.setdefault(key, [None] * len(names))
                cells[0] = row[position]
                cells[index + 1] = row[position + 1]
        rows = tuple((*key, *(cell if cell is not None else cells[0] or "" for cell in cells))
                     for key, cells in values.items())
        labels = tuple(column or UNNAMED.get(name, "") for column in first.columns[:position])
        made.append((first.title, HtmlTable(name, (*labels, *names),
                                            tuple(i >= len(labels) for i in range(len(labels) + len(names))),
                                            rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS))))
    return made


def _html(shown: ShownTable) -> HtmlTable:
    rows = shown_rows(shown)
    columns = tuple(column or UNNAMED.get(shown.name, "") for column in shown.columns)
    return HtmlTable(shown.name, columns, tuple(i >= shown.labels for i in range(len(shown.columns))),
                     tuple(tuple(row) for row in rows[:MAX_ROWS]), max(0, len(rows) - MAX_ROWS))


__all__ = ["router"]
