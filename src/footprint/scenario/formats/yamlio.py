"""YAML scenario files: read with the line of every key (a variant's base merged in), and write.

Reading never raises anything but :class:`~footprint.scenario.formats.sources.ScenarioError`, whatever the
file holds: empty, binary, not YAML, nested a thousand deep, aliases that expand a thousandfold,
a special file. Merge keys (``<<: *base``) work as YAML defines them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from footprint.scenario.formats.sources import Places, ScenarioError, Source, read_text
from footprint.scenario.model.checks import Loc, Problem
from footprint.scenario.model.text import printable, short

EXTENDS = "extends"
"""A variant file names its base file here; each section it gives replaces the base's."""
MAX_EXTENDS = 8
"""At most this many files in a row may each extend the next (a variant of a variant ...)."""
MAX_DEPTH = 64
"""Deeper nesting than this is no scenario (one is about eight deep): refused where it happens."""
MAX_EXPANDED_NODES = 2_000_000
"""Aliases may repeat a part of a file, but not expand it past this many entries (a 'billion laughs')."""


class _TooDeepError(yaml.YAMLError):
    def __init__(self, path: list[Any], mark: yaml.Mark) -> None:
        self.path, self.problem_mark = path, mark


class _Loader(yaml.composer.Composer, yaml.CSafeLoader):  # type: ignore[misc]
    """libyaml's parser (fast) with Python's composer and constructor.

    libyaml's own composer recurses in C and crashes the process on deeply nested input; Python's
    raises RecursionError, which we report. A mapping may not give the same key twice (YAML would
    keep the last), and its keys must be names or numbers.
    """

    def __init__(self, stream: str) -> None:
        yaml.CSafeLoader.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        self.aliased = False
        """Whether the document uses an alias (only then can it expand beyond its size)."""
        self.path: list[Any] = []
        """The keys (key nodes) and positions down to the node being composed."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self.aliased = True
        if len(self.path) > MAX_DEPTH:
            raise _TooDeepError(self.path[1:], self.peek_event().start_mark)
        self.path.append(index)
        try:
            return super().compose_node(parent, index)
        finally:
            self.path.pop()

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool, type(None))):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    "found a list or mapping used as a key; keys must be names or numbers", key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _CycleError(Exception):
    """An alias inside the very entry its anchor names (a mis-indented ``*name``): the entry holds itself."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def _expanded_size(root: yaml.Node) -> int:
    """How many entries the document has once every alias is expanded (each distinct node counted once
    per use), without expanding anything; _CycleError for an entry that holds itself (it would never end)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # entries whose own entries are still being counted: the path from the root
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            open_nodes.discard(id(node))
            continue
        if id(node) in open_nodes:
            raise _CycleError(node)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _places(loader: _Loader, root: yaml.Node, data: Any, file: str) -> dict[Loc, str]:
    """The line of every key path of ``data``, read off the nodes it was constructed from.

    A node reached twice (through an alias) is placed where it was first reached.
    """
    places: dict[Loc, str] = {}
    visited: set[int] = set()
    stack: list[tuple[yaml.Node, Any, Loc]] = [(root, data, ())]
    while stack:
        node, value, loc = stack.pop()
        places[loc] = f"{file}:{node.start_mark.line + 1}"
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
            # After construction a mapping's node holds its merged pairs too; the last of a key wins.
            nodes = {_key(loader, key_node): value_node for key_node, value_node in node.value}
            stack.extend((value_node, value[key], (*loc, key)) for key, value_node in nodes.items() if key in value)
        elif isinstance(node, yaml.SequenceNode) and isinstance(value, list):
            stack.extend((child, value[i], (*loc, i)) for i, child in enumerate(node.value) if i < len(value))
    return places


def _key(loader: _Loader, node: yaml.Node) -> Any:
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    return loader.construct_object(node) if isinstance(node, yaml.ScalarNode) else None


def read_yaml(path: Path) -> Source:
    """The YAML document in ``path`` with the line of each key; ScenarioError for anything that is not one."""
    file = str(path)
    text = read_text(path, "YAML")

    def fail(loc: Loc, message: str) -> ScenarioError:
        return ScenarioError(file, [Problem(loc, message)])

    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise fail((), "file holds no YAML document; expected a scenario")
        size = _expanded_size(root) if loader.aliased else 0
        if size > MAX_EXPANDED_NODES:
            raise fail((), f"its aliases expand to {size:,} entries (more than {MAX_EXPANDED_NODES:,}); "
                           "write the repeated parts out, or repeat less")
        data = loader.construct_document(root)
    except _CycleError as err:
        raise ScenarioError(file, [Problem((), "an alias refers to the entry that holds it (anchored here), so the "
                                               "entry would repeat without end; check the indentation of its lines",
                                           where=f"{file}:{err.node.start_mark.line + 1}")]) from None
    except _TooDeepError as err:
        loc = tuple(part.value if isinstance(part, yaml.ScalarNode) else part for part in err.path[:4])
        raise ScenarioError(file, [Problem(loc, f"nested more than {MAX_DEPTH} levels deep below here; a scenario "
                                                "is about eight deep", where=f"{file}:{err.problem_mark.line + 1}")]
                            ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        what = getattr(err, "problem", None) or str(err)
        where = f"{file}:{mark.line + 1}" if mark is not None else file
        column = f"column {mark.column + 1}: " if mark is not None else ""
        message = f"{column}not valid YAML: {printable(str(what))[:200]}"
        raise ScenarioError(file, [Problem((), message, where=where)]) from err
    finally:
        loader.dispose()
    return Source(data, file, Places([lambda places: places.update(_places(loader, root, data, file))]))


def read_scenario_yaml(path: Path, _seen: tuple[Path, ...] = ()) -> Source:
    """The scenario file at ``path`` with any ``extends:`` base merged under it: each section the
    file gives replaces the base's, and keeps the line it has in its own file."""
    source = read_yaml(path)
    data = source.data
    if not isinstance(data, dict) or EXTENDS not in data:
        return source
    base_name = data[EXTENDS]
    here = source.places.get((EXTENDS,), str(path))

    def fail(message: str) -> ScenarioError:
        return ScenarioError(str(path), [Problem((EXTENDS,), message, where=here)])

    if not isinstance(base_name, str) or not base_name.strip() or "\x00" in base_name:
        raise fail(f"expected a file name, found {short(base_name)}")
    base_path = (path.parent / base_name).resolve()
    if base_path in _seen or len(_seen) >= MAX_EXTENDS:
        raise fail(f"{printable(base_name)!r} extends itself (a cycle)" if base_path in _seen
                   else f"more than {MAX_EXTENDS} files extend one another; a chain of extends may be at most "
                        f"{MAX_EXTENDS} deep")
    try:
        base = read_scenario_yaml(base_path, (*_seen, path.resolve()))
    except ScenarioError as err:
        raise ScenarioError(str(path), [Problem((EXTENDS,), f"{printable(base_name)}: {problem}", where=here)
                                      for problem in err.problems]) from None
    if not isinstance(base.data, dict):
        raise fail(f"{printable(base_name)!r} is not a scenario mapping")
    own = {key for key in data if key != EXTENDS}
    merged = {**base.data, **{key: data[key] for key in data if key != EXTENDS}}
    places = {loc: where for loc, where in base.places.items() if not loc or loc[0] not in own}
    places |= {loc: where for loc, where in source.places.items() if loc and loc[0] in own}
    places[()] = str(path)
    return Source(merged, str(path), places)


class _Dumper(yaml.SafeDumper):
    """Writes text with YAML's line-break characters (NEL, LS, PS) double-quoted, so they survive."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(ch in text for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
