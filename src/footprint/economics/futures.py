"""The futures of a scenario set: its listed futures and each generator's, combined into one list.

The listed futures (if any) and each generator, in the order the file writes them, are the factors. With
``combine: product`` a future is one future of each factor: names joined (``deals+fx017``), probabilities
multiplied, overrides concatenated in factor order; two factors may not set the same value (one path, or
one path inside another). With ``combine: sample`` n combinations are drawn from that product by
probability (each factor's future drawn by its own probability, which is the same), and a combination
drawn k times is one future of probability k/n.

``expand`` only writes overrides; ``check_futures`` validates what they give.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from footprint.economics.checks import CHECKS
from footprint.economics.fx_paths import fx_history_futures
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import validate
from footprint.scenario.model.checks import Loc, Problem
from footprint.scenario.sets.parameters import GROWTH_PREFIX
from footprint.scenario.sets.scenario_sets import (
    MAX_FUTURES,
    Future,
    ScenarioSet,
    future_data,
    listed_futures,
    ranges_futures,
    regime_futures,
    rng,
)

RANGES_STREAM, FX_STREAM, SAMPLE_STREAM = 1, 2, 3
"""The random streams of a seed: one per kind of draw."""
_STEP = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")
"""A key of a path: in brackets (it may hold a dot), or between dots."""


@dataclass(frozen=True)
class Factor:
    """The futures of one part of a set: the listed ones, or one generator's."""

    label: str
    loc: Loc
    futures: list[Future]


@dataclass(frozen=True)
class _Part:
    """A factor before its futures are made: how many it has, and how to make them (a generator draws them)."""

    label: str
    loc: Loc
    size: int
    make: Callable[[], list[Future]]

    def factor(self) -> Factor:
        return Factor(self.label, self.loc, self.make())


def _parts(scenario_set: ScenarioSet, n: int | None, seed: int | None) -> list[_Part]:
    """The factors of :func:`factors`, each with its size, none drawn yet."""
    spec = scenario_set.spec
    if n is not None and n > MAX_FUTURES:
        raise scenario_set.error((), f"n = {n:,} is more than the {MAX_FUTURES:,} futures a set may have")
    seed = spec.seed if seed is None else seed
    drawn = n is not None and spec.combine == "product"

    def count(own: int | None) -> int:
        return n if drawn and n is not None else own or spec.n

    parts = [_Part("the listed futures", ("futures",), len(spec.futures), partial(listed_futures, scenario_set))] \
        if spec.futures else []
    generate = spec.generate
    for name in scenario_set.generators:
        loc: Loc = ("generate", name)
        if name == "ranges" and generate is not None and generate.ranges is not None:
            samples = count(generate.ranges.n)
            parts.append(_Part(name, loc, samples, partial(ranges_futures, scenario_set, generate.ranges, samples,
                                                           rng(seed, RANGES_STREAM))))
        elif name == "fx_history" and generate is not None and generate.fx_history is not None:
            samples = count(generate.fx_history.n)
            parts.append(_Part(name, loc, samples, partial(fx_history_futures, scenario_set, generate.fx_history,
                                                           samples, rng(seed, FX_STREAM))))
        elif name == "regimes" and generate is not None and generate.regimes is not None:
            parts.append(_Part(name, loc, len(generate.regimes), partial(regime_futures, scenario_set,
                                                                         generate.regimes)))
        # else: a generator given as null
    return parts


def factors(scenario_set: ScenarioSet, n: int | None = None, seed: int | None = None) -> list[Factor]:
    """The listed futures and each generator's futures, in the set's order. ``n`` replaces the number of
    samples of every sampling generator (ranges, fx_history), except with ``combine: sample``, where it is
    the number of draws instead; ``seed`` replaces the set's seed."""
    return [part.factor() for part in _parts(scenario_set, n, seed)]


def expand(scenario_set: ScenarioSet, n: int | None = None, seed: int | None = None) -> list[Future]:
    """The set's futures, their probabilities adding up to 1 (see :func:`factors` for ``n`` and ``seed``).
    Not validated (see :func:`check_futures`); ScenarioError, naming the set's line, for a product too large (from
    the factors' sizes, before any is drawn) or whose factors set the same value, and for an fx_history the ECB
    history cannot give."""
    spec = scenario_set.spec
    parts = _parts(scenario_set, n, seed)
    size = math.prod(part.size for part in parts)
    if spec.combine == "product" and size > MAX_FUTURES:
        sizes = " x ".join(f"{part.size:,} {part.label}" for part in parts)
        raise scenario_set.error(("combine",) if "combine" in scenario_set.source.data else (),
                                 f"the product has {size:,} futures ({sizes}), more than {MAX_FUTURES:,}; "
                                 "use combine: sample")
    made = [part.factor() for part in parts]
    _refuse_overlaps(scenario_set, made)
    if spec.combine == "sample":
        draws = rng(spec.seed if seed is None else seed, SAMPLE_STREAM)
        futures = _sample(made, n if n is not None else spec.n, draws)
    else:
        futures = [_combined(combination) for combination in itertools.product(*(part.futures for part in made))]
    same = same_futures(futures)
    if same:
        warnings.warn(SameFuturesWarning(_same_text(scenario_set, same)), stacklevel=2)
    return futures


