"""A linear program as named blocks of variables and constraints over sparse arrays.

Each block has an index table (one row per variable or constraint, named
columns such as plant, product, year), so every value and dual maps back to
domain words. Blocks are added whole, from arrays: no Python loop per variable
or per row. We build the matrix ourselves rather than through linopy because
linopy's build plus hand-over to HiGHS measured 1.85 times the cost of passing
the same sparse arrays directly (1.5M variables, see benchmarks/build.py).

Bounds, costs and coefficients may be single numbers: they are written once, into the
arrays handed to HiGHS, and never expanded per block (on a large network each
expanded copy is tens of MB of fresh memory).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

INF = np.inf

Values = np.ndarray | float
"""One number per entry, or one number for all."""


@dataclass(frozen=True)
class Labels:
    """An index table made when first read: most rows of a large block's table are never looked at."""

    size: int
    make: Callable[[], pd.DataFrame]


@dataclass(frozen=True)
class Block:
    """A contiguous run of columns (variables) or rows (constraints), with its index table."""

    name: str
    labels: Labels
    start: int

    @property
    def size(self) -> int:
        return self.labels.size

    @property
    def stop(self) -> int:
        return self.start + self.size

    @cached_property
    def index(self) -> pd.DataFrame:
        """One row per entry, numbered 0, 1, ... as the block's entries are."""
        index = self.labels.make()
        if len(index) != self.size:
            raise ValueError(f"block {self.name!r}: index has {len(index)} rows for {self.size} entries")
        if isinstance(index.index, pd.RangeIndex) and index.index.start == 0 and index.index.step == 1:
            return index
        return index.reset_index(drop=True)

    @property
    def span(self) -> slice:
        """All of this block's columns, as a term's columns: no array of positions to build."""
        return slice(self.start, self.stop)

    def columns(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Global positions of this block's entries (all, or those at local ``positions``)."""
        if positions is None:
            return np.arange(self.start, self.stop, dtype=np.int32)
        return self.start + np.asarray(positions, dtype=np.int32)


@dataclass(frozen=True)
class ColumnMatrix:
    """A sparse matrix column-wise, as HiGHS takes it: column j's entries are values[starts[j]:starts[j+1]]
    in rows indices[starts[j]:starts[j+1]]. 32-bit indices."""

    starts: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return len(self.values)

    def toarray(self) -> np.ndarray:
        """The dense matrix (for tests of small programs)."""
        dense = np.zeros(self.shape)
        columns = np.repeat(np.arange(self.shape[1]), np.diff(self.starts))
        np.add.at(dense, (self.indices, columns), self.values)
        return dense


Term = tuple[np.ndarray, np.ndarray | slice, Values]
"""(local row of each entry, global column of each entry (or a block's span), coefficient of each entry).

No (row, column) may appear twice in a program: HiGHS refuses repeated entries."""


def _labels(index: pd.DataFrame | Labels) -> Labels:
    return index if isinstance(index, Labels) else Labels(len(index), lambda: index)


def _assemble(parts: Sequence[tuple[int, Values]], dtype: type = np.float64) -> np.ndarray:
    """Consecutive parts, each (size, an array or a number for all), as one array."""
    out = np.empty(sum(size for size, _ in parts), dtype)
    at = 0
    for size, values in parts:
        out[at:at + size] = values
        at += size
    return out


@dataclass(frozen=True)
class _Term:
    row_start: int
    rows: np.ndarray
    cols: np.ndarray | slice
    coefficients: Values


def _count(counts: np.ndarray, cols: np.ndarray) -> None:
    """counts[c] += how often c is in cols, counted over the span of cols only (a term's columns are mostly one
    block's: a count as long as all the columns, per term, would cost more than the term)."""
    if not len(cols):
        return
    low, high = int(cols.min()), int(cols.max())
    counts[low:high + 1] += np.bincount(cols - low, minlength=high - low + 1).astype(counts.dtype, copy=False)


def _positions(next_free: np.ndarray, cols: np.ndarray | slice) -> np.ndarray:
    """Where a term's entries go in the column-wise arrays, given each column's next free position;
    advances those. Entries of one column keep the term's order."""
    if isinstance(cols, slice):  # one entry per column
        at = next_free[cols].copy()
        next_free[cols] += 1
        return at
    at = next_free[cols]
    _count(next_free, cols)
    if len(cols) and (next_free[cols] - at).max() > 1:  # a column repeats: rank its entries in order
        ascending = bool((cols[1:] >= cols[:-1]).all())  # as a join's pairs come: no sort needed
        order = slice(None) if ascending else np.argsort(cols, kind="stable")
        ordered = cols[order]
        first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        rank = np.arange(len(cols)) - np.repeat(first, np.diff(np.r_[first, len(cols)]))
        at[order] += rank.astype(at.dtype)
    return at


@dataclass
class LinearProgram:
    """Minimize cost @ x + offset subject to row_lower <= A x <= row_upper and bounds on x.

    Arrays passed in are kept, not copied: callers hand over fresh arrays and do not change them.
    """

    variables: dict[str, Block] = field(default_factory=dict)
    constraints: dict[str, Block] = field(default_factory=dict)
    offset: float = 0.0
    _lower: list[tuple[int, Values]] = field(default_factory=list)
    _upper: list[tuple[int, Values]] = field(default_factory=list)
    _cost: list[tuple[int, Values]] = field(default_factory=list)
    _integer: list[tuple[int, bool]] = field(default_factory=list)
    _row_lower: list[tuple[int, Values]] = field(default_factory=list)
    _row_upper: list[tuple[int, Values]] = field(default_factory=list)
    _terms: list[_Term] = field(default_factory=list)
    _num_cols: int = 0
    _num_rows: int = 0

    @property
    def num_cols(self) -> int:
        return self._num_cols

    @property
    def num_rows(self) -> int:
        return self._num_rows

    @property
    def num_integer(self) -> int:
        return sum(size for size, integer in self._integer if integer)

    def add_variables(
        self,
        name: str,
        index: pd.DataFrame | Labels,
        *,
        lower: Values = 0.0,
        upper: Values = INF,
        cost: Values = 0.0,
        integer: bool = False,
    ) -> Block:
        block = Block(name, _labels(index), self._num_cols)
        self.variables[name] = block
        self._lower.append((block.size, lower))
        self._upper.append((block.size, upper))
        self._cost.append((block.size, cost))
        self._integer.append((block.size, integer))
        self._num_cols += block.size
        return block

    def add_constraints(
        self,
        name: str,
        index: pd.DataFrame | Labels,
        terms: Sequence[Term],
        *,
        lower: Values = -INF,
        upper: Values = INF,
    ) -> Block:
        """Rows ``lower <= sum of terms <= upper``, one per row of ``index``."""
        block = Block(name, _labels(index), self._num_rows)
        self.constraints[name] = block
        self._terms += [_Term(block.start, rows, cols, coefficients) for rows, cols, coefficients in terms]
        self._row_lower.append((block.size, lower))
        self._row_upper.append((block.size, upper))
        self._num_rows += block.size
        return block

    def cost(self) -> np.ndarray:
        return _assemble(self._cost)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return _assemble(self._lower), _assemble(self._upper)

    def integrality(self) -> np.ndarray:
        return _assemble(self._integer, bool)

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return _assemble(self._row_lower), _assemble(self._row_upper)

    def matrix(self) -> ColumnMatrix:
        """The constraint matrix, column-wise, with 32-bit indices (what HiGHS takes).

        Filled in place by counting entries per column, then placing each term's: no
        coordinate list (three more arrays as long as the matrix) on the way.
        """
        starts = np.zeros(self._num_cols + 1, np.int32)  # entries per column, then where each starts
        for term in self._terms:
            if isinstance(term.cols, slice):
                starts[term.cols.start + 1:term.cols.stop + 1] += 1
            else:
                _count(starts[1:], np.asarray(term.cols))
        np.cumsum(starts, out=starts)
        next_free = starts[:-1].copy()
        indices, values = np.empty(starts[-1], np.int32), np.empty(starts[-1])
        for term in self._terms:
            at = _positions(next_free, term.cols)
            indices[at] = term.rows + term.row_start
            values[at] = term.coefficients
        return ColumnMatrix(starts, indices, values, (self._num_rows, self._num_cols))

    def values(self, solution: np.ndarray, name: str) -> np.ndarray:
        """The part of a solution vector that belongs to variable block ``name``."""
        block = self.variables[name]
        return solution[block.start:block.stop]
