"""Benders on Dask: the master here, the futures' LPs on the workers, each worker holding its share of them.

Each worker gets a fixed share of the futures and keeps them between rounds (optimize/benders.py's
Subproblems: one HiGHS instance, each future as its difference from the first), so a round sends
the workers only the master's decisions and brings back one cut per future. A share's task names
its worker but may run on another (if that worker is lost): the futures it lacks are built again
from the scenario, so nothing depends on where a task ran. Without a Dask client the same tasks run
in this process, one after another.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from footprint.economics.checks import ERROR_CHECKS
from footprint.optimize.benders import BendersError, Cut, CutKind, Decomposed, Round, SharedPart, Subproblems, decompose
from footprint.optimize.highs import ProgramArrays, SolverOptions
from footprint.optimize.model import FootprintModel
from footprint.optimize.solve import PlanningError, compile_model
from footprint.optimize.stochastic import StoppedError, shared_columns, shared_labels, solve_model_of
from footprint.plan.tables import plan_tables
from footprint.scenario.formats.files import scenario_from_data
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.parameters import apply_overrides
from footprint.scenario.sets.scenario_sets import Future


@dataclass(frozen=True)
class Share:
    """One worker's futures (numbered as in the set) and how to build them."""

    token: str
    """This plan's: what a worker holds for it is found by this."""
    source: str
    futures: tuple[tuple[int, Future], ...]
    blocks: tuple[str, ...]
    options: SolverOptions


_HELD: dict[str, Subproblems] = {}
"""Per process: the futures held for the plan being solved, by its token."""


def future_model(data: dict[str, Any], source: str, future: Future) -> FootprintModel:
    """The model of one future of the base scenario ``data``."""
    return compile_model(scenario_from_data(apply_overrides(data, future.overrides), f"{source} [{future.name}]",
                                            ERROR_CHECKS))


