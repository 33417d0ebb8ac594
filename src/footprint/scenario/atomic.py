"""Writing a file or a folder atomically: into a temporary one beside the target, renamed into place.

A reader never sees half a file; an interrupted write leaves the target as it was (and no
temporary behind, unless the process is killed).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_file(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path`` (replacing a file there)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def write_folder(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write`` on a new temporary folder beside ``path``, then rename it to ``path``. A folder already
    there is replaced: moved aside, the new one moved in, the old one removed."""
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    aside: Path | None = None
    try:
        write(temporary)
        if path.is_dir():
            aside = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, aside / path.name)
        os.replace(temporary, path)
    except BaseException:
        if aside is not None and not path.exists():
            os.replace(aside / path.name, path)  # put the old folder back
        raise
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    return path


__all__ = ["write_file", "write_folder"]
