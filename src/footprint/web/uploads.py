"""An uploaded scenario, checked before anything reads it and validated as `footprint validate` does.

Accepted: a YAML file (``.yaml``, ``.yml``), an Excel workbook (``.xlsx``), or a zip archive of a CSV folder
(``.zip``), at most ``Limits.max_upload`` bytes. Nothing in an upload is evaluated or used as a path: its
bytes go into a fresh temporary folder under names chosen here (a zip's members only under their own base
names, each checked against a strict pattern), and a YAML upload may not extend another file. Every refusal
is a ScenarioError whose problems name the upload as it was called, like any invalid scenario's.
"""

from __future__ import annotations

import io
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from footprint.economics.checks import CHECKS
from footprint.scenario.cases.bundled import SET_KIND
from footprint.scenario.formats.csvio import read_csv_folder
from footprint.scenario.formats.excelio import read_workbook
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import Loaded, validate
from footprint.scenario.formats.yamlio import EXTENDS, read_yaml
from footprint.scenario.model.checks import Problem
from footprint.scenario.model.text import printable, short
from footprint.web.bounded import MIB, Budget

KINDS = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "excel", ".zip": "csv"}
ZIP_MAGIC = b"PK\x03\x04"
ARCHIVE_MAGICS = (ZIP_MAGIC, b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")
ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")
MEMBER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*\.(csv|yaml|yml)$", re.IGNORECASE)
"""A zip member a CSV folder may hold (tables and scenario.yaml), by its base name."""
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    max_upload: int = 20 * MIB
    """Bytes an upload may have."""
    max_unpacked: int = 100 * MIB
    """Bytes a zip or workbook may unpack to, all its members together."""
    max_members: int = 200
    upload_seconds: float = 60.0
    """The longest an upload's validation may take."""
    job_seconds: float = 3600.0
    """The longest a job (a run, a sweep) may take."""
    memory: int = 4096 * MIB
    """Bytes each upload's validation and each job's process (and each of a sweep's workers) may allocate."""

    def upload_budget(self) -> Budget:
        return Budget(self.upload_seconds, self.memory, "--upload-seconds")

    def job_budget(self) -> Budget:
        return Budget(self.job_seconds, self.memory, "--job-seconds")


def shown_name(filename: str | None) -> str:
    """The upload's name as messages show it: its base name only, control characters escaped, bounded."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return short(name, 80).strip("'\"") if name else "upload"


def read_upload(filename: str | None, stream: BinaryIO, limits: Limits) -> Loaded:
    """The scenario uploaded as ``filename`` (its extension says the format) from ``stream``, validated with
    every check; ScenarioError naming the upload for anything wrong with it."""
    shown = shown_name(filename)
    kind = KINDS.get(PurePosixPath(shown).suffix.lower())
    if kind is None:
        raise _refused(shown, "not a scenario upload; expected a YAML file (.yaml, .yml), an Excel workbook "
                              "(.xlsx) or a zip archive of a CSV folder (.zip)")
    raw = _read_limited(stream, limits.max_upload, shown)
    with tempfile.TemporaryDirectory(prefix="footprint-upload-") as temporary:
        folder = Path(temporary)
        if kind == "csv":
            path = folder / "scenario"
            _unpack(raw, path, limits, shown)
        else:
            path = folder / ("scenario.yaml" if kind == "yaml" else "scenario.xlsx")
            if kind == "excel":
                _check_workbook(raw, limits, shown)
            path.write_bytes(raw)
        try:
            loaded = validate(_source(kind, path), CHECKS)
        except ScenarioError as error:
            raise ScenarioError(shown, [_renamed(problem, str(path), shown) for problem in error.problems]) from None
    return replace(loaded, source=shown, warnings=[_renamed(w, str(path), shown) for w in loaded.warnings])


def validate_upload(filename: str | None, raw: bytes, limits: Limits, _report: Callable[[Any], None]) -> Loaded:
    """:func:`read_upload` of an upload's bytes, as app work runs it in a process of its own (web/bounded.py)."""
    return read_upload(filename, io.BytesIO(raw), limits)


def _refused(shown: str, message: str) -> ScenarioError:
    return ScenarioError(shown, [Problem((), message)])


def _renamed(problem: Problem, path: str, shown: str) -> Problem:
    """A problem placed in the temporary copy, placed in the upload instead."""
    return replace(problem, where=problem.where.replace(path, shown))


def _read_limited(stream: BinaryIO, limit: int, shown: str) -> bytes:
    parts, size = [], 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _refused(shown, f"larger than {limit / MIB:g} MiB; the app takes uploads up to that size "
                                  "(footprint serve --max-upload MB allows more)")
        parts.append(chunk)
    raw = b"".join(parts)
    if not raw.strip():
        raise _refused(shown, "the upload is empty")
    return raw


def _source(kind: str, path: Path) -> Source:
    if kind == "excel":
        return read_workbook(path)
    if kind == "csv":
        return read_csv_folder(path)
    source = read_yaml(path)
    data = source.data
    if isinstance(data, dict) and EXTENDS in data:
        raise ScenarioError(source.name, [Problem((EXTENDS,), "an uploaded scenario cannot extend another file; "
                                                              "upload it with its base merged in (`footprint "
                                                              "convert VARIANT.yaml MERGED.yaml` writes one)",
                                                  where=source.where((EXTENDS,)))])
    if isinstance(data, dict) and data.get("kind") == SET_KIND:
        message = (f"a scenario set (kind: {SET_KIND}) names other files; upload its base scenario instead: the "
                   "app sweeps a scenario's ranged inputs")
        raise ScenarioError(source.name, [Problem(("kind",), message, where=source.where(("kind",)))])
    return source


def _archive(raw: bytes, shown: str, what: str) -> zipfile.ZipFile:
    if not raw.startswith(ZIP_MAGIC):
        raise _refused(shown, f"not {what}")
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refused(shown, f"not {what} (it is damaged)") from None


def _check_workbook(raw: bytes, limits: Limits, shown: str) -> None:
    what = "an Excel workbook (.xlsx); save it from the spreadsheet as an Excel workbook"
    with _archive(raw, shown, what) as archive:
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    if "xl/workbook.xml" not in names:
        raise _refused(shown, f"not {what}")
    if unpacked > limits.max_unpacked:
        raise _refused(shown, f"the workbook unpacks to more than {limits.max_unpacked / MIB:g} MiB")


def _unpack(raw: bytes, folder: Path, limits: Limits, shown: str) -> None:
    """The CSV files and scenario.yaml of the zip ``raw`` into ``folder``, each under its base name, after every
    member is checked: no absolute path, no ``..``, no link, no encryption, no archive inside, one folder, at
    most ``limits`` in number and unpacked size (counted as read, not as the archive claims)."""
    with _archive(raw, shown, "a zip archive (.zip) of a CSV folder") as archive:
        members = [info for info in archive.infolist() if not info.is_dir() and not _ignored(info.filename)]
        problems = [problem for info in members for problem in _member_problems(info, shown)]
        folders = {PurePosixPath(info.filename).parent for info in members}
        if len(folders) > 1:
            problems.append(Problem((), "its files are in more than one folder "
                                        f"({', '.join(sorted(printable(str(f)) for f in folders)[:4])}); zip one "
                                        "CSV folder", where=shown))
        names = [PurePosixPath(info.filename).name.lower() for info in members]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            problems.append(Problem((), f"files named alike ({', '.join(twice[:4])}); keep one of each", where=shown))
        if len(members) > limits.max_members:
            problems.append(Problem((), f"{len(members):,} files; a CSV folder has at most {limits.max_members}",
                                    where=shown))
        if not members:
            problems.append(Problem((), "the archive holds no files", where=shown))
        if problems:
            raise ScenarioError(shown, problems)
        folder.mkdir()
        budget = limits.max_unpacked
        for info in members:
            with archive.open(info) as member:
                data = member.read(budget + 1)
            budget -= len(data)
            if budget < 0:
                raise _refused(shown, f"the archive unpacks to more than {limits.max_unpacked / MIB:g} MiB")
            if data.startswith(ARCHIVE_MAGICS):
                raise ScenarioError(shown, [Problem((), "an archive inside the archive; zip the CSV files themselves",
                                                    where=f"{shown}/{printable(info.filename)}")])
            (folder / PurePosixPath(info.filename).name.lower()).write_bytes(data)


def _ignored(name: str) -> bool:
    """What a zip tool adds that is no part of the folder, not read: macOS's resource forks, hidden files."""
    parts = PurePosixPath(name).parts
    return bool(parts) and ".." not in parts and not name.startswith("/") and (
        parts[0] == "__MACOSX" or parts[-1].startswith("."))


def _member_problems(info: zipfile.ZipInfo, shown: str) -> list[Problem]:
    name = info.filename
    where = f"{shown}/{short(name, 80).strip(chr(39))}"
    path = PurePosixPath(name)
    if name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name):
        message = "an absolute path (or a Windows one); a member must lie inside the archive's folder"
    elif ".." in path.parts:
        message = "a path with '..'; a member must lie inside the archive's folder"
    elif stat.S_ISLNK(info.external_attr >> 16):
        message = "a symbolic link; zip the files themselves"
    elif info.flag_bits & 0x1:
        message = "encrypted; zip the files without a password"
    elif path.suffix.lower() in ARCHIVE_SUFFIXES:
        message = "an archive inside the archive; zip the CSV files themselves"
    elif not MEMBER_NAME.match(path.name):
        message = ("not a file of a CSV folder; it holds TABLE.csv files and scenario.yaml (names of letters, "
                   "digits, _ and -)")
    else:
        return []
    return [Problem((), message, where=where)]


__all__ = ["KINDS", "MIB", "Limits", "read_upload", "shown_name", "validate_upload"]
