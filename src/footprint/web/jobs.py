"""Background jobs: a scenario's run, or the sweep of its ranged inputs, solved one at a time on a thread of
their own and stored in the run store, each with its stage and progress for the page that polls it. A job
that fails keeps its message; nothing a job raises reaches the server. Each job's work runs in a process of its
own within the app's budget of time and memory (web/bounded.py)."""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from footprint.analysis.sensitivity import SensitivityError, tornado
from footprint.analysis.sweep import Progress, SweepError, sweep_settings
from footprint.optimize.solve import PlanningError, solver_options
from footprint.plan.store import RunStore, StoreError, encode_tables, run_record, solver_settings
from footprint.plan.tables import solve
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.formats.validation import Loaded
from footprint.web.bounded import Budget, BudgetError, bounded

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
EXPECTED = (PlanningError, ScenarioError, SensitivityError, SweepError, StoreError, BudgetError)
"""What a job may fail with, its message said as it is; anything else is a bug, said so."""


@dataclass
class Job:
    """One job's state; the worker thread changes it through :meth:`update`, pages read :meth:`snapshot`."""

    id: str
    kind: str
    name: str
    status: str = QUEUED
    stage: str = "waiting for the job before it"
    done: int = 0
    total: int = 0
    failed: int = 0
    message: str = ""
    run: int | None = None
    """The stored run's (or sweep's) id, once done."""
    created: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)
            self.seconds = time.monotonic() - self.created

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            state = {name: getattr(self, name) for name in SHOWN}
        state["seconds"] = round(time.monotonic() - self.created if self.status in (QUEUED, RUNNING)
                                 else self.seconds, 1)
        return state


SHOWN = ("id", "kind", "name", "status", "stage", "done", "total", "failed", "message", "run")
"""What a job's page (and its JSON) shows."""
Work = Callable[[Job], int]
"""A job's work: it reports its stages on the job and returns the id it stored."""


class Jobs:
    """The app's jobs, by id, and the one daemon thread that does them in order (started with the first)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[Job, Work]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        """Set when the app stops: the job under way is ended (its process and workers), none is started."""

    def stop(self) -> None:
        self.stopping.set()

    def submit(self, kind: str, name: str, work: Work) -> Job:
        job = Job(secrets.token_hex(8), kind, name)
        with self._lock:
            self._jobs[job.id] = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="footprint-jobs", daemon=True)
                self._thread.start()
        self._queue.put((job, work))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _work(self) -> None:
        while not self.stopping.is_set():
            job, work = self._queue.get()
            if self.stopping.is_set():
                job.update(status=FAILED, stage=FAILED, message="not started: the app stopped")
                return
            do(job, work)


def do(job: Job, work: Work) -> None:
    """Do ``work`` for ``job``: done with the stored id, or failed with the reason in one message."""
    job.update(status=RUNNING, stage="starting")
    try:
        stored = work(job)
    except EXPECTED as error:
        job.update(status=FAILED, stage=FAILED, message=str(error))
    except Exception as error:  # a bug: the job says so, and the app goes on serving
        job.update(status=FAILED, stage=FAILED, message=f"internal error: {type(error).__name__}: {error}. This is "
                                                        "a bug in footprint; please report it")
    else:
        job.update(status=DONE, stage=DONE, run=stored)


def run_work(loaded: Loaded, store: str | None, budget: Budget, stop: threading.Event | None = None) -> Work:
    """Solve the scenario and store its plan in the run store ``store`` (as `footprint run` does), in a process
    of its own within ``budget``."""

    def work(job: Job) -> int:
        job.update(stage=f"solving {loaded.scenario.name}")
        return bounded(solve_and_store, (loaded, store), budget, f"the run of {loaded.scenario.name}", stop=stop)

    return work


def solve_and_store(loaded: Loaded, store: str | None, _report: Callable[[Any], None]) -> int:
    """A run job's work, in its own process: the plan solved and stored; its id."""
    options = solver_options(loaded.scenario)
    plan = solve(loaded.scenario, options)
    with RunStore(store) as opened:
        return opened.save_run(run_record(plan, name=loaded.scenario.name, data=loaded.data,
                                          settings=solver_settings(options)), encode_tables(plan))


def sweep_work(loaded: Loaded, store: str | None, workers: int | None, budget: Budget,
               stop: threading.Event | None = None) -> Work:
    """The tornado of the scenario's ranged inputs (each at its low and its high), solved as a stored sweep, as
    `footprint sensitivity` does, in a process of its own (and its Dask workers) within ``budget``."""

    def progress(job: Job, reached: Progress) -> None:
        job.update(stage="solving futures", done=reached.done, total=reached.total, failed=reached.failed)

    def work(job: Job) -> int:
        job.update(stage="starting the sweep's workers")
        return bounded(sweep_and_store, (loaded, store, workers), budget, f"the sweep of {loaded.source}",
                       on_progress=lambda reached: progress(job, reached), stop=stop)

    return work


def sweep_and_store(loaded: Loaded, store: str | None, workers: int | None, report: Callable[[Any], None]) -> int:
    """A sweep job's work, in its own process: the tornado solved and stored; the sweep's id."""
    with RunStore(store) as opened:
        return tornado(loaded.data, loaded.source, store=opened, settings=sweep_settings(loaded.scenario),
                       workers=workers, on_progress=report).sweep


__all__ = ["DONE", "FAILED", "QUEUED", "RUNNING", "Job", "Jobs", "do", "run_work", "sweep_work"]
