"""The `footprint` command line. It reads files, calls the library, and prints; nothing else.

Each command imports what it needs when it runs, so that `footprint --help` starts at once.
Every failure is a message and an exit code (see EXIT_CODES), never a traceback.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.text import Text

from footprint.plan.levels import LEVEL_HELP, Level

if TYPE_CHECKING:
    from footprint.plan.plan import Plan
    from footprint.plan.store import RunStore
    from footprint.scenario.formats.validation import Loaded
    from footprint.scenario.model.scenario import Scenario

DEFAULT_CASE = "rogue-2012"

EXIT_CODES = {
    0: "done (a plan stopped by its time limit counts: it is labelled so)",
    1: "the input is invalid: the scenario (every problem is listed), a parameter, a market or product name, "
       "a run store or a run in it",
    2: "the command line itself is wrong (an unknown option, a missing argument)",
    3: "no plan: infeasible, unbounded, or none found in the time allowed (the reason is printed)",
    4: "the results could not be written (disk full, read-only, permission, --out naming a file)",
    70: "an internal error (a bug: please report it; FOOTPRINT_TRACEBACK=1 shows where)",
    130: "interrupted (Ctrl-C); run writes the best plan found so far, labelled interrupted",
}
INVALID, NO_PLAN, NOT_WRITTEN, INTERNAL, INTERRUPTED = 1, 3, 4, 70, 130

_EXIT_HELP = "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) + "."

app = typer.Typer(
    help="Plan a manufacturing footprint: which plant builds what for which market, and which capacity to add. "
         + _EXIT_HELP,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Turn files of other formats into scenarios.", no_args_is_help=True)
app.add_typer(import_app, name="import")

class _Output(Console):
    """stdout, where a closed pipe (`footprint run | head -1`) stops the printing but not the command."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)  # let the interpreter's final flush go nowhere
        os.dup2(devnull, sys.stdout.fileno())


# Piped output (a file, CI) gets room for a horizon of years instead of rich's default 80 columns. No emoji codes:
# a value with :x: in it is printed as written (the views escape rich markup in every value they print).
out = _Output(emoji=False) if Console().is_terminal else _Output(width=160, emoji=False)
err = Console(stderr=True, emoji=False)

ScenarioArgument = Annotated[str, typer.Argument(
    help="Scenario: a YAML file, a CSV folder, an Excel workbook, or the name of a bundled case.")]
StrictOption = Annotated[bool, typer.Option(help="Treat warnings (probable mistakes) as errors.")]
TimeLimitOption = Annotated[float | None, typer.Option(
    help="Seconds for all the command's solving; the best plan found by then is kept.", min=0.001)]
MipGapOption = Annotated[float | None, typer.Option(help="Relative gap at which to stop.", min=0.0, max=1.0)]
ThreadsOption = Annotated[int | None, typer.Option(help="Solver threads (at most the machine's cores).",
                                                   min=1, max=256)]
SetArgument = Annotated[str, typer.Argument(
    help="Scenario set: a YAML file with kind: scenario-set, or a bundled set (rogue-2012/futures).")]
FuturesOption = Annotated[int | None, typer.Option(
        "--n", "-n", help="Samples of each sampling generator (ranges, fx_history); with combine: sample, the "
                          "number of futures drawn.", min=1)]
SeedOption = Annotated[int | None, typer.Option(help="Seed of the random draws, in place of the set's.", min=0)]
LevelOption = Annotated[Level, typer.Option(
    "--level", help=f"The decisions that count: {LEVEL_HELP}. Default: strategic.", case_sensitive=False)]


def _run_name(name: str | None) -> str | None:
    from footprint.plan.store import StoreError, check_run_name

    try:
        return None if name is None else check_run_name(name)
    except StoreError as error:
        raise typer.BadParameter(str(error)) from None


NameOption = Annotated[str | None, typer.Option(
    "--name", callback=_run_name,
    help="The name to store it under (default: the scenario's, or the set's as given), shown by `footprint runs` "
         "and usable in place of its id (show, export, compare, report).")]
StoreOption = Annotated[str | None, typer.Option(
    "--store", help="The run store: an SQLite file, or a database URL (postgresql+psycopg://USER:PASSWORD@HOST/DB); "
                    "default: $FOOTPRINT_STORE, else footprint.sqlite in this folder.")]


def _printable(text: str) -> str:
    from footprint.scenario.model.text import printable

    return printable(text)


def _fail(message: str, code: int = INVALID) -> typer.Exit:
    _say(err, message)
    return typer.Exit(code)


def _say(console: Console, message: str) -> None:
    console.print(_printable(message), markup=False, highlight=False, soft_wrap=True)


