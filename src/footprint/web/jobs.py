"""Background jobs: a scenario's run, the tornado of its ranged inputs (`sensitivity`), or the sweep of its
scenario set, each stored in the run store and followed by a page that polls its stage and progress.

Jobs are kept in the run store (web/kept.py) from the moment they are asked for: what each was asked to do (the
scenario's data, the set), how far it got and the run it stored, so that a restart loses none; a job that was
queued or running when the app stopped is marked interrupted, and can be run again from its page. Up to
``at_once`` jobs run at a time (Settings.jobs_at_once, two by default), each in a process of its own within the
app's budget of time and memory (web/bounded.py): a job that runs out of either, or that the app stops, is ended
with everything it started. Bounded processes rather than a Dask cluster of the app's: a job's process is what
its budget limits and what is ended when it is over, and a sweep already solves its futures on a Dask cluster of
its own inside it.
A job that fails keeps its message; nothing a job raises reaches the server."""

from __future__ import annotations

import json
import queue
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.analysis.sensitivity import SensitivityError, tornado
from footprint.analysis.sweep import Progress, SweepError, sweep, sweep_settings
from footprint.economics.checks import CHECKS
from footprint.economics.futures import expand
from footprint.optimize.solve import PlanningError, solver_options
from footprint.plan.store import RunStore, StoreError, canonical_json, encode_tables, run_record, solver_settings
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import SET_KIND
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import Loaded, validate
from footprint.scenario.formats.yamlio import dump_yaml
from footprint.scenario.sets.scenario_sets import read_set
from footprint.web.bounded import Budget, BudgetError, bounded
from footprint.web.kept import Kept

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
FINISHED = (DONE, FAILED, INTERRUPTED)
KINDS = {"run": "run", "sensitivity": "sensitivity", "sweep": "sweep of its scenario set",
         "stochastic": "stochastic plan of its scenario set"}
"""The jobs the app does: a scenario's run, its tornado, the sweep of a scenario set, one plan for all its futures."""
STORED = re.compile(r"^stored as run (\d+) in ", re.MULTILINE)
"""How `footprint stochastic` says where it kept its plan."""


class CommandError(Exception):
    """A command the app ran for a job failed: its message, as the command said it."""


EXPECTED = (PlanningError, ScenarioError, SensitivityError, SweepError, StoreError, BudgetError, CommandError)
"""What a job may fail with, its message said as it is; anything else is a bug, said so."""
INTERRUPTED_MESSAGE = "the app stopped while this job was queued or running; run it again"


@dataclass(frozen=True)
class JobRequest:
    """What a job does, kept with it so that it can be done again after a restart."""

    kind: str
    name: str
    data: Any
    """The scenario's plain data."""
    source: str
    scenario_set: dict[str, Any] | None = None
    """A sweep's set, its base the scenario: futures, generate, combine, n, seed, as a set file has them."""

    def as_json(self) -> str:
        return canonical_json({"kind": self.kind, "name": self.name, "data": self.data, "source": self.source,
                               "set": self.scenario_set})

    @classmethod
    def of_json(cls, text: str) -> JobRequest:
        given = json.loads(text)
        return cls(given["kind"], given["name"], given["data"], given["source"], given.get("set"))


@dataclass
class Job:
    """One job's state; the worker thread changes it through :meth:`update`, pages read :meth:`snapshot`."""

    id: str
    kind: str
    name: str
    status: str = QUEUED
    stage: str = "waiting for a job before it"
    done: int = 0
    total: int = 0
    failed: int = 0
    message: str = ""
    run: int | None = None
    """The stored run's (or sweep's) id, once done."""
    created: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    record: Callable[[dict[str, Any]], None] = field(default=lambda _: None, repr=False)
    """Keeps each change in the run store."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)
            self.seconds = time.monotonic() - self.created
            kept = {name: getattr(self, name) for name in KEPT}
        self.record(kept)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            state = {name: getattr(self, name) for name in SHOWN}
        state["seconds"] = round(time.monotonic() - self.created if self.status in (QUEUED, RUNNING)
                                 else self.seconds, 1)
        return state


SHOWN = ("id", "kind", "name", "status", "stage", "done", "total", "failed", "message", "run")
"""What a job's page (and its JSON) shows."""
KEPT = ("status", "stage", "done", "total", "failed", "message", "run", "seconds")
"""What changes of a job, kept in the run store."""
Work = Callable[[Job], int]
"""A job's work: it reports its stages on the job and returns the id it stored."""


