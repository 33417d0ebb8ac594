"""The `footprint` command line. It reads files, calls the library, and prints; nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from footprint.analysis.breakeven import BreakevenError, Trial, default_tolerance, find_breakeven
from footprint.analysis.explain import alternative, explain
from footprint.economics.checks import CHECKS
from footprint.optimize.changes import parse_changes
from footprint.optimize.solve import PlanningError, solver_options
from footprint.plan.tables import solve
from footprint.scenario.cases import DEFAULT_CASE, case_description, case_names, case_path
from footprint.scenario.docs import scenario_reference
from footprint.scenario.files import ScenarioError, load_scenario, read_source, save_scenario, scenario_from_data
from footprint.scenario.orlib import OrlibError, scenario_from_orlib_cap
from footprint.scenario.regimes import regime_description, regime_names
from footprint.scenario.scenario import Scenario
from footprint.views.console import (
    print_alternative,
    print_breakeven,
    print_explanation,
    print_plan,
    print_trial,
    value_format,
)

app = typer.Typer(
    help="Plan a manufacturing footprint: which plant builds what for which market, and which capacity to add.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Turn files of other formats into scenarios.", no_args_is_help=True)
app.add_typer(import_app, name="import")

# Piped output (a file, CI) gets room for a horizon of years instead of rich's default 80 columns.
out = Console() if Console().is_terminal else Console(width=160)
err = Console(stderr=True)


def _resolve(scenario: str) -> Path:
    """A scenario file path, or the file of a bundled case by name."""
    bundled = case_path(scenario)
    if bundled is not None and not Path(scenario).is_file():
        return bundled
    return Path(scenario)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _load(scenario: str) -> Scenario:
    """The scenario of a file or bundled case; exits with the report of every problem if it is not valid."""
    try:
        return load_scenario(_resolve(scenario), CHECKS)
    except ScenarioError as error:
        raise _fail(error.report()) from None


@app.callback(invoke_without_command=True)
def main(context: typer.Context) -> None:
    """With no command: run the bundled case."""
    if context.invoked_subcommand is None:
        run(DEFAULT_CASE)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled case.")] = DEFAULT_CASE,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for the Plan's tables.")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds; keeps the best plan found by then.")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="Relative gap at which to stop.")] = None,
    threads: Annotated[int | None, typer.Option(help="Solver threads.")] = None,
    log: Annotated[bool, typer.Option(help="Show the solver's log.")] = False,
) -> None:
    """Solve a scenario and print the plan; with --out, write its tables (CSV, Parquet) and summary.json."""
    loaded = _load(scenario)
    options = solver_options(loaded, time_limit=time_limit, mip_gap=mip_gap, threads=threads, log=log or None)
    try:
        with err.status(f"Solving {loaded.name} ...", spinner="dots"):
            plan = solve(loaded, options)
    except PlanningError as error:
        raise _fail(str(error), code=2) from None
    print_plan(plan, out)
    if out_dir is not None:
        plan.write(out_dir)
        out.print(f"Plan written to {out_dir}/ (tables as CSV and Parquet, summary.json)")


@app.command(name="explain")
def explain_command(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled case.")] = DEFAULT_CASE,
    market: Annotated[str, typer.Option(help="Market to explain.")] = ...,
    product: Annotated[str, typer.Option(help="Product to explain.")] = ...,
    year: Annotated[int | None, typer.Option(help="One year (default: every year of the horizon).")] = None,
    force: Annotated[list[str] | None, typer.Option(
        help="Force a decision and show its cost against the optimum: OPTION, OPTION@YEAR, "
             "PLANT/PRODUCT (that plant alone supplies the product) or PLANT/PRODUCT@MARKET.")] = None,
    forbid: Annotated[list[str] | None, typer.Option(
        help="Forbid a decision: OPTION (never built), PLANT/PRODUCT or PLANT/PRODUCT@MARKET.")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per solve.")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="Relative gap at which to stop.")] = None,
) -> None:
    """Why the plan supplies a market as it does: landed cost per unit from each capable plant by
    component, the chosen plant and its margin, and the value of more capacity."""
    loaded = _load(scenario)
    options = solver_options(loaded, time_limit=time_limit, mip_gap=mip_gap)
    changes = parse_changes(force, forbid)
    try:
        with err.status(f"Solving {loaded.name} and pricing its capacity ...", spinner="dots"):
            explanation = explain(loaded, market, product, year, options)
        print_explanation(explanation, out)
        if changes:
            with err.status(f"Re-solving with {len(changes)} change(s) ...", spinner="dots"):
                other = alternative(loaded, changes, explanation.plan.objective, options)
            print_alternative(other, loaded.currency, out)
    except PlanningError as error:
        raise _fail(str(error), code=2) from None


@app.command()
def breakeven(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a bundled case.")] = DEFAULT_CASE,
    *,
    param: Annotated[str, typer.Option(
        "--param", help=r"Parameter path: fx.KRW, plants\[busan].fixed_cost, options\[ID].capex, tariffs\[3].rate, "
        r"markets\[us].demand.rogue, growth:markets\[us].demand.rogue (see the README).")],
    value_range: Annotated[tuple[float, float], typer.Option("--range", help="LO HI: the values to search between.")],
    tolerance: Annotated[float | None, typer.Option(
        help="Width of the final bracket (default: (HI - LO) / 1000, ten bisection steps).")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per solve; keeps the best plan found.")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="Relative gap at which to stop each solve.")] = None,
    threads: Annotated[int | None, typer.Option(help="Solver threads.")] = None,
) -> None:
    """Find the value of one parameter, between LO and HI, at which the plan's builds or assignments change."""
    path = _resolve(scenario)
    low, high = value_range
    tolerance = default_tolerance(low, high) if tolerance is None else tolerance
    try:
        data = read_source(path).data
        loaded = scenario_from_data(data, str(path), CHECKS)
    except ScenarioError as error:
        raise _fail(error.report()) from None
    options = solver_options(loaded, time_limit=time_limit, mip_gap=mip_gap, threads=threads)
    solves: list[Trial] = []

    def progress(trial: Trial) -> None:
        solves.append(trial)
        print_trial(trial, len(solves), param, value_format(tolerance), loaded.currency, err)

    try:
        with err.status(f"Bisecting {escape(param)} between {low:g} and {high:g} ...", spinner="dots"):
            result = find_breakeven(data, param, low, high, tolerance=tolerance, options=options,
                                    on_trial=progress, source=str(path))
    except BreakevenError as error:
        raise _fail(str(error)) from None
    except PlanningError as error:
        raise _fail(str(error), code=2) from None
    print_breakeven(result, out)


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="Scenario file to check.")]) -> None:
    """Check a scenario file and report every problem at once (exit code 0 when valid)."""
    try:
        scenario = load_scenario(_resolve(str(file)), CHECKS)
    except ScenarioError as error:
        raise _fail(error.report()) from None
    out.print(f"{file}: valid scenario {scenario.name!r} ({len(scenario.plants)} plants, "
              f"{len(scenario.products)} products, {len(scenario.markets)} markets, "
              f"{scenario.horizon.start}-{scenario.horizon.end})", markup=False, highlight=False, soft_wrap=True)


