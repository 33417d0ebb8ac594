"""The deterministic equivalent of a two-stage plan: one MILP over every future, the here-and-now decisions shared.

Each future is its own model (the same scenario with that future's overrides). The decisions made
now (capacity built, plants opened and closed, products assigned, sourcing chosen, single sources) must be the same
in every future; flows and lost sales are each future's own. Rather than copy the shared decisions
per future and tie the copies with equality rows, each shared column exists once: every future's
entries of it land in that one column, and its cost is the futures' probability-weighted sum. With
``revise_from``, only the columns of years before it are shared: from then on each future decides
for itself (it is known by then which future came).

The objective is the expected NPV, plus ``risk_weight`` times the CVaR at ``alpha`` of the futures'
NPV costs in the Rockafellar-Uryasev form: a free variable eta and one excess per future,
CVaR = eta + sum(p_f * excess_f) / (1 - alpha), excess_f >= cost_f - eta, excess_f >= 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from footprint.optimize.highs import (
    ProgramArrays,
    Solution,
    SolveProgress,
    SolverOptions,
    SolveStatus,
    run,
    set_bounds,
    set_start,
    to_highs,
)
from footprint.optimize.lp import ColumnMatrix
from footprint.optimize.model import FootprintModel
from footprint.optimize.modes import MODE_BLOCK
from footprint.optimize.solve import PlanningError
from footprint.optimize.tiers import FACILITY_BLOCKS, SUPPLIER_BLOCKS
from footprint.optimize.warm import structure_key
from footprint.scenario.sets.scenario_sets import DECISIONS

HERE_AND_NOW = DECISIONS
"""The decisions made now by default: capacity, plant status, assignments (with launches), sourcing and the source of
each single-sourced demand."""


class StochasticError(ValueError):
    """Futures whose here-and-now decisions do not line up, or settings out of range."""


@dataclass(frozen=True)
class ExtensiveForm:
    """One program over every future, and where each future's columns and rows are in it."""

    arrays: ProgramArrays
    columns: list[np.ndarray]
    """Per future, the column of the extensive form holding each of its model's columns (futures with the same
    program share theirs)."""
    shared: np.ndarray
    """Whether each column of the extensive form is decided now (shared by every future)."""
    cost_rows: np.ndarray | None
    """Per future, the row of its CVaR excess (None without CVaR)."""
    eta: int | None
    """The column of the CVaR threshold (None without CVaR)."""

    def future_values(self, values: np.ndarray, future: int) -> np.ndarray:
        """Future ``future``'s model's column values in a solution of the extensive form."""
        return values[self.columns[future]]


SITE_DECISIONS = {**{decision: tuple(getattr(sites, decision) for sites in (SUPPLIER_BLOCKS, FACILITY_BLOCKS))
                     for decision in ("open", "opened", "closed")}, "single_source": ("single_source_facility",)}
SITE_DECISIONS["open"] += (MODE_BLOCK,)
"""The blocks a decision about plants names for the other sites too: opening a supplier or a distribution centre is
decided as opening a plant is, using a lane's mode that has a fixed cost too, and a centre chosen as a market's
single source as a plant is."""


def shared_columns(model: FootprintModel, blocks: Sequence[str], revise_from: int | None) -> np.ndarray:
    """Whether each column of ``model`` is decided now."""
    program = model.program
    shared = np.zeros(program.num_cols, bool)
    for name in (block for decision in blocks for block in (decision, *SITE_DECISIONS.get(decision, ()))):
        block = program.variables.get(name)
        if block is None or block.size == 0:
            continue
        if revise_from is None:
            shared[block.start:block.stop] = True
        else:
            years = block.index["year"].to_numpy()
            shared[block.start:block.stop] = years < revise_from
    return shared


def shared_labels(model: FootprintModel, shared: np.ndarray) -> list[tuple[str, tuple[object, ...]]]:
    """The shared columns by block and index row: what must line up across futures."""
    labels = []
    for name, block in model.program.variables.items():
        mask = shared[block.start:block.stop]
        if mask.any():
            rows = block.index[mask].itertuples(index=False, name=None)
            labels += [(name, tuple(row)) for row in rows]
    return labels


def amount_scale(costs: np.ndarray) -> float:
    """What to divide a row of whole NPV costs by (a future's cost against its CVaR threshold): a power of ten that
    leaves the largest unit cost near 100. Undivided, such a row holds tens of billions beside coefficients of one,
    and HiGHS cannot hold it to its feasibility tolerance (it stops with a solve error); divided, the tolerance is
    a fraction of a currency unit."""
    largest = float(np.abs(costs).max(initial=1.0))
    return float(10.0 ** max(0, int(np.floor(np.log10(max(largest, 1.0)))) - 2))