@contextmanager
def _set_warnings(strict: bool) -> Iterator[None]:
    """What expanding a set warns of (futures that set the same values) on stderr as it comes, in footprint's
    words, or as an error with ``strict``; any other warning as Python shows it."""
    from footprint.economics.futures import SameFuturesWarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, SameFuturesWarning):
            _say(err, f"warning: {message}")
        else:
            shown(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        shown = warnings.showwarning
        warnings.simplefilter("error" if strict else "always", SameFuturesWarning)
        warnings.showwarning = show
        try:
            yield
        except SameFuturesWarning as error:
            raise _fail(f"{error} (an error with --strict)") from None


def _resolve(scenario: str) -> Path:
    """A scenario path, or the file of a bundled case by name (or of a bundled set, which loading refuses)."""
    from footprint.scenario.cases.bundled import case_path, set_path

    try:
        exists = Path(scenario).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long
        exists = False
    bundled = None if exists else case_path(scenario) or set_path(scenario)
    return bundled if bundled is not None else Path(scenario)


@contextmanager
def _warnings_said() -> Iterator[None]:
    """The ScenarioWarnings the API issues for a file it reads, said on stderr as every command says its warnings
    (not in Python's warning format); other warnings as Python shows them."""
    import warnings

    from footprint.api import ScenarioWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", ScenarioWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
                 line: str | None = None) -> None:
            if issubclass(category, ScenarioWarning):
                _say(err, str(message))
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


@contextmanager
def _stage(what: str) -> Iterator[None]:
    """A spinner on stderr for work that takes more than a second (none for what ends sooner)."""
    status = err.status(Text(_printable(what)), spinner="dots")  # a path as written, never read as markup
    started = threading.Event()

    def start() -> None:
        started.set()
        status.start()

    timer = threading.Timer(1.0, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if started.is_set():
            status.stop()


def _load(scenario: str, strict: bool, *, quiet: bool = False) -> Loaded:
    """The scenario of a path or bundled case with every check run; exits with the report of every problem
    if it is not valid. Warnings go to stderr (unless ``quiet``)."""
    from footprint.economics.checks import CHECKS
    from footprint.scenario.formats.files import read_scenario
    from footprint.scenario.formats.sources import ScenarioError

    path = _resolve(scenario)
    try:
        with _stage(f"Loading {path} ..."):
            loaded = read_scenario(path, CHECKS, strict=strict)
    except ScenarioError as error:
        raise _fail(error.report()) from None
    if not quiet:
        _say_warnings(loaded.warnings)
    return loaded


def _say_warnings(warnings: Iterable[object]) -> None:
    """Warnings (probable mistakes) on stderr, one a line."""
    for warning in warnings:
        _say(err, str(warning))


def _options(scenario: Scenario, **overrides: Any) -> Any:
    from footprint.optimize.solve import solver_options

    return solver_options(scenario, **overrides)


@app.callback(invoke_without_command=True)
def main_callback(context: typer.Context) -> None:
    """With no command: run the bundled case."""
    if context.invoked_subcommand is None:
        run(DEFAULT_CASE)


@app.command()
def run(
    scenario: ScenarioArgument = DEFAULT_CASE,
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Where to write the Plan's tables: a folder (CSV, Parquet, summary.json; it replaces "
                            "earlier results there) or FILE.xlsx (one workbook).")] = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    threads: ThreadsOption = None,
    log: Annotated[bool, typer.Option(help="Show the solver's log.")] = False,
    strict: StrictOption = False,
    store: StoreOption = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not keep the run in the run store.")] = False,
    name: NameOption = None,
) -> None:
    """Solve a scenario and print the plan; with --out, write its tables. The run is kept in the run store."""
    from footprint.optimize.solve import PlanningError
    from footprint.plan.tables import solve
    from footprint.views.console import print_plan

    started = time.perf_counter()
    loaded = _load(scenario, strict)
    load_seconds = time.perf_counter() - started
    options = _options(loaded.scenario, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log or None)
    try:
        with _stage(f"Solving {loaded.scenario.name} ..."):
            plan = solve(loaded.scenario, options, keep_interrupted=True)
    except PlanningError as error:
        raise _fail(str(error), NO_PLAN) from None
    plan.summary["load_seconds"] = load_seconds
    if out_path is not None:
        _write_plan(plan, out_path)
    print_plan(plan, out, results=out_path)
    stored = None if no_store else _store_run(plan, loaded, options, store, name)  # after the plan is out: never lost
    if out_path is not None:
        _say(out, f"Plan written to {out_path}" + (
            "" if out_path.suffix.lower() == ".xlsx" else "/ (tables as CSV and Parquet, summary.json)"))
    if stored is not None:
        _say(out, stored)
    if plan.status == "interrupted":
        raise typer.Exit(INTERRUPTED)


