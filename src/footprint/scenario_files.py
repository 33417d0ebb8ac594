"""Scenario files: read YAML into a Scenario, reporting every problem at once; write it back.

Loading never raises anything but :class:`ScenarioError`, whatever the file holds
(empty, binary, not YAML, the wrong shape), so the CLI can print messages, not
tracebacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import TypeAdapter, ValidationError

from footprint.checks import Problem, consistency_problems
from footprint.scenario import Scenario

MAX_FILE_BYTES = 50 * 1024 * 1024


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head] + [f"  {problem}" for problem in self.problems])


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice (YAML would keep the last).

    It is the pure-Python loader on purpose: libyaml's parser is faster but crashes the process
    on deeply nested input, where this one raises RecursionError, which we report.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if not isinstance(key, (str, int, float, bool, type(None))):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    "found a list or mapping used as a key; keys must be names or numbers", key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found the key {key!r} twice", key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """The YAML document in ``path``; ScenarioError for anything that is not one."""
    source = str(path)
    if not path.exists():
        raise ScenarioError(source, [Problem("", "no such file")])
    if not path.is_file():
        raise ScenarioError(source, [Problem("", "not a file (a folder?)")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(source, [Problem("", f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")])
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ScenarioError(source, [Problem("", "not a text file (it holds binary data); expected YAML")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(source, [Problem("", f"not UTF-8 text (byte {err.start}); expected YAML")]) from err
    if not text.strip():
        raise ScenarioError(source, [Problem("", "file is empty; expected a YAML scenario")])
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise ScenarioError(source, [Problem("", "not a scenario: nested too deeply to read")]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = getattr(err, "problem", None) or str(err)
        raise ScenarioError(source, [Problem("", f"{where}not valid YAML: {what}")]) from err


EXTENDS = "extends"
"""A variant file names its base file here; each section it gives replaces the base's."""


def read_scenario_data(path: Path, _seen: tuple[Path, ...] = ()) -> Any:
    """The plain data of a scenario file, with any ``extends:`` base merged under it."""
    data = read_yaml(path)
    if not isinstance(data, dict) or EXTENDS not in data:
        return data
    base_name = data[EXTENDS]
    if not isinstance(base_name, str):
        raise ScenarioError(str(path), [Problem(EXTENDS, f"expected a file name, found {_short(base_name)}")])
    base_path = (path.parent / base_name).resolve()
    if base_path in _seen or len(_seen) > 8:
        raise ScenarioError(str(path), [Problem(EXTENDS, f"{base_name!r} extends itself (a cycle)")])
    try:
        base = read_scenario_data(base_path, (*_seen, path.resolve()))
    except ScenarioError as err:
        raise ScenarioError(str(path), [Problem(EXTENDS, f"{base_name}: {p}") for p in err.problems]) from err
    if not isinstance(base, dict):
        raise ScenarioError(str(path), [Problem(EXTENDS, f"{base_name!r} is not a scenario mapping")])
    return {**base, **{key: value for key, value in data.items() if key != EXTENDS}}


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML scenario file (a variant's base merged in)."""
    path = Path(path)
    return scenario_from_data(read_scenario_data(path), str(path))


def scenario_from_data(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate plain data (as read from YAML) into a Scenario, or raise ScenarioError."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", f"expected a mapping of scenario sections "
                                                 f"(name, horizon, plants, ...), found {_kind(data)}")])
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        problems = _section_problems(data) or list(_pydantic_problems(err, ""))
        raise ScenarioError(source, problems) from None


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
        self.positions: dict[str, list[int]] = {}
        """For list sections: the original position of each entry that loaded."""
        for key in data:
            if key not in Scenario.model_fields:
                self.problems.append(Problem(str(key), "unknown section; expected one of "
                                                       f"{', '.join(Scenario.model_fields)}"))
        for name, field in Scenario.model_fields.items():
            if name not in data:
                if field.is_required():
                    self._fail(name, [Problem(name, "missing; this section is required")])
            elif _item_adapter(name) is not None and isinstance(data[name], list):
                self._load_list(name, data[name])
            else:
                try:
                    self.parsed[name] = _field_adapter(name).validate_python(data[name])
                except ValidationError as err:
                    self._fail(name, _pydantic_problems(err, name))

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
                self._fail(name, _pydantic_problems(err, f"{name}[{index}]"))
        if not raw and _required_non_empty(name):
            self._fail(name, [Problem(name, "expected at least one entry, found none")])
        self.parsed[name], self.positions[name] = good, positions

    def consistency_problems(self) -> list[Problem]:
        """The cross-entity problems among the parts that loaded, at their original positions."""
        if "horizon" not in self.parsed:
            return []
        values = {name: field.get_default(call_default_factory=True)
                  for name, field in Scenario.model_fields.items() if not field.is_required()}
        values.update({name: [] for name in self.broken if name not in values})
        values.update(self.parsed)
        partial = Scenario.model_construct(**values)
        return [self._original(problem)
                for problem in consistency_problems(partial, skip=frozenset(self.broken))]

    def _original(self, problem: Problem) -> Problem:
        def renumber(match: re.Match[str]) -> str:
            name, index = match.group(1), int(match.group(2))
            positions = self.positions.get(name)
            return f"{name}[{positions[index] if positions and index < len(positions) else index}]"

        pattern = rf"\b({'|'.join(self.positions) or '-'})\[(\d+)\]"
        return Problem(re.sub(pattern, renumber, problem.path), re.sub(pattern, renumber, problem.message))


def _required_non_empty(name: str) -> bool:
    return any(getattr(meta, "min_length", 0) for meta in Scenario.model_fields[name].metadata)


def _section_problems(data: dict[str, Any]) -> list[Problem]:
    sections = _Sections(data)
    return sections.problems + sections.consistency_problems()


def _pydantic_problems(err: ValidationError, prefix: str) -> Iterator[Problem]:
    for error in err.errors():
        path = prefix + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        path = path.removeprefix(".")
        yield Problem(path, _message(error))


_EXPECTED = {
    "missing": "missing; this field is required",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def _message(error: Any) -> str:
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        return "unknown field; check its spelling against `footprint schema`"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        return f"expected a name of letters, digits, '_', '-' and '.', found {_short(found)}"
    if kind == "too_short":
        return f"expected at least one entry, found {_short(found)}"
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        return expected if kind == "missing" else f"{expected}, found {_short(found)}"
    message = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"expected {message}, found {_short(found)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Dumper(yaml.SafeDumper):
    """Writes text with YAML's line-break characters (NEL, LS, PS) double-quoted, so they survive."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(ch in text for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML, leaving out fields at their defaults."""
    data = scenario.model_dump(mode="python", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    Path(path).write_text(dump_scenario(scenario), encoding="utf-8")
