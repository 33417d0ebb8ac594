"""Pages of the run store: the runs and sweeps (searchable, a page at a time), a run with its summary, key
tables (a stochastic plan's decisions made now first) and downloads, a sweep with its futures, and the place of
a run's report."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import fastapi
import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from footprint.analysis.sensitivity import SensitivityError, is_sensitivity, tornado_of
from footprint.analysis.stochastic import StochasticPlan
from footprint.plan.levels import Level
from footprint.plan.plan import TABLES, Plan, table_columns
from footprint.plan.store import MAX_ID, Run, RunStore, StoreError
from footprint.plan.sweep_export import sweep_tables, write_sweep
from footprint.plan.workbook import FUTURES_SHEET, PlanWorkbookError, write_workbook
from footprint.views.flow_diagram import has_tiers
from footprint.views.labels import money
from footprint.views.page import Section
from footprint.views.report import flow_section, map_section
from footprint.views.report_of import report_html, stored_scenario, stored_subject
from footprint.views.stochastic import decided_now_tables, decided_when
from footprint.views.tornado import AMOUNTS, COLUMNS, tornado_rows, tornado_title
from footprint.web.downloads import CSV, XLSX, attachment, table_file
from footprint.web.render import page
from footprint.web.state import state
from footprint.web.tables import HtmlTable, html_table, label

router = APIRouter()
PAGE_SIZE = 50
KEY_TABLES = {"builds": "Capacity built (builds)", "plants": "Plants open, opened and closed (plants)",
              "utilization": "Capacity used (utilization)", "costs": "Costs by year and component (costs)",
              "demand": "Demand served and lost (demand)", "regret": "Regret in each future (regret)"}
"""The tables a run's page shows (those its Plan has), with their headings; every table is a download."""
MAX_LISTED = 1_000_000
"""Runs the runs' download lists at most."""
LISTED_KINDS = {"run": "runs", "stochastic": "stochastic plans", "sweep": "sweeps", "future": "futures"}
"""The kinds the runs page filters by, and their names in its list."""
UNPLACED = ("The scenario of this run is not stored with it, or this version cannot read it: its sites and markets "
            "cannot be placed on the map.")
"""The map's note for a stored run without a scenario to place its nodes."""
TIER_TABLES = {"supplies": "Purchases from suppliers (supplies)",
               "transfers": "Components made and moved between plants (transfers)",
               "inbound": "Products into distribution centres (inbound)",
               "deliveries": "Products from distribution centres to markets (deliveries)",
               "modes": "Transport modes used, by lane and year (modes)",
               "sites": "Suppliers and distribution centres by year (sites)",
               "single_sources": "Single sources (single_sources)", "claims": "Preferences claimed (claims)",
               "part_claims": "Preferences claimed for parts sent between plants (part_claims)",
               "rvc": "Regional value content (rvc)"}
"""The tables a run's page shows beside KEY_TABLES when its plan has tiers beyond plants and markets (each that has
rows), with their headings; the table's name in brackets is its download's."""
SWEEP_TABLES = (FUTURES_SHEET, *TABLES)
"""The tables a sweep's page offers: its futures, and each table with every future's rows."""
RunId = Annotated[int, fastapi.Path(ge=1, le=MAX_ID, description="a run's id")]
"""A run's id in a page's path: a number the store can hold (a larger one is a bad request, not a crash)."""


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/runs", status_code=303)


@router.get("/runs")
def runs_page(request: Request, search: str = "", kind: str = "",
              page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1) -> Response:
    """The store's runs and sweeps newest first, PAGE_SIZE at a time; ``search`` a part of the name."""
    listed_kind = kind if kind in LISTED_KINDS else None
    store = state(request).store
    runs = store.runs(listed_kind, search.strip() or None, limit=PAGE_SIZE + 1,
                      offset=(page_number - 1) * PAGE_SIZE)
    return page(request, "runs.html", runs=runs.head(PAGE_SIZE).to_dict("records"), store=store.label,
                search=search, kind=listed_kind or "", kinds=LISTED_KINDS, page_number=page_number,
                more=len(runs) > PAGE_SIZE)


