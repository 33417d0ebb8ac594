"""The comparison of two stored runs (analysis.compare), as the tables views/compare.py prints: the same headers
and cells."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from footprint.analysis.compare import compare
from footprint.views.compare import ShownTable, comparison_tables, shown_rows
from footprint.views.report_sets import compare_report
from footprint.web.render import page
from footprint.web.state import state
from footprint.web.tables import MAX_ROWS, HtmlTable

router = APIRouter()


@router.get("/compare")
def compare_page(request: Request, a: str = "", b: str = "") -> Response:
    """Run ``b`` against run ``a`` (each an id, latest, a name or SWEEP/FUTURE); without both, the form."""
    if not a.strip() or not b.strip():
        return page(request, "compare.html", a=a, b=b, comparison=None, tables=[])
    store = state(request).store
    runs = store.get(a.strip()), store.get(b.strip())
    plans = store.plan(a.strip()), store.plan(b.strip())
    comparison = compare(*plans, names=(f"A (run {runs[0].id})", f"B (run {runs[1].id})"))
    tables = [(shown.title, _html(shown)) for shown in comparison_tables(comparison)]
    return page(request, "compare.html", a=a, b=b, runs=runs, comparison=comparison, tables=tables)


UNNAMED = {"kpis": "key figure", "plants": "event"}
"""The heading of a comparison's table's first unnamed column (the terminal leaves it blank)."""


def _html(shown: ShownTable) -> HtmlTable:
    rows = shown_rows(shown)
    columns = tuple(column or UNNAMED.get(shown.name, "") for column in shown.columns)
    return HtmlTable(shown.name, columns, tuple(i >= shown.labels for i in range(len(shown.columns))),
                     tuple(tuple(row) for row in rows[:MAX_ROWS]), max(0, len(rows) - MAX_ROWS))


@router.get("/compare/report")
def compare_report_page(request: Request, a: str, b: str) -> Response:
    """Run ``b`` against run ``a`` drawn: the report `footprint report A B --compare` writes."""
    store = state(request).store
    runs = store.get(a.strip()), store.get(b.strip())
    plans = store.plan(runs[0].id or 0), store.plan(runs[1].id or 0)
    return HTMLResponse(compare_report(compare(*plans, names=(f"A (run {runs[0].id})", f"B (run {runs[1].id})"))))


__all__ = ["router"]
