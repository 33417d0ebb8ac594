"""A scenario as read from its files, before validation: plain data, and where each part was written.

Every reader (YAML, CSV folder, Excel workbook) gives a :class:`Source`; messages about the
data name the file and line (or sheet, row and column) through it. Reading never raises
anything but :class:`ScenarioError`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from footprint.scenario.model.checks import Loc, Problem
from footprint.scenario.model.text import printable, short

MAX_FILE_BYTES = 50 * 1024 * 1024


class Places(Mapping[Loc, str]):
    """Where each key path was written, worked out only when a message first needs it: a valid file never
    pays for it. Each of ``makers`` adds its places to the mapping, in order (a later one may replace)."""

    def __init__(self, makers: list[Callable[[dict[Loc, str]], None]]) -> None:
        self._makers: list[Callable[[dict[Loc, str]], None]] | None = makers
        self._places: dict[Loc, str] = {}

    def _made(self) -> dict[Loc, str]:
        if self._makers is not None:
            for make in self._makers:
                make(self._places)
            self._makers = None
        return self._places

    def __getitem__(self, loc: Loc) -> str:
        return self._made()[loc]

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())


@dataclass(frozen=True)
class Source:
    """Plain data (as YAML would give it) and the place of each key path in the files it came from."""

    data: Any
    name: str
    """The file, folder or workbook, for messages."""
    places: Mapping[Loc, str] = field(default_factory=dict)
    """Where each key path was written: ``net.yaml:12``, ``plants.csv, row 3, column capacity``."""

    def where(self, loc: Loc) -> str:
        """The place of ``loc``, or of the nearest part that holds it ("" for data from no file)."""
        for end in range(len(loc), -1, -1):
            place = self.places.get(loc[:end])
            if place is not None:
                return place
        return ""


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found in it (warnings too, when strict)."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        """The file (or the scenario's name) the problems are in."""
        self.problems = list(problems)
        """Every problem found, each with its place: file and line, entity and field."""
        super().__init__(self.report())

    def __reduce__(self) -> tuple[type, tuple[str, list[Problem]]]:  # pickled as made: across processes too
        return type(self), (self.source, self.problems)

    def report(self) -> str:
        """The message: the source, how many problems and warnings, then each on a line of its own."""
        errors = sum(problem.is_error for problem in self.problems)
        warnings = len(self.problems) - errors
        counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "problem"), (warnings, "warning"))
                  if n or word == "problem"]
        lines = [f"  {problem}" for problem in self.problems]
        return "\n".join([f"{printable(self.source)}: {', '.join(counts)}", *lines])


def _refused(source: str, message: str) -> ScenarioError:
    """A file that cannot be read as a scenario: one problem about the whole file."""
    return ScenarioError(source, [Problem((), message)])


def read_bytes(path: Path, kind: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ScenarioError for anything else (no such
    file, a folder, a device or pipe, one that cannot be read)."""
    source = printable(str(path))
    fail = partial(_refused, source)

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise fail("no such file") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        raise fail(f"cannot read it ({_reason(err)})") from None
    if stat.S_ISDIR(mode):
        raise fail(f"a folder, not a {kind} file")
    if not stat.S_ISREG(mode):
        raise fail(f"not a regular file (a device, pipe or socket); expected a {kind} file")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except (OSError, ValueError) as err:
        raise fail(f"cannot read it ({_reason(err)})") from None
    if len(raw) > limit:
        raise fail(f"file is larger than {limit // 2**20} MiB")
    return raw


def read_text(path: Path, kind: str) -> str:
    """The UTF-8 text of a regular file of at most MAX_FILE_BYTES; ScenarioError for anything else."""
    source = printable(str(path))
    fail = partial(_refused, source)

    raw = read_bytes(path, kind)
    if b"\x00" in raw:
        raise fail(f"not a text file (it holds binary data); expected {kind}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ScenarioError(source, [Problem((), f"not UTF-8 text (byte {err.start}); expected {kind}",
                                             where=f"{source}:{line}")]) from None
    if not text.strip():
        raise fail(f"file is empty; expected a {kind} scenario")
    return text


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return short(str(err), 80)


__all__ = ["MAX_FILE_BYTES", "Places", "ScenarioError", "Source", "printable", "read_bytes", "read_text", "short"]
