"""One plan for all futures: the two-stage stochastic plan of a scenario set, and what uncertainty costs.

The plan (RP) shares its here-and-now decisions across the futures (see optimize/stochastic.py) and
minimizes the expected NPV cost, plus ``risk_weight`` times its CVaR at ``alpha``. Beside it:

- WS, wait and see: the mean of each future's own optimum (a planner who knew the future), plus the
  same risk term over those optima: the objective RP is measured by, so that EVPI >= 0 with CVaR too;
- EV: the plan of the mean future (every figure averaged by probability over all the futures, those that
  leave it at the base's value included; names and rules, such as a regime, those of the likeliest
  combination: analysis/mean_future.py), and EEV: the EV plan's here-and-now decisions held in every
  future, measured as RP is; neither when the mean future has no plan;
- EVPI = RP - WS, what knowing the future would be worth; VSS = EEV - RP, what planning for the spread
  of futures is worth over planning for their mean;
- with ``revise_from``, the value of waiting: the objective with every decision made now minus that
  when decisions from that year on may differ by future.

Amounts are NPV costs (a profit is a negative cost) in the scenario's currency, as the model minimizes
them. The plan is solved as the deterministic equivalent (one MILP over every future) or by Benders
decomposition (analysis/benders.py: the futures' LPs on Dask workers). Its Plan, every future's tables
stacked with the measures in its summary, is made in analysis/stochastic_tables.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from footprint.analysis.benders import benders, own_optima, totals_at, workers_for
from footprint.analysis.mean_future import mean_overrides
from footprint.analysis.stochastic_tables import future_tables, revision_notes, revisions, stochastic_plan_of
from footprint.analysis.sweep import dask_client
from footprint.economics.checks import ERROR_CHECKS
from footprint.optimize.benders import BendersError, Round, plan_objective
from footprint.optimize.highs import SolverOptions
from footprint.optimize.model import FootprintModel
from footprint.optimize.solve import PlanningError, compile_model
from footprint.optimize.stochastic import (
    HERE_AND_NOW,
    ExtensiveForm,
    StochasticError,
    extensive_form,
    shared_columns,
    solve_form,
    solve_model_of,
)
from footprint.plan.plan import STOCHASTIC_TABLES, Plan
from footprint.scenario.files import scenario_from_data
from footprint.scenario.parameters import apply_overrides
from footprint.scenario.sets import Future

MEAN_FUTURE = "mean future"
METHODS = ("auto", "extensive", "benders")
BENDERS_GAP = 1e-6
"""Where Benders stops unless told: its bounds within this share of the objective."""
ROUNDING = 1e-9
"""EVPI and VSS are differences of separate solves: one negative by at most this share of RP (at least 1e-9 in the
currency) is the solvers' rounding, and shown as 0 (StochasticPlan.rounded)."""
AUTO_BENDERS_ENTRIES = 1_000_000
"""With "auto", Benders once the extensive form would have more matrix entries than this (where it applies): on the
medium network (about 1,060,000 entries a future) Benders took half the time of the extensive form at 2 futures
and a tenth at 5 (benchmarks/stochastic.py); rogue-2012 has 277 entries a future, and 200 futures solve at once
as one MILP."""


