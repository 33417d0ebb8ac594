"""Scenario sets: a base scenario and its futures, each a name, a probability and overrides by parameter path.

A set file (``kind: scenario-set``) names its base (a scenario file beside it, or a bundled case) and its
futures: listed one by one (``futures``), or made by generators (``generate``): ``ranges`` samples the
figures that have a low and a high, ``fx_history`` draws exchange-rate paths from the ECB history
(``footprint.economics.fx_paths``), ``regimes`` gives tariff regimes with probabilities, each from a
date if it says so. The listed futures and each generator are the factors of one product (or of a
sample from it); ``footprint.economics.futures.expand`` makes the list.

Each declaration below drives validation, and its field descriptions are the tables of the set format in
docs/guide/futures.md (a test keeps them in step). Reading reports each problem with its file and line: the set's own
(the file's fields all at once, then the checks across them), and the base's (it is validated too).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from footprint.scenario.cases.bundled import SET_KIND, case_names, case_path, set_names, set_path
from footprint.scenario.formats.files import read_source
from footprint.scenario.formats.sources import ScenarioError, Source
from footprint.scenario.formats.validation import locate, pydantic_problems, validate
from footprint.scenario.formats.yamlio import read_yaml
from footprint.scenario.model.base import Identifier
from footprint.scenario.model.checks import SCENARIO_CHECKS, Loc, Problem, regime_covers_nothing
from footprint.scenario.model.codes import Currency
from footprint.scenario.model.figures import NotBool, Year
from footprint.scenario.model.regimes import regime_names
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.text import printable, short
from footprint.scenario.sets.parameters import Parameter, ParameterError, apply_overrides
from footprint.scenario.sets.ranges import Dimension, found_dimensions, listed_dimensions, sample_ranges
from footprint.scenario.sets.regime_switch import switched_rules

PROBABILITY_TOLERANCE = 1e-9
"""Listed probabilities must add up to 1 within this."""
MAX_FUTURES = 1_000_000
"""More futures than this is no set to solve one by one: sample from the product instead."""
NO_REGIME = "none"

Probability = Annotated[float, NotBool, Field(gt=0, le=1)]
Count = Annotated[int, NotBool, Field(ge=1, le=MAX_FUTURES)]

_EXPONENT = re.compile(r"^[+-]?\d[\d_]*(\.\d*)?[eE][+-]?\d+$")
"""A number YAML 1.1 reads as text (160e6, without a dot)."""


def _override_value(raw: Any) -> Any:
    """A number, a name (a regime, say), numbers by year (an FX path, a series), or null (a field at its
    default: ``regime: null``, no regime)."""
    if raw is None or isinstance(raw, str):
        return float(raw.replace("_", "")) if raw is not None and _EXPONENT.match(raw) else raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise ValueError(f"expected a finite number, found {raw}")
        return raw
    if isinstance(raw, dict) and raw:
        by_year: dict[int, float] = {}
        for key, value in raw.items():
            if isinstance(key, bool) or not str(key).strip().isdigit():
                raise ValueError(f"expected numbers by year ({{2014: 150000, ...}}), found the key {short(key)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"year {key}: expected a number, found {short(value)}")
            by_year[int(key)] = value
        return by_year
    raise ValueError(f"expected a number, a name, numbers by year ({{2014: 150000, ...}}) or null, found "
                     f"{short(raw)}")


OverrideValue = Annotated[Any, BeforeValidator(_override_value)]


def _regime_choice(raw: Any) -> str:
    name = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw  # `regime: 2012` is a number
    if not isinstance(name, str) or (name != NO_REGIME and name not in regime_names()):
        raise ValueError(f"unknown regime {short(raw)}; shipped: {', '.join(regime_names())}, or {NO_REGIME}")
    return name


class SetEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListedFuture(SetEntry):
    """One future written out: its overrides of the base."""

    name: Identifier = Field(description="Future name, unique in the set.")
    probability: Probability = Field(description="Its probability; the listed futures' add up to 1.")
    reason: str | None = Field(None, description="Why this probability (an assumption's reasoning, as a figure's).")
    overrides: dict[str, OverrideValue] = Field(
        default_factory=dict, alias="set",
        description="Parameter path to value (`fx.JPY: 120`, `markets[us].demand.rogue: 150000`, `regime: "
        "2025-s232`, `regime: null`, `fx.KRW: {2014: 1100, ...}`), applied in the order written; none: the base "
        "as it is.")


class RangesGenerator(SetEntry):
    """Samples of the figures that have a range: a Latin hypercube over them."""

    paths: list[str] | None = Field(
        None, min_length=1, description="The figures to sample (a figure, or a per-year series whose years move "
        "together); default: every figure with a low and a high.")
    distribution: Literal["triangular", "pert"] = Field(
        "triangular", description="Each figure's distribution on low, value (the mode) and high: triangular, "
        "or PERT (beta, mean (low + 4 value + high) / 6).")
    n: Count | None = Field(None, description="Number of samples (default: the set's n).")


class FxHistoryGenerator(SetEntry):
    """Exchange-rate paths drawn from the ECB history up to a base year: a joint block bootstrap."""

    currencies: list[Currency] = Field(min_length=1, description="Currencies to draw paths for, jointly (their "
                                       "correlation is kept).")
    base_year: Year = Field(description="Last year of history used (what a planner then could know); paths start "
                            "at its rate and draw every later horizon year.")
    block: Annotated[int, NotBool, Field(ge=1, le=50)] = Field(
        2, description="Years per block: runs of this many consecutive yearly changes are drawn together.")
    n: Count | None = Field(None, description="Number of paths (default: the set's n).")


class RegimeFuture(SetEntry):
    """A tariff regime with its probability, in force from the start or from a date."""

    regime: Annotated[str, BeforeValidator(_regime_choice)] = Field(
        description=f"A shipped regime (`footprint regimes`), or `{NO_REGIME}` (the scenario's own tariffs alone).")
    probability: Probability = Field(description="Its probability; the regimes' add up to 1.")
    start: dt.date | None = Field(None, alias="from", description="First day in force; before it the base's "
                                  "tariffs apply (default: the whole horizon).")
    name: Identifier | None = Field(None, description="Future name (default: the regime's, with -from-DATE).")
    reason: str | None = Field(None, description="Why this probability.")

    @property
    def future_name(self) -> str:
        return self.name or self.regime + (f"-from-{self.start.isoformat()}" if self.start else "")


class Generators(SetEntry):
    """Generators of futures; each is a factor of the product (in the order written)."""

    ranges: RangesGenerator | None = Field(None, description="Samples of the figures with ranges.")
    fx_history: FxHistoryGenerator | None = Field(None, description="Exchange-rate paths from the ECB history.")
    regimes: list[RegimeFuture] | None = Field(None, min_length=1, description="Tariff regimes with "
                                               "probabilities.")


DECISIONS = ("build", "open", "opened", "closed", "assign", "start", "source", "single_source")
"""What a stochastic plan may decide now: the model's blocks of decisions (see optimize/stochastic.py)."""


