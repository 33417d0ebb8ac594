"""Work for web/bounded.py's tests, importable by the process that runs it (a test module's own functions would
bring the test module with them)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def counts_to(n: int, report: Callable[[Any], None]) -> int:
    for step in range(n):
        report(step)
    return n


def never_ends(started: Path, report: Callable[[Any], None]) -> None:
    """Starts a process of its own (as a sweep starts its workers), says so, then never ends."""
    child = subprocess.Popen(["sleep", "100000"])
    started.write_text(str(child.pid), encoding="utf-8")
    report("started")
    while True:
        time.sleep(0.01)


def needs_memory(gib: int, _report: Callable[[Any], None]) -> int:
    return len(bytearray(gib << 30))


def raises(message: str, _report: Callable[[Any], None]) -> None:
    raise ValueError(message)