def _write_plan(plan: Any, target: Path) -> None:
    """The Plan's tables into a results folder, or into one workbook when ``target`` ends in .xlsx."""
    from footprint.plan.results import ResultsError
    from footprint.plan.workbook import PlanWorkbookError, write_workbook

    try:
        with _stage(f"Writing {target} ..."):
            if target.suffix.lower() == ".xlsx":
                write_workbook(plan, target)
            else:
                plan.write(target)
    except (ResultsError, PlanWorkbookError) as error:
        raise _fail(str(error), NOT_WRITTEN) from None


@app.command(name="explain")
def explain_command(
    scenario: ScenarioArgument = DEFAULT_CASE,
    market: Annotated[str, typer.Option(help="Market to explain.")] = ...,
    product: Annotated[str, typer.Option(help="Product to explain.")] = ...,
    year: Annotated[int | None, typer.Option(help="One year (default: every year of the horizon).")] = None,
    force: Annotated[list[str] | None, typer.Option(
        help="Force a decision and show its cost against the optimum: OPTION, OPTION@YEAR, "
             "PLANT/PRODUCT (that plant alone supplies the product), PLANT/PRODUCT@MARKET, open:PLANT, "
             "open:PLANT@YEAR, close:PLANT or close:PLANT@YEAR.")] = None,
    forbid: Annotated[list[str] | None, typer.Option(
        help="Forbid a decision: OPTION (never built), OPTION@YEAR, PLANT/PRODUCT, PLANT/PRODUCT@MARKET, "
             "open:PLANT[@YEAR] or close:PLANT[@YEAR].")] = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    strict: StrictOption = False,
) -> None:
    """Why the plan supplies a market as it does: landed cost per unit from each capable plant by
    component, the chosen plant and its margin, and the value of more capacity."""
    from footprint.analysis.explain import ExplainError, alternative, explain
    from footprint.optimize.changes import parse_changes
    from footprint.optimize.solve import PlanningError
    from footprint.views.console import print_alternative, print_explanation

    loaded = _load(scenario, strict)
    options = _options(loaded.scenario, time_limit=time_limit, mip_gap=mip_gap)
    changes = parse_changes(force, forbid)
    try:
        with _stage(f"Solving {loaded.scenario.name} and pricing its capacity ..."):
            explanation = explain(loaded.scenario, market, product, year, options)
        other = None
        if changes:  # before printing: a change the scenario cannot make is refused with nothing printed
            try:
                with _stage(f"Re-solving with {len(changes)} change(s) ..."):
                    other = alternative(loaded.scenario, changes, explanation.plan.objective, options)
            except PlanningError:
                print_explanation(explanation, out)  # the optimum is explained; the alternative has no plan
                raise
        print_explanation(explanation, out)
        if other is not None:
            print_alternative(other, loaded.scenario.currency, out)
    except ExplainError as error:
        raise _fail(str(error), INVALID) from None
    except PlanningError as error:
        raise _fail(str(error), NO_PLAN) from None


@app.command()
def breakeven(
    scenario: ScenarioArgument = DEFAULT_CASE,
    *,
    param: Annotated[str, typer.Option(
        "--param", help=r"Parameter path: fx.KRW, plants\[busan].fixed_cost, capabilities\[busan/rogue].local_cost, "
        r"tariffs\[*/US/8703].rate (or by position, tariffs\[3].rate), markets\[us].demand.rogue, "
        r"growth:markets\[us].demand.rogue (see the README).")],
    value_range: Annotated[tuple[float, float], typer.Option("--range", help="LO HI: the values to search between.")],
    tolerance: Annotated[float | None, typer.Option(
        help="Width of the final bracket (default: (HI - LO) / 1000, ten bisection steps).")] = None,
    level: LevelOption = Level.STRATEGIC,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    threads: ThreadsOption = None,
    strict: StrictOption = False,
) -> None:
    """Find the value of one parameter, between LO and HI, at which the plan's decisions change (by default the
    strategic ones: capacity built, plants opened or closed)."""
    from footprint.analysis.breakeven import Trial, default_tolerance, find_breakeven
    from footprint.optimize.solve import PlanningError
    from footprint.scenario.sets.parameters import ParameterError
    from footprint.views.console import print_breakeven, print_trial, value_format

    loaded = _load(scenario, strict)
    low, high = value_range
    tolerance = default_tolerance(low, high) if tolerance is None else tolerance
    options = _options(loaded.scenario, time_limit=time_limit, mip_gap=mip_gap, threads=threads)
    solves: list[Trial] = []

    def progress(trial: Trial) -> None:
        solves.append(trial)
        print_trial(trial, len(solves), param, value_format(tolerance), loaded.scenario.currency, err)

    try:
        with _stage(f"Bisecting {param} between {low:g} and {high:g} ..."):
            result = find_breakeven(loaded.data, param, low, high, tolerance=tolerance, options=options,
                                    on_trial=progress, source=loaded.source, level=level)
    except ParameterError as error:
        raise _fail(str(error)) from None
    except PlanningError as error:
        raise _fail(str(error), NO_PLAN) from None
    print_breakeven(result, out)