def decision_blocks(given: str | Iterable[str]) -> tuple[str, ...]:
    """What is decided now, from a list of DECISIONS or text joining them with commas (``build,open``); ``none``
    (or no block): nothing, each future deciding everything for itself. ValueError naming an unknown block."""
    names = given.split(",") if isinstance(given, str) else list(given)
    blocks = tuple(dict.fromkeys(str(name).strip().lower() for name in names if str(name).strip()))
    if blocks == ("none",):
        return ()
    unknown = [block for block in blocks if block not in DECISIONS]
    if unknown:
        raise ValueError(f"decisions: unknown {', '.join(map(repr, unknown))}; expected some of "
                         f"{', '.join(DECISIONS)} (comma-separated), or none")
    return blocks


class StochasticSettings(SetEntry):
    """How `footprint stochastic` plans for the set's futures; each setting may be overridden on its command line."""

    risk_weight: Annotated[float, NotBool, Field(ge=0)] = Field(
        0.0, description="Weight of the CVaR of the NPV cost in the objective (0: expected NPV cost alone).")
    alpha: Annotated[float, NotBool, Field(gt=0, lt=1)] = Field(
        0.9, description="CVaR's level: the mean of the dearest 1 - alpha of the futures.")
    revise_from: Year | None = Field(
        None, description="Decisions from this year on may differ by future (it is known by then which came).")
    decisions: list[Literal[DECISIONS]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(DECISIONS),
        description="What is decided now, shared by every future: build (capacity), open/opened/closed (plants, "
        "suppliers, facilities; open: the lanes' modes with a fixed cost too), assign/start (products), source "
        "(sourcing options), single_source (the plant each single-sourced demand comes from).")


