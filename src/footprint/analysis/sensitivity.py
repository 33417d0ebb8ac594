"""A tornado of the ranged inputs: each input at its low and at its high, the others at their values.

Every figure with a range (``{value, low, high}``) is an input, or those named by parameter paths.
The years of a per-year series move together (a demand path at the low of each year's range), as
one bar. The base and both ends of every input are solved as one sweep (parallel, warm, stored);
the bars are ranked by the swing in NPV between the ends, and each end says whether the decisions
(those of a level, plan/decisions.py: by default the strategic ones) differ from the base's, and how.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from footprint.analysis.sweep import FAILED, Progress, sweep
from footprint.plan.decisions import Decisions, Level, lane_text
from footprint.plan.extensions import Accessor, html_of
from footprint.plan.store import Run, RunStore
from footprint.scenario.sets.ranges import Dimension, RangeProblem, found_dimensions, listed_dimensions
from footprint.scenario.sets.scenario_sets import Future

BASE = "base"
_YEAR_STEP = re.compile(r"\.(\d{4})$")


class SensitivityError(Exception):
    """No input to vary, or an input that cannot be set to its ends."""


@dataclass(frozen=True)
class End:
    """One end of a bar: the value(s) set, the objective there and what the decisions do."""

    values: tuple[float, ...]
    """The value set in each figure of the input (one, or each year of a series; none where the sweep stopped
    before this end was solved)."""
    objective: float | None
    status: str
    change: str
    """The decisions' difference from the base ('' where they are the same; the reason where no plan)."""


@dataclass(frozen=True)
class Bar:
    path: str
    low: End
    high: End

    @property
    def swing(self) -> float:
        if self.low.objective is None or self.high.objective is None:
            return float("inf")  # an end without a plan: the input matters most
        return abs(self.high.objective - self.low.objective)


@dataclass(frozen=True)
class Tornado:
    """A tornado (``footprint sensitivity``): the objective with each ranged input at its low and at its high, the
    others at their values, ranked by the swing, and what the decisions do at each end."""

    base_objective: float
    """The objective with every input at its value."""
    currency: str | None
    """The objective's currency (None when unknown)."""
    level: Level
    """The decisions each end's change is told at."""
    bars: tuple[Bar, ...]
    """Largest swing first."""
    sweep: int
    """The sweep that solved it, in the store."""

    plot = Accessor("plot")
    """``tornado.plot.bars()``: the bars the report draws (views/notebook.py)."""

    def _repr_html_(self) -> str | None:
        return html_of(self)


