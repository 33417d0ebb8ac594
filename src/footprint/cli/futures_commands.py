"""Commands over many futures: futures, sweep, stochastic, sweep-summary, sensitivity."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from footprint.cli.app import DEFAULT_CASE, INTERRUPTED, NO_PLAN, app, err, fail, out, say, stage
from footprint.cli.loading import say_warnings, set_warnings, warnings_said
from footprint.cli.options import (
    ClusterOption,
    FuturesOption,
    LevelOption,
    Method,
    MipGapOption,
    NameOption,
    ScenarioArgument,
    SeedOption,
    SetArgument,
    StoreOption,
    StrictOption,
    TimeLimitOption,
    WorkersOption,
    decision_blocks_option,
    year_or_none,
)
from footprint.cli.stored import keep, opened_store
from footprint.plan.levels import Level


@app.command(name="futures")
def futures_command(
    scenario_set: SetArgument,
    n: FuturesOption = None,
    seed: SeedOption = None,
    check: Annotated[int, typer.Option(help="Validate the first N futures as scenarios (0: none).", min=0)] = 100,
    strict: StrictOption = False,
) -> None:
    """List a scenario set's futures: each one's probability and the values it sets."""
    from footprint.economics.futures import check_futures, expand
    from footprint.scenario.formats.sources import ScenarioError
    from footprint.scenario.sets.scenario_sets import read_set
    from footprint.views.futures import print_futures

    try:
        with stage(f"Expanding {scenario_set} ..."), set_warnings(strict):
            read = read_set(scenario_set, strict=strict)
            listed = expand(read, n=n, seed=seed)
            invalid = check_futures(read, listed[:check])
    except ScenarioError as error:
        raise fail(error.report()) from None
    say_warnings(read.warnings)
    print_futures(listed, f"{len(listed):,} futures of {scenario_set} (base {read.spec.base})", out)
    if invalid:
        checked = min(check, len(listed))
        raise fail("\n".join([f"{len(invalid)} of the {checked} futures checked are not valid scenarios:",
                                *(error.report() for error in invalid.values())]))


@contextmanager
def _solving_futures(title: str) -> Iterator[Any]:
    """The progress bar of a sweep, and its failures as messages: Ctrl-C says how to resume (exit 130)."""
    from footprint.analysis.sweep import SweepError
    from footprint.plan.store import StoreError
    from footprint.views.progress import sweep_progress

    try:
        with sweep_progress(err, title) as report:
            yield report
    except (SweepError, StoreError) as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:
        say(err, "interrupted: every future solved so far is stored; run the same command again to go on")
        raise typer.Exit(INTERRUPTED) from None


@app.command(name="sweep")
def sweep_command(
    scenario_set: SetArgument,
    n: FuturesOption = None,
    seed: SeedOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    store: StoreOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    name: NameOption = None,
    strict: StrictOption = False,
    level: LevelOption = Level.STRATEGIC,
) -> None:
    """Solve every future of a scenario set as its own plan, in parallel, and store each; then sum them up.

    Run again, the same sweep skips the futures it has stored (and takes the name given now)."""
    from footprint.analysis.summary import sweep_summary
    from footprint.api import sweep
    from footprint.plan.store import RunStore
    from footprint.scenario.formats.sources import ScenarioError
    from footprint.scenario.sets.scenario_sets import read_set
    from footprint.views.sweep_summary import print_sweep_summary

    try:
        with stage(f"Reading {scenario_set} ..."):
            read = read_set(scenario_set, strict=strict)
        say_warnings(read.warnings)
        with _solving_futures(f"futures of {scenario_set}") as report, RunStore(store) as opened, \
                set_warnings(strict):
            outcome = sweep(read, n=n, seed=seed, workers=workers, cluster=cluster, store=opened,
                            time_limit=time_limit, mip_gap=mip_gap, on_progress=report, name=name or scenario_set)
            futures = opened.futures(outcome.sweep, level) if level is Level.FLOWS else outcome.futures
    except ScenarioError as error:
        raise fail(error.report()) from None
    summary = sweep_summary(futures, read.scenario.objective, currency=read.scenario.currency, level=level)
    print_sweep_summary(summary, out)
    skipped = f"; {outcome.skipped:,} stored before" if outcome.skipped else ""
    say(out, f"stored as sweep {outcome.sweep} in {opened.name}: {outcome.solved:,} futures solved in "
              f"{outcome.seconds:.1f} s{skipped}" + (f", {outcome.failed:,} without a plan" if outcome.failed else ""))


@app.command()
def stochastic(
    scenario_set: SetArgument,
    n: FuturesOption = None,
    seed: SeedOption = None,
    risk_weight: Annotated[float | None, typer.Option(
        help="Weight of the CVaR of the NPV cost in the objective (default: the set's stochastic.risk_weight, "
             "else 0).", min=0.0)] = None,
    alpha: Annotated[float | None, typer.Option(
        help="CVaR's level: the mean of the dearest 1 - alpha of the futures (default: the set's, else 0.9).",
        min=0.5, max=0.999)] = None,
    revise_from: Annotated[str | None, typer.Option(
        metavar="YEAR|none", parser=year_or_none,
        help="Decisions from this year on may differ by future (it is known by then which came); also reports "
             "the value of waiting; none: every decision made now (default: the set's stochastic.revise_from).")
    ] = None,
    method: Annotated[Method, typer.Option(
        help="extensive: one MILP over every future; benders: the decisions made now in a master MILP, each "
             "future's LP on a Dask worker; auto: Benders where it applies and the MILP would be large, or with "
             "--cluster.")
    ] = Method.auto,
    gap: Annotated[float | None, typer.Option(
        help="Benders stops once its lower and upper bounds are this close, as a share of the objective "
             "(default: 1e-6).", min=1e-12, max=0.5)] = None,
    decisions: Annotated[str | None, typer.Option(
        metavar="BLOCK,...|none", parser=decision_blocks_option,
        help="What is decided now, shared by every future: some of build, open, opened, closed, assign, start, "
             "source, joined by commas; none: nothing (default: the set's stochastic.decisions, else all).")
    ] = None,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes of Benders' local Dask cluster (default: one per core; 0: in this process).",
        min=0, max=256)] = None,
    cluster: ClusterOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    store: StoreOption = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not keep the plan in the run store.")] = False,
    name: NameOption = None,
    strict: StrictOption = False,
) -> None:
    """One plan for every future of a set: decisions made now shared, the expected NPV cost (plus a CVaR
    term) least; with WS, EV, EEV, EVPI, VSS, every decision made now and each future's NPV cost. Solved as one
    MILP, or by Benders decomposition on Dask workers (a local cluster, or --cluster). The plan is kept in the run
    store (`footprint show RUN`)."""
    from footprint.analysis.sweep import SweepError
    from footprint.api import save_stochastic
    from footprint.api import stochastic as stochastic_plan
    from footprint.optimize.solve import PlanningError
    from footprint.optimize.stochastic import StochasticError
    from footprint.scenario.formats.sources import ScenarioError
    from footprint.scenario.sets.scenario_sets import read_set
    from footprint.views.stochastic import print_progress, print_round, print_stochastic

    try:
        with stage(f"Reading {scenario_set} ..."):
            read = read_set(scenario_set, strict=strict)
        say_warnings(read.warnings)
        currency = read.scenario.currency
        with stage("Solving the futures as one plan ..."), set_warnings(strict):
            plan = stochastic_plan(read, n=n, seed=seed, risk_weight=risk_weight, alpha=alpha,
                                   revise_from=revise_from, decisions=decisions, method=method.value, gap=gap,
                                   workers=workers, cluster=cluster, time_limit=time_limit, mip_gap=mip_gap,
                                   on_round=lambda r: print_round(r, currency, err),
                                   on_progress=lambda p: print_progress(p, currency, err))
    except ScenarioError as error:
        raise fail(error.report()) from None
    except (StochasticError, SweepError) as error:
        raise fail(str(error)) from None
    except PlanningError as error:
        raise fail(str(error), NO_PLAN) from None
    except KeyboardInterrupt:
        say(err, "interrupted before any plan was found; nothing was stored")
        raise typer.Exit(INTERRUPTED) from None
    print_stochastic(plan, currency, out)
    stored = None if no_store else keep(store, lambda opened: save_stochastic(
        plan, read, opened, name=name or scenario_set, n=n, seed=seed).run)
    if stored is not None:
        say(out, stored)
    if plan.status == "interrupted" or "Ctrl-C" in (plan.unmeasured or ""):
        raise typer.Exit(INTERRUPTED)


@app.command(name="sweep-summary")
def sweep_summary_command(
    sweep_ref: Annotated[str, typer.Argument(metavar="SWEEP", help="A stored sweep: its id, its name, or latest.")],
    level: LevelOption = Level.STRATEGIC,
    store: StoreOption = None,
) -> None:
    """A stored sweep's NPV distribution (mean, percentiles, CVaR) and how often each decision is taken, year by
    year (by default the strategic ones; the assignments and lanes on which the futures differ at those levels);
    for a sweep of `footprint sensitivity`, its tornado (each end's change told at the level)."""
    from footprint.views.report_of import ReportError, stored_sweep
    from footprint.views.sweep_summary import print_sweep_summary
    from footprint.views.tornado import print_tornado

    with opened_store(store) as opened:
        found = opened.get(sweep_ref)
        if found.kind != "sweep":
            raise fail(f"run {found.id} ({found.name}) is a {found.kind}, not a sweep; `footprint runs --kind sweep` "
                        "lists the sweeps")
        try:
            subject = stored_sweep(opened, found, level)
        except ReportError as error:
            raise fail(str(error)) from None
    summary = subject.summary
    say(out, f"sweep {found.id} ({found.name}): {summary.futures:,} futures stored, {found.status}")
    if subject.tornado is None:
        print_sweep_summary(summary, out)
        return
    say(out, "a sweep of `footprint sensitivity`: each input at its low and its high, the others at their values "
              "(not a distribution of futures)")
    print_tornado(subject.tornado, out)


@app.command()
def sensitivity(
    scenario: ScenarioArgument = DEFAULT_CASE,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="An input to vary, by parameter path (repeat for more); default: every figure with a "
                        "range (low and high), a series' years together.")] = None,
    top: Annotated[int, typer.Option(help="Show the K inputs with the largest swing (0: all).", min=0)] = 15,
    level: LevelOption = Level.STRATEGIC,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    store: StoreOption = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    name: NameOption = None,
) -> None:
    """A tornado: the NPV with each ranged input at its low and at its high (the others at their values),
    ranked by the swing, and where the decisions change. Solved as a stored sweep. SCENARIO may be a
    scenario set: its base, with the overrides its futures share."""
    from footprint.analysis.sensitivity import SensitivityError
    from footprint.api import sensitivity as tornado
    from footprint.plan.store import RunStore
    from footprint.scenario.formats.sources import ScenarioError
    from footprint.views.tornado import print_tornado

    try:
        with warnings_said(), _solving_futures(f"sensitivity of {scenario}") as report, RunStore(store) as opened:
            result = tornado(scenario, paths=param, workers=workers, cluster=cluster, store=opened,
                             time_limit=time_limit, mip_gap=mip_gap, on_progress=report, name=name, level=level)
    except ScenarioError as error:
        raise fail(error.report()) from None
    except SensitivityError as error:
        raise fail(str(error)) from None
    print_tornado(result, out, top or None)
    say(out, f"stored as sweep {result.sweep}")
