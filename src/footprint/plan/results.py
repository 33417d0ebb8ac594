"""A results folder, written whole or not at all, and read back only when whole.

The tables go into a temporary folder beside the target, with a manifest of every file's size
and checksum written last; the folder is then swapped into place in one step (``atomic``). So a
run killed at any moment leaves either the old results or the new ones, never a mix, and reading
refuses a folder with a table missing, truncated or changed, naming it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from footprint.scenario.formats import atomic

MANIFEST = "files"
"""The key of summary.json that lists each file of the folder with its size and checksum."""


class ResultsError(Exception):
    """A results folder that cannot be written or read, with a one-line reason."""


def write_folder(target: Path, summary_file: str, summary: dict[str, Any],
                 writers: dict[str, Callable[[Path], None]]) -> Path:
    """Write ``writers`` (file name -> writes that file) and the summary into ``target`` as one whole.

    ``target`` may not exist yet, or hold results written before (a folder with ``summary_file``),
    which it replaces; anything else there is refused rather than lost.
    """
    _check_target(target, summary_file)

    def write(staging: Path) -> None:
        files = {}
        for name, write_one in writers.items():
            write_one(staging / name)
            files[name] = _fingerprint(staging / name)
        text = json.dumps({**summary, MANIFEST: files}, indent=2, default=_json_default) + "\n"
        (staging / summary_file).write_text(text, encoding="utf-8")
        for name in (*files, summary_file):  # on the disk before the folder is swapped in
            _sync(staging / name)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return atomic.write_folder(target, write)
    except OSError as err:
        raise ResultsError(f"cannot write {target}: {_reason(err)}") from None


def _check_target(target: Path, summary_file: str) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ResultsError(f"{target} exists and is not a folder; name a new folder for the results")
    if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
        # Swapped out whole, a folder this user may not write would be replaced, its owner and permissions lost.
        raise ResultsError(f"cannot write {target}: permission denied (the folder is not writable; results "
                           "replace a folder only where they may write into it)")
    if target.is_dir() and any(target.iterdir()) and not (target / summary_file).is_file():
        raise ResultsError(f"{target} is a folder that holds other files, not results; name a new or empty "
                           "folder (results replace only earlier results)")
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ResultsError(f"cannot write {target}: {parent} is a file, not a folder")


def _fingerprint(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "no space left on the disk"
    if err.errno == errno.EROFS:
        return "the file system is read-only"
    if err.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied ({err.filename or 'a folder on the way'})"
    return (err.strerror or str(err)).lower() + (f" ({err.filename})" if err.filename else "")


def read_summary(folder: Path, summary_file: str) -> tuple[dict[str, Any], set[str]]:
    """The summary of a results folder, and the files it lists that are there; ResultsError where a listed
    file is there but truncated or changed since it was written."""
    path = folder / summary_file
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such results folder")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{folder}: not a results folder (no {summary_file})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsError(f"{folder}: {summary_file} cannot be read ({err})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get(MANIFEST, {}), dict):
        raise ResultsError(f"{folder}: {summary_file} is not a summary of results")
    files = summary.get(MANIFEST, {})
    present = {name for name in files if (folder / name).is_file()}
    damaged = [f"{name} ({why})" for name, why in _damaged(folder, {name: files[name] for name in present})]
    if damaged:
        raise ResultsError(f"{folder}: damaged results, {len(damaged)} file(s) truncated or changed since "
                           "they were written: " + ", ".join(damaged))
    return summary, present


def _damaged(folder: Path, files: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, expected in files.items():
        try:
            found = _fingerprint(folder / name)
        except OSError as err:
            yield name, f"unreadable: {_reason(err)}"
            continue
        expected = expected if isinstance(expected, dict) else {}
        if found["bytes"] != expected.get("bytes"):
            yield name, f"{found['bytes']} bytes, written {expected.get('bytes', '?')}"
        elif found["sha256"] != expected.get("sha256"):
            yield name, "changed since written"


__all__ = ["MANIFEST", "ResultsError", "read_summary", "write_folder"]