@dataclass(frozen=True)
class StochasticPlan:
    """A stochastic plan's objective, its measures and each future's NPV cost under it."""

    objective: float
    """RP: expected NPV cost, plus risk_weight x CVaR."""
    expected: float
    """The plan's expected NPV cost (without the risk term)."""
    wait_and_see: float
    """WS: the probability-weighted mean of the futures' own optima, plus risk_weight x their CVaR."""
    expected_value: float | None
    """EV: the optimum of the mean future (None: the mean future has no plan)."""
    expected_of_expected_value: float | None
    """EEV: the EV plan's here-and-now decisions held in every future (None: the mean future has no plan, or its
    decisions have none in some future)."""
    waiting: float | None
    """With revise_from: the objective with every decision made now minus this plan's (None otherwise)."""
    futures: pd.DataFrame
    """Per future: name, probability, npv (under this plan), own (its own optimum), ev_plan (under the EV
    plan's decisions, NaN where those have no plan)."""
    builds: pd.DataFrame
    """The capacity the plan builds in the first future (the Plan's builds table); the same in every future
    for the years decided now."""
    risk_weight: float
    alpha: float
    revise_from: int | None
    plan: Plan
    """Every future's tables under this plan, stacked under a ``future`` column, with the regret table
    (``regret``: :attr:`futures`), the revisions and the iterations; its summary holds the measures and settings."""
    method: str
    """How it was solved: ``extensive`` (the deterministic equivalent) or ``benders``."""
    iterations: pd.DataFrame
    """Per iteration of a decomposition: iteration, lower, upper (bounds on the objective), gap, seconds (none
    for the extensive form)."""
    revisions: pd.DataFrame
    """With revise_from: per future, the decisions from then on that it takes differently from the plan with
    every decision made now (see analysis/stochastic_tables.py); :attr:`revised` says it in words."""
    run: int | None = None
    """Its id in the run store, when stored."""
    notes: tuple[str, ...] = ()
    """Why it was solved otherwise than asked (Benders where it does not apply)."""

    @property
    def evpi(self) -> float:
        return self.objective - self.wait_and_see

    @property
    def vss(self) -> float | None:
        eev = self.expected_of_expected_value
        return None if eev is None else eev - self.objective

    @property
    def rounded(self) -> dict[str, float]:
        """EVPI and VSS where they are negative by rounding only (by at most ROUNDING x |RP|), with their values:
        the views show them as 0 and say so."""
        tolerance = ROUNDING * max(1.0, abs(self.objective))
        return {name: value for name, value in (("EVPI", self.evpi), ("VSS", self.vss))
                if value is not None and -tolerance <= value < 0}

    @property
    def revised(self) -> dict[str, str]:
        """Per future that revises a decision, what it revises: + what it decides that the plan with every
        decision made now does not, - the reverse."""
        return revision_notes(self.revisions)

    @property
    def status(self) -> str:
        """"optimal", or "time_limit" when the solve stopped on time with the best plan it had."""
        return str(self.plan.summary["status"])

    @classmethod
    def of(cls, plan: Plan, run: int | None = None, notes: tuple[str, ...] = ()) -> StochasticPlan:
        """The stochastic plan a stacked Plan holds (made by ``stochastic_plan_of``, or read from the store)."""
        if not plan.stacked:
            raise ValueError(f"the plan of {plan.summary.get('scenario', 'a scenario')!r} is not a stochastic plan")
        s = plan.summary
        first = next(iter(plan.probabilities))
        return cls(float(s["objective"]), float(s["expected"]), float(s["wait_and_see"]),
                   _number(s["expected_value"]), _number(s["expected_of_expected_value"]), _number(s["waiting"]),
                   plan.tables["regret"], plan.future(first).builds, float(s["risk_weight"]), float(s["alpha"]),
                   None if s["revise_from"] is None else int(s["revise_from"]), plan, str(s["method"]),
                   plan.tables["iterations"], plan.tables["revisions"], run, notes)


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _models(data: dict[str, Any], source: str, futures: Sequence[Future]) -> list[FootprintModel]:
    return [compile_model(scenario_from_data(apply_overrides(data, future.overrides), f"{source} [{future.name}]",
                                             ERROR_CHECKS)) for future in futures]


def _costs(form: ExtensiveForm, models: Sequence[FootprintModel], values: np.ndarray) -> np.ndarray:
    """Each future's NPV cost at true costs (without the flows' tie-break, optimize/model.py)."""
    return np.array([model.npv(form.future_values(values, f)) for f, model in enumerate(models)])


