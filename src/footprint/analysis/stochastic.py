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
import os
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
from footprint.optimize.benders import BendersError, BoundError, Round, plan_objective
from footprint.optimize.highs import SolveProgress, SolverOptions, SolveStatus
from footprint.optimize.model import FootprintModel
from footprint.optimize.solve import PlanningError, compile_model
from footprint.optimize.stochastic import (
    HERE_AND_NOW,
    ExtensiveForm,
    StochasticError,
    StoppedError,
    extensive_form,
    shared_columns,
    solve_form,
    solve_model_of,
)
from footprint.plan.extensions import Accessor, html_of
from footprint.plan.plan import STOCHASTIC_TABLES, Plan
from footprint.scenario.formats.files import scenario_from_data
from footprint.scenario.sets.parameters import apply_overrides
from footprint.scenario.sets.scenario_sets import Future

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
    """A stochastic plan's objective, its measures and each future's NPV cost under it. In a notebook it shows its
    measures and what it decides now (``_repr_html_``), and ``stochastic.plot.regret()`` draws each future's regret
    (views/notebook.py)."""

    objective: float
    """RP: expected NPV cost, plus risk_weight x CVaR."""
    expected: float
    """The plan's expected NPV cost (without the risk term)."""
    wait_and_see: float | None
    """WS: the probability-weighted mean of the futures' own optima, plus risk_weight x their CVaR (None: not
    measured, see :attr:`unmeasured`)."""
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
    """The weight of the NPV cost's CVaR in the objective (0: the expected NPV cost alone)."""
    alpha: float
    """CVaR's level: the mean of the dearest 1 - alpha of the futures."""
    revise_from: int | None
    """The year from which each future makes its own decisions (None: every decision made now)."""
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
    """Why it was solved otherwise than asked (Benders where it does not apply, or failed its checks)."""

    plot = Accessor("plot")
    """``stochastic.plot.regret()``, and the expected plan's ``.map()``, ``.costs()``, ``.utilization()``: plotly
    Figures (views/notebook.py)."""

    def _repr_html_(self) -> str | None:
        return html_of(self)

    @property
    def unmeasured(self) -> str | None:
        """Why WS, EV and EEV (and with them EVPI, VSS, the value of waiting) are not all measured: the plan is not
        proven optimal, or the time ran out or Ctrl-C came while they were being measured; None if they are."""
        return self.plan.summary.get("unmeasured")

    @property
    def evpi(self) -> float | None:
        """The expected value of perfect information: RP - WS (None where WS is not measured)."""
        return None if self.wait_and_see is None else self.objective - self.wait_and_see

    @property
    def vss(self) -> float | None:
        """The value of the stochastic solution: EEV - RP (None where EEV is not measured)."""
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
        return cls(float(s["objective"]), float(s["expected"]), _number(s["wait_and_see"]),
                   _number(s["expected_value"]), _number(s["expected_of_expected_value"]), _number(s["waiting"]),
                   plan.tables["regret"], plan.future(first).builds, float(s["risk_weight"]), float(s["alpha"]),
                   None if s["revise_from"] is None else int(s["revise_from"]), plan, str(s["method"]),
                   plan.tables["iterations"], plan.tables["revisions"], run, notes or tuple(s.get("notes", ())))


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
                    on_round: Callable[[Round], None] | None = None,
                    on_progress: Callable[[SolveProgress], None] | None = None) -> StochasticPlan:
    """The stochastic plan of ``futures`` of the base scenario ``data``, with RP, WS, EV, EEV and the regret
    table (see the module's docstring). PlanningError when the plan or a future's own optimum has none.

    ``method``: "extensive" (one MILP), "benders" (analysis/benders.py, on ``workers`` local Dask processes or
    the cluster at ``cluster``; ``workers=0``: in this process), or "auto": Benders where it applies and the
    extensive form would be large or a cluster is given. Benders applies when every integer decision is made
    now; where it does not, the extensive form solves the plan and the plan's notes say why; where its bounds
    fail their check, the extensive form solves it too if it fits in memory (else RuntimeError). ``gap``: where
    Benders stops; ``on_round`` hears of each of its rounds, ``on_progress`` of the extensive form's progress.

    The time limit of ``options`` and Ctrl-C stop the solve with the best plan found so far, labelled
    (time_limit, interrupted, or round_limit for Benders' cap of rounds) with its proven gap; the measures are
    then not measured (:attr:`StochasticPlan.unmeasured` says why), nor those whose solves the time or Ctrl-C cut
    short once the plan was solved."""
    options = options or SolverOptions()
    if method not in METHODS:
        raise StochasticError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if not (0 < gap < 1):
        raise StochasticError(f"expected a gap between 0 and 1, found {gap:g}")
    first = _models(data, source, futures[:1])[0]
    chosen, notes = _method(method, first, blocks, revise_from, len(futures), on_cluster=cluster is not None)
    settings = _Settings(data, source, tuple(futures), options, risk_weight, alpha, revise_from, tuple(blocks))
    if chosen == "benders":
        try:
            return _benders_plan(settings, first, gap=gap, workers=workers, cluster=cluster, on_round=on_round)
        except BoundError as error:
            notes = (*notes, _fallback(error, first, len(futures)))
    return _extensive_plan(settings, first, notes, on_progress)


