"""Joins of integer-coded tables, vectorized: the arrays the network and its tiers are built from."""

from __future__ import annotations

import numpy as np


def pairs_by_key(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j) of every pair with left[i] == right[j] (non-negative integer keys).

    A vectorized join: pairs come grouped by i, in order, and each group's j in order; no Python loop per pair.
    Positions are 32-bit, as HiGHS's indices are.
    """
    order = np.argsort(right, kind="stable").astype(np.int32)
    size = int(max(left.max(initial=-1), right.max(initial=-1))) + 1
    counts = np.bincount(right, minlength=size)
    first = (np.cumsum(counts) - counts).astype(np.int32)
    repeats = counts[left]
    left_of_pair = np.repeat(np.arange(len(left), dtype=np.int32), repeats)
    within = np.arange(len(left_of_pair), dtype=np.int32) - np.repeat(
        (np.cumsum(repeats) - repeats).astype(np.int32), repeats)
    return left_of_pair, order[first[left[left_of_pair]] + within]


__all__ = ["pairs_by_key"]
