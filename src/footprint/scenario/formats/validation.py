"""Plain data into a Scenario, reporting every problem at once, each where it was written.

Valid data takes the fast path: one pydantic validation, then the checks that are not part of
it. Invalid data is validated section by section and entry by entry, keeping what loads, so
that the checks across entities still run on the rest and one pass reports everything:
a bad field, an unknown plant, a probable mistake. Each problem names its key path with
entities by id (``plants[wroclaw].pools[line]``) and the file and line it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, get_args, get_origin

from pydantic import TypeAdapter, ValidationError

from footprint.scenario.formats.sources import ScenarioError, Source, short
from footprint.scenario.model.checks import (
    CONSISTENCY_CHECKS,
    Check,
    ConsistencyError,
    Context,
    Loc,
    Problem,
)
from footprint.scenario.model.keys import KEY, NAME, entry_names
from footprint.scenario.model.network import LEGACY_LANE_FIELDS
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.text import pydantic_loc, pydantic_message

_ENTRY = re.compile(r"\b([a-z_]+)\[(\d+)\]")
"""An entry of a section named by position in a message: ``tariffs[3]``."""


@dataclass(frozen=True)
class Loaded:
    """A valid scenario, with the warnings its checks raised (each located)."""

    scenario: Scenario
    warnings: list[Problem]
    source: str
    data: Any = None
    """The plain data it was validated from (for what works on data: breakeven)."""


def validate(source: Source, checks: Sequence[Check], *, strict: bool = False) -> Loaded:
    """Validate ``source`` into a Scenario and run ``checks`` on it; ScenarioError with every problem found
    (warnings too, when ``strict``)."""
    data = source.data
    if not isinstance(data, dict):
        raise _error(source, [Problem((), "expected a mapping of scenario sections (name, horizon, plants, ...), "
                                          f"found {_kind(data)}")])
    controls = _control_characters(data, (), [])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = _section_problems(data, checks) or list(_fallback_problems(err))
        raise _error(source, controls + problems) from None
    problems = controls + [problem for check in checks if check not in CONSISTENCY_CHECKS
                           for problem in check(scenario, Context())]
    if any(problem.is_error for problem in problems) or (strict and problems):
        raise _error(source, problems)
    return Loaded(scenario, [locate(problem, source) for problem in problems], source.name, data)


REFUSED_CONTROLS = "".join(chr(code) for code in range(32) if chr(code) not in "\t\n")
"""The control characters a text may not hold: those a workbook cannot hold (a carriage return it reads back as a
line feed); none is part of a name or a note (a terminal escape, a bell, NUL). Tab and line feed are text."""
_CONTROL = re.compile(f"[{re.escape(REFUSED_CONTROLS)}]")


def _control_characters(node: Any, loc: Loc, found: list[Problem]) -> list[Problem]:
    """``found`` with a problem at each text under ``node`` (a value, or a mapping's key) that holds a control
    character (containers alone are walked into: a large scenario is mostly numbers)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if type(key) is str and _CONTROL.search(key):
            found.append(_control_problem(loc, key))
        if type(value) is str:
            if _CONTROL.search(value):
                found.append(_control_problem((*loc, key), value))
        elif isinstance(value, (dict, list)):
            _control_characters(value, (*loc, key), found)
    return found


def _control_problem(loc: Loc, text: str) -> Problem:
    character = _CONTROL.search(text)
    assert character is not None
    return Problem(loc, f"the text {short(text)} holds the control character {character.group()!a}; a text may "
                        "hold tabs and line breaks (\\n), no other control character")


def scenario_from_data(data: Any, name: str, checks: Sequence[Check]) -> Scenario:
    """Validate plain data (as read from YAML) into a Scenario with ``checks``, or raise ScenarioError."""
    return validate(Source(data, name), checks).scenario


def _error(source: Source, problems: Iterable[Problem]) -> ScenarioError:
    ordered = sorted(problems, key=lambda problem: not problem.is_error)  # errors first, each kind in order found
    return ScenarioError(source.name, [locate(problem, source) for problem in ordered])


def locate(problem: Problem, source: Source) -> Problem:
    """``problem`` with its key path naming entities by id, and the place it was written; an entry its message
    names by position (``first in tariffs[3]``) is named as the path is."""

    def named(match: re.Match[str]) -> str:
        section, position = match.group(1), int(match.group(2))
        entries = source.data.get(section) if isinstance(source.data, dict) else None
        inside = isinstance(entries, list) and position < len(entries)
        return display_path((section, position), source.data) if inside else match.group(0)

    loc = written_loc(problem.loc, source.data)
    return replace(problem, loc=loc, named=display_path(loc, source.data), where=problem.where or source.where(loc),
                   message=_ENTRY.sub(named, problem.message))


def written_loc(loc: Loc, data: Any) -> Loc:
    """``loc`` with each field named as the data writes it: a lane's origin as ``plant`` in a file written before
    lanes could join any two nodes (LEGACY_LANE_FIELDS)."""
    written: list[str | int] = []
    node, field = data, ""
    for part in loc:
        if isinstance(part, str) and isinstance(node, dict) and part not in node and field == "lanes":
            part = next((old for old, new in LEGACY_LANE_FIELDS.items() if new == part and old in node), part)
        written.append(part)
        if isinstance(part, str):
            field = part if not isinstance(node, list) else field
        node = node[part] if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node) else \
            node.get(part) if isinstance(node, dict) else None
    return tuple(written)


