"""Figures with a range in a scenario's plain data, and Latin hypercube samples of them (a set's ``ranges``).

A figure (``{value: 177900, low: 156600, high: 199200}``) is read as a distribution over its range with its
value as the mode: triangular, or PERT (a beta distribution with the mean (low + 4 mode + high) / 6).
Each figure is one dimension of a Latin hypercube: its n samples fall one in each of n strata of equal
probability, in an order drawn independently of the other figures'. A per-year series named as one path
(``markets[us].demand.rogue``) is one dimension: its years move together (the same quantile of each
year's range), as a demand path would.

Figures are addressed by parameter paths (``footprint.scenario.sets.parameters``), so a sample is a list of
overrides that ``Parameter.apply`` writes back into exactly the figure it came from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from footprint.scenario.model.checks import Loc, loc_text
from footprint.scenario.model.figures import is_figure
from footprint.scenario.model.keys import KEY, NAME, entry_names
from footprint.scenario.sets.parameters import Parameter, ParameterError

Distribution = Literal["triangular", "pert"]
PERT_LAMBDA = 4.0
"""The PERT weight of the mode: mean = (low + 4 mode + high) / 6."""



@dataclass(frozen=True)
class RangedFigure:
    """A figure with a range: where it is in the data, its parameter path, and its low, value and high."""

    loc: Loc
    path: str
    low: float
    mode: float
    high: float


@dataclass(frozen=True)
class Dimension:
    """One stratified uniform of the hypercube: one figure, or every ranged year of a series named as one path."""

    path: str
    figures: tuple[RangedFigure, ...]


@dataclass(frozen=True)
class RangeProblem:
    """A figure that cannot be sampled, or a listed path that names no figure with a range."""

    message: str
    figure: Loc | None = None
    """Where the figure is in the base scenario (for its line)."""
    listed: int | None = None
    """Which of the listed paths it is about (for its line in the set)."""



def _has_range(node: Any) -> bool:
    return is_figure(node) and (node.get("low") is not None or node.get("high") is not None)


def walk_figures(node: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    """Every figure in ``node`` with its key path; a figure's own fields are not searched."""
    if is_figure(node):
        yield loc, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from walk_figures(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_figures(value, (*loc, index))


def parameter_path(data: Any, loc: Loc) -> str | None:
    """The parameter path of the value at ``loc`` in ``data``: list entries by their key where it is theirs alone
    (an id, or the fields that identify them: ``capabilities[haiphong/heat-pump]``, see ``keys``), else by
    position; mapping keys after a dot, or in brackets when they hold a dot. None if no path names it."""
    if loc and loc[0] == "fx":  # an FX parameter is a currency's rate alone
        return f"fx.{loc[1]}" if len(loc) == 2 and NAME.fullmatch(str(loc[1])) else None
    text, node, field = "", data, ""
    for part in loc:
        if isinstance(node, list):
            name = entry_names(field, node)[int(part)]
            if name is None:
                return None
            text += f"[{name}]"
        else:
            field = str(part)
            if NAME.fullmatch(field) and text:
                text += f".{field}"
            elif NAME.fullmatch(field):
                text = field
            elif KEY.fullmatch(field) and text:
                text += f"[{field}]"
            else:
                return None
        node = node[part]
    return text


class _UnsampledError(ValueError):
    """A figure that cannot be sampled, and where it is in the data (if it is a figure)."""

    def __init__(self, message: str, figure: Loc | None = None) -> None:
        super().__init__(message)
        self.figure = figure


def _figure(loc: Loc, path: str, raw: dict[str, Any]) -> RangedFigure:
    low, high = raw.get("low"), raw.get("high")
    if low is None or high is None:
        given, missing = ("low", "high") if high is None else ("high", "low")
        raise _UnsampledError(f"{path}: the figure has a {given} but no {missing}; give both ends of its range (or "
                         "leave the figure out by listing the paths to sample)", loc)
    return RangedFigure(loc, path, float(low), float(raw["value"]), float(high))


def found_dimensions(data: dict[str, Any]) -> tuple[list[Dimension], list[RangeProblem]]:
    """Every figure with a range in ``data`` (a scenario's plain data), each its own dimension."""
    dimensions, problems = [], []
    for loc, raw in walk_figures(data, ()):
        if not _has_range(raw):
            continue
        path = parameter_path(data, loc)
        try:
            if path is None:
                what = "an FX figure by year; FX is sampled per currency (fx.CUR, one rate)" if loc[0] == "fx" \
                    else "a figure no parameter path can name"
                raise _UnsampledError(f"{loc_text(loc)}: {what}; list the paths to sample under ranges.paths", loc)
            dimensions.append(Dimension(path, (_figure(loc, path, raw),)))
        except _UnsampledError as err:
            problems.append(RangeProblem(str(err), figure=err.figure))
    return dimensions, problems


def listed_dimensions(data: dict[str, Any], paths: list[str]) -> tuple[list[Dimension], list[RangeProblem]]:
    """The figures ``paths`` name in ``data``: each a figure with a range, or a per-year series (its years with
    a range sampled together)."""
    dimensions, problems = [], []
    for index, path in enumerate(paths):
        try:
            dimensions.append(_listed(data, path))
        except _UnsampledError as err:
            problems.append(RangeProblem(str(err), figure=err.figure, listed=index))
    return dimensions, problems


def _listed(data: dict[str, Any], path: str) -> Dimension:
    try:
        parameter = Parameter.parse(path)
        targets = _targets(data, parameter)
    except ParameterError as err:
        raise _UnsampledError(str(err)) from None
    if parameter.growth:
        raise _UnsampledError(f"{path}: a growth path is not a figure; name the series, or a figure in it")
    series = len(targets) > 1  # a path to a per-year series sets each of its years
    figures = []
    for loc in targets:
        raw = _at(data, loc)
        if not is_figure(raw) and not (series and raw is not None):
            raise _UnsampledError(f"{path}: names {_found(raw)}, not a figure with low and high")
        if _has_range(raw):  # a year of a series without a range keeps its value
            figures.append(_figure(loc, f"{path}.{loc[-1]}" if series else path, raw))
    if not figures:
        raise _UnsampledError(f"{path}: the figure has no low and high to sample between")
    return Dimension(path, tuple(figures))


def _targets(data: dict[str, Any], parameter: Parameter) -> list[Loc]:
    """The key paths of the values ``parameter`` sets in ``data``, found by setting them and seeing what
    changed (only the containers on its path are copied, so the rest compares by identity)."""
    return [loc[:-1] if loc and loc[-1] == "value" else loc
            for loc in _changes(data, parameter.apply(data, math.nan), ())]


def _changes(old: Any, new: Any, loc: Loc) -> Iterator[Loc]:
    if old is new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in new.items():
            if key not in old:
                yield (*loc, key)
            else:
                yield from _changes(old[key], value, (*loc, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _changes(before, after, (*loc, index))
    elif not (isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new)):
        yield loc


def _at(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node))
        if not found:
            return None
        node = node[part]
    return node


def _found(raw: Any) -> str:
    if raw is None:
        return "a field the scenario leaves out"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    return f"a plain number ({raw:g})" if isinstance(raw, (int, float)) else f"{raw!r}"


def latin_hypercube(n: int, dimensions: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in the unit cube of ``dimensions``, shape (n, dimensions): in each dimension one point in
    each stratum [i/n, (i+1)/n), the strata in an order drawn independently per dimension."""
    strata = np.stack([rng.permutation(n) for _ in range(dimensions)], axis=1) if dimensions else \
        np.zeros((n, 0), dtype=np.int64)
    return (strata + rng.random((n, dimensions))) / n


def triangular_quantile(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """The inverse CDF of the triangular distribution on [low, high] with its peak at ``mode``."""
    if high <= low:
        return np.full_like(u, mode)
    width = high - low
    left = (mode - low) / width
    rising = low + np.sqrt(u * width * (mode - low))
    falling = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(u < left, rising, falling)


def pert_quantile(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """The inverse CDF of the PERT distribution: low + (high - low) Beta(a, b), a = 1 + 4 (mode - low) /
    (high - low), b = 1 + 4 (high - mode) / (high - low)."""
    if high <= low:
        return np.full_like(u, mode)
    width = high - low
    a = 1 + PERT_LAMBDA * (mode - low) / width
    b = 1 + PERT_LAMBDA * (high - mode) / width
    return low + width * beta_quantile(u, a, b)


def regularized_beta(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """I_x(a, b), the CDF of Beta(a, b), by its continued fraction (Lentz), on whichever side converges fast."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    inner = (x > 0) & (x < 1)
    safe = np.where(inner, x, 0.5)
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * np.log(safe) + b * np.log1p(-safe)
    front = np.exp(log_front)
    direct = safe < (a + 1) / (a + b + 2)
    value = np.empty_like(safe)  # each side only where its fraction converges fast
    value[direct] = front[direct] * _beta_fraction(safe[direct], a, b) / a
    value[~direct] = 1 - front[~direct] * _beta_fraction(1 - safe[~direct], b, a) / b
    return np.where(inner, value, np.where(x >= 1, 1.0, 0.0))


def _beta_fraction(x: np.ndarray, a: float, b: float, steps: int = 300, tiny: float = 1e-300) -> np.ndarray:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    c = np.ones_like(x)
    d = 1 - (a + b) * x / (a + 1)
    d = 1 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    for m in range(1, steps + 1):
        for coefficient in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + coefficient * d
            d = 1 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1 + coefficient / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            h = h * d * c
        if np.all(np.abs(d * c - 1) < 1e-15):
            break
    return h


def beta_quantile(u: np.ndarray, a: float, b: float, steps: int = 100) -> np.ndarray:
    """The inverse CDF of Beta(a, b) (a, b >= 1): Newton's method kept inside a bracket that each step narrows
    (a step that would leave it bisects instead), to double precision."""
    u = np.asarray(u, dtype=float)
    low, high = np.zeros_like(u), np.ones_like(u)
    x = np.full_like(u, a / (a + b))
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    for _ in range(steps):
        error = regularized_beta(x, a, b) - u
        low, high = np.where(error < 0, x, low), np.where(error < 0, high, x)
        inner = np.clip(x, 1e-300, 1 - 1e-16)
        density = np.exp((a - 1) * np.log(inner) + (b - 1) * np.log1p(-inner) - log_beta)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(density > 0, x - error / density, np.nan)
        outside = ~((step > low) & (step < high))
        moved = np.where(outside, (low + high) / 2, step)
        if np.all(np.abs(moved - x) <= 4e-16):
            return moved
        x = moved
    return x


def sample_ranges(dimensions: list[Dimension], n: int, distribution: Distribution,
                  rng: np.random.Generator) -> list[tuple[tuple[str, float], ...]]:
    """``n`` Latin hypercube samples of ``dimensions``: per sample, each figure's path and sampled value."""
    quantile = pert_quantile if distribution == "pert" else triangular_quantile
    cube = latin_hypercube(n, len(dimensions), rng)
    columns = [(figure.path, quantile(cube[:, d], figure.low, figure.mode, figure.high))
               for d, dimension in enumerate(dimensions) for figure in dimension.figures]
    return [tuple((path, float(values[i])) for path, values in columns) for i in range(n)]


__all__ = ["Dimension", "Distribution", "RangeProblem", "RangedFigure", "beta_quantile", "found_dimensions",
           "latin_hypercube", "listed_dimensions", "parameter_path", "pert_quantile", "regularized_beta",
           "sample_ranges", "triangular_quantile", "walk_figures"]
