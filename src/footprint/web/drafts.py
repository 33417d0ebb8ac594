"""A scenario as the workbench edits it: its tables as typed, cell by cell (the layout of a scenario workbook:
the ``scenario`` table of fields and values, then one table per entity), read back as a CSV folder or a workbook
is, and validated with every check; each problem placed in its table, row and column, for the page to show
beside the cell. A draft keeps what was typed, valid or not: nothing typed is lost.

A variant is a scenario that ``extends`` another with a few figures overridden, each by its parameter path
(``plants[busan].fixed_cost``), as a scenario set's futures are."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from footprint.economics.checks import CHECKS
from footprint.scenario.formats.layout import tables
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.tabular import Sheet, from_tables, rest_from_pairs, rest_pairs, to_tables
from footprint.scenario.formats.validation import Loaded, validate
from footprint.scenario.model.checks import Problem
from footprint.scenario.sets.parameters import GROWTH_PREFIX, ParameterError, apply_overrides

REST = "scenario"
"""The table of the fields no entity table holds (name, horizon, currency, ...): ``field`` and ``value``."""
REST_HEADER = ["field", "value"]
TEMPLATE_FIELDS = ("name", "description", "currency", "horizon.start", "horizon.end", "discount_rate", "objective",
                   "regime")
"""The scenario table of a new scenario from the template: its fields to fill in."""
_PLACE = re.compile(r"^(?P<table>\w+), row (?P<row>\d+)(?:, column (?P<column>.+))?$")


@dataclass
class Grid:
    """One table as typed: its header and its rows of text cells."""

    header: list[str]
    rows: list[list[str]]


@dataclass
class Placed:
    """A problem of a draft, placed in its cell where it has one."""

    message: str
    severity: str
    path: str
    table: str = ""
    row: int = -1
    """The row's index in its grid (from 0), -1 for none."""
    column: str = ""


@dataclass
class Checked:
    """A draft validated: the scenario where it is valid, and every problem placed."""

    loaded: Loaded | None
    problems: list[Placed] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(problem.severity == "error" for problem in self.problems)


def text(value: Any) -> str:
    """A value as a cell holds it: text that reads back as the same value (a float's shortest form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def draft_of(data: dict[str, Any]) -> dict[str, Grid]:
    """``data`` (a scenario's plain data) as a draft: every table of the layout, an empty one with its columns."""
    tabled = to_tables(data)
    rest = [[key, text(value)] for key, value in rest_pairs(tabled.rest)]
    grids = {REST: Grid(list(REST_HEADER), rest)}
    for t in tables():
        grids[t.name] = Grid(list(tabled.columns[t.name]),
                             [[text(row.get(name)) for name in tabled.columns[t.name]] for row in tabled.rows[t.name]])
    return grids


def template_draft() -> dict[str, Grid]:
    """A new scenario: every table empty, the scenario table's fields to fill in."""
    grids = draft_of({})
    grids[REST].rows = [[name, ""] for name in TEMPLATE_FIELDS]
    return grids


def as_content(grids: dict[str, Grid]) -> dict[str, Any]:
    return {"tables": {name: {"header": grid.header, "rows": grid.rows} for name, grid in grids.items()}}


def from_content(content: dict[str, Any]) -> dict[str, Grid]:
    return {name: Grid(list(table["header"]), [list(row) for row in table["rows"]])
            for name, table in content["tables"].items()}


def source_of(name: str, grids: dict[str, Grid]) -> Source:
    """The draft's plain data with the place of every cell (``plants, row 3, column capacity``: its header is row
    1, as a spreadsheet numbers it); ScenarioError for tables that cannot be put together."""
    rest = grids[REST]
    pairs = [(row[0].strip(), row[1] if len(row) > 1 else "", f"{REST}, row {number}, column value")
             for number, row in enumerate(rest.rows, start=2) if row and row[0].strip()]
    sheets = [Sheet(table, table, grid.header, [f"column {column}" for column in grid.header],
                    [(number, row) for number, row in enumerate(grid.rows, start=2) if any(c.strip() for c in row)])
              for table, grid in grids.items() if table != REST]
    return from_tables(name, rest_from_pairs(name, pairs), sheets)


def check(name: str, grids: dict[str, Grid]) -> Checked:
    """Validate the draft as `footprint validate` does: the scenario, or its problems placed in their cells."""
    try:
        loaded = validate(source_of(name, grids), CHECKS)
    except ScenarioError as error:
        return Checked(None, [placed(problem) for problem in error.problems])
    return Checked(loaded, [placed(problem) for problem in loaded.warnings])


def check_variant(name: str, base: dict[str, Grid], overrides: Sequence[tuple[str, str]]) -> Checked:
    """Validate the variant of ``base`` with ``overrides`` (parameter path, value as typed): a path that names
    nothing is placed on its row of the ``overrides`` table; the scenario's problems, in the base's cells."""
    try:
        source = source_of(name, base)
    except ScenarioError as error:
        return Checked(None, [placed(problem) for problem in error.problems])
    data, problems = source.data, []
    for index, (path, value) in enumerate(overrides):
        try:
            data = apply_overrides(data, [(path.strip(), override_value(value))])
        except ParameterError as error:
            problems.append(Placed(str(error), "error", path, "overrides", index, "value"))
    if problems:
        return Checked(None, problems)
    varied = Source({**data, "name": name}, name, source.places)  # runs of the variant go by its own name
    try:
        loaded = validate(varied, CHECKS)
    except ScenarioError as error:
        return Checked(None, [_on_override(problem, overrides) for problem in error.problems])
    return Checked(loaded, [_on_override(problem, overrides) for problem in loaded.warnings])


def _on_override(problem: Problem, overrides: Sequence[tuple[str, str]]) -> Placed:
    """A variant's problem beside the override that made it (the figure it sets, or one inside it), else where
    the base has it."""
    for index, (path, _) in enumerate(overrides):
        bare = path.strip().removeprefix(GROWTH_PREFIX)
        if bare and (problem.path == bare or problem.path.startswith((f"{bare}.", f"{bare}["))):
            return Placed(problem.message, problem.severity, problem.path, "overrides", index, "value")
    return placed(problem)


def override_value(value: str) -> Any:
    """An override as typed: a number where it reads as one, else the text (a regime's name, a path's value)."""
    stripped = value.strip()
    try:
        number = float(stripped)
    except ValueError:
        return stripped
    return int(number) if number.is_integer() and "." not in stripped and "e" not in stripped.lower() else number


def placed(problem: Problem) -> Placed:
    found = _PLACE.match(problem.where)
    if found is None:
        return Placed(problem.message, problem.severity, problem.path)
    return Placed(problem.message, problem.severity, problem.path, found["table"], int(found["row"]) - 2,
                  (found["column"] or "").removeprefix("column ").strip())


__all__ = ["REST", "Checked", "Grid", "Placed", "as_content", "check", "check_variant", "draft_of", "from_content",
           "override_value", "placed", "source_of", "template_draft", "text"]
