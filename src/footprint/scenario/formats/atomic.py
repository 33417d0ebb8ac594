"""Writing a file or a folder atomically: into a temporary one beside the target, renamed into place.

A reader never sees half a file or a mix of two folders: an interrupted write leaves the target
as it was (and no temporary behind, unless the process is killed). A folder already there is
swapped with the new one in one step (Linux's ``renameat2`` exchange; elsewhere two renames).
What is written gets the permissions the umask gives, as any other file would.
"""

from __future__ import annotations

import ctypes
import errno
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
        os.chmod(temporary, 0o666 & ~umask())  # mkstemp makes it 0600 whatever the umask
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def write_folder(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write`` on a new temporary folder beside ``path``, then put it at ``path``; a folder already
    there is swapped out in one step and removed."""
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        write(staging)
        staging.chmod(0o777 & ~umask())  # mkdtemp makes it 0700 whatever the umask
        if not path.exists():
            os.rename(staging, path)
        elif not _exchange(staging, path):
            aside = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.rename(path, aside / "old")
            os.rename(staging, path)
            os.rename(aside / "old", staging)
            aside.rmdir()
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new folder if it never moved, else the old one
    return path


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd, exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["umask", "write_file", "write_folder"]