class SameFuturesWarning(UserWarning):
    """Futures of a set that set the same values: each is the same scenario, solved and counted with its own
    probability (a valid set, likely a mistake)."""


def same_futures(futures: Sequence[Future]) -> list[list[str]]:
    """The names of the futures that set the same values (the same overrides in the same order), in groups of two
    or more, in the set's order."""
    groups: dict[str, list[str]] = {}
    for future in futures:
        groups.setdefault(json.dumps(future.overrides, default=str), []).append(future.name)
    return [names for names in groups.values() if len(names) > 1]


def _same_text(scenario_set: ScenarioSet, groups: list[list[str]]) -> str:
    shown = "; ".join(" = ".join(names[:4]) + (f" (and {len(names) - 4:,} more)" if len(names) > 4 else "")
                      for names in groups[:3])
    more = f" and {len(groups) - 3:,} more groups" if len(groups) > 3 else ""
    return (f"{scenario_set.name}: futures set the same values: {shown}{more}; each is solved and counted with its "
            "own probability (one future of their summed probability would be solved once)")


def _combined(futures: tuple[Future, ...], probability: float | None = None) -> Future:
    if len(futures) == 1 and probability is None:
        return futures[0]
    return Future("+".join(f.name for f in futures),
                  math.prod(f.probability for f in futures) if probability is None else probability,
                  tuple(override for f in futures for override in f.overrides))


def _sample(parts: list[Factor], n: int, draws: Any) -> list[Future]:
    """``n`` combinations drawn by probability, one future of each factor drawn by its own probabilities;
    a combination drawn k times is one future of probability k/n."""
    picks = [draws.choice(len(part.futures), size=n, p=[f.probability for f in part.futures]) for part in parts]
    counts = Counter(zip(*picks, strict=True))  # keeps the order of first drawing
    return [_combined(tuple(part.futures[i] for part, i in zip(parts, combination, strict=True)), k / n)
            for combination, k in counts.items()]


def _refuse_overlaps(scenario_set: ScenarioSet, parts: list[Factor]) -> None:
    """Two factors may not set the same value: the same path, or a path inside another's."""
    paths = [(part, {path for future in part.futures for path, _ in future.overrides}) for part in parts]
    for (first, own), (second, others) in itertools.combinations(paths, 2):
        for path, other in itertools.product(sorted(own), sorted(others)):
            if _overlap(path, other):
                both = f"{path} by {first.label}" + ("" if path == other else f" and {other}") + \
                    f" by {second.label}"
                raise scenario_set.error(second.loc, f"{both}: a product sets each value once (one path, or one "
                                         "inside another); leave it to one of them")


def _steps(path: str) -> tuple[str, ...]:
    """The keys of a path (``plants[busan].fixed_cost``: plants, busan, fixed_cost), a currency upper-case."""
    steps = tuple(bracketed or plain for bracketed, plain in _STEP.findall(path.removeprefix(GROWTH_PREFIX)))
    return ("fx", steps[1].upper(), *steps[2:]) if len(steps) > 1 and steps[0] == "fx" else steps


def _overlap(first: str, second: str) -> bool:
    a, b = _steps(first), _steps(second)
    return a[:len(b)] == b or b[:len(a)] == a


def check_futures(scenario_set: ScenarioSet, futures: list[Future]) -> dict[str, ScenarioError]:
    """The futures whose scenario is not valid (every check run, warnings allowed), each with its problems;
    a problem at or inside an override's path names the override."""
    invalid = {}
    for future in futures:
        try:
            validate(Source(future_data(scenario_set, future), f"future {future.name}"), CHECKS)
        except ScenarioError as err:
            invalid[future.name] = ScenarioError(err.source, [_naming(problem, future) for problem in err.problems])
    return invalid


def _naming(problem: Problem, future: Future) -> Problem:
    steps = _steps(problem.path)
    for path, _ in future.overrides:
        own = _steps(path)
        if steps[:len(own)] == own:
            return Problem(problem.loc, f"{problem.message} (set by the future's {path})", problem.severity,
                           problem.named, problem.where)
    return problem


__all__ = ["Factor", "SameFuturesWarning", "check_futures", "expand", "factors", "same_futures"]
