"""Commands on scenario files: validate, template, convert, import, and what is bundled (cases, regimes,
schema)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footprint.cli.app import NOT_WRITTEN, app, err, fail, import_app, out, say, stage
from footprint.cli.loading import load, resolve, say_warnings
from footprint.cli.options import ScenarioArgument, StrictOption

if TYPE_CHECKING:
    from footprint.scenario.model.scenario import Scenario


@app.command()
def validate(
    scenario: ScenarioArgument,
    strict: StrictOption = False,
) -> None:
    """Check a scenario and report every problem and warning at once (exit code 0 when valid)."""
    loaded = load(scenario, strict, quiet=True)
    s = loaded.scenario
    warnings = f"; {len(loaded.warnings)} warning{'s' if len(loaded.warnings) != 1 else ''}" if loaded.warnings else ""
    lines = [f"{loaded.source}: valid scenario {s.name!r} ({len(s.plants)} plants, {len(s.products)} products, "
             f"{len(s.markets)} markets, {s.horizon.start}-{s.horizon.end}){warnings}",
             *(f"  {warning}" for warning in loaded.warnings)]
    say(out, "\n".join(lines))


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
        raise fail("give one of --excel FILE.xlsx or --csv FOLDER")
    target = excel if excel is not None else csv
    assert target is not None
    if (target.suffix.lower() == ".xlsx") != (excel is not None):
        raise fail(f"{target}: --excel takes a name ending in .xlsx, --csv a folder name without it")
    first, last = years if years is not None else (0, -1)
    if years is not None and not 1900 <= first <= last <= 2200:
        raise fail(f"--years {first} {last}: expected FIRST <= LAST, both from 1900 to 2200")
    try:
        written = write_template(target, years=range(first, last + 1), overwrite=force)
    except ScenarioError as error:
        raise fail(error.report()) from None
    except OSError as error:
        raise fail(f"cannot write {target}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    say(out, f"Template written to {written}: fill in its tables, then `footprint validate {written}`")


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
        with stage(f"Converting {scenario} ..."):
            loaded = convert(resolve(scenario), target, CHECKS, overwrite=force, strict=strict)
    except ScenarioError as error:
        raise fail(error.report()) from None
    except OSError as error:
        raise fail(f"cannot write {target}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    say_warnings(loaded.warnings)
    say(out, f"{loaded.source} -> {target}: scenario {loaded.scenario.name!r}")


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

    say(out, scenario_reference().rstrip("\n"))


@import_app.command("orlib-cap")
def import_orlib_cap(
    file: Annotated[Path, typer.Argument(help="OR-Library capacitated warehouse location file (cap41.txt ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Scenario file to write.")],
    capacity: Annotated[float | None, typer.Option(help="Capacity of every site, for capa/capb/capc.")] = None,
) -> None:
    """Turn an OR-Library capacitated warehouse location file into a one-year scenario."""
    from footprint.scenario.formats.orlib import scenario_from_orlib_cap

    scenario = _imported(file, output, lambda path: scenario_from_orlib_cap(path, capacity=capacity))
    say(out, f"{output}: {len(scenario.options)} candidate sites, {len(scenario.markets)} customers")


@import_app.command("tariff-schedule")
def import_tariff_schedule(
    file: Annotated[Path, typer.Argument(help="The schedule as its publisher gives it: CSV, Excel (.xlsx) or, for "
                                              "us-hts, JSON.")],
    fmt: Annotated[str, typer.Option("--format", help="Whose layout: us-hts (USITC's export), uk-global (the UK "
                                                      "Global Tariff) or eu-cn (TARIC's Duties Import).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Regime file to write (.yaml).")],
    destination: Annotated[str | None, typer.Option(help="Where the rates apply (default: US, GB or EU).")] = None,
    classes: Annotated[str | None, typer.Option(help="HS codes of interest, comma-separated (8703,8708): only "
                                                     "their lines are kept, one rate per code where its lines "
                                                     "agree (default: every line).")] = None,
    source: Annotated[str | None, typer.Option(help="What each rate's source says the schedule is (default: "
                                                    "the publisher and the file's name).")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD: the rates are in force from this day (and, for "
                                                  "eu-cn, the rows in force on it are read).")] = None,
    force: Annotated[bool, typer.Option(help="Replace a file already at --output.")] = False,
) -> None:
    """Read the general (MFN) ad valorem rates of a public tariff schedule into a regime file, each rate with the
    line it comes from; lines that are not ad valorem are listed as warnings."""
    import datetime as dt

    from footprint.scenario.formats.atomic import write_file
    from footprint.scenario.formats.schedules import FORMATS, chosen_lines, read_schedule, regime_file
    from footprint.scenario.formats.sources import ScenarioError
    from footprint.scenario.model.classes import hs_digits
    from footprint.scenario.model.codes import country_code

    if fmt not in FORMATS:
        raise fail(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise fail(f"{output}: a regime file is YAML; give a name ending in .yaml")
    try:
        day = dt.date.fromisoformat(date) if date is not None else None
    except ValueError:
        raise fail(f"--date {date}: expected a day as YYYY-MM-DD") from None
    try:
        into = country_code(destination or FORMATS[fmt].destination)
    except ValueError as error:
        raise fail(f"--destination {destination}: {error}") from None
    wanted = [code.strip() for code in classes.split(",")] if classes is not None else None
    if wanted is not None and (not all(wanted) or any(hs_digits(code) is None for code in wanted)):
        bad = next(code for code in wanted if not code or hs_digits(code) is None)
        raise fail(f"--classes: {bad!r} is not an HS code (2, 4, 6, 8 or 10 digits, dots allowed: 8703, 8708.40)")
    if output.exists() and not force:
        raise fail(f"{output}: already exists; give --force to replace it")
    if output.exists() and file.exists() and output.resolve() == file.resolve():
        raise fail(f"{output}: is the schedule being read; write the regime elsewhere")
    try:
        with stage(f"Reading {file} ..."):
            schedule = read_schedule(file, fmt, date=day)
    except ScenarioError as error:
        raise fail(error.report()) from None
    lines, notes = chosen_lines(schedule, wanted)
    text = regime_file(schedule, lines, notes, fmt=fmt, destination=into, source=source or f"{FORMATS[fmt].name}, "
                       f"{file.name}", date=day, read_from=file.name, written_to=output.name, classes=wanted)
    try:
        write_file(output, lambda path: path.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise fail(f"cannot write {output}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    for warning in schedule.warnings_for(wanted):
        say(err, f"warning: {warning}")
    for note in notes:
        say(err, f"note: {note}")
    under = f", {len(schedule.warnings_for(wanted)):,} of them under the classes asked for" if wanted else ""
    tariffs = f"{len(lines):,} tariff{'s' if len(lines) != 1 else ''}"
    say(out, f"{output}: {tariffs} into {into} from {file} ({schedule.rows:,} rows with a rate, "
             f"{len(schedule.left_out):,} left out{under})")


@import_app.command("sscflp")
def import_sscflp(
    file: Annotated[Path, typer.Argument(help="Single-source capacitated facility location file (Holmberg's p1.txt "
                                              "..., Yang's p1 ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Scenario file to write.")],
) -> None:
    """Turn a single-source capacitated facility location file into a one-year scenario, solved to gap 0."""
    from footprint.scenario.formats.facility_location import scenario_from_sscflp

    scenario = _imported(file, output, scenario_from_sscflp)
    say(out, f"{output}: {len(scenario.plants)} candidate sites, {len(scenario.markets)} single-sourced customers")


@import_app.command("tscflp")
def import_tscflp(
    file: Annotated[Path, typer.Argument(help="Two-stage capacitated facility location file (Fernandes et al. 2014: "
                                              "PSC1-C1-50.txt ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Scenario file to write.")],
) -> None:
    """Turn a two-stage capacitated facility location file (plants -> depots -> customers) into a one-year scenario
    of candidate plants and distribution centres."""
    from footprint.scenario.formats.facility_location import scenario_from_tscflp

    scenario = _imported(file, output, scenario_from_tscflp)
    say(out, f"{output}: {len(scenario.plants)} candidate plants, {len(scenario.facilities)} candidate depots, "
             f"{len(scenario.markets)} customers")


def _imported(file: Path, output: Path, read: Callable[[Path], Scenario]) -> Scenario:
    """The scenario ``read`` makes of ``file``, saved to ``output``; a message and an exit code when it cannot."""
    from footprint.scenario.formats.files import save_scenario
    from footprint.scenario.formats.orlib import OrlibError

    try:
        scenario = read(file)
    except OrlibError as error:
        raise fail(str(error)) from None
    try:
        save_scenario(scenario, output)
    except OSError as error:
        raise fail(f"cannot write {output}: {error.strerror or error}", NOT_WRITTEN) from None
    return scenario
