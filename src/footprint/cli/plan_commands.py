"""Commands on one scenario's plan: run, explain, breakeven, compare."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from footprint.cli.app import (
    DEFAULT_CASE,
    INTERRUPTED,
    INVALID,
    NO_PLAN,
    NOT_WRITTEN,
    app,
    err,
    fail,
    out,
    say,
    stage,
)
from footprint.cli.loading import load, solver_options_for
from footprint.cli.options import (
    LevelOption,
    MipGapOption,
    NameOption,
    ScenarioArgument,
    StoreOption,
    StrictOption,
    ThreadsOption,
    TimeLimitOption,
)
from footprint.cli.stored import plan_of, store_run, write_plan
from footprint.plan.levels import LEVEL_HELP, Level

if TYPE_CHECKING:
    from footprint.analysis.explain import Alternative, Explanation

ExplainFormat = Literal["table", "json", "csv"]


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
    loaded = load(scenario, strict)
    load_seconds = time.perf_counter() - started
    options = solver_options_for(loaded.scenario, time_limit=time_limit, mip_gap=mip_gap, threads=threads,
                                 log=log or None)
    try:
        with stage(f"Solving {loaded.scenario.name} ..."):
            plan = solve(loaded.scenario, options, keep_interrupted=True)
    except PlanningError as error:
        raise fail(str(error), NO_PLAN) from None
    plan.summary["load_seconds"] = load_seconds
    if out_path is not None:
        write_plan(plan, out_path)
    print_plan(plan, out, results=out_path)
    stored = None if no_store else store_run(plan, loaded, options, store, name)  # after the plan is out: never lost
    if out_path is not None:
        say(out, f"Plan written to {out_path}" + (
            "" if out_path.suffix.lower() == ".xlsx" else "/ (tables as CSV and Parquet, summary.json)"))
    if stored is not None:
        say(out, stored)
    if plan.status == "interrupted":
        raise typer.Exit(INTERRUPTED)


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
    output_format: Annotated[ExplainFormat, typer.Option(
        "--format", help="table (the console's), json (one document: every table, and an alternative's cost) or "
                         "csv (a file per table into the folder --out names).", case_sensitive=False)] = "table",
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="With --format csv, the folder to write the tables into (landed.csv, "
                            "capacity_value.csv, parts.csv, origin.csv); with json, a file instead of the "
                            "standard output.")] = None,
    time_limit: TimeLimitOption = None,
    mip_gap: MipGapOption = None,
    strict: StrictOption = False,
) -> None:
    """Why the plan supplies a market as it does: landed cost per unit from each capable plant by
    component, the chosen plant and its margin, and the value of more capacity; for a product with a bill of
    materials, a unit by part (where each came from) and the rules of origin (the RVC reached, the duty saved)."""
    from footprint.analysis.explain import ExplainError, alternative, explain
    from footprint.optimize.changes import parse_changes
    from footprint.optimize.solve import PlanningError
    from footprint.views.console import print_alternative, print_explanation

    if output_format == "csv" and out_path is None:
        raise fail("--format csv writes a file per table: name their folder with --out FOLDER")
    if output_format == "table" and out_path is not None:
        raise fail("--out takes the tables of --format csv or json; the table format prints to the terminal")
    loaded = load(scenario, strict)
    options = solver_options_for(loaded.scenario, time_limit=time_limit, mip_gap=mip_gap)
    changes = parse_changes(force, forbid)

    def show(explanation: Explanation, other: Alternative | None = None) -> None:
        if output_format == "table":
            print_explanation(explanation, out)
            if other is not None:
                print_alternative(other, loaded.scenario.currency, out)
        else:
            _write_explanation(explanation, other, output_format, out_path)

    try:
        with stage(f"Solving {loaded.scenario.name} and pricing its capacity ..."):
            explanation = explain(loaded.scenario, market, product, year, options)
        other = None
        if changes:  # before printing: a change the scenario cannot make is refused with nothing printed
            try:
                with stage(f"Re-solving with {len(changes)} change(s) ..."):
                    other = alternative(loaded.scenario, changes, explanation.plan.objective, options)
            except PlanningError:
                show(explanation)  # the optimum is explained; the alternative has no plan
                raise
        show(explanation, other)
    except ExplainError as error:
        raise fail(str(error), INVALID) from None
    except PlanningError as error:
        raise fail(str(error), NO_PLAN) from None


def _write_explanation(explanation: Explanation, other: Alternative | None, output_format: str,
                       target: Path | None) -> None:
    """The explanation's tables (and an alternative's cost) as one JSON document (to ``target``, else the standard
    output), or as CSV files in the folder ``target``."""
    import json

    import pandas as pd

    tables = explanation.tables()
    alternative = None if other is None else {"changes": [str(change) for change in other.changes],
                                              "objective": other.objective, "delta": other.delta}
    try:
        if output_format == "json":
            document = {"market": explanation.market, "product": explanation.product,
                        "currency": explanation.currency, "objective": explanation.plan.objective,
                        **{name: json.loads(table.to_json(orient="records")) for name, table in tables.items()},
                        "alternative": alternative}
            text = json.dumps(document, indent=2) + "\n"
            if target is None:
                typer.echo(text, nl=False)
            else:
                target.write_text(text, encoding="utf-8")
            return
        assert target is not None
        target.mkdir(parents=True, exist_ok=True)
        if alternative is not None:
            tables = tables | {"alternative": pd.DataFrame([alternative | {"changes": "; ".join(
                alternative["changes"])}])}
        for name, table in tables.items():
            table.to_csv(target / f"{name}.csv", index=False)
    except OSError as error:
        raise fail(f"cannot write {target}: {error.strerror or error}", NOT_WRITTEN) from None
    if target is not None:
        say(out, f"Explanation written to {target}")


@app.command()
def breakeven(
    scenario: ScenarioArgument = DEFAULT_CASE,
    *,
    param: Annotated[str, typer.Option(
        "--param", help=r"Parameter path: fx.KRW, plants\[busan].fixed_cost, capabilities\[busan/rogue].local_cost, "
        r"tariffs\[*/US/8703].rate (or by position, tariffs\[3].rate), markets\[us].demand.rogue, "
        r"growth:markets\[us].demand.rogue (see docs/guide/breakeven.md).")],
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

    loaded = load(scenario, strict)
    low, high = value_range
    tolerance = default_tolerance(low, high) if tolerance is None else tolerance
    options = solver_options_for(loaded.scenario, time_limit=time_limit, mip_gap=mip_gap, threads=threads)
    solves: list[Trial] = []

    def progress(trial: Trial) -> None:
        solves.append(trial)
        print_trial(trial, len(solves), param, value_format(tolerance), loaded.scenario.currency, err)

    try:
        with stage(f"Bisecting {param} between {low:g} and {high:g} ..."):
            result = find_breakeven(loaded.data, param, low, high, tolerance=tolerance, options=options,
                                    on_trial=progress, source=loaded.source, level=level)
    except ParameterError as error:
        raise fail(str(error)) from None
    except PlanningError as error:
        raise fail(str(error), NO_PLAN) from None
    print_breakeven(result, out)


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

    plans = plan_of(a, store), plan_of(b, store)
    try:
        comparison = compare(*plans, level=level)
    except CompareError as error:
        raise fail(str(error)) from None
    say(out, f"A = {a}, B = {b}")
    print_comparison(comparison, out)