@router.get("/runs.csv")
def runs_download(request: Request, search: str = "", kind: str = "") -> Response:
    """Every run and sweep the runs page lists (not only a page of them), newest first, as CSV."""
    listed_kind = kind if kind in LISTED_KINDS else None
    runs = state(request).store.runs(listed_kind, search.strip() or None, limit=MAX_LISTED)
    return attachment(runs.to_csv(index=False).encode("utf-8"), "runs.csv", CSV)


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: RunId) -> Response:
    """A run: its summary, key tables and downloads; a sweep: its futures."""
    store = state(request).store
    run = store.get(run_id)
    if run.kind == "sweep":
        return _sweep_page(request, run)
    plan = store.plan(run_id) if run.has_plan else None
    tables = [] if plan is None else [html_table(name, plan.tables[name], title=title)
                                      for name, title in KEY_TABLES.items() if name in table_columns(plan.stacked)]
    drawn: list[Section] = []
    if plan is not None and has_tiers(plan.tables):
        tables += [html_table(name, plan.tables[name], title=title) for name, title in TIER_TABLES.items()
                   if len(plan.tables[name])]
        if not plan.stacked:  # a stochastic plan's futures are drawn in its report
            drawn = [map_section(plan, stored_scenario(run), UNPLACED), flow_section(plan)]
    if plan is not None and plan.stacked:  # first what it decides now, as a run's page shows a plan's decisions
        stochastic = StochasticPlan.of(plan, run=run_id)
        when = decided_when(stochastic)
        tables[:0] = [html_table(f"{title} ({when})", pd.DataFrame(rows, columns=columns))
                      for title, columns, rows in decided_now_tables(stochastic, money)]
    return page(request, "run.html", run=run, facts=facts(run, plan), tables=tables, drawn=drawn,
                downloads=list(table_columns(plan.stacked)) if plan is not None else [])


def _sweep_page(request: Request, run: Run) -> Response:
    """A sweep: its futures, and a sensitivity sweep's tornado (as `footprint sweep-summary` prints it)."""
    futures = state(request).store.futures(run.id or 0, Level.STRATEGIC)  # a tornado's changes, as the CLI's default
    table, title, reasons, problem = None, None, [], None
    if is_sensitivity(run):
        try:
            tornado = tornado_of(futures, run.id or 0)
        except SensitivityError as error:  # its base has no plan: the futures below say why
            problem = f"a sensitivity sweep without a tornado: {error}"
        else:
            rows, reasons = tornado_rows(tornado)
            table = HtmlTable("tornado", COLUMNS, tuple(column in AMOUNTS for column in COLUMNS),
                              tuple(tuple(row) for row in rows), 0)
            title = tornado_title(tornado)
    return page(request, "sweep.html", run=run, facts=facts(run, None), tornado=table, downloads=SWEEP_TABLES,
                title=title, reasons=reasons, problem=problem,
                futures=futures.drop(columns=["decisions", "overrides"]).to_dict("records"))


@router.get("/runs/{run_id}/report")
def report_page(request: Request, run_id: RunId) -> Response:
    """The run's self-contained HTML report (views/report_of.py: a plan, a stochastic plan or a sweep), as
    `footprint report RUN` writes it; a run without a plan gets its summary."""
    store = state(request).store
    run = store.get(run_id)
    if not run.has_plan and run.kind != "sweep":
        return page(request, "report.html", run=run, facts=facts(run, None))
    return HTMLResponse(report_html(stored_subject(store, run)))


