"""A linear program as named blocks of variables and constraints over sparse arrays.

Each block has an index table (one row per variable or constraint, named
columns such as plant, product, year), so every value and dual maps back to
domain words. Blocks are added whole, from arrays: no Python loop per variable
or per row. We build the matrix ourselves rather than through linopy because
linopy's build plus hand-over to HiGHS measured 1.85 times the cost of passing
the same sparse arrays directly (1.5M variables, see benchmarks/build.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

INF = np.inf


@dataclass(frozen=True)
class Block:
    """A contiguous run of columns (variables) or rows (constraints), with its index table."""

    name: str
    index: pd.DataFrame
    start: int

    @property
    def size(self) -> int:
        return len(self.index)

    @property
    def stop(self) -> int:
        return self.start + self.size

    def columns(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Global positions of this block's entries (all, or those at local ``positions``)."""
        if positions is None:
            return np.arange(self.start, self.stop, dtype=np.int32)
        return self.start + np.asarray(positions, dtype=np.int32)


Term = tuple[np.ndarray, np.ndarray, np.ndarray | float]
"""(local row of each entry, global column of each entry, coefficient of each entry)."""


def _positional(index: pd.DataFrame) -> pd.DataFrame:
    """The index table with rows numbered 0, 1, ... (as the block's entries are)."""
    if isinstance(index.index, pd.RangeIndex) and index.index.start == 0 and index.index.step == 1:
        return index
    return index.reset_index(drop=True)


def _filled(value: np.ndarray | float, size: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    return np.full(size, float(array)) if array.ndim == 0 else array


@dataclass
class LinearProgram:
    """Minimize cost @ x + offset subject to row_lower <= A x <= row_upper and bounds on x."""

    variables: dict[str, Block] = field(default_factory=dict)
    constraints: dict[str, Block] = field(default_factory=dict)
    offset: float = 0.0
    _lower: list[np.ndarray] = field(default_factory=list)
    _upper: list[np.ndarray] = field(default_factory=list)
    _cost: list[np.ndarray] = field(default_factory=list)
    _integer: list[np.ndarray] = field(default_factory=list)
    _row_lower: list[np.ndarray] = field(default_factory=list)
    _row_upper: list[np.ndarray] = field(default_factory=list)
    _entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
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
        return int(sum(part.sum() for part in self._integer))

    def add_variables(
        self,
        name: str,
        index: pd.DataFrame,
        *,
        lower: np.ndarray | float = 0.0,
        upper: np.ndarray | float = INF,
        cost: np.ndarray | float = 0.0,
        integer: bool = False,
    ) -> Block:
        block = Block(name, _positional(index), self._num_cols)
        self.variables[name] = block
        self._lower.append(_filled(lower, block.size))
        self._upper.append(_filled(upper, block.size))
        self._cost.append(_filled(cost, block.size))
        self._integer.append(np.full(block.size, integer))
        self._num_cols += block.size
        return block

    def add_constraints(
        self,
        name: str,
        index: pd.DataFrame,
        terms: Sequence[Term],
        *,
        lower: np.ndarray | float = -INF,
        upper: np.ndarray | float = INF,
    ) -> Block:
        """Rows ``lower <= sum of terms <= upper``, one per row of ``index``."""
        block = Block(name, _positional(index), self._num_rows)
        self.constraints[name] = block
        for rows, cols, coefficients in terms:
            rows = np.asarray(rows, dtype=np.int32)
            self._entries.append((rows + np.int32(block.start), np.asarray(cols, dtype=np.int32),
                                  _filled(coefficients, len(rows))))
        self._row_lower.append(_filled(lower, block.size))
        self._row_upper.append(_filled(upper, block.size))
        self._num_rows += block.size
        return block

    def cost(self) -> np.ndarray:
        return np.concatenate(self._cost) if self._cost else np.zeros(0)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self._lower), np.concatenate(self._upper)

    def integrality(self) -> np.ndarray:
        return np.concatenate(self._integer)

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._row_lower:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self._row_lower), np.concatenate(self._row_upper)

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix, column-wise, with 32-bit indices (what HiGHS takes)."""
        if self._entries:
            rows, cols, values = (np.concatenate(parts) for parts in zip(*self._entries, strict=True))
        else:
            rows = cols = np.zeros(0, dtype=np.int32)
            values = np.zeros(0)
        coo = sp.coo_matrix((values, (rows, cols)), shape=(self._num_rows, self._num_cols))
        return coo.tocsc()  # sums any repeated entries

    def values(self, solution: np.ndarray, name: str) -> np.ndarray:
        """The part of a solution vector that belongs to variable block ``name``."""
        block = self.variables[name]
        return solution[block.start:block.stop]