@dataclass(frozen=True)
class _Settings:
    """What a stochastic plan is asked for: the base scenario, the futures, the solver's options, the risk and what
    is decided now."""

    data: dict[str, Any]
    source: str
    futures: tuple[Future, ...]
    options: SolverOptions
    risk_weight: float
    alpha: float
    revise_from: int | None
    blocks: tuple[str, ...]

    @property
    def probabilities(self) -> np.ndarray:
        return np.array([future.probability for future in self.futures])


EXTENSIVE_BYTES_PER_ENTRY = 1_000
"""Memory HiGHS takes per matrix entry of an extensive form solved as a MILP (about 770 bytes measured on the medium
network: benchmarks/stochastic.py), for whether it fits when Benders fails its checks."""


def _fallback(error: BoundError, first: FootprintModel, count: int) -> str:
    """The note of a plan Benders failed to bound, to be solved as the extensive form; RuntimeError (an internal
    error) if the extensive form would not fit in memory."""
    needed = count * first.program.matrix().nnz * EXTENSIVE_BYTES_PER_ENTRY
    available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if needed > 0.8 * available:
        raise RuntimeError(f"Benders' bounds failed their check ({error}) and the extensive form, about "
                           f"{needed / 2**30:.1f} GiB, does not fit in the {available / 2**30:.1f} GiB free") from error
    return (f"Benders' bounds failed their check, a numerical failure of a solve ({error}); solved as the "
            "extensive form (one MILP) instead")


class _Measuring:
    """Runs the solves behind the measures, one after another, until the time runs out or Ctrl-C comes: those
    left are not measured, and :attr:`stopped` says why."""

    def __init__(self) -> None:
        self.stopped: str | None = None

    def __call__(self, measure: Callable[[], Any]) -> Any:
        if self.stopped is not None:
            return None
        try:
            return measure()
        except StoppedError:
            self.stopped = "the time limit ran out while they were being measured"
        except KeyboardInterrupt:
            self.stopped = "interrupted (Ctrl-C) while they were being measured"
        return None


