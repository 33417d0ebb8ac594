"""Sweeps: every future of a scenario set solved as its own plan, in parallel on Dask, warm where it can be.

The client sends the base scenario's data to every worker once; each task is a run of futures,
ordered so that each differs little from the one before (a worker's WarmSolver then re-solves
from the last answer instead of from nothing). A worker returns, per future, its status,
objective, decisions and the Plan's tables already encoded; the client stores each future as it
arrives, in its own transaction, so a sweep stopped at any moment keeps every future finished.
Futures already stored (same scenario and settings) are not solved again.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from footprint.analysis.summary import SweepSummary, sweep_summary
from footprint.economics.checks import ERROR_CHECKS
from footprint.optimize.solve import PlanningError, solver_options
from footprint.optimize.warm import WarmSolver
from footprint.plan.decisions import Decisions, Level
from footprint.plan.extensions import Accessor, html_of
from footprint.plan.store import FAILED, Run, RunStore, canonical_scenario, encode_tables, run_key
from footprint.plan.tables import plan_of
from footprint.scenario.formats.files import ScenarioError, scenario_from_data
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.sets.parameters import ParameterError, apply_overrides
from footprint.scenario.sets.scenario_sets import Future

TASKS_PER_WORKER = 8
"""Runs of futures per worker: enough to balance the load at the end, few enough that each run is warm."""
MAX_RUN = 25
"""Futures in one task at most (each is stored only when its task returns)."""
LOG_FORMAT = "%(asctime)s %(process)d %(name)s %(levelname)s: %(message)s"
WORKER_LOGGING_ENV = "DASK_DISTRIBUTED__LOGGING"
"""Dask's logging configuration, as a worker process reads it from its environment when it starts."""


@dataclass(frozen=True)
class Task:
    name: str
    probability: float
    overrides: tuple[tuple[str, Any], ...]
    key: str
    distinct: str | None = None
    """Its name, if it sets the same values as a future before it (see ``run_key``)."""


@dataclass(frozen=True)
class FutureResult:
    """One future's outcome as a worker reports it: a plan's figures and tables, or why there is none."""

    name: str
    key: str
    probability: float
    overrides: tuple[tuple[str, Any], ...]
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    build_seconds: float | None = None
    solve_seconds: float | None = None
    message: str = ""
    decisions: Decisions | None = None
    summary: dict[str, Any] | None = None
    tables: dict[str, bytes] | None = field(default=None, repr=False)


_SOLVER: WarmSolver | None = None
"""The worker process's solver: it outlives tasks, so the next run of futures starts warm."""


def solve_futures(base: dict[str, Any], source: str, tasks: Sequence[Task],
                  settings: dict[str, Any]) -> list[FutureResult]:
    """Solve each task's future (on a worker): its failures are results with their reason, not exceptions."""
    global _SOLVER
    if _SOLVER is None:
        _SOLVER = WarmSolver()
    results = []
    for task in tasks:
        results.append(_solve_one(_SOLVER, base, source, task, settings))
    return results


def _solve_one(solver: WarmSolver, base: dict[str, Any], source: str, task: Task,
               settings: dict[str, Any]) -> FutureResult:
    failed = {"name": task.name, "key": task.key, "probability": task.probability, "overrides": task.overrides,
              "status": FAILED}
    try:
        scenario = scenario_from_data(apply_overrides(base, task.overrides), f"{source} [{task.name}]", ERROR_CHECKS)
        solved = solver.solve(scenario, solver_options(scenario, **settings))
    except ScenarioError as error:  # a future that is no valid scenario: said so, apart from one without a plan
        return FutureResult(**failed, message="not a valid scenario: " + ("; ".join(map(str, error.problems))
                                                                          or str(error)))
    except ParameterError as error:
        return FutureResult(**failed, message=f"not a valid scenario: {error}")
    except PlanningError as error:
        return FutureResult(**failed, message=str(error))
    plan = plan_of(solved)
    summary = plan.summary
    return FutureResult(
        task.name, task.key, task.probability, task.overrides, plan.status, plan.objective,
        float(summary["bound"]), float(summary["gap"]), float(summary["build_seconds"]),
        float(summary["solve_seconds"]), summary.get("message", ""), Decisions.of(plan), summary, encode_tables(plan),
    )


