"""A plan, a sweep and a stochastic plan as a notebook shows them (Jupyter's ``_repr_html_``): the decision first
(what it builds, opens and closes; the NPV and its parts; how often a sweep's futures take each decision and the
NPV's spread; a stochastic plan's measures and what it decides now), in a few small tables. Every name is escaped
(a scenario's names are user input); the HTML needs no stylesheet, script or file beyond itself."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from footprint.analysis.sensitivity import Tornado
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary
from footprint.analysis.sweep import SweepOutcome
from footprint.plan.plan import TABLES, Plan
from footprint.views.console import PLANT_DECISION_COLUMNS, plant_decision_rows
from footprint.views.labels import COMPONENT_GROUPS, component_group, money
from footprint.views.report import plan_facts
from footprint.views.stochastic import decided_now_tables, measure_notes, shown_measures
from footprint.views.sweep_summary import STATISTIC_LABELS, decision_lines
from footprint.views.tornado import AMOUNTS, COLUMNS, tornado_rows, tornado_title

ROWS = 12
"""Rows a table shows; the rest are counted under it (the object's own tables have them all)."""
SPREAD = ("mean", "std", "min", "p5", "p50", "p95", "max", "cvar95")
"""The statistics of a sweep's NPV the display shows (SweepSummary.npv has them all)."""
STYLE = ("<style>.footprint-repr table{border-collapse:collapse;margin:0.3em 1.5em 0.8em 0;font-size:0.9em}"
         ".footprint-repr th,.footprint-repr td{padding:0.15em 0.6em;text-align:left;vertical-align:top;"
         "border-bottom:1px solid #ddd}.footprint-repr td.n{text-align:right;font-variant-numeric:tabular-nums}"
         ".footprint-repr caption{text-align:left;font-weight:600;padding:0.2em 0}"
         ".footprint-repr .note{color:#555;font-size:0.85em;margin:0.2em 0}</style>")
"""The display's own look, scoped to its class."""


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], numbers: Sequence[str] = (),
          more: str = "") -> str:
    """An HTML table of text cells (escaped), the first ROWS rows; ``numbers``: the columns set right; ``more``:
    where the rows beyond ROWS are (counted before it)."""
    head = "".join(f"<th>{escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f'<td{" class=n" if column in numbers else ""}>{escape(str(cell))}</td>'
                                    for column, cell in zip(columns, row, strict=True)) + "</tr>"
                   for row in rows[:ROWS])
    left = len(rows) - ROWS
    foot = (f'<tr><td colspan={len(columns)} class=note>{left:,} more{": " + escape(more) if more else ""}</td></tr>'
            if left > 0 else "")
    return f"<table><caption>{escape(title)}</caption><tr>{head}</tr>{body}{foot}</table>"


def _page(title: str, parts: Sequence[str], notes: Sequence[str] = ()) -> str:
    shown = "".join(f'<div style="display:inline-block;vertical-align:top">{part}</div>' for part in parts)
    said = "".join(f'<p class=note>{escape(note)}</p>' for note in notes)
    return f'{STYLE}<div class="footprint-repr"><strong>{escape(title)}</strong><div>{shown}</div>{said}</div>'


def _facts(title: str, facts: Sequence[tuple[str, str]]) -> str:
    return table(title, ["", "value"], [list(fact) for fact in facts], numbers=["value"])


def npv_parts(plan: Plan) -> list[tuple[str, float]]:
    """The plan's NPV by family of cost components (views/labels.py), in the families' order, those not 0."""
    discounted = plan.costs.groupby(plan.costs["component"].map(component_group), sort=False)["discounted"].sum()
    order = {family: i for i, family in enumerate(COMPONENT_GROUPS)}
    return sorted(((str(family), float(value)) for family, value in discounted.items() if value),
                  key=lambda part: order.get(part[0], len(order)))


def _decisions(plan: Plan) -> list[str]:
    """The plan's builds and the plants, suppliers and facilities it opens or closes, as tables."""
    currency = str(plan.summary["currency"])
    builds = [[r.option, r.plant, r.pool, r.year, r.count, f"{r.added_capacity:,.0f}", money(r.capex, currency)]
              for r in plan.builds.itertuples()]
    parts = [table("Capacity built", ["option", "plant", "pool", "online from", "builds", "added units/yr", "capex"],
                   builds, numbers=["builds", "added units/yr", "capex"], more="plan.builds has them all")
             if builds else table("Capacity built", ["none"], [])]
    plants = plant_decision_rows(plan)
    if plants:
        parts.append(table("Plant decisions", PLANT_DECISION_COLUMNS, plants, more="plan.tables['plants'] has them"))
    sites = plan.tables["sites"]
    changed = sites[sites["opened"].astype(bool) | sites["closed"].astype(bool)]
    if len(changed):
        parts.append(table("Suppliers and facilities opened or closed", ["kind", "site", "year", "change"],
                           [[r.kind, r.site, r.year, "opens" if r.opened else "closes"] for r in changed.itertuples()],
                           more="plan.tables['sites'] has them"))
    return parts