@app.command()
def cases() -> None:
    """List the bundled cases (run one with `footprint run NAME`)."""
    for name in case_names():
        out.print(f"[bold]{name}[/bold]  {case_description(name)}")


@app.command()
def regimes() -> None:
    """List the tariff regimes shipped with footprint (name one with `regime:` in a scenario)."""
    for name in regime_names():
        out.print(f"[bold]{name}[/bold]  {regime_description(name)}")


@app.command()
def schema() -> None:
    """Print the scenario file format: every section and field, with units and defaults."""
    out.print(scenario_reference().rstrip("\n"), markup=False, highlight=False, soft_wrap=True)


@import_app.command("orlib-cap")
def import_orlib_cap(
    file: Annotated[Path, typer.Argument(help="OR-Library capacitated warehouse location file (cap41.txt ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Scenario file to write.")],
    capacity: Annotated[float | None, typer.Option(help="Capacity of every site, for capa/capb/capc.")] = None,
) -> None:
    """Turn an OR-Library capacitated warehouse location file into a one-year scenario."""
    try:
        scenario = scenario_from_orlib_cap(file, capacity=capacity)
    except OrlibError as error:
        raise _fail(str(error)) from None
    save_scenario(scenario, output)
    out.print(f"{output}: {len(scenario.options)} candidate sites, {len(scenario.markets)} customers")
