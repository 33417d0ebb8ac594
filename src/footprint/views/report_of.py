"""What a report is drawn from, found by reference: a stored run (its id, ``latest``, its name, SWEEP/FUTURE; a
sweep or a stochastic plan too), a results folder (``footprint run --out DIR``) or a scenario file (solved here).
``report_of`` returns the whole HTML document, ``page_of`` its page (the document and its figures); ReportError says
in one line why it cannot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from footprint.analysis.compare import CompareError, compare
from footprint.analysis.explain import Explanation, explanations
from footprint.analysis.sensitivity import SensitivityError, Tornado, is_sensitivity, tornado_of
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary, sweep_summary
from footprint.economics.checks import CHECKS
from footprint.optimize.solve import PlanningError
from footprint.plan.levels import Level
from footprint.plan.plan import Plan
from footprint.plan.results import ResultsError
from footprint.plan.store import FAILED, Run, RunStore, StoreError
from footprint.plan.tables import solve
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import Loaded, validate
from footprint.views.page import Page
from footprint.views.report import plan_page
from footprint.views.report_sets import compare_page, stochastic_page, sweep_page

EXPLAIN_FLOWS = 20_000
"""Explain's choices are shown by default for plans with at most this many flows (explain re-solves the scenario)."""
EXPLAIN_PAIRS = 12
"""Market and product pairs explained, the largest by demand."""


class ReportError(Exception):
    """A reference that names nothing to report, or a plan that cannot be drawn: the message says why."""


@dataclass(frozen=True)
class Subject:
    """One plan to report, with its scenario when known, and explain's choices when computed."""

    plan: Plan
    loaded: Loaded | None
    explained: tuple[Explanation, ...] = ()
    run: int | None = None


@dataclass(frozen=True)
class SweepSubject:
    """A stored sweep: its record, its futures and their statistics; a sensitivity sweep's tornado."""

    sweep: Run
    futures: pd.DataFrame
    summary: SweepSummary
    tornado: Tornado | None = None
    """A sweep of `footprint sensitivity`: its futures are each input at its ends, summed up as a tornado (their
    statistics are not those of a distribution)."""


def _is(path: Path, kind: str) -> bool:
    try:
        return path.is_dir() if kind == "dir" else path.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long
        return False


def _scenario(path: str) -> Loaded:
    try:
        return read_scenario(path, CHECKS)
    except ScenarioError as error:
        raise ReportError(error.report()) from None


def pairs(plan: Plan, top: int = EXPLAIN_PAIRS) -> list[tuple[str, str]]:
    """The (market, product) pairs with the most demand, largest first."""
    demand = plan.demand.groupby(["market", "product"])["demand"].sum().sort_values(ascending=False, kind="stable")
    return [(str(market), str(product)) for market, product in demand[demand > 0].index[:top]]


def _explained(plan: Plan, loaded: Loaded | None, explain: bool | None) -> tuple[Explanation, ...]:
    if loaded is None or explain is False or (explain is None and len(plan.flows) > EXPLAIN_FLOWS):
        return ()
    try:
        return tuple(explanations(loaded.scenario, pairs(plan)))
    except PlanningError as error:
        raise ReportError(f"{loaded.source}: explain could not re-solve it: {error}") from None


def subject(reference: str, store: str | None = None, *, scenario: str | None = None,
            explain: bool | None = None) -> Subject | SweepSubject:
    """The plan ``reference`` names, or the stored sweep. ``scenario``: the
    scenario of a results folder (which keeps only the plan)."""
    path = Path(reference)
    if _is(path, "file"):
        loaded = _scenario(reference)
        try:
            plan = solve(loaded.scenario)
        except PlanningError as error:
            raise ReportError(f"{reference}: {error}") from None
        return Subject(plan, loaded, _explained(plan, loaded, explain))
    if _is(path, "dir"):
        try:
            plan = Plan.read(path)
        except ResultsError as error:
            raise ReportError(str(error)) from None
        loaded = _scenario(scenario) if scenario is not None else None
        return Subject(plan, loaded, () if plan.stacked else _explained(plan, loaded, explain))
    try:
        with RunStore(store, create=False) as opened:
            return stored_subject(opened, opened.get(reference), explain)
    except StoreError as error:
        raise ReportError(f"{reference}: not a file, a results folder, nor a stored run: {error}") from None


