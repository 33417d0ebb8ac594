"""How a key path names a list entry: by its id, or by the fields that identify an entry that has none.

``plants[gyor]``, ``capabilities[haiphong/heat-pump]`` (plant and product), ``lanes[gyor/us]`` (origin and
destination), ``tariffs[*/US/8703]`` (origin, destination and class, then an additional duty's measure and the
dates it is in force: ``tariffs[*/US/8703/s232/2025-03-12..]``), ``agreements[korus].rates[KR/US/8703/2016]``,
``agreements[usmca].members[MX]``, ``suppliers[aichi].supplies[engine]`` (a supplier's offer, by its
component). Messages, parameter paths, sensitivity inputs and the report all name entries so; an entry whose key
another entry shares, or that cannot be written in brackets, goes by its position from 0 (``tariffs[3]``), which
a path may give instead (an id comes first: ``plants[2]`` is the plant with id 2 if there is one).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from footprint.scenario.model.network import LEGACY_LANE_FIELDS

NAME = re.compile(r"[^.\[\]\s]+")
"""What a key path may write after a dot: a field, or a mapping's key (``demand.rogue``, ``capacity.2014``)."""
KEY = re.compile(r"[^\[\]\s]+")
"""What a key path may write between brackets: a list entry's key or position, or a mapping's key with a dot."""

IDENTIFYING: dict[str, tuple[str, ...]] = {
    "capabilities": ("plant", "product"),
    "lanes": ("origin", "destination"),
    "members": ("country",),
    "tariffs": ("origin", "destination", "product_class"),
    "rates": ("origin", "destination", "product_class"),
    "supplies": ("component",),
}
"""The fields that identify an entry of each list whose entries have no id, by the list's field name."""
_DATED = {"tariffs", "rates"}
"""Lists whose entries are in force for a span: the span is part of their key."""


def entry_key(field: str, entry: Any) -> str | None:
    """The key of ``entry``, an entry of the list in ``field``: its id, or its identifying fields joined by
    ``/``; None where it has neither (or one that brackets cannot hold)."""
    if not isinstance(entry, dict):
        return None
    if field not in IDENTIFYING or "id" in entry:
        parts = [entry.get("id")]
    else:
        written = {new: entry[old] for old, new in LEGACY_LANE_FIELDS.items() if old in entry and field == "lanes"}
        parts = [entry.get(name, written.get(name, "*" if name in ("origin", "destination") and field == "rates"
                                             else None))
                 for name in IDENTIFYING[field]]
        if field in _DATED:
            parts += [entry.get("measure", "additional")] if entry.get("additional") is True else []
            parts += [span] if (span := _span(entry)) else []
    if not all(isinstance(part, (str, int)) and not isinstance(part, bool) for part in parts):
        return None
    key = "/".join(str(part) for part in parts)
    return key if KEY.fullmatch(key) else None


def _span(entry: dict[str, Any]) -> str:
    """When a dated entry is in force, as written: ``2019``, ``2019..2020``, ``2025-03-12..`` ('' for always)."""
    if entry.get("year") is not None:
        return str(entry["year"])
    for start, end in (("from_year", "to_year"), ("from_date", "to_date")):
        if entry.get(start) is not None or entry.get(end) is not None:
            return f"{_text(entry.get(start))}..{_text(entry.get(end))}"
    return ""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def entry_names(field: str, entries: list[Any]) -> list[str | None]:
    """How a path names each of ``entries`` (the list in ``field``): by its key where no other entry has the same
    and it cannot be read as a position, else by its position; None where neither picks it alone (an entry whose
    position is another's id)."""
    keys = [entry_key(field, entry) for entry in entries]
    return [key if key is not None and keys.count(key) == 1 and not key.isdigit()
            else str(index) if str(index) not in keys else None for index, key in enumerate(keys)]


def entry_position(field: str, entries: list[Any], name: str) -> int | None:
    """The position of the entry ``name`` names in ``entries`` (by its key, else as a position), or None."""
    keys = [entry_key(field, entry) for entry in entries]
    if keys.count(name) == 1:
        return keys.index(name)
    if name.isdigit() and int(name) < len(entries):
        return int(name)
    return None


def unknown_entry(field: str, entries: list[Any], name: str) -> str:
    """Why ``name`` names no entry of ``entries``: it names several, or none (with the close matches)."""
    keys = [entry_key(field, entry) for entry in entries]
    if keys.count(name) > 1:
        positions = ", ".join(str(index) for index, key in enumerate(keys) if key == name)
        return f"{name!r} names {keys.count(name)} {field} entries (at positions {positions}); give the position"
    if name.isdigit():
        return f"{field} has {len(entries)} entries, at positions 0-{len(entries) - 1}; no entry {name!r}"
    names = [known for known in entry_names(field, entries) if known is not None and not known.isdigit()]
    longer = [known for known in names if known.startswith(f"{name}/")]  # a tariff's key without its dates
    close = list(dict.fromkeys([*longer, *difflib.get_close_matches(name, names, n=3, cutoff=0.6)]))[:3]
    positions = f"positions 0-{len(entries) - 1}" if entries else "no positions"
    if close:
        return f"no {field} entry {name!r}; did you mean {' or '.join(close)}?"
    if names and len(names) <= 12:
        return f"no {field} entry {name!r} (entries: {', '.join(names)}; or {positions})"
    return f"no {field} entry {name!r} ({len(entries)} entries, at {positions})"


__all__ = ["IDENTIFYING", "KEY", "NAME", "entry_key", "entry_names", "entry_position", "unknown_entry"]