def inputs(data: dict[str, Any], paths: Sequence[str] | None = None) -> list[Dimension]:
    """The inputs of the tornado: those ``paths`` name, else every ranged figure, a series' years as one."""
    dimensions, problems = listed_dimensions(data, list(paths)) if paths else found_dimensions(data)
    if problems:
        raise SensitivityError("; ".join(problem.message for problem in problems[:5])
                               + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    if paths:
        return dimensions
    grouped: dict[str, list[Any]] = {}
    for dimension in dimensions:  # the found figures come one by one: put a series' years together
        grouped.setdefault(_YEAR_STEP.sub("", dimension.path), []).extend(dimension.figures)
    return [Dimension(path, tuple(figures)) for path, figures in grouped.items()]


def tornado_futures(dimensions: Sequence[Dimension]) -> list[Future]:
    """The base and, per input, its low and its high."""
    count = 1 + 2 * len(dimensions)
    futures = [Future(BASE, 1 / count, ())]
    for dimension in dimensions:
        for end in ("low", "high"):
            overrides = tuple((figure.path, getattr(figure, end)) for figure in dimension.figures)
            futures.append(Future(f"{dimension.path}@{end}", 1 / count, overrides))
    return futures


def tornado(data: dict[str, Any], source: str, *, store: RunStore, settings: dict[str, Any],
            paths: Sequence[str] | None = None, workers: int | None = None, cluster: str | None = None,
            on_progress: Callable[[Progress], None] | None = None, name: str | None = None,
            level: Level | str = Level.STRATEGIC) -> Tornado:
    """The tornado of ``data`` (a scenario's plain data, read from ``source``), solved as a stored sweep named
    ``name`` (default: sensitivity of SOURCE); each end's change told at ``level``."""
    dimensions = inputs(data, paths)
    if not dimensions:
        raise SensitivityError(f"{source}: no figure has a range (low and high); give ranges, or paths to vary")
    futures = tornado_futures(dimensions)
    content = {"sensitivity": source, "inputs": [d.path for d in dimensions]}
    outcome = sweep(data, source, futures, store=store, name=name or f"sensitivity of {source}", content=content,
                    settings=settings, workers=workers, cluster=cluster, on_progress=on_progress)
    return tornado_of(store.futures(outcome.sweep, Level(level)), outcome.sweep)


def tornado_of(futures: pd.DataFrame, sweep: int) -> Tornado:
    """The tornado of sensitivity sweep ``sweep`` from its stored futures (RunStore.futures: the base and each
    input's ``PATH@low`` and ``PATH@high``, the values set in their overrides), each end's change told at the
    level the futures' decisions are read at. An end the sweep did not store (it was stopped) has no plan.
    SensitivityError when the base has none."""
    rows = {str(row.name): row for row in futures.itertuples()}
    base = rows.get(BASE)
    if base is None or base.status == FAILED or base.decisions is None:
        reason = "the sweep stopped before it was solved" if base is None else base.message
        raise SensitivityError(f"the base scenario has no plan: {reason}")
    ends = [name.rpartition("@") for name in rows if name.endswith(("@low", "@high"))]

    def end(path: str, which: str) -> End:
        row = rows.get(f"{path}@{which}")
        if row is None:
            return End((), None, "missing", "no plan: the sweep stopped before it was solved")
        values = tuple(float(value) for _, value in row.overrides)
        if row.status == FAILED or row.decisions is None:
            return End(values, None, str(row.status), f"no plan: {row.message}")
        return End(values, float(row.objective), str(row.status), describe_change(base.decisions, row.decisions))

    bars = [Bar(path, end(path, "low"), end(path, "high")) for path in dict.fromkeys(path for path, _, _ in ends)]
    bars.sort(key=lambda bar: -bar.swing)
    return Tornado(float(base.objective), None if pd.isna(base.currency) else str(base.currency),
                   base.decisions.level, tuple(bars), sweep)


def is_sensitivity(sweep: Run) -> bool:
    """Whether a stored sweep is a tornado's (made by :func:`tornado`): its futures are each input at its ends,
    not draws of a distribution."""
    content = sweep.scenario_data.get("sweep") if isinstance(sweep.scenario_data, dict) else None
    return isinstance(content, dict) and "sensitivity" in content


def describe_change(base: Decisions, other: Decisions) -> str:
    """What ``other`` decides that ``base`` does not (+) and the reverse (-): builds, plants, then assignments
    (a product's years at a plant as ranges), single sources (``+car for us from busan 2014-2016``), then flows
    (``+car busan→us 2014-2016``, a lane's years as ranges; a sourcing option in brackets after the plant)."""
    parts = []
    for kind, show in (("builds", _build), ("plants", _plant)):
        before, after = getattr(base, kind), getattr(other, kind)
        parts += [f"+{show(item)}" for item in sorted(after - before)]
        parts += [f"-{show(item)}" for item in sorted(before - after)]
    for kind, show_lane in (("assignments", _assigned), ("single_sources", _single_source), ("flows", _supplied)):
        before, after = getattr(base, kind), getattr(other, kind)
        for sign, items in (("+", after - before), ("-", before - after)):
            years: dict[tuple[str, ...], list[int]] = {}
            for *lane, year in sorted(items):
                years.setdefault(tuple(lane), []).append(year)
            parts += [f"{sign}{show_lane(lane)} {year_ranges(ys)}" for lane, ys in years.items()]
    return ", ".join(parts)


def _assigned(cell: tuple[str, ...]) -> str:
    plant, product = cell
    return f"{product} at {plant}"


def _single_source(cell: tuple[str, ...]) -> str:
    plant, product, market = cell
    return f"{product} for {market} from {plant}"


def _supplied(lane: tuple[str, ...]) -> str:
    return lane_text(*lane)


def year_ranges(years: Sequence[int]) -> str:
    """``2014-2016, 2019`` for 2014, 2015, 2016 and 2019."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


def _build(item: tuple[str, int, int]) -> str:
    option, year, count = item
    return f"{option} {year}" + (f" x{count}" if count != 1 else "")


def _plant(item: tuple[str, str, int]) -> str:
    plant, verb, year = item
    return f"{plant} {verb} {year}"


__all__ = ["Bar", "End", "RangeProblem", "SensitivityError", "Tornado", "describe_change", "inputs",
           "is_sensitivity", "tornado", "tornado_futures", "tornado_of", "year_ranges"]