def similarity_order(tasks: Sequence[Task]) -> list[Task]:
    """The tasks in a chain where each is near the one before: greedy nearest neighbour on what they set,
    from the task farthest from the others' mean."""
    if len(tasks) < 3:
        return list(tasks)
    features = _features(tasks)
    remaining = np.ones(len(tasks), bool)
    current = int(np.argmax(((features - features.mean(axis=0)) ** 2).sum(axis=1)))  # from an edge, not the middle
    order = [current]
    remaining[current] = False
    for _ in range(len(tasks) - 1):
        distance = ((features - features[current]) ** 2).sum(axis=1)
        distance[~remaining] = np.inf
        current = int(np.argmin(distance))
        order.append(current)
        remaining[current] = False
    return [tasks[i] for i in order]


def _features(tasks: Sequence[Task]) -> np.ndarray:
    """One row per task: each number it sets (scaled by its spread across tasks), each text as 0/1."""
    columns: dict[tuple[str, str], np.ndarray] = {}
    for row, task in enumerate(tasks):
        for path, value in task.overrides:
            items = value.items() if isinstance(value, dict) else [("", value)]
            for sub, item in items:
                number = isinstance(item, (int, float)) and not isinstance(item, bool)
                column = (path, str(sub)) if number else (path, f"{sub}={item}")
                columns.setdefault(column, np.zeros(len(tasks)))[row] = float(item) if number else 1.0
    if not columns:
        return np.zeros((len(tasks), 1))
    features = np.column_stack(list(columns.values()))
    spread = features.std(axis=0)
    return features / np.where(spread > 0, spread, 1.0)


def runs_of(tasks: Sequence[Task], workers: int) -> list[list[Task]]:
    """Consecutive runs of the ordered tasks, about TASKS_PER_WORKER per worker."""
    size = max(1, min(MAX_RUN, math.ceil(len(tasks) / (max(workers, 1) * TASKS_PER_WORKER))))
    return [list(tasks[i:i + size]) for i in range(0, len(tasks), size)]


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    running: int
    skipped: int
    seconds: float

    @property
    def seconds_left(self) -> float | None:
        solved = self.done - self.skipped
        if solved <= 0:
            return None
        return self.seconds / solved * (self.total - self.done)


DASK_LOG_ENV = "FOOTPRINT_DASK_LOG"
"""The file Dask's own log records go to, in place of $XDG_STATE_HOME/footprint/dask.log (~/.local/state/...)."""
DASK_LOGGERS = ("distributed", "tornado", "bokeh")


def dask_log_path() -> Path:
    given = os.environ.get(DASK_LOG_ENV)
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "footprint" / "dask.log"


@contextmanager
def dask_client(workers: int | None, cluster: str | None) -> Iterator[Any]:
    """A client of the cluster at ``cluster``, or of a LocalCluster of ``workers`` processes (one thread each).
    Dask's own log records, of this process and of the workers, go to :func:`dask_log_path`, never to the
    terminal: footprint says what went wrong in its own words."""
    from dask.distributed import Client, LocalCluster

    with _dask_logs(dask_log_path()):
        if cluster is not None:
            try:
                client = Client(cluster, timeout="10s")
            except (OSError, TimeoutError) as error:
                raise SweepError(f"no Dask scheduler answers at {cluster}: {error}") from None
            except (ValueError, TypeError):  # distributed parses the address as it connects
                raise SweepError(f"{cluster!r} is not a Dask scheduler's address; expected tcp://HOST:PORT") from None
            with client:
                yield client
            return
        count = workers or os.cpu_count() or 1
        with _ctrl_c_held() as release:
            local = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0",
                                 silence_logs=False)
            with local, Client(local) as client:
                release()  # a Ctrl-C pressed while the workers started stops the work now, closing the cluster
                yield client


