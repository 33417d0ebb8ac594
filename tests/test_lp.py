"""The LinearProgram's assembly: the column-wise matrix it fills in place equals the one scipy
builds from the same entries, and numbers given for a whole block fill it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.optimize.lp import Labels, LinearProgram


@st.composite
def programs(draw: st.DrawFn) -> tuple[LinearProgram, list[tuple[int, int, float]]]:
    """A program of random blocks and terms (spans and column arrays, columns repeating within a
    term), with no (row, column) twice; and its entries as (row, column, coefficient)."""
    program = LinearProgram()
    for b in range(draw(st.integers(1, 3))):
        program.add_variables(f"x{b}", pd.DataFrame({"i": range(draw(st.integers(1, 6)))}))
    blocks = list(program.variables.values())
    taken: set[tuple[int, int]] = set()
    entries: list[tuple[int, int, float]] = []
    for r in range(draw(st.integers(1, 3))):
        n_rows = draw(st.integers(1, 5))
        terms = []
        for _ in range(draw(st.integers(1, 3))):
            block = draw(st.sampled_from(blocks))
            coefficient = draw(st.floats(-5, 5, allow_nan=False).filter(bool))
            if draw(st.booleans()):  # a span: one entry in every column of the block
                rows = np.array(draw(st.lists(st.integers(0, n_rows - 1), min_size=block.size, max_size=block.size)))
                cols: np.ndarray | slice = block.span
                pairs = list(zip(rows.tolist(), range(block.start, block.stop), strict=True))
            else:
                pairs = draw(st.lists(st.tuples(st.integers(0, n_rows - 1), st.integers(block.start, block.stop - 1)),
                                      max_size=12, unique=True))
                rows = np.array([row for row, _ in pairs], dtype=np.int64)
                cols = np.array([col for _, col in pairs], dtype=np.int64)
            start = program.num_rows
            if any((start + row, col) in taken for row, col in pairs):
                continue
            taken |= {(start + row, col) for row, col in pairs}
            entries += [(start + row, col, coefficient) for row, col in pairs]
            terms.append((rows, cols, coefficient))
        program.add_constraints(f"c{r}", Labels(n_rows, lambda n=n_rows: pd.DataFrame({"i": range(n)})), terms)
    return program, entries


@settings(max_examples=200, deadline=None)
@given(programs())
def test_matrix_holds_every_entry_once(case: tuple[LinearProgram, list[tuple[int, int, float]]]) -> None:
    program, entries = case
    matrix = program.matrix()
    expected = np.zeros((program.num_rows, program.num_cols))
    for row, col, coefficient in entries:
        expected[row, col] = coefficient
    np.testing.assert_array_equal(matrix.toarray(), expected)
    assert matrix.nnz == len(entries)
    assert matrix.indices.dtype == np.int32
    assert matrix.starts.dtype == np.int32


def test_numbers_fill_their_block_and_arrays_keep_their_place() -> None:
    program = LinearProgram()
    program.add_variables("a", pd.DataFrame({"i": range(2)}), upper=3.0, cost=np.array([1.0, 2.0]))
    program.add_variables("b", pd.DataFrame({"i": range(3)}), lower=np.array([0.0, 1.0, 2.0]), cost=5.0, integer=True)
    lower, upper = program.bounds()
    np.testing.assert_array_equal(lower, [0, 0, 0, 1, 2])
    np.testing.assert_array_equal(upper, [3, 3, np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(program.cost(), [1, 2, 5, 5, 5])
    np.testing.assert_array_equal(program.integrality(), [False, False, True, True, True])
    assert program.num_integer == 3


def test_an_index_is_made_when_first_read_and_must_match_the_block() -> None:
    made: list[int] = []

    def index() -> pd.DataFrame:
        made.append(1)
        return pd.DataFrame({"i": [7, 8]}, index=[5, 6])

    program = LinearProgram()
    block = program.add_variables("a", Labels(2, index))
    assert made == []
    assert block.index["i"].tolist() == [7, 8]
    assert block.index.index.tolist() == [0, 1]
    assert block.index is block.index
    assert made == [1]
    wrong = program.add_variables("b", Labels(3, index))
    with pytest.raises(ValueError, match="block 'b': index has 2 rows for 3 entries"):
        wrong.index  # noqa: B018