class SetSpec(SetEntry):
    """A scenario set file: the base, its listed futures and its generators."""

    kind: Literal["scenario-set"] = Field(description="Says the file is a scenario set.")
    description: str = Field("", description="What the set is about.")
    base: str = Field(description="The base scenario: a file (path from the set's folder) or a bundled case "
                      "(`rogue-2012`).")
    shared: dict[str, OverrideValue] = Field(
        default_factory=dict, alias="set",
        description="Parameter path to value, set in the base before anything else: what every future shares "
        "(a lost-sale penalty, a longer horizon).")
    seed: Annotated[int, NotBool, Field(ge=0)] = Field(0, description="Seed of every random draw (the same seed "
                                                          "gives the same futures).")
    n: Count = Field(100, description="Futures drawn with combine: sample; samples of a generator without its "
                     "own n.")
    combine: Literal["product", "sample"] = Field(
        "product", description="product: every combination of the listed futures and each generator's, "
        "probabilities multiplied; sample: n combinations drawn from it by probability.")
    futures: list[ListedFuture] = Field(default_factory=list, description="Futures written out (a factor of the "
                                        "product).")
    generate: Generators | None = Field(None, description="Generators of futures.")
    stochastic: StochasticSettings = Field(default_factory=StochasticSettings,
                                           description="Settings of `footprint stochastic`.")


@dataclass(frozen=True)
class Future:
    """One future of a set: the base scenario with ``overrides`` (parameter path, value) applied in order."""

    name: str
    """The future's name, unique in its set."""
    probability: float
    """Its probability; a set's add up to 1."""
    overrides: tuple[tuple[str, Any], ...]
    """(parameter path, value) pairs, applied to the base in order."""

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        """A copy of scenario ``data`` (plain, as read) with each override set (``Parameter.apply``)."""
        return apply_overrides(data, self.overrides)


@dataclass(frozen=True)
class ScenarioSet:
    """A read and checked set: its declarations, the set file's data and lines, and the validated base."""

    spec: SetSpec
    """The set's declarations as read: base, futures, generators, stochastic settings."""
    source: Source
    """The set file: its data and the line of each key."""
    base: Source
    """The base scenario's plain data (a variant's base merged in) and where each part was written."""
    scenario: Scenario
    """The base, validated."""
    generators: tuple[str, ...]
    """The generators in the order written: the order of the product's factors after the listed futures."""
    dimensions: tuple[Dimension, ...]
    """The figures ``ranges`` samples (none without it)."""
    warnings: tuple[Problem, ...] = ()
    """What is valid but probably a mistake: the base's (at the base's lines), then the set's."""

    @property
    def name(self) -> str:
        """The set's name: the file it was read from, as given."""
        return self.source.name

    def error(self, loc: Loc, message: str) -> ScenarioError:
        """A problem with the set at ``loc`` (its line found), as the error to raise."""
        return ScenarioError(self.name, [locate(Problem(loc, message), self.source)])


def future_data(scenario_set: ScenarioSet, future: Future) -> dict[str, Any]:
    """The plain scenario data of ``future``: the base's with its overrides applied (not validated)."""
    return future.apply(scenario_set.base.data)


def rng(seed: int, stream: int) -> np.random.Generator:
    """The random numbers of one stream of a seed: each generator draws from its own, so that adding another
    generator to a set leaves its samples as they were."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


def listed_futures(scenario_set: ScenarioSet) -> list[Future]:
    return [Future(f.name, f.probability, typed(f.overrides)) for f in scenario_set.spec.futures]


def typed(overrides: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Each (path, value) with the value as its field takes it (``regime: 2012`` names a regime: text); a path
    that names nothing is left for :func:`read_set` to report."""
    def value(path: str, given: Any) -> Any:
        try:
            return Parameter.parse(path).typed(given)
        except ParameterError:
            return given

    return tuple((path, value(path, given)) for path, given in overrides.items())


