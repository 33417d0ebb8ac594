"""Seeded mutations of scenario files, for the fuzz tests: broken values, shapes and bytes.

Each mutation takes a valid scenario (its plain data and its text) and a random generator and
returns the bytes of a file that may or may not still be valid. The values are those that broke
footprint once: numbers too large for the solver, true/false for numbers, NaN, control
characters, paths where names belong, alias bombs, deep nesting.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import yaml

JUNK: list[Any] = [
    None, "", "x", -1, 0, 0.5, 1e308, -1e308, 1e16, 2.5e15, True, False, "nan", "inf", "-inf", [], {}, [1, 2],
    {"value": "nan"}, {"value": 1, "low": "nan"}, {"value": 1, "high": 0}, {"from": 5, "growth": 0.1},
    "../../../etc/passwd", "/proc/self/mem", "a\x00b", "\x1b[31mred\x1b[0m", "[bold]x[/bold]", "2025-deal",
    "EU", "XX", "zz", "ecb", 10**400, "1e400", {"2020": 5}, {2020: -1}, {"x": {"y": {"z": [1]}}}, "é" * 50,
    "2012-13-45", 2200, 1899, 3.5, 10_000, -0.0,
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _dump(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def replace_value(data: Any, text: str, rng: random.Random) -> bytes:
    data = copy.deepcopy(data)
    path = rng.choice(_paths(data)[1:])
    _parent(data, path)[path[-1]] = copy.deepcopy(rng.choice(JUNK))
    return _dump(data)


def delete_key(data: Any, text: str, rng: random.Random) -> bytes:
    data = copy.deepcopy(data)
    path = rng.choice(_paths(data)[1:])
    parent = _parent(data, path)
    del parent[path[-1]]
    return _dump(data)


def duplicate_entry(data: Any, text: str, rng: random.Random) -> bytes:
    data = copy.deepcopy(data)
    lists = [path for path in _paths(data) if isinstance(_get(data, path), list) and _get(data, path)]
    path = rng.choice(lists)
    entries = _get(data, path)
    entries.append(copy.deepcopy(rng.choice(entries)))
    return _dump(data)


def rename_reference(data: Any, text: str, rng: random.Random) -> bytes:
    """A typo in one of the names the file uses (an id, a plant, a product)."""
    data = copy.deepcopy(data)
    names = [path for path in _paths(data)[1:] if isinstance(_get(data, path), str) and path[-1] in
             ("id", "plant", "product", "market", "pool", "agreement", "currency", "country", "regime", "extends")]
    if not names:
        return _dump(data)
    path = rng.choice(names)
    value = _get(data, path)
    _parent(data, path)[path[-1]] = value[:-1] + chr(ord(value[-1]) + 1) if value else "x"
    return _dump(data)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def delete_line(data: Any, text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    del lines[rng.randrange(len(lines))]
    return "".join(lines).encode("utf-8")


def duplicate_line(data: Any, text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return "".join(lines).encode("utf-8")


def shift_indent(data: Any, text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    lines[at] = (" " * rng.choice([1, 2, 3])) + lines[at] if rng.random() < 0.5 else lines[at].lstrip(" ")
    return "".join(lines).encode("utf-8")


def flip_bytes(data: Any, text: str, rng: random.Random) -> bytes:
    raw = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 8)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


def truncate(data: Any, text: str, rng: random.Random) -> bytes:
    raw = text.encode("utf-8")
    return raw[:rng.randrange(len(raw))]


def alias_bomb(data: Any, text: str, rng: random.Random) -> bytes:
    """Nine levels of nine aliases (387 million entries if expanded) in place of one field."""
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}]\n" for i in range(1, 9))
    field = rng.choice(["name", "description", "regime", "currency"])
    return (text.replace(f"\n{field}:", f"\nignored_{field}:", 1) + bomb + f"{field}: *a8\n").encode("utf-8")


def deep_nesting(data: Any, text: str, rng: random.Random) -> bytes:
    depth = rng.choice([200, 5_000, 100_000])
    return (text + "description: " + "[" * depth + "]" * depth + "\n").encode("utf-8")


MUTATIONS: list[Callable[[Any, str, random.Random], bytes]] = [
    replace_value, replace_value, replace_value, delete_key, duplicate_entry, rename_reference, rename_reference,
    delete_line, duplicate_line, shift_indent, flip_bytes, truncate, alias_bomb, deep_nesting,
]