def _extensive_plan(settings: _Settings, first: FootprintModel, notes: tuple[str, ...],
                    on_progress: Callable[[SolveProgress], None] | None) -> StochasticPlan:
    """The plan as one MILP over every future, and its measures. With revise_from, the plan with every decision
    made now is solved first: the value of waiting is measured against it, and it is the revised plan's first
    incumbent (it is one of its plans: the same decisions in every future)."""
    s = settings
    models = [first, *_models(s.data, s.source, s.futures[1:])]
    risk = {"risk_weight": s.risk_weight, "alpha": s.alpha, "blocks": s.blocks}
    committed, now = None, None
    if s.revise_from is not None:  # at most half the time left: the plan asked for is the revised one
        committed = extensive_form(models, s.probabilities, **risk)
        left = s.options.seconds_left()
        now = solve_form(committed, s.options if left is None else dataclasses.replace(s.options, time_limit=left / 2),
                         partial=True)
    form = extensive_form(models, s.probabilities, revise_from=s.revise_from, **risk)
    start = None if committed is None or now is None else _start_from(form, committed, now.values)
    solution = solve_form(form, s.options, partial=True, on_progress=on_progress, start=start)
    if solution is None:
        raise PlanningError("no plan holds in every future (the futures' constraints conflict with one set of "
                            "decisions made now); check each future alone with `footprint sweep`")
    values = solution.values
    costs = _costs(form, models, values)
    objective = plan_objective(costs, s.probabilities, s.risk_weight, s.alpha)  # the form's, less the tie-break
    parts = future_tables([(f.name, model, form.future_values(values, i))
                           for i, (f, model) in enumerate(zip(s.futures, models, strict=True))])
    measuring = _Measuring()
    if solution.status is not SolveStatus.OPTIMAL:
        measuring.stopped = _not_optimal(solution.status, solution.gap)
    waiting, committed_parts, ev_costs = None, None, None
    if committed is not None and now is not None and now.status is SolveStatus.OPTIMAL and measuring.stopped is None:
        waiting = plan_objective(_costs(committed, models, now.values), s.probabilities, s.risk_weight,
                                 s.alpha) - objective
        committed_parts = future_tables([(f.name, model, committed.future_values(now.values, i))
                                         for i, (f, model) in enumerate(zip(s.futures, models, strict=True))])
        if solution.gap > 0:
            notes = (*notes, f"the plan revised from {s.revise_from} is proven within {solution.gap:.1e} of its "
                             f"optimum ({objective - solution.bound:,.0f} in the currency): the value of waiting is "
                             "known to that much")
    own = measuring(lambda: np.array([solve_model_of(model, s.options) for model in models]))
    ev, ev_decisions = measuring(lambda: _expected_value(s, s.revise_from)) or (None, None)
    if ev_decisions is not None:
        held = measuring(lambda: solve_form(form, s.options, fixed=ev_decisions))
        ev_costs = None if held is None else _costs(form, models, held.values)
    table, measures = _regret_and_measures(s, objective, costs, own, ev, ev_costs, waiting)
    plan = stochastic_plan_of(parts, table, model=models[0], status=solution.status.value, gap=solution.gap,
                              measures=measures, options=s.options, risk_weight=s.risk_weight, alpha=s.alpha,
                              revise_from=s.revise_from, decisions=s.blocks,
                              revisions=revisions(committed_parts, parts, s.revise_from),
                              unmeasured=measuring.stopped, notes=notes)
    return StochasticPlan.of(plan, notes=notes)


def _start_from(form: ExtensiveForm, committed: ExtensiveForm, values: np.ndarray) -> np.ndarray:
    """The plan with every decision made now (``values`` of the form ``committed``) as a plan of ``form``, which
    shares fewer of the same futures' columns: each future's values in its own columns, the CVaR's as they are."""
    start = np.zeros(len(form.arrays.cost))
    for future, columns in enumerate(form.columns):
        start[columns] = committed.future_values(values, future)
    if form.eta is not None and committed.eta is not None:
        start[form.eta:] = values[committed.eta:]
    return start


def _not_optimal(status: SolveStatus, gap: float) -> str:
    """Why the measures of a plan not proven optimal are not measured."""
    why = {SolveStatus.TIME_LIMIT: "the time limit ran out", SolveStatus.INTERRUPTED: "it was interrupted (Ctrl-C)",
           SolveStatus.ROUND_LIMIT: "Benders reached its cap of rounds"}.get(status, status.value)
    return f"the plan is the best found when {why}, within {gap:.2%} of the optimum, not proven optimal"