def stochastic_plan(data: dict[str, Any], source: str, futures: Sequence[Future], *,
                    options: SolverOptions | None = None, risk_weight: float = 0.0, alpha: float = 0.9,
                    revise_from: int | None = None, blocks: Sequence[str] = HERE_AND_NOW, method: str = "auto",
                    gap: float = BENDERS_GAP, workers: int | None = None, cluster: str | None = None,
                    on_round: Callable[[Round], None] | None = None) -> StochasticPlan:
    """The stochastic plan of ``futures`` of the base scenario ``data``, with RP, WS, EV, EEV and the regret
    table (see the module's docstring). PlanningError when the plan or a future's own optimum has none.

    ``method``: "extensive" (one MILP), "benders" (analysis/benders.py, on ``workers`` local Dask processes or
    the cluster at ``cluster``; ``workers=0``: in this process), or "auto": Benders where it applies and the
    extensive form would be large or a cluster is given. Benders applies when every integer decision is made
    now; where it does not, the extensive form solves the plan and the plan's notes say why. ``gap``: where
    Benders stops."""
    options = options or SolverOptions()
    if method not in METHODS:
        raise StochasticError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if not (0 < gap < 1):
        raise StochasticError(f"expected a gap between 0 and 1, found {gap:g}")
    probabilities = np.array([future.probability for future in futures])
    first = _models(data, source, futures[:1])[0]
    chosen, notes = _method(method, first, blocks, revise_from, len(futures), on_cluster=cluster is not None)
    if chosen == "benders":
        return _benders_plan(data, source, futures, first, options=options, risk_weight=risk_weight, alpha=alpha,
                             blocks=blocks, gap=gap, workers=workers, cluster=cluster, on_round=on_round)
    models = [first, *_models(data, source, futures[1:])]
    settings = {"risk_weight": risk_weight, "alpha": alpha, "blocks": blocks}
    form = extensive_form(models, probabilities, revise_from=revise_from, **settings)
    solution = solve_form(form, options)
    if solution is None:
        raise PlanningError("no plan holds in every future (the futures' constraints conflict with one set of "
                            "decisions made now); check each future alone with `footprint sweep`")
    values = solution.values
    costs = _costs(form, models, values)
    objective = plan_objective(costs, probabilities, risk_weight, alpha)  # the form's objective, less the tie-break
    parts = future_tables([(f.name, model, form.future_values(values, i))
                           for i, (f, model) in enumerate(zip(futures, models, strict=True))])
    waiting, committed_parts = None, None
    if revise_from is not None:
        committed = extensive_form(models, probabilities, **settings)
        now = solve_form(committed, options)
        if now is not None:
            waiting = plan_objective(_costs(committed, models, now.values), probabilities, risk_weight,
                                     alpha) - objective
            committed_parts = future_tables([(f.name, model, committed.future_values(now.values, i))
                                             for i, (f, model) in enumerate(zip(futures, models, strict=True))])
    own = np.array([solve_model_of(model, options) for model in models])
    ev, ev_decisions = _expected_value(data, source, futures, blocks, revise_from, options)
    held = None if ev_decisions is None else solve_form(form, options, fixed=ev_decisions)
    table, measures = _regret_and_measures(futures, objective, costs, own, ev,
                                           None if held is None else _costs(form, models, held.values), waiting,
                                           risk_weight, alpha)
    plan = stochastic_plan_of(parts, table, model=models[0], status=solution.status.value, gap=solution.gap,
                              measures=measures, options=options, risk_weight=risk_weight, alpha=alpha,
                              revise_from=revise_from, decisions=blocks,
                              revisions=revisions(committed_parts, parts, revise_from))
    return StochasticPlan.of(plan, notes=notes)


def _expected_value(data: dict[str, Any], source: str, futures: Sequence[Future], blocks: Sequence[str],
                    revise_from: int | None, options: SolverOptions) -> tuple[float | None, np.ndarray | None]:
    """EV, the mean future's optimum, and its decisions made now (as the plan shares them, to hold in every
    future for EEV); None and None when the mean future has no plan."""
    mean = _models(data, source, [Future(MEAN_FUTURE, 1.0, mean_overrides(data, futures, source))])[0]
    form = extensive_form([mean], [1.0], revise_from=revise_from, blocks=blocks)
    solution = solve_form(form, options)
    if solution is None:
        return None, None
    return (mean.npv(form.future_values(solution.values, 0)),
            np.round(solution.values[np.flatnonzero(form.shared)], 9))


