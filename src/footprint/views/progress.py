"""A sweep's progress on the terminal: futures done, failed and being solved, and the time left."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from footprint.scenario.model.text import printable

if TYPE_CHECKING:
    from footprint.analysis.sweep import Progress as SweepProgress


def _left(seconds: float | None) -> str:
    if seconds is None:
        return "time left: -"
    minutes, rest = divmod(round(seconds), 60)
    return f"time left: {minutes}:{rest:02d}"


@contextmanager
def sweep_progress(console: Console, title: str) -> Iterator[Callable[[SweepProgress], None]]:
    """A progress bar on ``console`` while the block runs; the callback it gives takes each report."""
    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[detail]}", markup=False), TimeElapsedColumn(), console=console,
                   transient=False)  # a set's path as written, never read as markup
    task = bar.add_task(printable(title), total=None, detail="starting the workers ...")

    def report(progress: SweepProgress) -> None:
        detail = (f"failed {progress.failed}, solving {progress.running}"
                  + (f", {progress.skipped} stored before" if progress.skipped else "")
                  + f", {_left(progress.seconds_left)}")
        bar.update(task, total=progress.total, completed=progress.done, detail=detail)

    with bar:
        yield report
