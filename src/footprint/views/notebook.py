"""A plan, a sweep, a stochastic plan and a tornado in a notebook: their rich display (views/notebook_html.py) and their
``plot`` accessors, registered on the classes below (plan/extensions.py), as pandas registers its accessors.
``footprint.api`` imports this module, so ``fp.solve("rogue-2012").plot.map()`` draws.

Each method returns a plotly Figure, the one the report draws (views/figures.py, views/charts.py): shown as the
cell's output, or kept (``figure.write_image``, ``figure.write_html``). A stochastic plan's stacked Plan is drawn as
its expected plan (every future's amounts weighted by probability, the decisions all futures take:
analysis/expected.py).
"""

from __future__ import annotations

import plotly.graph_objects as go

from footprint.analysis.expected import expected_plan
from footprint.analysis.sensitivity import Tornado
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary
from footprint.analysis.sweep import SweepOutcome
from footprint.plan.extensions import HTML, register
from footprint.plan.plan import Plan
from footprint.scenario.model.scenario import Scenario
from footprint.views import charts, notebook_html
from footprint.views.figures import cost_bars, decision_bars, npv_histogram, plan_map, regret_bars, tornado_figure


@register(Plan, "plot")
class PlanPlot:
    """``plan.plot``: the figures of a plan (of a stochastic plan's stacked Plan, its expected plan's)."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan

    def _drawn(self) -> Plan:
        return expected_plan(self._plan) if self._plan.stacked else self._plan

    def map(self, scenario: Scenario | None = None) -> go.Figure:
        """The world map: sites placed where ``scenario`` puts them (default: the scenario the plan was solved
        from), sized by capacity and demand, the largest lanes of each year behind a slider. ValueError for a plan
        that does not know its scenario (one read from a folder or the run store) when none is given."""
        scenario = scenario if scenario is not None else self._plan.scenario
        if scenario is None:
            raise ValueError(f"the plan of {self._plan.summary.get('scenario', 'a scenario')!r} does not know where "
                             "its sites are (read from a folder or the run store): give its scenario, "
                             "plan.plot.map(fp.load(...))")
        return plan_map(self._drawn(), scenario)

    def costs(self) -> go.Figure:
        """Costs by year, stacked by family of cost components (revenue negative)."""
        return cost_bars(self._drawn())

    def utilization(self) -> go.Figure:
        """The share of capacity used, per plant and pool and year."""
        return charts.utilization_heatmap(self._drawn().utilization)


@register(SweepOutcome, "plot")
class SweepPlot:
    """``sweep.plot`` (and a SweepSummary's ``plot``): the figures of a sweep's futures."""

    def __init__(self, sweep: SweepOutcome | SweepSummary) -> None:
        self._sweep = sweep

    def decisions(self) -> go.Figure:
        """How often each decision is taken, by year: the builds and the sites opened and closed."""
        summary = self._sweep if isinstance(self._sweep, SweepSummary) else self._sweep.summary()
        return decision_bars(summary)

    def npv(self) -> go.Figure:
        """The NPV over the futures with a plan, weighted by probability, its mean and percentiles 5 and 95 marked
        (a sweep's, not a SweepSummary's: the summary keeps the statistics, not each future's NPV)."""
        if isinstance(self._sweep, SweepSummary):
            raise ValueError("a SweepSummary keeps the NPV's statistics, not each future's: draw the sweep's, "
                             "sweep.plot.npv()")
        if not self._sweep.futures["decisions"].notna().any():
            raise ValueError(f"sweep {self._sweep.sweep}: no future has a plan, and no NPV to draw")
        return npv_histogram(self._sweep.futures, self._sweep.summary())


register(SweepSummary, "plot")(SweepPlot)


@register(StochasticPlan, "plot")
class StochasticPlot:
    """``stochastic.plot``: each future's regret, and the expected plan's map, costs and utilization."""

    def __init__(self, plan: StochasticPlan) -> None:
        self._stochastic = plan
        self._plan = PlanPlot(plan.plan)

    def regret(self) -> go.Figure:
        """Each future's NPV cost under the plan, and under the mean future's plan, minus its own optimum."""
        return regret_bars(self._stochastic)

    def map(self, scenario: Scenario | None = None) -> go.Figure:
        """The expected plan's world map (see :meth:`PlanPlot.map`)."""
        return self._plan.map(scenario)

    def costs(self) -> go.Figure:
        """The expected plan's costs by year."""
        return self._plan.costs()

    def utilization(self) -> go.Figure:
        """The expected plan's utilization."""
        return self._plan.utilization()


@register(Tornado, "plot")
class TornadoPlot:
    """``tornado.plot``: the tornado's bars."""

    def __init__(self, tornado: Tornado) -> None:
        self._tornado = tornado

    def bars(self) -> go.Figure:
        """Each input's NPV at its low and at its high, as bars from the base, largest swing first."""
        return tornado_figure(self._tornado)


register(Plan, HTML)(notebook_html.plan_html)
register(SweepOutcome, HTML)(notebook_html.sweep_html)
register(SweepSummary, HTML)(notebook_html.summary_html)
register(StochasticPlan, HTML)(notebook_html.stochastic_html)
register(Tornado, HTML)(notebook_html.tornado_html)

__all__ = ["PlanPlot", "StochasticPlot", "SweepPlot", "TornadoPlot"]
