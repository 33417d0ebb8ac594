"""The comparison of two stored runs (analysis.compare), drawn as the tables views/compare.py prints."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from footprint.analysis.compare import compare
from footprint.views.report_sets import compare_report
from footprint.web.render import page
from footprint.web.state import state
from footprint.web.tables import html_table

router = APIRouter()
SECTIONS = (("kpis", "Key figures"), ("builds", "Builds"), ("plants", "Plant decisions"),
            ("assignments", "Assignments"), ("flows", "Supply moved"), ("costs", "Costs by component"),
            ("currencies", "Costs by currency"))


@router.get("/compare")
def compare_page(request: Request, a: str = "", b: str = "") -> Response:
    """Run ``b`` against run ``a`` (each an id, latest, a name or SWEEP/FUTURE); without both, the form."""
    if not a.strip() or not b.strip():
        return page(request, "compare.html", a=a, b=b, comparison=None, tables=[])
    store = state(request).store
    runs = store.get(a.strip()), store.get(b.strip())
    plans = store.plan(a.strip()), store.plan(b.strip())
    comparison = compare(*plans, names=(f"A (run {runs[0].id})", f"B (run {runs[1].id})"))
    tables = [(title, html_table(name, getattr(comparison, name))) for name, title in SECTIONS]
    return page(request, "compare.html", a=a, b=b, runs=runs, comparison=comparison, tables=tables)


@router.get("/compare/report")
def compare_report_page(request: Request, a: str, b: str) -> Response:
    """Run ``b`` against run ``a`` drawn: the report `footprint report A B --compare` writes."""
    store = state(request).store
    runs = store.get(a.strip()), store.get(b.strip())
    plans = store.plan(runs[0].id or 0), store.plan(runs[1].id or 0)
    return HTMLResponse(compare_report(compare(*plans, names=(f"A (run {runs[0].id})", f"B (run {runs[1].id})"))))


__all__ = ["router"]