def numbered(prefix: str, n: int) -> list[str]:
    """``prefix001`` ... for n futures (as many digits as n needs, at least three)."""
    width = max(3, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def ranges_futures(scenario_set: ScenarioSet, spec: RangesGenerator, n: int,
                   draws: np.random.Generator) -> list[Future]:
    """``n`` Latin hypercube samples of the set's ranged figures, each a future of probability 1/n."""
    samples = sample_ranges(list(scenario_set.dimensions), n, spec.distribution, draws)
    return [Future(name, 1 / n, sample) for name, sample in zip(numbered("ranges", n), samples, strict=True)]


def regime_futures(scenario_set: ScenarioSet, choices: list[RegimeFuture]) -> list[Future]:
    """One future per regime. A regime from a date inside the horizon is written out as the scenario's own
    tariffs and agreements (``regime_switch``); from the horizon's first day or before, it is the regime;
    after its last day, it is the base as it is."""
    scenario = scenario_set.scenario
    first, last = dt.date(scenario.horizon.start, 1, 1), dt.date(scenario.horizon.end, 12, 31)
    futures = []
    for choice in choices:
        regime = None if choice.regime == NO_REGIME else choice.regime
        overrides: tuple[tuple[str, Any], ...]
        if choice.start is None or choice.start <= first:
            overrides = (("regime", regime),)
        elif choice.start > last:
            overrides = ()
        else:
            tariffs, agreements = switched_rules(scenario, regime, choice.start)
            overrides = (("regime", None), ("tariffs", tariffs), ("agreements", agreements))
        futures.append(Future(choice.future_name, choice.probability, overrides))
    return futures


def read_set(path: str | Path, *, strict: bool = False) -> ScenarioSet:
    """Read and check a scenario set file (or a bundled set, ``rogue-2012/futures``) and its base scenario;
    ScenarioError with every problem found, each with its file and line (warnings too, when ``strict``)."""
    file = _set_file(path)
    source = read_yaml(file)
    data = source.data
    if not isinstance(data, dict) or data.get("kind") != SET_KIND:
        found = "no kind" if not isinstance(data, dict) or "kind" not in data else f"kind {short(data['kind'])}"
        raise ScenarioError(source.name, [locate(Problem(("kind",) if isinstance(data, dict) and "kind" in data
                                                         else (), f"not a scenario set: expected kind: {SET_KIND}, "
                                                         f"found {found} (a scenario is run with `footprint run`)"),
                                                 source)])
    try:
        spec = SetSpec.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(source.name, [locate(p, source) for p in pydantic_problems(err, ())]) from None
    base = _shared(spec, _read_base(spec.base, file, source), source)
    try:
        loaded = validate(base, SCENARIO_CHECKS)
    except ScenarioError as err:
        raise _base_error(source, err) from None
    scenario = loaded.scenario
    dimensions, problems = _dimensions(spec, base, source)
    problems += [*_set_problems(spec, data, scenario), *_override_problems(spec, base.data, scenario)]
    warnings = [*loaded.warnings, *(locate(warning, source) for warning in _set_warnings(spec, scenario))]
    if problems or (strict and warnings):
        raise ScenarioError(source.name, [*(locate(p, source) for p in problems), *warnings])
    generators = tuple(data["generate"]) if isinstance(data.get("generate"), dict) else ()
    return ScenarioSet(spec, source, base, scenario, generators, tuple(dimensions), tuple(warnings))


def _shared(spec: SetSpec, base: Source, source: Source) -> Source:
    """The base with the set's shared overrides applied."""
    data = base.data
    for path, value in typed(spec.shared):
        try:
            data = Parameter.parse(path).apply(data, value)
        except ParameterError as err:
            raise ScenarioError(source.name, [locate(Problem(("set", path), str(err)), source)]) from None
    return base if data is base.data else Source(data, base.name, base.places)


def _set_file(path: str | Path) -> Path:
    try:
        exists = Path(path).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long
        exists = False
    bundled = None if exists else set_path(str(path))
    if exists or bundled is not None:
        return bundled or Path(path)
    what = "a bundled case, not a scenario set" if case_path(str(path)) is not None else \
        "no such file, nor a bundled scenario set"
    bundled_sets = ", ".join(set_names()) or "none"
    raise ScenarioError(printable(str(path)), [Problem((), f"{what}; bundled sets: {bundled_sets}")])


def _read_base(base: str, file: Path, source: Source) -> Source:
    beside = file.parent / base
    try:
        found = beside.exists()
    except (OSError, ValueError):
        found = False
    path = beside if found else case_path(base)
    if path is None:
        raise ScenarioError(source.name, [locate(Problem(("base",), (
            f"no scenario {printable(base)!r} beside the set ({printable(str(beside))}) and no bundled case of that "
            f"name; bundled: {', '.join(case_names())}")), source)])
    try:
        return read_source(path)
    except ScenarioError as err:
        raise _base_error(source, err) from None


def _base_error(source: Source, err: ScenarioError) -> ScenarioError:
    """The base's problems, each as a problem of the set's ``base`` (the base's own file and line in it)."""
    where = source.where(("base",))
    return ScenarioError(source.name, [Problem(("base",), f"{printable(err.source)}: {problem}", where=where)
                                       for problem in err.problems])


def _dimensions(spec: SetSpec, base: Source, source: Source) -> tuple[list[Dimension], list[Problem]]:
    ranges = spec.generate.ranges if spec.generate is not None else None
    if ranges is None:
        return [], []
    if ranges.paths is None:
        dimensions, found = found_dimensions(base.data)
    else:
        dimensions, found = listed_dimensions(base.data, ranges.paths)
    problems = []
    for problem in found:
        if problem.listed is None:  # a figure of the base: at its own line
            problems.append(Problem(("generate", "ranges"), problem.message, where=base.where(problem.figure or ())))
            continue
        at = f" (at {base.where(problem.figure)})" if problem.figure is not None else ""
        problems.append(Problem(("generate", "ranges", "paths", problem.listed), problem.message + at))
    if not dimensions and not problems:
        problems.append(Problem(("generate", "ranges"), "the base has no figure with a low and a high to sample"))
    return dimensions, problems


def _sum_problem(loc: Loc, probabilities: Iterable[float], what: str) -> Iterable[Problem]:
    total = math.fsum(probabilities)
    if abs(total - 1) > PROBABILITY_TOLERANCE:
        yield Problem(loc, f"the {what}' probabilities add up to {total:.10g}, not 1 (off by {total - 1:+.3g}); "
                           "each future's probability is its share of all futures")


def _duplicates(loc: Loc, names: list[str], field: str) -> Iterable[Problem]:
    counts, seen = Counter(names), set()
    for index, name in enumerate(names):
        if counts[name] > 1 and name in seen:
            yield Problem((*loc, index, field), f"duplicate future name {name!r}; each must be unique")
        seen.add(name)


def _set_problems(spec: SetSpec, data: dict[str, Any], scenario: Scenario) -> Iterable[Problem]:
    generate = spec.generate
    if not spec.futures and (generate is None or not any(dict(generate).values())):
        yield Problem((), "the set has no futures: list them under futures, or give generators under generate")
    if spec.futures:
        yield from _sum_problem(("futures",), (f.probability for f in spec.futures), "futures")
        yield from _duplicates(("futures",), [f.name for f in spec.futures], "name")
    if generate is not None and generate.regimes:
        yield from _sum_problem(("generate", "regimes"), (r.probability for r in generate.regimes), "regimes")
        yield from _duplicates(("generate", "regimes"), [r.future_name for r in generate.regimes], "regime")
    if generate is not None and generate.fx_history is not None:
        yield from _fx_history_problems(generate.fx_history, scenario)


def _set_warnings(spec: SetSpec, scenario: Scenario) -> Iterable[Problem]:
    """A regime of the regimes generator whose rates apply to no product: its future is another's twin."""
    regimes = spec.generate.regimes if spec.generate is not None else None
    classes = scenario.goods_classes()
    for index, choice in enumerate(regimes or []):
        message = None if choice.regime == NO_REGIME else regime_covers_nothing(choice.regime, classes)
        if message is not None:
            yield Problem(("generate", "regimes", index, "regime"), f"{message}, so its future is the same as with "
                          "no regime", "warning")


def _fx_history_problems(spec: FxHistoryGenerator, scenario: Scenario) -> Iterable[Problem]:
    loc: Loc = ("generate", "fx_history")
    for index, currency in enumerate(spec.currencies):
        try:
            Parameter.parse(f"fx.{currency}").check(scenario)
        except ParameterError as err:
            yield Problem((*loc, "currencies", index), str(err))
    for index, currency in enumerate(spec.currencies):
        if currency in spec.currencies[:index]:
            yield Problem((*loc, "currencies", index), f"{currency} is listed twice")
    if spec.base_year >= scenario.horizon.end:
        yield Problem((*loc, "base_year"), f"{spec.base_year} is not before the horizon's last year "
                                           f"{scenario.horizon.end}: there is no later year to draw a rate for")


def _override_problems(spec: SetSpec, data: dict[str, Any], scenario: Scenario) -> Iterable[Problem]:
    """Each listed override's path must name something in the base that takes its value."""
    for index, future in enumerate(spec.futures):
        for path, value in typed(future.overrides):
            try:
                parameter = Parameter.parse(path)
                parameter.check(scenario)
                parameter.apply(data, value)
            except ParameterError as err:
                yield Problem(("futures", index, "set", path), str(err).removeprefix(f"{path}: "))


__all__ = [
    "NO_REGIME",
    "Future",
    "FxHistoryGenerator",
    "Generators",
    "ListedFuture",
    "RangesGenerator",
    "RegimeFuture",
    "ScenarioSet",
    "SetSpec",
    "decision_blocks",
    "future_data",
    "listed_futures",
    "numbered",
    "ranges_futures",
    "read_set",
    "regime_futures",
    "rng",
]