def _plan_of(reference: str, store: str | None) -> Plan:
    """The Plan a reference names: a results folder (`footprint run --out DIR`), else a stored run (its id,
    latest, its name, or SWEEP/FUTURE for a future of a sweep)."""
    from footprint.plan.plan import Plan
    from footprint.plan.results import ResultsError
    from footprint.plan.store import RunStore, StoreError

    path = Path(reference)
    try:
        is_folder = path.is_dir()
    except (OSError, ValueError):  # a NUL byte, a name too long
        is_folder = False
    if is_folder:
        try:
            with _stage(f"Reading {reference} ..."):
                return Plan.read(path)
        except ResultsError as error:
            raise _fail(str(error)) from None
    try:
        with RunStore(store, create=False) as opened:
            found = opened.get(reference)
            if found.kind == "sweep" or not found.has_plan:
                what = "a sweep: name one of its futures as SWEEP/FUTURE" if found.kind == "sweep" else \
                    f"a {found.kind} without a plan ({found.message or found.status})"
                raise _fail(f"{reference}: run {found.id} ({found.name}) is {what}")
            return opened.plan(found.id)
    except StoreError as error:
        raise _fail(f"{reference}: not a results folder, nor a stored run: {error}") from None


@app.command(name="compare")
def compare_command(
    a: Annotated[str, typer.Argument(metavar="A", help="Plan A, the reference: a results folder (`footprint run "
                                                        "--out DIR`), or a stored run: its id, latest, its name, "
                                                        "or SWEEP/FUTURE.")],
    b: Annotated[str, typer.Argument(metavar="B", help="Plan B, compared against A: the same kinds.")],
    level: Annotated[Level, typer.Option(
        "--level", help=f"The decisions to compare: {LEVEL_HELP}. Default: flows (every level, strategic first).",
        case_sensitive=False)] = Level.FLOWS,
    store: StoreOption = None,
) -> None:
    """Compare plan B against plan A: the key figures side by side, then the decisions that differ, level by level
    (strategic: builds and plant decisions; assignments; flows: supply moved), and the costs by component and by
    currency."""
    from footprint.analysis.compare import CompareError, compare
    from footprint.views.compare import print_comparison

    plans = _plan_of(a, store), _plan_of(b, store)
    try:
        comparison = compare(*plans, level=level)
    except CompareError as error:
        raise _fail(str(error)) from None
    _say(out, f"A = {a}, B = {b}")
    print_comparison(comparison, out)


@app.command()
def validate(
    scenario: ScenarioArgument,
    strict: StrictOption = False,
) -> None:
    """Check a scenario and report every problem and warning at once (exit code 0 when valid)."""
    loaded = _load(scenario, strict, quiet=True)
    s = loaded.scenario
    warnings = f"; {len(loaded.warnings)} warning{'s' if len(loaded.warnings) != 1 else ''}" if loaded.warnings else ""
    lines = [f"{loaded.source}: valid scenario {s.name!r} ({len(s.plants)} plants, {len(s.products)} products, "
             f"{len(s.markets)} markets, {s.horizon.start}-{s.horizon.end}){warnings}",
             *(f"  {warning}" for warning in loaded.warnings)]
    _say(out, "\n".join(lines))


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
        with _stage(f"Expanding {scenario_set} ..."), _set_warnings(strict):
            read = read_set(scenario_set, strict=strict)
            listed = expand(read, n=n, seed=seed)
            invalid = check_futures(read, listed[:check])
    except ScenarioError as error:
        raise _fail(error.report()) from None
    _say_warnings(read.warnings)
    print_futures(listed, f"{len(listed):,} futures of {scenario_set} (base {read.spec.base})", out)
    if invalid:
        checked = min(check, len(listed))
        raise _fail("\n".join([f"{len(invalid)} of the {checked} futures checked are not valid scenarios:",
                                *(error.report() for error in invalid.values())]))


# Many futures: a sweep solves each future of a set, sensitivity each ranged input at its ends; both stored.

def _year_or_none(text: str) -> str:
    if text.strip().lower() == "none" or text.strip().isdigit():
        return text.strip().lower()
    raise typer.BadParameter(f"expected a year or none, found {text!r}")