def _regret_and_measures(futures: Sequence[Future], objective: float, npv: np.ndarray, own: np.ndarray,
                         ev: float | None, ev_plan: np.ndarray | None, waiting: float | None, risk_weight: float,
                         alpha: float) -> tuple[pd.DataFrame, dict[str, float | None]]:
    """The regret table (each future under the plan, at its own optimum, under the EV plan's decisions: None
    where some future has no plan with them) and the measures, WS and EEV measured as RP is."""
    probabilities = np.array([future.probability for future in futures])
    table = pd.DataFrame({"name": [f.name for f in futures], "probability": probabilities, "npv": npv, "own": own,
                          "ev_plan": np.full(len(futures), np.nan) if ev_plan is None else ev_plan})
    measures = {"objective": objective, "expected": float(probabilities @ npv),
                "wait_and_see": plan_objective(own, probabilities, risk_weight, alpha), "expected_value": ev,
                "expected_of_expected_value": None if ev_plan is None else plan_objective(ev_plan, probabilities,
                                                                                          risk_weight, alpha),
                "waiting": waiting}
    return table, measures


def _method(method: str, first: FootprintModel, blocks: Sequence[str], revise_from: int | None,
            count: int, on_cluster: bool) -> tuple[str, tuple[str, ...]]:
    """The method that solves the plan, and why it is not the one asked for (if it is not). With "auto", a cluster
    given is asked for: Benders, where it applies."""
    integer = first.program.integrality()
    per_future = integer & ~shared_columns(first, blocks, revise_from)
    if method == "extensive":
        return "extensive", ()
    if per_future.any():
        if method == "auto":
            return "extensive", ()
        why = (f"from {revise_from} on each future makes its own integer decisions" if revise_from is not None
               else "some integer decisions are left to each future (the set's decisions made now)")
        return "extensive", (f"Benders needs every integer decision made now, but {why}: solved as the "
                             "extensive form (one MILP) instead",)
    if method == "auto":
        large = count * first.program.matrix().nnz > AUTO_BENDERS_ENTRIES
        return ("benders" if large or on_cluster else "extensive"), ()
    return "benders", ()


def _benders_plan(data: dict[str, Any], source: str, futures: Sequence[Future], first: FootprintModel, *,
                  options: SolverOptions, risk_weight: float, alpha: float, blocks: Sequence[str], gap: float,
                  workers: int | None, cluster: str | None,
                  on_round: Callable[[Round], None] | None) -> StochasticPlan:
    """The plan by Benders: the futures on Dask workers (or here, with ``workers=0``), and WS and EEV there too.
    Every integer decision is made now (see _method), so nothing is revised and there is no value of waiting."""
    probabilities = np.array([future.probability for future in futures])
    with ExitStack() as stack:
        client = None if workers == 0 and cluster is None else stack.enter_context(dask_client(workers, cluster))
        on_workers = stack.enter_context(workers_for(data, source, futures, blocks, options, client))
        try:
            outcome = benders(on_workers, probabilities, risk_weight=risk_weight, alpha=alpha, options=options,
                              gap=gap, on_round=on_round or (lambda _: None))
        except BendersError as error:
            raise PlanningError(f"the stochastic plan could not be solved by Benders: {error}") from None
        decomposed = outcome.decomposed
        own = np.array(on_workers.map(own_optima))
        ev, ev_decisions = _expected_value(data, source, futures, blocks, None, options)
        held = None if ev_decisions is None else totals_at(on_workers, ev_decisions)
    table, measures = _regret_and_measures(futures, decomposed.objective, decomposed.totals, own, ev, held, None,
                                           risk_weight, alpha)
    iterations = pd.DataFrame([dataclasses.asdict(r) for r in decomposed.rounds],
                              columns=STOCHASTIC_TABLES["iterations"])
    parts = [(future.name, tables) for future, tables in zip(futures, outcome.tables, strict=True)]
    plan = stochastic_plan_of(parts, table, model=first, status=decomposed.status.value, gap=decomposed.gap,
                              measures=measures, options=options, risk_weight=risk_weight, alpha=alpha,
                              revise_from=None, decisions=blocks, iterations=iterations, method="benders")
    return StochasticPlan.of(plan)


__all__ = ["BENDERS_GAP", "MEAN_FUTURE", "METHODS", "ROUNDING", "StochasticPlan", "mean_overrides", "stochastic_plan"]
