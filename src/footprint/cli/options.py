"""The arguments and options several commands share, with their checks."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from footprint.plan.levels import LEVEL_HELP, Level

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


def run_name(name: str | None) -> str | None:
    from footprint.plan.store import StoreError, check_run_name

    try:
        return None if name is None else check_run_name(name)
    except StoreError as error:
        raise typer.BadParameter(str(error)) from None


NameOption = Annotated[str | None, typer.Option(
    "--name", callback=run_name,
    help="The name to store it under (default: the scenario's, or the set's as given), shown by `footprint runs` "
         "and usable in place of its id (show, export, compare, report).")]


StoreOption = Annotated[str | None, typer.Option(
    "--store", help="The run store: an SQLite file, or a database URL (postgresql+psycopg://USER:PASSWORD@HOST/DB); "
                    "default: $FOOTPRINT_STORE, else footprint.sqlite in this folder.")]


def year_or_none(text: str) -> str:
    if text.strip().lower() == "none" or text.strip().isdigit():
        return text.strip().lower()
    raise typer.BadParameter(f"expected a year or none, found {text!r}")


def decision_blocks_option(text: str) -> str:
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


RunArgument = Annotated[str, typer.Argument(
    metavar="RUN", help="A stored run: its id, latest, its name (the newest of that name), or SWEEP/FUTURE.")]