@contextmanager
def _dask_logs(path: Path) -> Iterator[None]:
    """Dask's log records (warnings and errors) into the file at ``path`` while the block runs (nowhere if it
    cannot be written): this process's (the scheduler's, the nannies', the client's), and those of the worker
    processes started meanwhile, which read their logging configuration from the environment as they start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        target: dict[str, Any] = {"class": "logging.FileHandler", "filename": str(path), "encoding": "utf-8",
                                  "formatter": "plain"}
    except OSError:
        handler, target = logging.NullHandler(), {"class": "logging.NullHandler"}
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    workers = {"version": 1, "disable_existing_loggers": False, "formatters": {"plain": {"format": LOG_FORMAT}},
               "handlers": {"dask": target},
               "loggers": {name: {"level": "WARNING", "handlers": ["dask"], "propagate": False}
                           for name in DASK_LOGGERS}}
    loggers = [logging.getLogger(name) for name in DASK_LOGGERS]
    before = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    environment = os.environ.get(WORKER_LOGGING_ENV)
    for logger in loggers:
        logger.handlers[:] = [handler]
        logger.setLevel(logging.WARNING)
        logger.propagate = False
    os.environ[WORKER_LOGGING_ENV] = repr(workers)
    try:
        yield
    finally:
        for logger, (handlers, level, propagate) in zip(loggers, before, strict=True):
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()
        if environment is None:
            os.environ.pop(WORKER_LOGGING_ENV, None)
        else:
            os.environ[WORKER_LOGGING_ENV] = environment


@contextmanager
def _ctrl_c_held() -> Iterator[Callable[[], None]]:
    """Ctrl-C held while worker processes start, and acted on when the block calls ``release`` (or ends).

    Ctrl-C reaches every process of the terminal's group: a worker that took it would die printing a
    traceback, while this process stops the work and closes the cluster. SIGINT is blocked in this thread
    while the workers start, so the threads and processes started meanwhile keep it blocked for good (the
    workers never take it); a Ctrl-C meanwhile is only noted, and raised once the cluster can be closed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    resource_tracker.ensure_running()  # started later, by the thread that spawns the workers, it would unblock SIGINT
    pressed = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.set())
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    held = [True]

    def release() -> None:
        if not held[0]:
            return
        held[0] = False
        signal.signal(signal.SIGINT, previous)
        pending = signal.SIGINT in signal.sigpending()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a pending Ctrl-C goes to ``previous`` now
        if pressed.is_set() and not pending:
            signal.raise_signal(signal.SIGINT)  # as ``previous`` would have taken it

    try:
        yield release
    finally:
        release()


class SweepError(Exception):
    """A sweep that cannot start: no cluster, no store, a set without futures."""


def worker_count(client: Any) -> int:
    return max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))


def run_tasks(client: Any, base: dict[str, Any], source: str, tasks: Sequence[Task], settings: dict[str, Any],
              on_result: Callable[[FutureResult], None]) -> None:
    """Solve ``tasks`` on ``client``'s workers, calling ``on_result`` for each future as its run returns.

    A run whose worker fails outright (not a future without a plan: a crash) reports each of its
    futures as failed with the reason.
    """
    from dask.distributed import as_completed

    if not tasks:
        return
    runs = runs_of(similarity_order(tasks), worker_count(client))
    shared = client.scatter(base, broadcast=True)
    submitted = {client.submit(solve_futures, shared, source, run, settings, pure=False): run
                 for run in runs}
    for finished in as_completed(submitted):
        run = submitted.pop(finished)
        try:
            results = finished.result()
        except Exception as error:
            results = [FutureResult(t.name, t.key, t.probability, t.overrides, FAILED,
                                    message=f"the worker failed: {type(error).__name__}: {error}") for t in run]
        for result in results:
            on_result(result)
        finished.release()


def tasks_of(futures: Sequence[Future], scenario_hash: str, settings: dict[str, Any]) -> list[Task]:
    """The futures as tasks, each keyed as the store keys it (so that a sweep run again skips it). A future that
    sets the same values as one before it is keyed with its name too: each is stored and counted."""
    tasks: list[Task] = []
    keys: set[str] = set()
    for future in futures:
        overrides = tuple((str(path), value) for path, value in future.overrides)
        key, distinct = run_key(scenario_hash, overrides, settings), None
        if key in keys:
            distinct = future.name
            key = run_key(scenario_hash, overrides, settings, distinct)
        keys.add(key)
        tasks.append(Task(future.name, float(future.probability), overrides, key, distinct))
    return tasks


@dataclass(frozen=True)
class SweepOutcome:
    """A sweep done (``footprint sweep``): its id in the run store, its futures as stored, and how many were
    solved, skipped (stored before) and failed; ``sweep_summary`` sums it up. In a notebook it shows its NPV's
    spread and how often each decision is taken (``_repr_html_``), and ``sweep.plot.decisions()`` draws the
    latter (views/notebook.py)."""

    sweep: int
    """The sweep's id in the store."""
    futures: pd.DataFrame
    """Every future of the sweep as stored (RunStore.futures)."""
    solved: int
    """Futures solved by this run."""
    skipped: int
    """Futures stored by an earlier run of the same sweep, not solved again."""
    failed: int
    """Of those solved, how many have no plan."""
    seconds: float
    """Wall time of this run, in seconds."""
    objective_sense: str = "minimize_cost"
    """The base scenario's objective (``minimize_cost`` or ``maximize_profit``)."""
    currency: str | None = None
    """The base scenario's currency, the futures' NPVs'."""

    plot = Accessor("plot")
    """``sweep.plot.npv()``, ``.decisions()``: the NPV over the futures and how often each decision is taken, as
    plotly Figures (views/notebook.py)."""

    def summary(self, level: Level | str = Level.STRATEGIC) -> SweepSummary:
        """The futures' statistics (analysis/summary.py): the NPV's distribution and how often each decision of
        ``level`` (strategic or assignments: the futures are read at the assignments level) is taken. ValueError
        for the flows level, whose lanes are in the store."""
        if Level(level) is Level.FLOWS:
            raise ValueError("a sweep's futures are read at the assignments level; at the flows level read them with "
                             f"their flows: sweep_summary(RunStore(store).futures({self.sweep}, Level.FLOWS), ...)")
        return sweep_summary(self.futures, self.objective_sense, currency=self.currency, level=level)

    def _repr_html_(self) -> str | None:
        return html_of(self)