@router.get("/runs/{run_id}/tables/{table}.{suffix}")
def table_download(request: Request, run_id: RunId, table: str, suffix: str) -> Response:
    """One table of a run (or of a sweep: its futures, or a table of every future's rows) as CSV or as an Excel
    workbook of one sheet."""
    store = state(request).store
    run = store.get(run_id)
    tables = _tables(store, run)
    if table not in tables or suffix not in ("csv", "xlsx"):
        raise StoreError(f"{run.kind} {run_id} has no table {table}.{suffix}; its tables are "
                         f"{', '.join(tables)}, each as .csv or .xlsx")
    frame = tables[table]
    return table_file(frame, f"{run.kind}-{run_id}-{table}.{suffix}", table, suffix)


@router.get("/runs/{run_id}/plan.xlsx")
def plan_download(request: Request, run_id: RunId) -> Response:
    """Every table of a run in one workbook, as `footprint export RUN -o FILE.xlsx` writes it."""
    plan = state(request).store.plan(run_id)
    with tempfile.TemporaryDirectory(prefix="footprint-download-") as folder:
        path = Path(folder) / "plan.xlsx"
        try:
            write_workbook(plan, path)
        except PlanWorkbookError as error:
            raise StoreError(str(error)) from None
        return attachment(path.read_bytes(), f"run-{run_id}.xlsx", XLSX)


@router.get("/runs/{run_id}/sweep.xlsx")
def sweep_download(request: Request, run_id: RunId) -> Response:
    """Every table of a sweep in one workbook, as `footprint export SWEEP -o FILE.xlsx` writes it."""
    store = state(request).store
    run = store.get(run_id)
    if run.kind != "sweep":
        raise StoreError(f"run {run_id} is a {run.kind}, not a sweep; its tables are in /runs/{run_id}/plan.xlsx")
    with tempfile.TemporaryDirectory(prefix="footprint-download-") as folder:
        path = Path(folder) / "sweep.xlsx"
        try:
            write_sweep(store, run, path)
        except PlanWorkbookError as error:
            raise StoreError(f"{error}: `footprint export {run_id} --out FOLDER` writes them") from None
        return attachment(path.read_bytes(), f"sweep-{run_id}.xlsx", XLSX)


def _tables(store: RunStore, run: Run) -> Mapping[str, pd.DataFrame]:
    """The tables a run's downloads offer: its Plan's, or a sweep's (its futures, then every future's rows)."""
    if run.kind == "sweep":
        return sweep_tables(store, run)[1]
    plan = store.plan(run.id or 0)
    return {name: plan.tables[name] for name in table_columns(plan.stacked)}


def facts(run: Run, plan: Plan | None) -> list[tuple[str, Any]]:
    """The summary of a run as label and value: what it is, how it ended, what it costs, how big it was."""
    listed: list[tuple[str, Any]] = [("id", label(run.id)), ("kind", (plan.summary.get("kind") if plan else None)
                                                            or run.kind), ("name", run.name), ("status", run.status)]
    if run.objective is not None:
        sense = (run.summary or {}).get("objective_sense")
        listed.append(("NPV profit" if sense == "maximize_profit" else "NPV cost",
                       f"{run.objective:,.2f} {run.currency or ''}".strip()))
    if run.gap:
        listed.append(("gap", f"{run.gap:.4%}"))
    if plan is not None:
        s = plan.summary
        listed += [(label, s[key]) for key, label in (("variables", "variables"),
                                                      ("integer_variables", "integer variables"),
                                                      ("constraints", "constraints")) if key in s]
    listed += [(label, f"{value:.2f} s") for label, value in (("built in", run.build_seconds),
                                                             ("solved in", run.solve_seconds)) if value is not None]
    if run.sweep is not None:
        listed.append(("sweep", label(run.sweep)))
    if run.message:
        listed.append(("message", run.message))
    listed += [("created (UTC)", f"{run.created:%Y-%m-%d %H:%M:%S}" if run.created else ""),
               ("footprint", run.version)]
    return listed


__all__ = ["PAGE_SIZE", "facts", "router"]
