"""The Python API: load a scenario, solve it, read a Plan back, explain it, find a breakeven, list a set's
futures, compare two Plans, sum up a sweep, keep runs.

    import footprint as fp
    plan = fp.solve(fp.load("net.yaml"))
    print(plan.objective, plan.builds)

It is what the command line does, as functions; ``footprint`` re-exports them. Every function that takes a
scenario takes a Scenario, a scenario file (YAML, a CSV folder, a workbook) or a bundled case
(``rogue-2012/hindsight``); a file or case is read with every check, its warnings issued as ScenarioWarning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from footprint.analysis.breakeven import Breakeven, Trial, find_breakeven
from footprint.analysis.compare import Comparison
from footprint.analysis.compare import compare as compare_plans
from footprint.analysis.explain import Alternative, ExplainError, Explanation
from footprint.analysis.explain import alternative as alternative_plan
from footprint.analysis.explain import explain as explain_plan
from footprint.analysis.sensitivity import Tornado, tornado
from footprint.analysis.stochastic import BENDERS_GAP, StochasticPlan, stochastic_plan
from footprint.analysis.stochastic_tables import stochastic_settings
from footprint.analysis.summary import SweepSummary, sweep_summary
from footprint.analysis.sweep import Progress, SweepOutcome, sweep_settings
from footprint.analysis.sweep import sweep as run_sweep
from footprint.economics.checks import CHECKS
from footprint.economics.futures import expand
from footprint.optimize.benders import Round
from footprint.optimize.changes import Change
from footprint.optimize.highs import SolveProgress, SolverOptions
from footprint.optimize.solve import PlanningError, solver_options
from footprint.optimize.stochastic import StochasticError
from footprint.plan.decisions import Level
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore, StoreError, check_run_name, encode_tables, run_record
from footprint.plan.tables import solve as solve_scenario
from footprint.scenario.cases.bundled import case_path, is_set_file, set_path
from footprint.scenario.formats.files import read_scenario, scenario_data
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import Loaded, validate
from footprint.scenario.model.checks import Problem
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.sets.scenario_sets import Future, ScenarioSet, decision_blocks, read_set
from footprint.views import notebook  # noqa: F401  (registers plot and the notebook display on Plan and the rest)

STOCHASTIC_GAP = 1e-7
"""The MIP gap of a stochastic plan's solves unless given: the scenario's, or this if it is tighter."""
REVISE_GAP = 1e-4
"""The same with revise_from, where each future makes its own integer decisions from that year: a far harder MILP
(36 futures of the voltaro set in minutes at 1e-4, not within the hour at 1e-7); the plan's notes give the margin
this leaves the value of waiting."""


class ScenarioWarning(UserWarning):
    """A scenario that is valid but probably not what was meant (a rate of 25 for 25%)."""


ScenarioInput = Scenario | str | Path
"""A Scenario, a scenario file or a bundled case."""


def _given(scenario: ScenarioInput, *, strict: bool = False, set_base: bool = False, data: bool = False) -> Loaded:
    """A Scenario as it is (with ``data``, its data dumped for what works on data), or a file or bundled case read
    with every check, its warnings issued as ScenarioWarning (raised as problems with ``strict``). With
    ``set_base``, a scenario set (a file, or a bundled set such as ``rogue-2012/futures``) stands for its base
    with the overrides its futures share."""
    if isinstance(scenario, Scenario):
        return Loaded(scenario, [], scenario.name, scenario_data(scenario) if data else None)
    path = _path(scenario, set_base)
    if set_base and path.suffix.lower() in (".yaml", ".yml") and path.is_file() and is_set_file(path):
        read = read_set(path)
        return Loaded(read.scenario, [], f"{scenario} (its base)", read.base.data)
    loaded = read_scenario(path, CHECKS, strict=strict)
    for problem in loaded.warnings:
        warnings.warn(str(problem), ScenarioWarning, stacklevel=3)  # at the caller of the API function
    return replace(loaded, source=str(scenario))


def _path(name: str | Path, set_base: bool = False) -> Path:
    """A file that exists, else the file of a bundled case (or set) of that name, as the command line reads it."""
    try:
        exists = Path(name).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long
        exists = False
    bundled = None if exists else case_path(str(name)) or (set_path(str(name)) if set_base else None)
    return bundled if bundled is not None else Path(name)


def load(scenario: ScenarioInput, *, strict: bool = False) -> Scenario:
    """The scenario in a file (YAML, a CSV folder, a workbook; a variant's base merged in) or a bundled case
    (``rogue-2012/hindsight``), with every check run (a Scenario is returned as it is).

    ScenarioError lists every problem; warnings are issued as ScenarioWarning, or raised as
    problems with ``strict``.
    """
    return _given(scenario, strict=strict).scenario


def check(scenario: ScenarioInput) -> list[Problem]:
    """The warnings of a valid scenario: a file, a bundled case or a Scenario (ScenarioError if it is not valid)."""
    if isinstance(scenario, Scenario):  # its checks run again on its data, to list what they say
        return validate(Source(scenario_data(scenario), scenario.name), CHECKS).warnings
    return read_scenario(_path(scenario), CHECKS).warnings


def solve(scenario: ScenarioInput, options: SolverOptions | None = None, changes: tuple[Change, ...] = (),
          keep_interrupted: bool = False) -> Plan:
    """The best plan for a scenario (with forced or forbidden decisions); PlanningError when there is none.

    Ctrl-C stops the solve: with ``keep_interrupted`` the best plan found so far is returned, its status
    ``interrupted``; else KeyboardInterrupt propagates.
    """
    return solve_scenario(_given(scenario).scenario, options, changes, keep_interrupted)


def explain(scenario: ScenarioInput, market: str, product: str, year: int | None = None,
            options: SolverOptions | None = None) -> Explanation:
    """Landed cost of ``product`` in ``market`` from every capable plant, with the plan's choice, and the value of
    capacity (see :class:`Explanation`); ExplainError for a market, product or year the scenario does not have."""
    return explain_plan(_given(scenario).scenario, market, product, year, options)


def alternative(scenario: ScenarioInput, changes: tuple[Change, ...], optimum: float,
                options: SolverOptions | None = None) -> Alternative:
    """The plan with some decisions forced or forbidden (``Change("force", "open:tangier@2029")``), and what it
    costs against ``optimum``; ExplainError for a change the scenario cannot make, PlanningError when no plan is
    left."""
    return alternative_plan(_given(scenario).scenario, changes, optimum, options)


def read_plan(folder: str | Path) -> Plan:
    """A Plan written by ``footprint run --out`` or ``Plan.write``."""
    return Plan.read(folder)


def compare(a: Plan | str | Path, b: Plan | str | Path, names: tuple[str, str] = ("A", "B"),
            level: Level | str = Level.FLOWS) -> Comparison:
    """Plan ``b`` against plan ``a`` (each a Plan or a results folder): the decisions (at ``level``: strategic,
    assignments or flows, all by default), flows, costs and KPIs that differ (see :class:`Comparison`); a
    stochastic plan compares as its expected plan (see footprint.analysis.expected)."""
    return compare_plans(*(plan if isinstance(plan, Plan) else Plan.read(plan) for plan in (a, b)), names=names,
                         level=level)


def breakeven(scenario: ScenarioInput | dict[str, Any], param: str, low: float, high: float, *,
              tolerance: float | None = None, options: SolverOptions | None = None,
              on_trial: Callable[[Trial], None] | None = None, level: Level | str = Level.STRATEGIC) -> Breakeven:
    """Where between ``low`` and ``high`` the plan's decisions at ``level`` (strategic by default; assignments,
    flows) change as ``param`` moves (docs/guide/breakeven.md gives parameter paths); ``scenario`` is a Scenario, a
    file, a bundled case or plain scenario data."""
    if isinstance(scenario, dict):
        data, name = scenario, "<scenario>"
    else:
        given = _given(scenario, data=True)
        data, name = given.data, given.source
    return find_breakeven(data, param, low, high, tolerance=tolerance, options=options, on_trial=on_trial,
                          source=name, level=level)


def sweep(scenario_set: str | Path | ScenarioSet, *, n: int | None = None, seed: int | None = None,
          workers: int | None = None, cluster: str | None = None, store: RunStore | str | Path | None = None,
          time_limit: float | None = None, mip_gap: float | None = None,
          on_progress: Callable[[Progress], None] | None = None, name: str | None = None) -> SweepOutcome:
    """Solve every future of a scenario set as its own plan on a Dask cluster (a local one of ``workers``
    processes, or the scheduler at ``cluster``), each stored in the run store (``store``: a RunStore, a
    URL or an SQLite file; default $FOOTPRINT_STORE, else footprint.sqlite here). The same sweep run again
    skips its stored futures. ``time_limit`` and ``mip_gap`` apply to each future; ``name`` is the sweep's
    in the store (default: the set as given; StoreError for a name a run cannot be referred to by).

    A local cluster's workers are new processes that import the calling script: in a script, call this
    under ``if __name__ == "__main__":``, as for any use of multiprocessing."""
    read = scenario_set if isinstance(scenario_set, ScenarioSet) else read_set(scenario_set)
    listed = expand(read, n=n, seed=seed)
    settings = sweep_settings(read.scenario, time_limit=time_limit, mip_gap=mip_gap)
    content = {"set": read.source.data, "n": n, "seed": seed}
    label = check_run_name(name) if name is not None else (
        read.name if isinstance(scenario_set, ScenarioSet) else str(scenario_set))
    with _store(store) as opened:
        outcome = run_sweep(read.base.data, read.base.name, listed, store=opened, name=label, content=content,
                            settings=settings, workers=workers, cluster=cluster, on_progress=on_progress)
    return replace(outcome, objective_sense=read.scenario.objective, currency=read.scenario.currency)


def stochastic(scenario_set: str | Path | ScenarioSet, *, n: int | None = None, seed: int | None = None,
               risk_weight: float | None = None, alpha: float | None = None, revise_from: int | str | None = None,
               method: str = "auto", gap: float | None = None, workers: int | None = None,
               cluster: str | None = None, time_limit: float | None = None, mip_gap: float | None = None,
               on_round: Callable[[Round], None] | None = None, store: RunStore | str | Path | None = None,
               name: str | None = None, decisions: str | Sequence[str] | None = None,
               on_progress: Callable[[SolveProgress], None] | None = None) -> StochasticPlan:
    """One plan for every future of a scenario set, its decisions made now shared: RP, WS, EV, EEV, EVPI, VSS,
    the value of waiting with ``revise_from``, each future's NPV cost, and its stacked Plan (``.plan``).

    ``method``: "extensive" (one MILP), "benders" (Benders decomposition, each future's LP on a Dask worker: a
    LocalCluster of ``workers`` processes, ``workers=0`` for this process, or the scheduler at ``cluster``;
    stopping at ``gap``, default 1e-6; ``on_round`` is called with each round's bounds), or "auto" (Benders
    where it applies and the MILP would be large, or ``cluster`` is given); ``on_progress`` is called every ten
    seconds with the extensive form's progress. ``risk_weight``, ``alpha`` and
    ``revise_from`` default to the set's ``stochastic`` settings (``revise_from="none"``: every decision made
    now, whatever the set says), and ``decisions`` (what is decided now: some of build, open, opened, closed,
    assign, start, source, as a list or joined by commas; "none": nothing) to its ``stochastic.decisions``;
    ``mip_gap`` to the scenario's or 1e-7 (1e-4 with revise_from), whichever is tighter. With ``store`` (a
    RunStore, a URL or an SQLite file) it is kept there too, as :func:`save_stochastic` does, named ``name``
    (default: the set as given; StoreError, before solving, for a name it could not be found by). Benders with a
    local cluster starts processes: in a script, call this under ``if __name__ == "__main__":``."""
    if name is not None:
        check_run_name(name)  # before solving: a name the plan could not be stored under is refused now
    read = scenario_set if isinstance(scenario_set, ScenarioSet) else read_set(scenario_set)
    own = read.spec.stochastic
    blocks, revised = _blocks(decisions, own.decisions), _revise_from(revise_from, own.revise_from)
    listed = expand(read, n=n, seed=seed)
    # EVPI and VSS are differences of optima: a gap as wide as they are would say nothing of them.
    default = STOCHASTIC_GAP if revised is None else REVISE_GAP
    tight = min(read.scenario.solver.mip_gap, default) if mip_gap is None else mip_gap
    options = solver_options(read.scenario, time_limit=time_limit, mip_gap=tight)
    plan = stochastic_plan(read.base.data, read.base.name, listed, options=options,
                           risk_weight=own.risk_weight if risk_weight is None else risk_weight,
                           alpha=own.alpha if alpha is None else alpha,
                           revise_from=revised, blocks=blocks, method=method, gap=BENDERS_GAP if gap is None else gap,
                           workers=workers, cluster=cluster, on_round=on_round, on_progress=on_progress)
    if store is None:
        return plan
    return save_stochastic(plan, read, store, n=n, seed=seed,
                           name=name or (read.name if isinstance(scenario_set, ScenarioSet) else str(scenario_set)))


def _blocks(given: str | Sequence[str] | None, the_sets: Sequence[str]) -> tuple[str, ...]:
    if given is None:
        return tuple(the_sets)
    try:
        return decision_blocks(given)
    except ValueError as error:
        raise StochasticError(str(error)) from None


def _revise_from(given: int | str | None, the_sets: int | None) -> int | None:
    if given is None:
        return the_sets
    if isinstance(given, str) and given.strip().lower() == "none":
        return None
    try:
        return int(given)
    except ValueError:
        raise StochasticError(f"revise_from: expected a year or none, found {given!r}") from None


def save_stochastic(plan: StochasticPlan, scenario_set: ScenarioSet, store: RunStore | str | Path | None, *,
                    name: str, n: int | None = None, seed: int | None = None) -> StochasticPlan:
    """Keep a stochastic plan of ``scenario_set`` (its futures expanded with ``n`` and ``seed``) in the run store
    as a run named ``name`` (StoreError for a name it could not be referred to by): its stacked Plan's tables,
    its measures in the summary, the set (with its base scenario's data, for the report's map and inputs) and its
    settings. Returns the plan with its run id; ``RunStore.plan(id)`` and ``StochasticPlan.of`` read it back."""
    content = {"set": scenario_set.source.data, "base": scenario_set.base.data, "n": n, "seed": seed}
    record = run_record(plan.plan, name=check_run_name(name), data=content, settings=stochastic_settings(plan.plan))
    with _store(store) as opened:
        return replace(plan, run=opened.save_run(record, encode_tables(plan.plan)))


def read_stochastic(ref: int | str, store: RunStore | str | Path | None = None) -> StochasticPlan:
    """A stochastic plan kept in the run store (``ref``: its id, ``latest`` or its name; ``store`` as for
    :func:`sweep`), with its measures, regret table, revisions, iterations and stacked Plan. StoreError for a
    run that is not one."""
    with _store(store) as opened:
        run = opened.get(ref)
        plan = opened.plan(run.id if run.id is not None else ref)
    if not plan.stacked:
        raise StoreError(f"run {run.id} ({run.name}) is not a stochastic plan (`footprint stochastic` makes them)")
    return StochasticPlan.of(plan, run=run.id)


def sensitivity(scenario: ScenarioInput, *, paths: list[str] | None = None, workers: int | None = None,
                cluster: str | None = None, store: RunStore | str | Path | None = None,
                time_limit: float | None = None, mip_gap: float | None = None,
                on_progress: Callable[[Progress], None] | None = None, name: str | None = None,
                level: Level | str = Level.STRATEGIC) -> Tornado:
    """The tornado of a Scenario, a scenario file or bundled case (``rogue-2012``), or of a scenario set's base
    with its shared overrides (``rogue-2012/futures``): each ranged input (or each of ``paths``) at its low and at
    its high, the others at their values, solved as a stored sweep (see :func:`sweep`) named ``name`` (default:
    sensitivity of SCENARIO); largest swing first, each end's change of decisions told at ``level`` (strategic by
    default)."""
    if name is not None:
        check_run_name(name)
    given = _given(scenario, set_base=True, data=True)
    settings = sweep_settings(given.scenario, time_limit=time_limit, mip_gap=mip_gap)
    with _store(store) as opened:
        return tornado(given.data, given.source, store=opened, settings=settings, paths=paths, workers=workers,
                       cluster=cluster, on_progress=on_progress, name=name, level=level)


@contextmanager
def _store(store: RunStore | str | Path | None) -> Iterator[RunStore]:
    if isinstance(store, RunStore):
        yield store
        return
    with RunStore(store) as opened:
        yield opened


def futures(scenario_set: str | Path | ScenarioSet, n: int | None = None, seed: int | None = None) -> list[Future]:
    """The futures of a scenario set (a file, a bundled set such as ``rogue-2012/futures``, or one read with
    ``read_set``), their probabilities adding up to 1. ``n`` replaces the number of samples of each sampling
    generator (with ``combine: sample``, the number of futures drawn), ``seed`` the set's seed. Each future's
    ``apply(data)`` gives its scenario data; ScenarioError for a bad set, naming its lines."""
    read = scenario_set if isinstance(scenario_set, ScenarioSet) else read_set(scenario_set)
    return expand(read, n=n, seed=seed)


__all__ = [
    "Alternative",
    "Breakeven",
    "Comparison",
    "ExplainError",
    "Explanation",
    "Future",
    "Level",
    "Plan",
    "PlanningError",
    "RunStore",
    "Scenario",
    "ScenarioError",
    "ScenarioSet",
    "ScenarioWarning",
    "SolverOptions",
    "StochasticPlan",
    "StoreError",
    "SweepOutcome",
    "SweepSummary",
    "Tornado",
    "alternative",
    "breakeven",
    "check",
    "compare",
    "explain",
    "futures",
    "load",
    "read_plan",
    "read_set",
    "read_stochastic",
    "save_stochastic",
    "sensitivity",
    "solve",
    "stochastic",
    "sweep",
    "sweep_summary",
]