def sweep_settings(scenario: Scenario, **overrides: float | None) -> dict[str, Any]:
    """The solver settings of each future: the scenario's, with the caller's time_limit or mip_gap if given."""
    options = solver_options(scenario, **overrides)
    return {"time_limit": options.time_limit, "mip_gap": options.mip_gap}


def sweep(data: dict[str, Any], source: str, futures: Sequence[Future], *, store: RunStore, name: str,
          content: Any, settings: dict[str, Any], workers: int | None = None, cluster: str | None = None,
          on_progress: Callable[[Progress], None] | None = None) -> SweepOutcome:
    """Solve every future of ``data`` (the base scenario's plain data, from ``source``) and store each.

    ``content`` identifies the sweep (the set file's data, with n and seed): the same content and
    settings resume the sweep stored before, skipping its stored futures. ``settings`` are the solver
    settings (time_limit, mip_gap) of every future; each worker solves with one HiGHS thread.
    Ctrl-C stops the sweep (stored as interrupted) and propagates.
    """
    started = time.perf_counter()
    settings = {**settings, "threads": 1}  # one HiGHS thread per worker process
    scenario_text, scenario_hash = canonical_scenario(data)
    tasks = tasks_of(futures, scenario_hash, settings)
    # The base's hash is part of the sweep's identity: a set run again on an edited base is another sweep.
    identity = {"sweep": content, "base": scenario_hash}
    sweep_id, stored = store.start_sweep(name, identity, settings, [(t.name, t.probability, t.key) for t in tasks])
    todo = [task for task in tasks if task.key not in stored]
    distinct = {task.key: task.distinct for task in tasks}
    counts = {"done": len(tasks) - len(todo), "failed": 0}
    workers_seen = [workers or 1]

    def report() -> None:
        if on_progress is not None:
            running = min(workers_seen[0], len(tasks) - counts["done"])
            on_progress(Progress(len(tasks), counts["done"], counts["failed"], running, len(tasks) - len(todo),
                                 time.perf_counter() - started))

    def keep(result: FutureResult) -> None:
        summary = result.summary or {}
        record = Run("future", result.name, scenario_text, scenario_hash, settings, result.status,
                     overrides=result.overrides, objective=result.objective, bound=result.bound, gap=result.gap,
                     currency=summary.get("currency"), build_seconds=result.build_seconds,
                     solve_seconds=result.solve_seconds, message=result.message or None,
                     decisions=result.decisions, summary=result.summary, sweep=sweep_id,
                     probability=result.probability, distinct=distinct[result.key])
        store.save_run(record, result.tables or {})
        counts["done"] += 1
        counts["failed"] += result.status == FAILED
        report()

    try:
        if todo:
            with dask_client(workers, cluster) as client:
                workers_seen[0] = worker_count(client)
                report()
                run_tasks(client, data, source, todo, settings, keep)
    except BaseException:
        store.finish_sweep(sweep_id, "interrupted", f"{counts['done']} of {len(tasks)} futures stored")
        raise
    store.finish_sweep(sweep_id, "done", f"{counts['failed']} of {len(todo)} futures solved have no plan"
                       if counts["failed"] else None)
    return SweepOutcome(sweep_id, store.futures(sweep_id), len(todo), len(tasks) - len(todo), counts["failed"],
                        time.perf_counter() - started)


__all__ = [
    "DASK_LOG_ENV",
    "FAILED",
    "FutureResult",
    "Progress",
    "SweepError",
    "SweepOutcome",
    "Task",
    "dask_client",
    "dask_log_path",
    "run_tasks",
    "similarity_order",
    "solve_futures",
    "sweep",
    "sweep_settings",
    "tasks_of",
]