def display_path(loc: Loc, data: Any) -> str:
    """``plants[wroclaw].pools[line].capacity`` for ``("plants", 1, "pools", 0, "capacity")``: list entries by
    their key where it is theirs alone (an id, or the fields that identify them: ``capabilities[wroclaw/hp]``,
    see ``keys``), else by position; mapping keys after a dot, or in brackets when they hold a dot (quoted when
    they hold a space or a bracket): the path a parameter path reads back."""
    text, node, field = "", data, ""
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            name = entry_names(field, node)[part] if 0 <= part < len(node) else None
            text += f"[{name if name is not None else part}]"
            node = node[part] if 0 <= part < len(node) else None
        else:
            field = str(part)
            text += f".{field}" if NAME.fullmatch(field) else f"[{field}]" if KEY.fullmatch(field) else \
                f"[{short(field)}]"
            node = node.get(part) if isinstance(node, dict) else None
    return text.removeprefix(".")


def _kind(data: Any) -> str:
    return {list: "a list", str: "text", type(None): "nothing"}.get(type(data), type(data).__name__)


def _field_adapter(name: str) -> TypeAdapter[Any]:
    """The field's type with its validators (pydantic keeps those apart from the annotation)."""
    field = Scenario.model_fields[name]
    if field.metadata:
        return TypeAdapter(Annotated[(field.annotation, *field.metadata)])  # type: ignore[valid-type]
    return TypeAdapter(field.annotation)


def _item_adapter(name: str) -> TypeAdapter[Any] | None:
    annotation = Scenario.model_fields[name].annotation
    if get_origin(annotation) is list:
        return TypeAdapter(get_args(annotation)[0])
    return None


class _Sections:
    """Each section of a scenario mapping validated on its own, keeping what loaded."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.parsed: dict[str, Any] = {}
        self.problems: list[Problem] = []
        self.broken: set[str] = set()
        self.failed: dict[str, set[str]] = {}
        self.positions: dict[str, list[int]] = {}
        """For list sections: the original position of each entry that loaded."""
        for key in data:
            if key not in Scenario.model_fields:
                self.problems.append(Problem((str(key),), "unknown section; expected one of "
                                                          f"{', '.join(Scenario.model_fields)}"))
        for name, field in Scenario.model_fields.items():
            if name not in data:
                if field.is_required():
                    self._fail(name, [Problem((name,), "missing; this section is required")])
            elif _item_adapter(name) is not None and isinstance(data[name], list):
                self._load_list(name, data[name])
            else:
                try:
                    self.parsed[name] = _field_adapter(name).validate_python(data[name])
                except ValidationError as err:
                    self._fail(name, pydantic_problems(err, (name,)))

    def _fail(self, name: str, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)
        self.broken.add(name)

    def _load_list(self, name: str, raw: list[Any]) -> None:
        items = _item_adapter(name)
        assert items is not None
        good, positions = [], []
        for index, item in enumerate(raw):
            try:
                good.append(items.validate_python(item))
                positions.append(index)
            except ValidationError as err:
                self.problems.extend(pydantic_problems(err, (name, index)))
                ident = item.get("id") if isinstance(item, dict) else None
                self.failed.setdefault(name, set()).update([ident] if isinstance(ident, str) else [])
        if not raw and _required_non_empty(name):
            self._fail(name, [Problem((name,), "expected at least one entry, found none")])
        self.parsed[name], self.positions[name] = good, positions

    def check(self, checks: Sequence[Check]) -> list[Problem]:
        """The problems ``checks`` find among the parts that loaded, at their original positions."""
        values = {name: field.get_default(call_default_factory=True)
                  for name, field in Scenario.model_fields.items() if not field.is_required()}
        values.update({name: None if name == "horizon" else [] for name in self.broken if name not in values})
        values.update(self.parsed)
        partial = Scenario.model_construct(**values)
        context = Context(frozenset(self.broken), {name: frozenset(ids) for name, ids in self.failed.items()})
        return [self._original(problem) for check in checks for problem in check(partial, context)]

    def _original(self, problem: Problem) -> Problem:
        loc = problem.loc
        if len(loc) > 1 and isinstance(loc[1], int) and loc[0] in self.positions:
            positions = self.positions[str(loc[0])]
            loc = (loc[0], positions[loc[1]] if loc[1] < len(positions) else loc[1], *loc[2:])

        def renumber(match: re.Match[str]) -> str:
            name, index = match.group(1), int(match.group(2))
            positions = self.positions.get(name)
            return f"{name}[{positions[index] if positions and index < len(positions) else index}]"

        pattern = rf"\b({'|'.join(self.positions) or '-'})\[(\d+)\]"
        return replace(problem, loc=loc, message=re.sub(pattern, renumber, problem.message))


def _required_non_empty(name: str) -> bool:
    return any(getattr(meta, "min_length", 0) for meta in Scenario.model_fields[name].metadata)


def _section_problems(data: dict[str, Any], checks: Sequence[Check]) -> list[Problem]:
    sections = _Sections(data)
    return sections.problems + sections.check(checks)


def _fallback_problems(err: ValidationError) -> Iterator[Problem]:
    """The problems of a failed validation when section by section found none (it should not happen):
    those the checks raised, at their paths, and pydantic's own otherwise."""
    for error in err.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConsistencyError):
            yield from cause.problems
        else:
            yield from pydantic_problems_of([error], ())


def pydantic_problems(err: ValidationError, prefix: Loc) -> Iterator[Problem]:
    return pydantic_problems_of(err.errors(), prefix)


def pydantic_problems_of(errors: Iterable[Any], prefix: Loc) -> Iterator[Problem]:
    for error in errors:
        yield Problem((*prefix, *pydantic_loc(error)), pydantic_message(error))


__all__ = ["REFUSED_CONTROLS", "Loaded", "display_path", "locate", "scenario_from_data", "validate"]