def plan_html(plan: Plan) -> str:
    """A deterministic plan: its key figures, its NPV by family of costs, what it builds, opens and closes; a
    stacked plan (a stochastic plan's), as its stochastic plan."""
    if plan.stacked:
        return stochastic_html(StochasticPlan.of(plan))
    currency = str(plan.summary["currency"])
    parts = npv_parts(plan)
    total = sum(value for _, value in parts)
    what = "NPV profit" if plan.summary.get("objective_sense") == "maximize_profit" else "NPV cost"
    rows = [[family, money(value, currency), f"{value / total:.1%}" if total else "-"] for family, value in parts]
    rows.append(["NPV cost (revenue negative)", money(total, currency), "100.0%" if total else "-"])
    if what == "NPV profit":
        rows.append(["NPV profit", money(-total, currency), ""])
    npv = table(f"NPV by family of costs ({currency})", ["family", "NPV", "share"], rows, numbers=["NPV", "share"])
    notes = [f"Tables: plan.tables ({', '.join(TABLES)}). Figures: plan.plot.map(), .costs(), .utilization()."]
    return _page(f"Plan: {plan.summary.get('scenario', '')}",
                 [_facts("Key figures", plan_facts(plan)), npv, *_decisions(plan)], notes)


def stochastic_html(plan: StochasticPlan) -> str:
    """A stochastic plan: its measures (RP, WS, EV, EEV, EVPI, VSS), what it decides now, each future's NPV."""
    currency = str(plan.plan.summary["currency"])
    missing = "not measured" if plan.unmeasured is not None else "no plan"
    measures = table(f"Measures ({currency}, NPV cost)", ["measure", "NPV cost"],
                     [[label, missing if amount is None else money(amount, currency)]
                      for label, amount in shown_measures(plan)], numbers=["NPV cost"])
    now = [table(f"{title} (decided now{'' if plan.revise_from is None else f', before {plan.revise_from}'})",
                 columns, rows, more="the plan's summary has them all")
           for title, columns, rows in decided_now_tables(plan, money) if rows]
    futures = plan.futures
    regret = table("Each future under the plan", ["future", "probability", "NPV cost", "own optimum", "regret"],
                   [[r.name, f"{r.probability:.3g}", money(r.npv, currency), money(r.own, currency),
                     money(r.npv - r.own, currency)] for r in futures.itertuples()],
                   numbers=["probability", "NPV cost", "own optimum", "regret"], more="stochastic.futures has them all")
    notes = [*measure_notes(plan, currency), *plan.notes,
             *(f"{name} revises: {text}" for name, text in list(plan.revised.items())[:ROWS]),
             "Tables: stochastic.futures, .revisions, .plan (every future's tables, stacked). Figures: "
             "stochastic.plot.regret(), and .map(), .costs(), .utilization() of the expected plan."]
    risk = f", plus {plan.risk_weight:g} x CVaR at {plan.alpha:.0%}" if plan.risk_weight else ""
    return _page(f"Stochastic plan: {plan.plan.summary.get('scenario', '')} over {len(futures):,} futures "
                 f"({plan.status}, {plan.method}; expected NPV cost{risk})",
                 [measures, *(now or [table("Decided now", ["none"], [])]), regret], notes)


def _summary_parts(summary: SweepSummary) -> list[str]:
    """A sweep's NPV spread, its futures without a plan, and how often each decision is taken."""
    what = "NPV profit" if summary.objective_sense == "maximize_profit" else "NPV cost"
    currency = summary.currency or ""
    parts = []
    if summary.solved:
        parts.append(table(f"{what} over the {summary.solved:,} futures with a plan", ["", what],
                           [[STATISTIC_LABELS.get(key, f"percentile {key[1:]}"),
                             money(float(summary.npv[key]), currency)] for key in SPREAD], numbers=[what]))
    if len(summary.failed):
        parts.append(table("Futures without a plan", ["status", "reason", "futures", "probability"],
                           [[r.status, r.message or "-", f"{r.futures:,}", f"{r.probability:.1%}"]
                            for r in summary.failed.itertuples()], numbers=["futures", "probability"]))
    lines = [list(line) for line in decision_lines(summary, str)]
    parts.append(table(f"How often each decision is taken ({summary.level} level)", ["decision", "", "in the futures"],
                       lines, more="the summary's builds, plants, assignments tables have them all")
                 if lines else table(f"Every future with a plan takes the same decisions ({summary.level} level)",
                                     ["none differ"], []))
    return parts


def summary_html(summary: SweepSummary) -> str:
    """A sweep's statistics: the NPV's spread and how often each decision is taken."""
    return _page(f"Sweep summary: {summary.futures:,} futures, {summary.solved:,} with a plan "
                 f"({summary.probability_solved:.1%} of the probability)", _summary_parts(summary),
                 ["Figures: summary.plot.decisions()."])


def sweep_html(sweep: SweepOutcome) -> str:
    """A sweep run: what it solved, and its statistics at the strategic level."""
    summary = sweep.summary()
    stored = f", {sweep.skipped:,} stored before" if sweep.skipped else ""
    failed = f", {sweep.failed:,} without a plan" if sweep.failed else ""
    return _page(f"Sweep {sweep.sweep}: {len(sweep.futures):,} futures, {sweep.solved:,} solved in "
                 f"{sweep.seconds:.1f} s{stored}{failed}", _summary_parts(summary),
                 ["Tables: sweep.futures, sweep.summary(level) (its builds, plants, assignments). Figures: "
                  "sweep.plot.npv(), sweep.plot.decisions()."])


def tornado_html(tornado: Tornado) -> str:
    """A tornado: each input's NPV at its ends, largest swing first, and what the decisions do there."""
    rows, reasons = tornado_rows(tornado)
    return _page(f"Tornado of sweep {tornado.sweep} ({tornado.level} level)",
                 [table(tornado_title(tornado), COLUMNS, rows, numbers=AMOUNTS, more="tornado.bars has them all")],
                 [*(f"({number}) {reason}" for number, reason in enumerate(reasons, 1)),
                  "Figures: tornado.plot.bars()."])


__all__ = ["npv_parts", "plan_html", "stochastic_html", "summary_html", "sweep_html", "table", "tornado_html"]
