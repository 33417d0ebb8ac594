"""App work (an upload's validation, a run, a sweep) in a process of its own, with a budget of time and memory: a
thread cannot be stopped, a process can. The process is forked from a clean server process (multiprocessing's
forkserver, never from the app's threads), limits the memory it may allocate (RLIMIT_DATA: what it writes, not
the address space it reserves), reports progress through a pipe, and is ended with every process it started
(a sweep's Dask workers) when its time is up, when it needs more memory than it may have, or when the app stops.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

MIB = 1 << 20
_POLL = 0.2
"""Seconds between looks at the clock and at the app's stop while waiting for the work."""
_CONTEXT = multiprocessing.get_context("forkserver")
_PRELOAD = ["footprint.web.jobs", "footprint.web.uploads"]
"""Imported once by the fork server, so that each piece of work starts at once."""

T = TypeVar("T")
Progress = Callable[[Any], None]


class BudgetError(Exception):
    """App work stopped: it ran out of time or memory, the app is stopping, or it ended abnormally."""


@dataclass(frozen=True)
class Budget:
    seconds: float
    """The longest the work may take, start to end (wall clock)."""
    memory: int
    """Bytes the work's process may allocate."""
    option: str
    """The option of `footprint serve` that allows more time, for the message of work stopped by it."""


def bounded(work: Callable[..., T], args: tuple[Any, ...], budget: Budget, what: str, *,
            on_progress: Progress | None = None, stop: threading.Event | None = None) -> T:
    """``work(*args, report)`` in a process of its own within ``budget``; ``report(message)`` there calls
    ``on_progress(message)`` here. Its result, or what it raised, raised here; BudgetError (naming ``what``)
    when it is stopped by its budget or by ``stop``, or dies."""
    _CONTEXT.set_forkserver_preload(_PRELOAD)
    ours, theirs = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(theirs, budget.memory, work, args), name="footprint-work")
    process.start()
    theirs.close()
    deadline = time.monotonic() + budget.seconds
    try:
        while True:
            if stop is not None and stop.is_set():
                raise BudgetError(f"{what} was stopped: the app is stopping")
            left = deadline - time.monotonic()
            if left <= 0:
                raise BudgetError(f"{what} was stopped after {budget.seconds:g} s, the most the app gives it "
                                  f"(footprint serve {budget.option} SECONDS allows more)")
            if not ours.poll(min(left, _POLL)):
                if not process.is_alive() and not ours.poll():
                    raise _died(process, what, budget)
                continue
            try:
                kind, value = ours.recv()
            except (EOFError, OSError):
                raise _died(process, what, budget) from None
            if kind == "progress":
                if on_progress is not None:
                    on_progress(value)
            elif kind == "done":
                return value  # type: ignore[no-any-return]
            elif kind == "memory":
                raise BudgetError(f"{what} needed more memory than the {budget.memory / MIB:,.0f} MiB the app gives "
                                  "it (footprint serve --memory MB allows more)")
            else:
                raise value
    finally:
        _end(process)
        ours.close()


def _died(process: Any, what: str, budget: Budget) -> BudgetError:
    process.join(timeout=5)
    code = process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return BudgetError(f"{what} ended abnormally ({how}); it may have needed more memory than the "
                       f"{budget.memory / MIB:,.0f} MiB the app gives it (footprint serve --memory MB allows more)")


def _end(process: Any) -> None:
    """End the work's process and every process it started (they share its process group)."""
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.is_alive():
        process.kill()
    process.join()
    process.close()


def _child(connection: Connection, memory: int, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    os.setsid()  # a process group of its own: ended whole, and not sent the app's Ctrl-C
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    try:
        result = work(*args, lambda message: connection.send(("progress", message)))
        message: tuple[str, Any] = ("done", result)
    except MemoryError:
        message = ("memory", None)
    except Exception as error:  # raised in the app as it was raised here
        message = ("raised", _portable(error))
    try:
        connection.send(message)
    except MemoryError:
        connection.send(("memory", None))
    connection.close()


def _portable(error: Exception) -> Exception:
    """``error`` as it can cross to the app: itself where it pickles, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


__all__ = ["MIB", "Budget", "BudgetError", "bounded"]