def labels_digest(model: FootprintModel, shared: np.ndarray) -> str:
    """A digest of what ``model`` decides now, equal in every process for the same decisions."""
    return hashlib.blake2b(repr(shared_labels(model, shared)).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Failure:
    """A task's error, returned rather than raised: a worker that raises logs a traceback ("Compute Failed")."""

    message: str


def _held(data: dict[str, Any], share: Share) -> tuple[Subproblems, list[tuple[int, SharedPart]]]:
    """This process's Subproblems for ``share``'s plan, holding every future of the share, and the shared parts of
    those it built now."""
    if share.token not in _HELD:
        _HELD.clear()  # an earlier plan's futures: that plan is over
    subproblems = _HELD.setdefault(share.token, Subproblems(share.options))
    parts = []
    for number, future in share.futures:
        if number in subproblems:
            continue
        model = future_model(data, share.source, future)
        shared = shared_columns(model, share.blocks, None)
        arrays = ProgramArrays.of(model.program)
        parts.append((number, subproblems.add(number, arrays, shared, labels_digest(model, shared),
                                              tie=arrays.cost - model.true_cost())))
    return subproblems, parts


def _answers(task: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    """``task`` with a plan's errors returned as a Failure (see Failure)."""

    @functools.wraps(task)
    def answering(*args: Any) -> list[Any]:
        try:
            return task(*args)
        except (BendersError, PlanningError, ScenarioError) as error:
            return [Failure(str(error))]

    return answering


@_answers
def shared_parts(data: dict[str, Any], share: Share) -> list[tuple[int, SharedPart]]:
    """(On a worker) build the share's futures and say what each shares."""
    return _held(data, share)[1]


@_answers
def cuts_at(data: dict[str, Any], share: Share, x: np.ndarray) -> list[Cut]:
    """(On a worker) each of the share's futures' cut at ``x``."""
    subproblems, _ = _held(data, share)
    return [subproblems.cut(number, x) for number, _ in share.futures]


@_answers
def tables_at(data: dict[str, Any], share: Share, x: np.ndarray) -> list[tuple[int, dict[str, pd.DataFrame]]]:
    """(On a worker) each of the share's futures' Plan tables with the decisions made now at ``x``."""
    subproblems, _ = _held(data, share)
    made = []
    for number, future in share.futures:
        values = subproblems.values(number, x)
        if values is None:
            raise BendersError(f"future {future.name!r} has no plan with the decisions made now")
        # Compiled again for its labels: a worker keeps its futures as arrays, not as models (memory).
        made.append((number, dict(plan_tables(future_model(data, share.source, future), values).items())))
    return made


@_answers
def own_optima(data: dict[str, Any], share: Share) -> list[float]:
    """(On a worker) each of the share's futures' own optimum (its perfect-foresight NPV cost), one at a time; NaN
    where the time ran out first."""
    optima = []
    for _, future in share.futures:
        try:
            optima.append(solve_model_of(future_model(data, share.source, future), share.options))
        except StoppedError:
            optima.append(float("nan"))
    return optima


def forget(token: str) -> None:
    """(On a worker) let go of a plan's futures."""
    _HELD.pop(token, None)


class Workers:
    """Runs a task over every share, on a Dask client's workers (each share on its own worker) or here."""

    def __init__(self, data: dict[str, Any], shares: list[Share], client: Any | None) -> None:
        self.shares = shares
        self.client = client
        self.data = data
        self.addresses: list[str | None] = [None] * len(shares)
        if client is not None:
            workers = sorted(client.scheduler_info(n_workers=-1).get("workers", {}))
            self.addresses = [workers[i % len(workers)] if workers else None for i in range(len(shares))]
            self.data = client.scatter(data, broadcast=True)

    def map(self, task: Callable[..., list[Any]], *args: Any, one_by_one: bool = False) -> list[Any]:
        """Every share's results of ``task``, in the shares' order, flattened. ``one_by_one``: a task per future, its
        result let go on the worker once here (for results as large as a future's tables)."""
        pieces = list(zip(self.shares, self.addresses, strict=True))
        if one_by_one:
            pieces = [(dataclasses.replace(share, futures=(item,)), address) for share, address in pieces
                      for item in share.futures]
        if self.client is None:
            return _raised([item for share, _ in pieces for item in task(self.data, share, *args)])
        submitted = [self.client.submit(task, self.data, share, *args, pure=False,
                                        workers=None if address is None else [address], allow_other_workers=True)
                     for share, address in pieces]
        results = []
        for finished in submitted:
            results += finished.result()
            finished.release()
        return _raised(results)

    def close(self) -> None:
        if self.client is not None:
            self.client.run(forget, self.shares[0].token)
        else:
            forget(self.shares[0].token)


def _raised(results: list[Any]) -> list[Any]:
    """``results``, or the first Failure among them raised as a BendersError."""
    for item in results:
        if isinstance(item, Failure):
            raise BendersError(item.message)
    return results


def shares_of(futures: Sequence[Future], count: int, source: str, blocks: Sequence[str],
              options: SolverOptions) -> list[Share]:
    """The futures cut into ``count`` shares of consecutive futures, about equal."""
    token = uuid.uuid4().hex
    numbered = list(enumerate(futures))
    bounds = np.linspace(0, len(numbered), min(count, len(numbered)) + 1).round().astype(int)
    return [Share(token, source, tuple(numbered[a:b]), tuple(blocks), options) for a, b in itertools.pairwise(bounds)]


@contextmanager
def workers_for(data: dict[str, Any], source: str, futures: Sequence[Future], blocks: Sequence[str],
                options: SolverOptions, client: Any | None) -> Iterator[Workers]:
    from footprint.analysis.sweep import worker_count

    count = worker_count(client) if client is not None else 1
    workers = Workers(data, shares_of(futures, count, source, blocks, options), client)
    try:
        yield workers
    finally:
        workers.close()


@dataclass(frozen=True)
class BendersOutcome:
    decomposed: Decomposed
    tables: list[dict[str, pd.DataFrame]]
    """Each future's Plan tables under the plan."""
    parts: list[SharedPart]


def benders(workers: Workers, probabilities: np.ndarray, *, risk_weight: float, alpha: float,
            options: SolverOptions, gap: float, on_round: Callable[[Round], None]) -> BendersOutcome:
    """The stochastic plan by Benders, its futures on ``workers``."""
    parts = [part for _, part in sorted(workers.map(shared_parts), key=lambda item: item[0])]
    decomposed = decompose(parts, probabilities, lambda x: workers.map(cuts_at, x), risk_weight=risk_weight,
                           alpha=alpha, options=options, gap=gap, on_round=on_round)
    tables = [made for _, made in sorted(workers.map(tables_at, decomposed.x, one_by_one=True),
                                         key=lambda item: item[0])]
    return BendersOutcome(decomposed, tables, parts)


def totals_at(workers: Workers, x: np.ndarray) -> np.ndarray | None:
    """Each future's whole NPV cost with the decisions made now at ``x`` (None: some future cannot carry x out);
    StoppedError when the time runs out first."""
    cuts = workers.map(cuts_at, x)
    if any(cut.kind is CutKind.STOPPED for cut in cuts):
        raise StoppedError("the time limit ran out")
    if not all(cut.feasible for cut in cuts):
        return None
    return np.array([cut.true_total for cut in cuts])


__all__ = ["BendersOutcome", "Share", "Workers", "benders", "future_model", "own_optima", "totals_at", "workers_for"]