def stored_subject(opened: RunStore, found: Run, explain: bool | None = None) -> Subject | SweepSubject:
    """A stored run's plan with its scenario (or the stored sweep) to report. StoreError when its plan cannot
    be read."""
    if found.kind == "sweep":
        return stored_sweep(opened, found)
    plan = opened.plan(found.id or 0)
    loaded = stored_scenario(found, plan.stacked)
    return Subject(plan, loaded, () if plan.stacked else _explained(plan, loaded, explain), found.id)


def stored_scenario(found: Run, stacked: bool = False) -> Loaded | None:
    """The scenario a stored run keeps, validated (a stochastic plan's: its base scenario); None where it keeps none
    or one this version cannot read (its plan is then drawn without it)."""
    data = found.scenario_data
    if stacked:  # a stochastic plan keeps its set, and its base scenario beside it
        data = data.get("base") if isinstance(data, dict) else None
    try:
        return None if data is None else validate(Source(data, f"run {found.id} ({found.name})"), CHECKS)
    except ScenarioError:
        return None


def report_of(references: Sequence[str], store: str | None = None, *, scenario: str | None = None,
              explain: bool | None = None, compared: bool = False) -> str:
    """The HTML report of one reference (a plan, a stochastic plan or a sweep), or with ``compared`` of the
    second of two plans against the first (:func:`page_of`'s document). ReportError when it cannot be made."""
    return page_of(references, store, scenario=scenario, explain=explain, compared=compared).html()


def page_of(references: Sequence[str], store: str | None = None, *, scenario: str | None = None,
            explain: bool | None = None, compared: bool = False) -> Page:
    """The report of one reference (a plan, a stochastic plan or a sweep), or with ``compared`` of the second of
    two plans against the first: its page (``.html()`` the document, ``.figures`` its charts). ReportError when
    it cannot be made."""
    if compared != (len(references) == 2) or not 1 <= len(references) <= 2:
        raise ReportError("give one RUN, DIR or FILE to report, or two with --compare")
    found = [subject(reference, store, scenario=scenario, explain=False if compared else explain)
             for reference in references]
    if compared:
        plans = [_plan(one, reference) for one, reference in zip(found, references, strict=True)]
        try:
            return compare_page(compare(*plans))
        except CompareError as error:
            raise ReportError(str(error)) from None
    return report_page(found[0])


def report_page(found: Subject | SweepSubject) -> Page:
    """The report of one subject: a plan, a stochastic plan or a sweep."""
    if isinstance(found, SweepSubject):
        return sweep_page(found.sweep, found.futures, found.summary, found.tornado)
    if found.plan.stacked:
        return stochastic_page(StochasticPlan.of(found.plan, run=found.run), found.loaded)
    return plan_page(found.plan, found.loaded, found.explained)


def report_html(found: Subject | SweepSubject) -> str:
    """The HTML report of one subject: a plan, a stochastic plan or a sweep."""
    return report_page(found).html()


def _plan(found: Subject | SweepSubject, reference: str) -> Plan:
    if isinstance(found, SweepSubject):
        raise ReportError(f"{reference}: a sweep; compare two plans (a sweep's future is SWEEP/FUTURE)")
    return found.plan


def stored_sweep(store: RunStore, sweep: Run, level: Level = Level.STRATEGIC) -> SweepSubject:
    """A stored sweep with its futures and their statistics, the decisions counted at ``level`` (objective sense and
    currency its first plan's), and a sensitivity sweep's tornado (its ends' changes told at ``level``).
    ReportError for a sensitivity sweep whose base has no plan."""
    futures = store.futures(int(sweep.id or 0), level)
    solved = futures[futures["status"] != FAILED]
    first = store.get(int(solved["id"].iloc[0])) if len(solved) else None
    sense = (first.summary or {}).get("objective_sense", "cost") if first is not None else "cost"
    summary = sweep_summary(futures, sense, currency=first.currency if first is not None else None, level=level)
    if not is_sensitivity(sweep):
        return SweepSubject(sweep, futures, summary)
    try:
        return SweepSubject(sweep, futures, summary, tornado_of(futures, int(sweep.id or 0)))
    except SensitivityError as error:
        raise ReportError(f"sweep {sweep.id} ({sweep.name}), a sensitivity sweep: {error}") from None


__all__ = ["EXPLAIN_FLOWS", "ReportError", "Subject", "SweepSubject", "page_of", "pairs", "report_html", "report_of",
           "report_page", "stored_scenario", "stored_subject", "stored_sweep", "subject"]