def _decisions(text: str) -> str:
    from footprint.scenario.sets.scenario_sets import decision_blocks

    try:
        return ",".join(decision_blocks(text)) or "none"
    except ValueError as error:
        raise typer.BadParameter(str(error).removeprefix("decisions: ")) from None


class Method(StrEnum):
    auto = "auto"
    extensive = "extensive"
    benders = "benders"


WorkersOption = Annotated[int | None, typer.Option(
    help="Worker processes of the local Dask cluster (default: one per core).", min=1, max=256)]
ClusterOption = Annotated[str | None, typer.Option(
    help="Address of a running Dask scheduler (tcp://host:8786) to solve on, in place of a local cluster.")]


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
        raise _fail(str(error)) from None
    except KeyboardInterrupt:
        _say(err, "interrupted: every future solved so far is stored; run the same command again to go on")
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
        with _stage(f"Reading {scenario_set} ..."):
            read = read_set(scenario_set, strict=strict)
        _say_warnings(read.warnings)
        with _solving_futures(f"futures of {scenario_set}") as report, RunStore(store) as opened, \
                _set_warnings(strict):
            outcome = sweep(read, n=n, seed=seed, workers=workers, cluster=cluster, store=opened,
                            time_limit=time_limit, mip_gap=mip_gap, on_progress=report, name=name or scenario_set)
            futures = opened.futures(outcome.sweep, level) if level is Level.FLOWS else outcome.futures
    except ScenarioError as error:
        raise _fail(error.report()) from None
    summary = sweep_summary(futures, read.scenario.objective, currency=read.scenario.currency, level=level)
    print_sweep_summary(summary, out)
    skipped = f"; {outcome.skipped:,} stored before" if outcome.skipped else ""
    _say(out, f"stored as sweep {outcome.sweep} in {opened.name}: {outcome.solved:,} futures solved in "
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
        metavar="YEAR|none", parser=_year_or_none,
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
        metavar="BLOCK,...|none", parser=_decisions,
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
        with _stage(f"Reading {scenario_set} ..."):
            read = read_set(scenario_set, strict=strict)
        _say_warnings(read.warnings)
        currency = read.scenario.currency
        with _stage("Solving the futures as one plan ..."), _set_warnings(strict):
            plan = stochastic_plan(read, n=n, seed=seed, risk_weight=risk_weight, alpha=alpha,
                                   revise_from=revise_from, decisions=decisions, method=method.value, gap=gap,
                                   workers=workers, cluster=cluster, time_limit=time_limit, mip_gap=mip_gap,
                                   on_round=lambda r: print_round(r, currency, err),
                                   on_progress=lambda p: print_progress(p, currency, err))
    except ScenarioError as error:
        raise _fail(error.report()) from None
    except (StochasticError, SweepError) as error:
        raise _fail(str(error)) from None
    except PlanningError as error:
        raise _fail(str(error), NO_PLAN) from None
    except KeyboardInterrupt:
        _say(err, "interrupted before any plan was found; nothing was stored")
        raise typer.Exit(INTERRUPTED) from None
    print_stochastic(plan, currency, out)
    stored = None if no_store else _keep(store, lambda opened: save_stochastic(
        plan, read, opened, name=name or scenario_set, n=n, seed=seed).run)
    if stored is not None:
        _say(out, stored)
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

    with _opened_store(store) as opened:
        found = opened.get(sweep_ref)
        if found.kind != "sweep":
            raise _fail(f"run {found.id} ({found.name}) is a {found.kind}, not a sweep; `footprint runs --kind sweep` "
                        "lists the sweeps")
        try:
            subject = stored_sweep(opened, found, level)
        except ReportError as error:
            raise _fail(str(error)) from None
    summary = subject.summary
    _say(out, f"sweep {found.id} ({found.name}): {summary.futures:,} futures stored, {found.status}")
    if subject.tornado is None:
        print_sweep_summary(summary, out)
        return
    _say(out, "a sweep of `footprint sensitivity`: each input at its low and its high, the others at their values "
              "(not a distribution of futures)")
    print_tornado(subject.tornado, out)


@app.command()
def report(
    references: Annotated[list[str], typer.Argument(
        metavar="RUN|DIR|FILE", help="What to report: a stored run (its id, latest, its name, SWEEP/FUTURE; a sweep "
                                     "or a stochastic plan too), a results folder (`footprint run --out DIR`), or a "
                                     "scenario file (solved first). Two with --compare.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path("report.html"),
    compared: Annotated[bool, typer.Option("--compare", help="Report the second plan against the first.")] = False,
    scenario: Annotated[str | None, typer.Option(
        help="The scenario of a results folder (it keeps only the plan's tables): for the map and the inputs.")] = None,
    explain: Annotated[bool | None, typer.Option(
        "--explain/--no-explain", help="Show explain's choices for the largest markets and products (it re-solves "
                                       "the scenario); default: for plans of up to 20,000 flows.")] = None,
    store: StoreOption = None,
) -> None:
    """Write one self-contained HTML report (it works offline: no request leaves the page): the map of plants,
    markets and flows by year, utilization, production, builds, landed cost, costs, lost sales and the inputs;
    for a sweep, a stochastic plan or two plans compared, what they add."""
    from footprint.scenario.formats.atomic import write_file
    from footprint.views.report_of import ReportError, report_of

    try:
        with _stage("Drawing the report ..."):
            html = report_of(references, store, scenario=None if scenario is None else str(_resolve(scenario)),
                             explain=explain, compared=compared)
    except ReportError as error:
        raise _fail(str(error)) from None
    if out_path.is_dir():
        raise _fail(f"{out_path}: a folder; --out takes the name of the HTML file to write", NOT_WRITTEN)
    try:
        write_file(out_path, lambda path: path.write_text(html, encoding="utf-8"))
    except OSError as error:
        raise _fail(f"cannot write {out_path}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    _say(out, f"Report written to {out_path} ({len(html.encode()) / 1e6:.1f} MB)")


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
        with _warnings_said(), _solving_futures(f"sensitivity of {scenario}") as report, RunStore(store) as opened:
            result = tornado(scenario, paths=param, workers=workers, cluster=cluster, store=opened,
                             time_limit=time_limit, mip_gap=mip_gap, on_progress=report, name=name, level=level)
    except ScenarioError as error:
        raise _fail(error.report()) from None
    except SensitivityError as error:
        raise _fail(str(error)) from None
    print_tornado(result, out, top or None)
    _say(out, f"stored as sweep {result.sweep}")


@app.command()
def template(
    excel: Annotated[Path | None, typer.Option("--excel", help="Write the template as this workbook (.xlsx).")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the template as this folder of CSV files.")] = None,
    years: Annotated[tuple[int, int] | None, typer.Option(
        help="FIRST LAST: a column per year in the per-year tables (capacity, demand, price, penalty).")] = None,
    force: Annotated[bool, typer.Option(help="Replace a template already there.")] = False,
) -> None:
    """Write an empty scenario as tables (a workbook or a CSV folder), with each column's meaning and units and,
    in a workbook, lists of the ids a column may name."""
    from footprint.scenario.formats.sources import ScenarioError
    from footprint.scenario.formats.template import write_template

    if (excel is None) == (csv is None):
        raise _fail("give one of --excel FILE.xlsx or --csv FOLDER")
    target = excel if excel is not None else csv
    assert target is not None
    if (target.suffix.lower() == ".xlsx") != (excel is not None):
        raise _fail(f"{target}: --excel takes a name ending in .xlsx, --csv a folder name without it")
    first, last = years if years is not None else (0, -1)
    if years is not None and not 1900 <= first <= last <= 2200:
        raise _fail(f"--years {first} {last}: expected FIRST <= LAST, both from 1900 to 2200")
    try:
        written = write_template(target, years=range(first, last + 1), overwrite=force)
    except ScenarioError as error:
        raise _fail(error.report()) from None
    except OSError as error:
        raise _fail(f"cannot write {target}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    _say(out, f"Template written to {written}: fill in its tables, then `footprint validate {written}`")


@app.command(name="convert")
def convert_command(
    scenario: ScenarioArgument,
    target: Annotated[Path, typer.Argument(help="Where to write it: NAME.yaml, NAME.xlsx, or a folder (CSV files).")],
    force: Annotated[bool, typer.Option(help="Replace what is at TARGET (never an input of the conversion).")] = False,
    strict: StrictOption = False,
) -> None:
    """Convert a scenario between YAML, an Excel workbook and a CSV folder, losing nothing (sources and ranges
    of every figure included)."""
    from footprint.economics.checks import CHECKS
    from footprint.scenario.formats.files import convert
    from footprint.scenario.formats.sources import ScenarioError

    try:
        with _stage(f"Converting {scenario} ..."):
            loaded = convert(_resolve(scenario), target, CHECKS, overwrite=force, strict=strict)
    except ScenarioError as error:
        raise _fail(error.report()) from None
    except OSError as error:
        raise _fail(f"cannot write {target}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    _say_warnings(loaded.warnings)
    _say(out, f"{loaded.source} -> {target}: scenario {loaded.scenario.name!r}")


@app.command()
def cases() -> None:
    """List the bundled cases (run one with `footprint run NAME`) and scenario sets."""
    from footprint.scenario.cases.bundled import case_description, case_names, set_names

    for name in case_names():
        out.print(f"[bold]{name}[/bold]  {case_description(name)}")
    for name in set_names():
        out.print(f"[bold]{name}[/bold]  {case_description(name)} (a scenario set: `footprint futures {name}`)")


@app.command()
def regimes() -> None:
    """List the tariff regimes shipped with footprint (name one with `regime:` in a scenario)."""
    from footprint.scenario.model.regimes import regime_description, regime_names

    for name in regime_names():
        out.print(f"[bold]{name}[/bold]  {regime_description(name)}")


@app.command()
def schema() -> None:
    """Print the scenario file format: every section and field, with units and defaults."""
    from footprint.scenario.formats.docs import scenario_reference

    _say(out, scenario_reference().rstrip("\n"))


# The run store: `run` keeps every plan it solves; `runs`, `show` and `export` read them back.


def _store_run(plan: Any, loaded: Loaded, options: Any, where: str | None, name: str | None) -> str | None:
    """Keep a solved run in the store, named ``name`` (default: the scenario's), and say where (see
    :func:`_keep`)."""
    from footprint.plan.store import encode_tables, run_record, solver_settings

    return _keep(where, lambda store: store.save_run(
        run_record(plan, name=name or loaded.scenario.name, data=loaded.data, settings=solver_settings(options)),
        encode_tables(plan)))


def _keep(where: str | None, save: Callable[[RunStore], int | None]) -> str | None:
    """Keep a run in the store ``where`` by ``save`` (which returns its id), and say where; a store that fails
    is a warning, never a lost plan."""
    from footprint.plan.store import RunStore, StoreError

    try:
        with _stage("Storing the run ..."), RunStore(where) as store:
            run_id = save(store)
    except StoreError as error:
        _say(err, f"warning: the run was not stored: {error}")
        return None
    return f"stored as run {run_id} in {store.name}"


@contextmanager
def _opened_store(where: str | None) -> Iterator[RunStore]:
    """The run store to read, made already; its failures are messages (exit code 1)."""
    from footprint.plan.store import RunStore, StoreError

    try:
        with RunStore(where, create=False) as store:
            yield store
    except StoreError as error:
        raise _fail(str(error)) from None


RunArgument = Annotated[str, typer.Argument(
    metavar="RUN", help="A stored run: its id, latest, its name (the newest of that name), or SWEEP/FUTURE.")]


@app.command(name="runs")
def runs_command(
    store: StoreOption = None,
    kind: Annotated[Literal["run", "stochastic", "sweep", "future"] | None, typer.Option(
        help="Only runs, stochastic plans, sweeps or futures (default: all but futures).")] = None,
    search: Annotated[str | None, typer.Option(help="Only those whose name contains this (any case).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 50,
) -> None:
    """List the runs and sweeps in the run store, newest first."""
    from footprint.views.console import print_runs

    with _opened_store(store) as opened:
        listed = opened.runs(kind, search, limit)
    print_runs(listed, opened.name, out)


@app.command()
def show(run_ref: RunArgument, store: StoreOption = None) -> None:
    """Print a stored run as `run` (or `stochastic`) printed it (a sweep: its futures)."""
    from footprint.analysis.stochastic import StochasticPlan
    from footprint.views.console import print_plan, print_sweep
    from footprint.views.stochastic import print_stochastic

    with _opened_store(store) as opened:
        found = opened.get(run_ref)
        if found.kind == "sweep":
            print_sweep(found, opened.futures(found.id), out)
            return
        if not found.has_plan:
            raise _fail(f"run {found.id} ({found.name}) has no plan: {found.message or found.status}", NO_PLAN)
        plan = opened.plan(found.id)
    if plan.stacked:
        print_stochastic(StochasticPlan.of(plan, run=found.id), str(plan.summary["currency"]), out)
    else:
        print_plan(plan, out)


@app.command()
def export(
    run_ref: RunArgument,
    out_path: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the run's tables: a folder (CSV, Parquet, summary.json; it replaces "
                            "earlier results there) or FILE.xlsx (one workbook).")],
    store: StoreOption = None,
) -> None:
    """Write a stored run's tables as `run --out` does: a results folder, or one workbook. A sweep: the table of
    its futures, and each table with every future's rows under a leading `future` column."""
    from footprint.plan.results import ResultsError
    from footprint.plan.sweep_export import write_sweep
    from footprint.plan.workbook import PlanWorkbookError

    with _opened_store(store) as opened:
        found = opened.get(run_ref)
        if found.kind == "sweep":
            try:
                with _stage(f"Writing {out_path} ..."):
                    write_sweep(opened, found, out_path)
            except (ResultsError, PlanWorkbookError) as error:
                raise _fail(str(error), NOT_WRITTEN) from None
            _say(out, f"Sweep {found.id} ({found.name}) written to {out_path}")
            return
        plan = opened.plan(found.id)
    _write_plan(plan, out_path)
    _say(out, f"Run {found.id} ({found.name}) written to {out_path}")


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; any but localhost (127.0.0.1) needs --token.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="FOOTPRINT_TOKEN", help="Every request must carry it: open the app once as http://HOST:PORT/?token="
                                       "TOKEN (a cookie keeps it), or send the X-Footprint-Token header.")] = None,
    max_upload: Annotated[float, typer.Option(help="Largest upload, in MB (MiB).", min=0.001, max=4096)] = 20.0,
    workers: WorkersOption = None,
    allow_host: Annotated[list[str] | None, typer.Option(
        help="Another host name the app answers to (the name a proxy or DNS gives it), beside localhost's and "
             "--host's; repeat for more. A request naming any other host is refused.")] = None,
    upload_seconds: Annotated[float, typer.Option(
        help="The longest the validation of one upload may take, in seconds; then it is stopped.", min=1.0,
        max=86_400.0)] = 60.0,
    job_seconds: Annotated[float, typer.Option(
        help="The longest a run or a sweep started in the app may take, in seconds; then it is stopped.",
        min=1.0, max=31_536_000.0)] = 3600.0,
    memory: Annotated[float, typer.Option(
        help="Memory each upload's validation and each job (and each of a sweep's workers) may use, in MB (MiB); "
             "work that needs more is stopped.", min=64.0, max=1_048_576.0)] = 4096.0,
) -> None:
    """Serve the web app over the run store: the runs and sweeps, a run's tables and downloads, uploads validated
    in place and run (or swept over their ranged inputs) in the background, comparisons. Ctrl-C stops it."""
    import uvicorn

    from footprint.plan.store import StoreError
    from footprint.web.app import create_app
    from footprint.web.security import host_refusal
    from footprint.web.state import Settings
    from footprint.web.uploads import MIB, Limits

    refusal = host_refusal(host, token)
    if refusal is not None:
        raise _fail(refusal)
    try:
        limits = Limits(max_upload=int(max_upload * MIB), upload_seconds=upload_seconds, job_seconds=job_seconds,
                        memory=int(memory * MIB))
        served = create_app(Settings(store, token, limits, workers, host, tuple(allow_host or ())))
    except StoreError as error:
        raise _fail(str(error)) from None
    shown = f"[{host}]" if ":" in host else host
    _say(err, f"footprint serves {served.state.footprint.store.name} at http://{shown}:{port}/"
              + (" (open it once with ?token=TOKEN)" if token else "") + "; Ctrl-C stops it")
    uvicorn.run(served, host=host, port=port, log_level="warning", server_header=False)


@import_app.command("orlib-cap")
def import_orlib_cap(
    file: Annotated[Path, typer.Argument(help="OR-Library capacitated warehouse location file (cap41.txt ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Scenario file to write.")],
    capacity: Annotated[float | None, typer.Option(help="Capacity of every site, for capa/capb/capc.")] = None,
) -> None:
    """Turn an OR-Library capacitated warehouse location file into a one-year scenario."""
    from footprint.scenario.formats.files import save_scenario
    from footprint.scenario.formats.orlib import OrlibError, scenario_from_orlib_cap

    try:
        scenario = scenario_from_orlib_cap(file, capacity=capacity)
    except OrlibError as error:
        raise _fail(str(error)) from None
    try:
        save_scenario(scenario, output)
    except OSError as error:
        raise _fail(f"cannot write {output}: {error.strerror or error}", NOT_WRITTEN) from None
    _say(out, f"{output}: {len(scenario.options)} candidate sites, {len(scenario.markets)} customers")


def _leave_abandoned_solves() -> None:
    """End the process at once if Ctrl-C left a HiGHS solve running (optimize/highs.py: it stops only at its next
    check): an exit that waited would wait for it, and one that ran the C++ runtime's exit handlers under it would
    abort the process."""
    highs = sys.modules.get("footprint.optimize.highs")
    if highs is not None and highs.solves_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)


def main() -> None:
    """The `footprint` command: the app, with every failure an exit code and a message, never a traceback."""
    try:
        app()
    except SystemExit as stop:
        if stop.code == INTERRUPTED:
            _say(err, "interrupted")
            _leave_abandoned_solves()
        raise
    except MemoryError:
        _say(err, "out of memory: the scenario is too large for this machine (try a smaller horizon or network)")
        sys.exit(INTERNAL)
    except Exception as error:  # a bug: say so in one line, and how to see where
        if os.environ.get("FOOTPRINT_TRACEBACK"):
            raise
        _say(err, f"internal error: {type(error).__name__}: {error}. This is a bug in footprint; please "
                  "report it (set FOOTPRINT_TRACEBACK=1 to see where it happened).")
        sys.exit(INTERNAL)
