"""The HTML reports of many plans at once: a stored sweep (the objective's distribution, how often each decision
is taken, the tornado of a sensitivity sweep), a stochastic plan (its here-and-now decisions, VSS, EVPI, the value of
waiting, the regret table) and a comparison of two plans. Same page as a plan's report (views/page.py)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from footprint.analysis.compare import Comparison
from footprint.analysis.expected import expected_plan
from footprint.analysis.sensitivity import Tornado
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary, sweep_summary
from footprint.plan.decisions import Level, by_future
from footprint.plan.store import Run
from footprint.scenario.formats.validation import Loaded
from footprint.views import charts, figures
from footprint.views.compare import comparison_tables, shown_rows
from footprint.views.labels import component_label, money
from footprint.views.page import Page, Section, Table, drawn
from footprint.views.report import map_section, plan_sections
from footprint.views.stochastic import (
    choice_tables,
    decided_now_plan,
    decided_now_tables,
    decided_when,
    measure_notes,
    shown,
)
from footprint.views.sweep_summary import frequency_text, share_text
from footprint.views.tornado import COLUMNS, tornado_rows, tornado_title

"""The series of the chart of how often each decision is taken."""
_STATISTICS = {"mean": "mean", "std": "standard deviation", "min": "lowest", "max": "highest",
               "cvar90": "CVaR 90% (mean of the worst 10%)", "cvar95": "CVaR 95% (mean of the worst 5%)"}


def _amount(value: float | None, currency: str) -> str:
    return "-" if value is None or pd.isna(value) else money(value, currency)


def _tornado(tornado: Tornado) -> Section:
    """A sensitivity sweep's bars, largest swing first, and its table: the NPV at each end, the swing, and what the
    decisions do there."""
    section = Section("tornado", "Tornado", brief=True)
    section.figures.append(drawn("tornado", figures.tornado_figure(tornado)))
    rows, reasons = tornado_rows(tornado)
    section.tables.append(Table(tornado_title(tornado), list(COLUMNS), rows,
                                "; ".join(f"({number}) {reason}" for number, reason in enumerate(reasons, 1))))
    section.notes.append("Each input at its low and at its high, the others at their values (a per-year series "
                         "moves as one). Decisions: what each end builds, opens, closes or assigns (+) and no "
                         "longer does (-) against the base. An end without a plan has no bar; its swing counts as "
                         "the largest.")
    return section


def spread_facts(summary: SweepSummary, what: str, mean: bool = True) -> list[tuple[str, str]]:
    """The NPV's spread over the futures with a plan, as key figures: its mean (with ``mean``), the 5th to the 95th
    percentile and the lowest to the highest."""
    if not summary.solved:
        return [(what, "no future has a plan")]
    currency = summary.currency or ""
    npv = summary.npv
    return [*([(f"{what}, mean over the futures", money(float(npv["mean"]), currency))] if mean else []),
            (f"{what}, 5th to 95th percentile", f"{money(float(npv['p5']), currency)} to "
                                                f"{money(float(npv['p95']), currency)}"),
            (f"{what}, lowest to highest", f"{money(float(npv['min']), currency)} to "
                                           f"{money(float(npv['max']), currency)}")]


def frequency_section(summary: SweepSummary, title: str) -> Section:
    """How often the futures take each decision, by year: the capacity built and the plants, suppliers and
    facilities opened or closed (a chart of the shares, and a table of them with the finer levels' decisions)."""
    section = Section("decision", title, brief=True)
    if figures.decision_shares(summary):
        section.figures.append(drawn("decisions", figures.decision_bars(summary)))
        section.notes.append("Each decision in each year it is taken; where the futures take it in several "
                             "years, also the share that take it in any year.")
    rows = [[f"capacity built: {option}", frequency_text(list(zip(group["year"], group["count"], group["probability"],
                                                                  strict=True)))]
            for option, group in summary.builds.groupby("option", sort=True)]
    rows += [[f"{plant} {event}", frequency_text(list(zip(group["year"], [1] * len(group), group["probability"],
                                                           strict=True)))]
             for (plant, event), group in summary.plants.groupby(["plant", "event"], sort=True)]
    rows += [[f"assigned: {r.plant} {r.product} {r.year}", share_text(r.probability)]
             for r in summary.assignments.itertuples()]
    rows += [[f"single source: {r.product} for {r.market} from {r.plant} {r.year}", share_text(r.probability)]
             for r in summary.single_sources.itertuples()]
    section.tables.append(Table("Decisions by year", ["decision", "in the futures"], rows, open=True))
    if not rows:
        section.notes.append(f"Every future with a plan takes the same decisions ({summary.level} level).")
    return section


def sweep_page(sweep: Run, futures: pd.DataFrame, summary: SweepSummary, tornado: Tornado | None = None) -> Page:
    """The report of a stored sweep: ``futures`` as RunStore.futures gives them, ``summary`` their statistics
    (analysis/summary.py sweep_summary); a sensitivity sweep's ``tornado`` in place of the statistics (its
    futures are each input at its ends, not draws of a distribution). It leads with how often each decision is
    taken and the NPV's spread."""
    currency = summary.currency or ""
    what = "NPV profit" if summary.objective_sense == "maximize_profit" else "NPV cost"
    facts = [("sweep", f"{sweep.id} ({sweep.name})"), ("status", sweep.status),
             ("futures", f"{summary.futures:,}, {summary.solved:,} with a plan "
                         f"({summary.probability_solved:.1%} of the probability)")]
    failed = Table("Futures without a plan", ["status", "reason", "futures", "probability"],
                   [[r.status, r.message or "-", f"{r.futures:,}", f"{r.probability:.1%}"]
                    for r in summary.failed.itertuples()], open=True)
    if tornado is not None:
        facts[2] = ("futures", f"{summary.futures:,}: the base and each of {len(tornado.bars):,} inputs at its low "
                               f"and its high, {summary.solved:,} with a plan")
        facts.append(("base", _amount(tornado.base_objective, currency)))
        section = _tornado(tornado)
        if len(summary.failed):
            section.tables.append(failed)
        return Page(f"Sensitivity: {sweep.name}", facts, [section])
    distribution = Section("npv", f"{what} over the futures", brief=True)
    if summary.solved:
        distribution.figures.append(drawn("npv", figures.npv_histogram(futures, summary)))
        distribution.tables.append(Table(f"{what} in the futures with a plan", ["", what],
                                         [[_STATISTICS.get(str(k), f"percentile {str(k)[1:]}"), _amount(v, currency)]
                                          for k, v in summary.npv.items()]))
    if len(summary.failed):
        distribution.tables.append(failed)
    return Page(f"Sweep: {sweep.name}", [*facts, *spread_facts(summary, what)],
                [frequency_section(summary, "How often each decision is taken"), distribution])


def sweep_report(sweep: Run, futures: pd.DataFrame, summary: SweepSummary, tornado: Tornado | None = None) -> str:
    """The report of a stored sweep as one HTML document (:func:`sweep_page`)."""
    return sweep_page(sweep, futures, summary, tornado).html()


def futures_summary(plan: StochasticPlan) -> SweepSummary:
    """A stochastic plan's futures summed up as a sweep's are: each future's NPV under the plan, and how often
    the futures take each decision (those decided now in every one, a revision in some)."""
    decided = by_future(plan.plan, Level.STRATEGIC)
    futures = plan.futures
    frame = pd.DataFrame({"name": futures["name"].astype(str), "probability": futures["probability"],
                          "status": "optimal", "objective": futures["npv"],
                          "decisions": [decided[str(name)] for name in futures["name"]], "message": ""})
    return sweep_summary(frame, str(plan.plan.summary.get("objective_sense", "cost")),
                         currency=str(plan.plan.summary["currency"]), level=Level.STRATEGIC)


def stochastic_page(plan: StochasticPlan, loaded: Loaded | None = None) -> Page:
    """The report of a stochastic plan: the decisions made now and how often the futures take each decision (by
    year), the NPV's spread over the futures and its measures; each future's NPV under it (the regret table), the
    revisions, and the first future's plan drawn as a plan's report draws it."""
    currency = str(plan.plan.summary["currency"])
    first = next(iter(plan.plan.probabilities))
    summary = futures_summary(plan)
    facts = [("scenario", str(plan.plan.summary.get("scenario", ""))), ("status", plan.status),
             ("method", plan.method), ("objective (RP)", money(plan.objective, currency)),
             ("expected NPV cost", money(plan.expected, currency)), *spread_facts(summary, "NPV cost", mean=False),
             ("wait and see (WS)", _amount(plan.wait_and_see, currency)),
             ("expected value (EV)", _amount(plan.expected_value, currency)),
             ("EV plan in every future (EEV)", _amount(plan.expected_of_expected_value, currency)),
             ("EVPI (RP - WS)", _amount(shown(plan, "EVPI"), currency)),
             ("VSS (EEV - RP)", _amount(shown(plan, "VSS"), currency)),
             ("value of waiting", _amount(plan.waiting, currency) + ("" if plan.revise_from is None
                                                                     else f" (revising from {plan.revise_from})")),
             ("risk", f"weight {plan.risk_weight:g}, CVaR at {plan.alpha:g}"),
             *_decision_facts(plan), *(("note", note) for note in measure_notes(plan, currency))]
    when = decided_when(plan)
    now = Section("now", f"Decided now ({'here and now' if plan.revise_from is None else when})", brief=True)
    now.tables.extend(Table(title, columns, rows, open=True) if rows else Table(title, ["none"], [], open=True)
                      for title, columns, rows in decided_now_tables(plan, money))
    if len(plan.futures) > 1:
        now.notes.append("capex: the futures' probability-weighted mean (their exchange rates move it).")
    if plan.revise_from is not None:
        now.notes.append(f"From {plan.revise_from} on each future decides for itself: see how often each decision "
                         "is taken below, each future's revisions, and the plan's tables by future.")
    often = frequency_section(summary, "How often each decision is taken in the futures")
    regret = Section("regret", "Each future under the plan (regret)")
    futures = plan.futures
    regret.figures.append(drawn("regret", figures.regret_bars(plan)))
    regret.notes.append("What each future pays for not being known in advance, under this plan and under the mean "
                        "future's (EV) plan: the futures' NPV costs themselves are in the table, their differences "
                        "would not show beside them.")
    regret.tables.append(Table("Regret table", ["future", "probability", "under the plan", "own optimum", "regret",
                                                "under the EV plan"],
                               [[r.name, f"{r.probability:.1%}", _amount(r.npv, currency), _amount(r.own, currency),
                                 _amount(r.npv - r.own, currency), _amount(r.ev_plan, currency)]
                                for r in futures.itertuples()]))
    for name, text in plan.revised.items():
        regret.notes.append(f"{name} revises: {text}")
    drawn_plan = [section for section in plan_sections(plan.plan.future(first), loaded) if section.id != "decision"]
    sections = [now, often, regret, *(_plan_map(plan, loaded) if section.id == "map" else
                                      replace(section, title=f"{section.title} (future {first})", brief=False)
                                      for section in drawn_plan)]
    return Page(f"Stochastic plan: {plan.plan.summary.get('scenario', '')}", facts, sections)


def stochastic_report(plan: StochasticPlan, loaded: Loaded | None = None) -> str:
    """The report of a stochastic plan as one HTML document (:func:`stochastic_page`)."""
    return stochastic_page(plan, loaded).html()


def _plan_map(plan: StochasticPlan, loaded: Loaded | None) -> Section:
    """A stochastic plan's map: the plan itself, its expected plan (the decisions taken in every future, the flows
    weighted by the futures' probabilities), not one future's."""
    section = map_section(expected_plan(plan.plan), loaded)
    section.notes.insert(0, "The plan: what it decides in every future (sites open, capacity) and its expected flows "
                            "(each future's weighted by its probability).")
    return replace(section, title="Map (the plan: decisions in every future, expected flows)")


def _decision_facts(plan: StochasticPlan) -> list[tuple[str, str]]:
    """The key figures of the decisions made now: plants opened and closed, builds, products assigned, sourcing."""
    now = decided_now_plan(plan.plan)
    when = decided_when(plan)
    facts = []
    for what, key, name in (("plants", "plant_decisions", "plant"), ("suppliers and facilities", "site_decisions",
                                                                       "site")):
        decisions = now.summary.get(key, [])
        facts += [(f"{what} {verb} ({when})", ", ".join(f"{d[name]} {d[verb]}" for d in decisions
                                                         if d[verb] is not None) or "none")
                  for verb in ("opened", "closed") if decisions]
    builds = now.builds
    facts.append((f"capacity built ({when})", f"{int(builds['count'].sum()):,} build(s) of "
                                              f"{builds['option'].nunique():,} option(s)"))
    for title, _, rows in choice_tables(now):
        facts.append((f"{title.lower()} ({when})", f"{len(rows):,}"))
    return facts


def compare_page(comparison: Comparison) -> Page:
    """The differences of two plans (analysis/compare.py), drawn, and the tables `footprint compare` prints; it
    leads with what changed (the decisions that differ) and what it is worth (the key figures side by side)."""
    a, b = comparison.names
    currency = comparison.currency or ""
    facts = [(a, f"{comparison.scenarios[0]} ({comparison.status[0]})"),
             (b, f"{comparison.scenarios[1]} ({comparison.status[1]})"), *_worth(comparison)]
    shown = {table.name: Table(table.title, list(table.columns), shown_rows(table), table.caption,
                               open=table.name in _LEADING)
             for table in comparison_tables(comparison)}
    decisions = Section("decisions", "What changed and what it is worth",
                        tables=[shown[name] for name in ("kpis", "builds", "plants", "assignments", "single_sources")],
                        notes=list(comparison.notes), brief=True)
    if comparison.empty:
        decisions.notes.append("The plans do not differ.")
    costs = Section("costs", "Costs", brief=True)
    if len(comparison.costs):
        labels = [component_label(c) for c in comparison.costs["component"]]
        costs.figures.append(drawn("costs", charts.grouped_bars(
            labels, {a: comparison.costs["discounted_a"], b: comparison.costs["discounted_b"]},
            f"NPV by component ({currency})", currency)))
        costs.tables.append(shown["costs"])
    if len(comparison.currencies):
        costs.tables.append(shown["currencies"])
    moved = Section("flows", "Supply moved")
    flows = comparison.flows
    if len(flows):
        lanes = flows.assign(lane=flows["from_plant"].astype(str) + " → " + flows["to_plant"].astype(str))
        moved.figures.append(drawn("supply moved", charts.stacked_bars(
            lanes, "lane", "units", f"Units moved from {a}'s source to {b}'s", "units")))
        moved.tables.append(shown["flows"])
    if len(comparison.parts):
        moved.tables.append(shown["parts"])
    return Page(f"Comparison: {comparison.scenarios[1]} against {comparison.scenarios[0]}", facts,
                [decisions, costs, moved])


def _worth(comparison: Comparison) -> list[tuple[str, str]]:
    """What the change is worth, as a key figure: B's objective minus A's (none where they cannot be compared:
    other currencies or objectives)."""
    a, b = comparison.names
    objective = comparison.kpis[comparison.kpis["kpi"] == "objective"]
    if objective.empty or pd.isna(objective["difference"].iloc[0]) or comparison.currency is None:
        return []
    difference = float(objective["difference"].iloc[0])
    what = "NPV profit" if comparison.objective_sense[0] == "maximize_profit" else "NPV cost"
    return [(f"{what}, {b} - {a}", f"{'+' if difference > 0 else ''}{money(difference, comparison.currency)}")]


_LEADING = ("kpis", "builds", "plants")
"""The comparison's tables shown on its first screen: the key figures side by side and the strategic decisions
that differ; the finer levels' are collapsed."""


def compare_report(comparison: Comparison) -> str:
    """The comparison of two plans as one HTML document (:func:`compare_page`)."""
    return compare_page(comparison).html()


__all__ = ["compare_page", "compare_report", "frequency_section", "futures_summary",
           "spread_facts", "stochastic_page", "stochastic_report", "sweep_page", "sweep_report"]