def extensive_form(models: Sequence[FootprintModel], probabilities: Sequence[float], *,
                   blocks: Sequence[str] = HERE_AND_NOW, revise_from: int | None = None,
                   risk_weight: float = 0.0, alpha: float = 0.9) -> ExtensiveForm:
    """The deterministic equivalent of ``models`` (one per future, with its probability)."""
    if not models or len(models) != len(probabilities):
        raise StochasticError(f"expected a probability for each of the {len(models)} futures")
    weights = np.asarray(probabilities, dtype=float)
    if (weights <= 0).any() or abs(weights.sum() - 1.0) > 1e-9:
        raise StochasticError(f"the futures' probabilities must be positive and add up to 1 (they add up to "
                              f"{weights.sum():.12g})")
    if not (risk_weight >= 0 and 0 < alpha < 1):
        raise StochasticError(f"expected risk_weight >= 0 and 0 < alpha < 1, found {risk_weight:g} and {alpha:g}")
    every = [ProgramArrays.of(model.program) for model in models]
    masks = [shared_columns(model, blocks, revise_from) for model in models]
    reference = shared_labels(models[0], masks[0])
    for number, (model, mask) in enumerate(zip(models[1:], masks[1:], strict=True), start=1):
        if shared_labels(model, mask) != reference:
            raise StochasticError(f"future {number}'s decisions made now are not those of the first future (the "
                                  "futures differ in options, plants, products or years); a stochastic plan needs "
                                  "one set of decisions to share")
    # Futures whose programs are the same (a regime that changes nothing here, two draws alike) are one future of
    # their summed probability: the same plan, half the columns and rows for a pair.
    distinct, same_as = _distinct(every)
    arrays, masks = [every[i] for i in distinct], [masks[i] for i in distinct]
    weights = np.bincount(same_as, weights=weights, minlength=len(distinct))
    n_shared = int(masks[0].sum())
    # Columns: the shared ones once (first), then each future's own.
    columns, next_free = [], n_shared
    for mask in masks:
        mapping = np.empty(len(mask), dtype=np.int64)
        mapping[mask] = np.arange(n_shared)
        own = int((~mask).sum())
        mapping[~mask] = np.arange(next_free, next_free + own)
        next_free += own
        columns.append(mapping)
    n_cols = next_free
    risk = risk_weight > 0
    eta = n_cols if risk else None
    n_cols += (1 + len(arrays)) if risk else 0

    cost = np.zeros(n_cols)
    lower = np.full(n_cols, -np.inf)
    upper = np.full(n_cols, np.inf)
    integer = np.zeros(n_cols, bool)
    rows_lower, rows_upper, entry_rows, entry_cols, entry_values = [], [], [], [], []
    row_offset = 0
    offset = 0.0
    for f, (part, mapping, weight) in enumerate(zip(arrays, columns, weights, strict=True)):
        np.add.at(cost, mapping, weight * part.cost)
        own = ~masks[f]
        lower[mapping[own]], upper[mapping[own]] = part.lower[own], part.upper[own]
        lower[mapping[~own]] = np.maximum(lower[mapping[~own]], part.lower[~own])  # the tightest of the futures'
        upper[mapping[~own]] = np.minimum(upper[mapping[~own]], part.upper[~own])
        integer[mapping] |= part.integer
        matrix = part.matrix
        column_of_entry = np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.starts))
        entry_rows.append(matrix.indices.astype(np.int64) + row_offset)
        entry_cols.append(mapping[column_of_entry])
        entry_values.append(matrix.values)
        rows_lower.append(part.row_lower)
        rows_upper.append(part.row_upper)
        row_offset += matrix.shape[0]
        offset += weight * part.offset
    cost_rows = None
    if risk:
        assert eta is not None
        # excess_f - cost_f(x) + eta >= offset_f: one row per future over its own columns and the shared ones, divided
        # by amount_scale (see there).
        cost_rows = np.arange(row_offset, row_offset + len(arrays))
        scale = amount_scale(np.concatenate([part.cost for part in arrays]))
        lower[eta], upper[eta] = -np.inf, np.inf
        cost[eta] = risk_weight
        for f, (part, mapping, weight) in enumerate(zip(arrays, columns, weights, strict=True)):
            excess = eta + 1 + f
            lower[excess], upper[excess] = 0.0, np.inf
            cost[excess] = risk_weight * weight / (1 - alpha)
            used = np.flatnonzero(part.cost)
            entry_rows.append(np.full(len(used) + 2, row_offset + f, dtype=np.int64))
            entry_cols.append(np.concatenate([mapping[used], [excess, eta]]))
            entry_values.append(np.concatenate([-part.cost[used], [1.0, 1.0]]) / scale)
            rows_lower.append(np.array([part.offset / scale]))
            rows_upper.append(np.array([np.inf]))
        row_offset += len(arrays)
    rows, cols, values = (np.concatenate(parts) for parts in (entry_rows, entry_cols, entry_values))
    order = np.lexsort((rows, cols))
    rows, cols, values = rows[order], cols[order], values[order]
    # Entries of one shared column from two futures fall in different rows; within a future a (row, column)
    # is unique already, so the merged matrix has no repeated entry to add up.
    starts = np.zeros(n_cols + 1, dtype=np.int32)
    np.add.at(starts, cols + 1, 1)
    np.cumsum(starts, out=starts)
    matrix = ColumnMatrix(starts, rows.astype(np.int32), values, (row_offset, n_cols))
    return ExtensiveForm(
        ProgramArrays(matrix, cost, lower, upper, np.concatenate(rows_lower), np.concatenate(rows_upper), integer,
                      offset),
        [columns[i] for i in same_as], np.arange(n_cols) < n_shared,
        None if cost_rows is None else cost_rows[same_as], eta)


