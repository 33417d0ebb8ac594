"""Scenario files: read a YAML file (a variant's base merged in), a CSV folder or an Excel workbook into a
Scenario, write one back in any of the three, and convert between them.

The door through which files become Scenarios: every problem is reported at once, each with
its file and line (or sheet, row and column), and nothing but :class:`ScenarioError` is raised,
whatever the file holds. Which format a path is: a folder is a CSV folder, a name ending in
``.xlsx`` a workbook, anything else YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from footprint.scenario.cases.bundled import SET_KIND
from footprint.scenario.formats.atomic import write_file, write_folder
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import Loaded, scenario_from_data, validate
from footprint.scenario.formats.yamlio import dump_yaml, read_scenario_yaml
from footprint.scenario.model.checks import Check, Problem
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.text import printable

Format = Literal["yaml", "csv", "excel"]
WORKBOOK_SUFFIX = ".xlsx"
YAML_SUFFIXES = (".yaml", ".yml")


def read_source(path: str | Path) -> Source:
    """The plain data of a scenario (a YAML file, a CSV folder or a workbook) and where each part of it was
    written."""
    path = Path(path)
    if path.is_dir():
        from footprint.scenario.formats.csvio import read_csv_folder

        return read_csv_folder(path)
    if path.suffix.lower() == WORKBOOK_SUFFIX:
        from footprint.scenario.formats.excelio import read_workbook

        return read_workbook(path)
    source = read_scenario_yaml(path)
    if isinstance(source.data, dict) and source.data.get("kind") == SET_KIND:
        # A set names its futures, not plants: refuse it as a whole, not as forty unknown sections.
        raise ScenarioError(source.name, [Problem(("kind",), f"this is a scenario set (kind: {SET_KIND}), not a "
                                                             "scenario; use `footprint sweep` to solve its futures "
                                                             "(`footprint futures` lists them)",
                                                  where=source.where(("kind",)))])
    return source


def read_scenario(path: str | Path, checks: Sequence[Check], *, strict: bool = False) -> Loaded:
    """Read and validate a scenario file with ``checks`` (``economics.checks.CHECKS`` for all of them): the
    Scenario and its warnings, or ScenarioError."""
    return validate(read_source(path), checks, strict=strict)


def load_scenario(path: str | Path, checks: Sequence[Check]) -> Scenario:
    """Read and validate a scenario file (a variant's base merged in) with ``checks``; ScenarioError if it is
    not valid."""
    return read_scenario(path, checks).scenario


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (as YAML gives it), leaving out fields at their defaults."""
    return scenario.model_dump(mode="python", exclude_defaults=True)


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML, leaving out fields at their defaults."""
    return dump_yaml(scenario_data(scenario))


def target_format(path: str | Path) -> Format:
    """The format a scenario written to ``path`` takes: ``.xlsx`` a workbook, ``.yaml``/``.yml`` YAML, a name
    without a suffix (or a folder) a CSV folder; ScenarioError for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == WORKBOOK_SUFFIX:
        return "excel"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if not suffix or path.is_dir():
        return "csv"
    raise ScenarioError(printable(str(path)), [Problem((), f"cannot write a scenario as {suffix!r}; name a .yaml "
                                                           f"file, a {WORKBOOK_SUFFIX} workbook or a folder "
                                                           "(for CSV files)")])


def write_source(data: dict[str, Any], path: str | Path, *, overwrite: bool = False, years: Sequence[int] = (),
                 rest_text: str | None = None) -> Path:
    """Write valid scenario data (``scenario_data`` gives it) to ``path`` in the format its name says
    (:func:`target_format`), atomically: a temporary file or folder beside it, renamed into place.
    ScenarioError if ``path`` exists and not ``overwrite``. ``years`` and ``rest_text`` are for templates:
    a column per year in the series tables, and a CSV folder's ``scenario.yaml`` as given."""
    path = Path(path)
    kind = target_format(path)
    name = printable(str(path))
    if path.exists() and not overwrite:
        raise ScenarioError(name, [Problem((), "already exists; remove it or choose another name")])
    if path.exists() and (path.is_dir() != (kind == "csv")):
        raise ScenarioError(name, [Problem((), f"exists as a {'folder' if path.is_dir() else 'file'}; "
                                               f"cannot write a {kind} scenario there")])
    if not path.parent.is_dir():
        raise ScenarioError(name, [Problem((), f"no folder {printable(str(path.parent))} to write it in")])
    if kind == "yaml":
        text = dump_yaml(data)
        return write_file(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
    from footprint.scenario.formats.tabular import to_tables

    tabled = to_tables(data, years)
    if kind == "excel":
        from footprint.scenario.formats.excelio import write_scenario_workbook

        return write_file(path, lambda temporary: write_scenario_workbook(tabled, temporary))
    from footprint.scenario.formats.csvio import write_csv_folder

    return write_folder(path, lambda temporary: write_csv_folder(tabled, temporary, rest_text))


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` to ``path`` (YAML, a workbook or a CSV folder, by its name), replacing what is there."""
    return write_source(scenario_data(scenario), path, overwrite=True)


def convert(source: str | Path, target: str | Path, checks: Sequence[Check] = (), *,
            overwrite: bool = False, strict: bool = False) -> Loaded:
    """Convert the scenario at ``source`` (YAML, CSV folder or workbook) to ``target`` (by its name: ``.yaml``,
    ``.xlsx``, or a folder), losing nothing: every figure keeps its source, range and assumption. The scenario
    is validated first (with ``checks`` besides the consistency checks; ``economics.checks.CHECKS`` for all)
    and written atomically. ScenarioError for an invalid scenario, a ``target`` that exists (unless
    ``overwrite``), or one that is, holds or lies in an input (never overwritten); with ``strict``, for its
    warnings too. Returns the scenario with its warnings."""
    target = Path(target)
    target_format(target)
    raw = read_source(source)
    loaded = validate(raw, checks, strict=strict)
    if target.exists():
        here = target.resolve()
        for used in _inputs(Path(source), raw):
            if here == used or used.is_relative_to(here):
                raise ScenarioError(printable(str(target)), [Problem((), f"is an input of the conversion "
                                                                         f"({printable(str(used))}); choose another "
                                                                         "name")])
    write_source(scenario_data(loaded.scenario), target, overwrite=overwrite)
    return loaded


def _inputs(source: Path, raw: Source) -> set[Path]:
    """The files and folders a scenario was read from: the source, and a YAML variant's base files (named in
    the places of its keys, ``base.yaml:12``)."""
    found = {source.resolve()}
    if not source.is_dir() and source.suffix.lower() != WORKBOOK_SUFFIX:
        found |= {Path(where.rsplit(":", 1)[0]).resolve() for where in raw.places.values() if ":" in where}
    return found


__all__ = ["Loaded", "ScenarioError", "Source", "convert", "dump_scenario", "load_scenario", "read_scenario",
           "read_source", "save_scenario", "scenario_data", "scenario_from_data", "target_format", "write_source"]