def _expected_value(s: _Settings, revise_from: int | None) -> tuple[float | None, np.ndarray | None]:
    """EV, the mean future's optimum, and its decisions made now (as the plan shares them, to hold in every
    future for EEV); None and None when the mean future has no plan."""
    mean = _models(s.data, s.source, [Future(MEAN_FUTURE, 1.0, mean_overrides(s.data, s.futures, s.source))])[0]
    form = extensive_form([mean], [1.0], revise_from=revise_from, blocks=s.blocks)
    solution = solve_form(form, s.options)
    if solution is None:
        return None, None
    return (mean.npv(form.future_values(solution.values, 0)),
            np.round(solution.values[np.flatnonzero(form.shared)], 9))


def _regret_and_measures(s: _Settings, objective: float, npv: np.ndarray, own: np.ndarray | None,
                         ev: float | None, ev_plan: np.ndarray | None,
                         waiting: float | None) -> tuple[pd.DataFrame, dict[str, float | None]]:
    """The regret table (each future under the plan, at its own optimum, under the EV plan's decisions: NaN
    where some future has no plan with them, or they were not measured) and the measures, WS and EEV measured as
    RP is."""
    probabilities = s.probabilities
    futures = len(s.futures)
    table = pd.DataFrame({"name": [f.name for f in s.futures], "probability": probabilities, "npv": npv,
                          "own": np.full(futures, np.nan) if own is None else own,
                          "ev_plan": np.full(futures, np.nan) if ev_plan is None else ev_plan})
    measured = own is not None and bool(np.isfinite(own).all())
    measures = {"objective": objective, "expected": float(probabilities @ npv),
                "wait_and_see": plan_objective(own, probabilities, s.risk_weight, s.alpha) if measured else None,
                "expected_value": ev,
                "expected_of_expected_value": None if ev_plan is None else plan_objective(
                    ev_plan, probabilities, s.risk_weight, s.alpha),
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


def _benders_plan(s: _Settings, first: FootprintModel, *, gap: float, workers: int | None, cluster: str | None,
                  on_round: Callable[[Round], None] | None) -> StochasticPlan:
    """The plan by Benders: the futures on Dask workers (or here, with ``workers=0``), and WS and EEV there too.
    Every integer decision is made now (see _method), so nothing is revised and there is no value of waiting.
    BoundError when its bounds fail their check."""
    with ExitStack() as stack:
        client = None if workers == 0 and cluster is None else stack.enter_context(dask_client(workers, cluster))
        on_workers = stack.enter_context(workers_for(s.data, s.source, s.futures, s.blocks, s.options, client))
        try:
            outcome = benders(on_workers, s.probabilities, risk_weight=s.risk_weight, alpha=s.alpha,
                              options=s.options, gap=gap, on_round=on_round or (lambda _: None))
        except BoundError:
            raise
        except BendersError as error:
            raise PlanningError(f"the stochastic plan could not be solved by Benders: {error}") from None
        decomposed = outcome.decomposed
        measuring = _Measuring()
        if decomposed.status is not SolveStatus.OPTIMAL:
            measuring.stopped = _not_optimal(decomposed.status, decomposed.gap)
        own = measuring(lambda: np.array(on_workers.map(own_optima)))
        ev, ev_decisions = measuring(lambda: _expected_value(s, None)) or (None, None)
        held = None if ev_decisions is None else measuring(lambda: totals_at(on_workers, ev_decisions))
    table, measures = _regret_and_measures(s, decomposed.objective, decomposed.totals, own, ev, held, None)
    iterations = pd.DataFrame([dataclasses.asdict(r) for r in decomposed.rounds],
                              columns=STOCHASTIC_TABLES["iterations"])
    parts = [(future.name, tables) for future, tables in zip(s.futures, outcome.tables, strict=True)]
    plan = stochastic_plan_of(parts, table, model=first, status=decomposed.status.value, gap=decomposed.gap,
                              measures=measures, options=s.options, risk_weight=s.risk_weight, alpha=s.alpha,
                              revise_from=None, decisions=s.blocks, iterations=iterations, method="benders",
                              unmeasured=measuring.stopped)
    return StochasticPlan.of(plan)


__all__ = ["BENDERS_GAP", "MEAN_FUTURE", "METHODS", "ROUNDING", "StochasticPlan", "mean_overrides", "stochastic_plan"]