def _distinct(arrays: Sequence[ProgramArrays]) -> tuple[list[int], np.ndarray]:
    """The first of each set of equal programs, and for each program the position of its set among them."""
    first: dict[str, int] = {}
    same_as = np.empty(len(arrays), dtype=np.int64)
    for number, program in enumerate(arrays):
        digest = hashlib.blake2b(digest_size=16)
        digest.update(structure_key(program).encode())
        for part in (program.cost, program.lower, program.upper, program.row_lower, program.row_upper,
                     program.matrix.values, np.array([program.offset])):
            digest.update(np.ascontiguousarray(part).tobytes())
        same_as[number] = first.setdefault(digest.hexdigest(), len(first))
    return [int(np.flatnonzero(same_as == k)[0]) for k in range(len(first))], same_as


class StoppedError(PlanningError):
    """A solve stopped (time limit, Ctrl-C) before it proved its plan optimal."""


def solve_form(form: ExtensiveForm, options: SolverOptions, fixed: np.ndarray | None = None, *,
               partial: bool = False, on_progress: Callable[[SolveProgress], None] | None = None,
               start: np.ndarray | None = None) -> Solution | None:
    """The extensive form's solution, with its shared columns held at ``fixed`` if given; None: no plan.
    StoppedError when the solve stops before it is optimal, unless ``partial``: then the best plan found so far,
    labelled (time_limit, interrupted), is returned too; StoppedError only if there is none. ``start``: a plan to
    start from (HiGHS drops it if it is not one)."""
    highs = to_highs(form.arrays, options)
    if fixed is not None:
        shared = np.flatnonzero(form.shared)
        set_bounds(highs, shared, fixed, fixed)
    if start is not None:
        set_start(highs, start)
    solution = run(highs, bool(form.arrays.integer.any()), options=options, keep_interrupted=partial,
                   on_progress=on_progress)
    if solution.status is SolveStatus.INFEASIBLE:
        return None
    if solution.status in (SolveStatus.NO_SOLUTION, SolveStatus.TIME_LIMIT, SolveStatus.INTERRUPTED) and not (
            partial and solution.status.has_plan):
        raise StoppedError(f"the time limit ran out before the plan was solved ({solution.message})")
    if not solution.status.has_plan:
        raise PlanningError(f"the stochastic plan could not be solved: {solution.message}")
    return solution


def solve_model_of(model: FootprintModel, options: SolverOptions) -> float:
    """The optimal NPV cost of one model (a future alone, or the mean future); StoppedError if the solve stops
    first."""
    form = extensive_form([model], [1.0])
    solution = solve_form(form, options)
    if solution is None:
        raise PlanningError(f"scenario {model.network.scenario.name!r} has no plan on its own")
    return model.npv(form.future_values(solution.values, 0))  # at true costs, without the flows' tie-break


__all__ = [
    "HERE_AND_NOW",
    "ExtensiveForm",
    "StochasticError",
    "StoppedError",
    "amount_scale",
    "extensive_form",
    "shared_columns",
    "shared_labels",
    "solve_form",
    "solve_model_of",
]