class Jobs:
    """The app's jobs, by id, kept in the run store, and up to ``at_once`` daemon threads that do them (started
    with the first)."""

    def __init__(self, kept: Kept, at_once: int = 2) -> None:
        self._kept = kept
        self._at_once = max(1, at_once)
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[Job, Work]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        """Set when the app stops: the jobs under way are ended (their processes and workers), none is started."""
        kept.interrupt_unfinished(INTERRUPTED_MESSAGE)  # what an earlier app left under way

    def stop(self) -> None:
        self.stopping.set()
        for _ in self._threads:
            self._queue.put_nowait(None)  # type: ignore[arg-type]  # wakes a thread waiting for a job

    def submit(self, request: JobRequest, work: Work) -> Job:
        job = Job(secrets.token_hex(8), request.kind, request.name)
        self._kept.add_job({"id": job.id, "kind": job.kind, "name": job.name, "request": request.as_json(),
                            "status": job.status, "stage": job.stage, "done": 0, "total": 0, "failed": 0,
                            "message": "", "run": None, "seconds": 0})
        job.record = lambda changes: self._kept.update_job(job.id, **{**changes, "seconds": int(changes["seconds"])})
        with self._lock:
            self._jobs[job.id] = job
            if len(self._threads) < self._at_once:
                thread = threading.Thread(target=self._work, name=f"footprint-jobs-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        self._queue.put((job, work))
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        """A job's state as pages show it: this app's from memory, an earlier app's from the run store."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None:
            return job.snapshot()
        row = self._kept.job(job_id)
        return None if row is None else {name: row[name] for name in (*SHOWN, "seconds")}

    def request(self, job_id: str) -> JobRequest | None:
        row = self._kept.job(job_id)
        return None if row is None else JobRequest.of_json(row["request"])

    def listed(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest jobs, newest first (this app's with their progress now; on a store this user may not write,
        this app's alone)."""
        rows = self._kept.jobs(limit)
        with self._lock:
            live = {job_id: job.snapshot() for job_id, job in self._jobs.items()}
        if not self._kept.writable:
            return list(reversed(live.values()))[:limit]
        return [{**row, **live.get(row["id"], {})} for row in rows]

    def _work(self) -> None:
        while not self.stopping.is_set():
            taken = self._queue.get()
            if taken is None:
                return
            job, work = taken
            if self.stopping.is_set():
                job.update(status=INTERRUPTED, stage=INTERRUPTED, message=INTERRUPTED_MESSAGE)
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


def work_for(request: JobRequest, store: str | None, workers: int | None, budget: Budget,
             stop: threading.Event | None = None) -> Work:
    """The work of ``request``: the scenario validated, then solved as its kind says, in a process of its own."""

    def progress(job: Job, reached: Progress) -> None:
        job.update(stage="solving futures", done=reached.done, total=reached.total, failed=reached.failed)

    def work(job: Job) -> int:
        loaded = validate(Source(request.data, request.source), CHECKS)
        if request.kind == "run":
            job.update(stage=f"solving {request.name}")
            return bounded(solve_and_store, (loaded, store, request.name), budget, f"the run of {request.name}",
                           stop=stop)
        job.update(stage="starting the sweep's workers")
        if request.kind == "sensitivity":
            return bounded(tornado_and_store, (loaded, store, workers), budget, f"the sweep of {request.source}",
                           on_progress=lambda reached: progress(job, reached), stop=stop)
        if request.kind == "stochastic":
            job.update(stage="solving the futures as one plan")
            return bounded(stochastic_and_store, (request, store, workers), budget,
                           f"the stochastic plan of {request.name}", stop=stop)
        return bounded(set_sweep_and_store, (request, store, workers), budget, f"the sweep of {request.name}",
                       on_progress=lambda reached: progress(job, reached), stop=stop)

    return work


def solve_and_store(loaded: Loaded, store: str | None, name: str, _report: Callable[[Any], None]) -> int:
    """A run job's work, in its own process: the plan solved and stored; its id."""
    options = solver_options(loaded.scenario)
    plan = solve(loaded.scenario, options)
    with RunStore(store) as opened:
        return opened.save_run(run_record(plan, name=name, data=loaded.data, settings=solver_settings(options)),
                               encode_tables(plan))


def tornado_and_store(loaded: Loaded, store: str | None, workers: int | None, report: Callable[[Any], None]) -> int:
    """A sensitivity job's work, in its own process: the tornado solved and stored; the sweep's id."""
    with RunStore(store) as opened:
        return tornado(loaded.data, loaded.source, store=opened, settings=sweep_settings(loaded.scenario),
                       workers=workers, on_progress=report).sweep


def set_file(request: JobRequest, folder: Path) -> Path:
    """The request's scenario set as files in ``folder``: the scenario, and the set beside it that names it."""
    (folder / "scenario.yaml").write_text(dump_yaml(request.data), encoding="utf-8")
    spec = {**(request.scenario_set or {}), "kind": SET_KIND, "base": "scenario.yaml"}
    path = folder / "set.yaml"
    path.write_text(dump_yaml(spec), encoding="utf-8")
    return path


def set_sweep_and_store(request: JobRequest, store: str | None, workers: int | None,
                        report: Callable[[Any], None]) -> int:
    """A sweep job's work, in its own process: every future of the set solved and stored; the sweep's id."""
    with tempfile.TemporaryDirectory(prefix="footprint-set-") as folder:
        read = read_set(set_file(request, Path(folder)))
        futures = expand(read)
        settings = sweep_settings(read.scenario)
        with RunStore(store) as opened:
            outcome = sweep(read.base.data, request.source, futures, store=opened, name=request.name,
                            content={"set": request.scenario_set, "n": None, "seed": None}, settings=settings,
                            workers=workers, on_progress=report)
    return outcome.sweep


def stochastic_and_store(request: JobRequest, store: str | None, workers: int | None,
                         _report: Callable[[Any], None]) -> int:
    """A stochastic job's work, in its own process: `footprint stochastic` on the set, as a user runs it (it lives
    in the command layer, above the app's: run as a command, it is the command's plan, stored as the command
    stores it, with the command's defaults); the stored plan's id."""
    command = shutil.which("footprint", path=str(Path(sys.executable).parent)) or shutil.which("footprint")
    if command is None:
        raise CommandError("the footprint command is not installed beside this Python; a stochastic plan is solved "
                           "by `footprint stochastic`")
    with tempfile.TemporaryDirectory(prefix="footprint-set-") as folder:
        arguments = [command, "stochastic", str(set_file(request, Path(folder))), "--name", request.name,
                     *(["--store", store] if store else []), *(["--workers", str(workers)] if workers else [])]
        done = subprocess.run(arguments, capture_output=True, text=True, check=False)
    stored = STORED.search(done.stdout)
    if done.returncode != 0 or stored is None:
        said = " ".join(done.stderr.strip().splitlines()[-3:]) or "no plan was stored"
        raise CommandError(f"footprint stochastic failed (exit code {done.returncode}): {said}")
    return int(stored[1])


__all__ = ["DONE", "FAILED", "FINISHED", "INTERRUPTED", "INTERRUPTED_MESSAGE", "KINDS", "QUEUED", "RUNNING",
           "CommandError", "Job", "JobRequest", "Jobs", "do", "set_file", "work_for"]
