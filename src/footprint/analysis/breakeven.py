"""Breakeven: the value of one scenario parameter at which the plan's decisions change, by bisection.

The decisions are the capacity built (option, year and count), the production assigned (plant,
product, year) and the plants opened or closed (plant and year).

A parameter is named by a path into the scenario's plain data (as read from YAML, variants merged):

- ``fx.KRW``: a flat rate for every year, in place of whatever gave KRW its rates (an ``ecb`` rule,
  a path, ``fx_default``);
- ``SECTION[KEY].FIELD...``: ``[KEY]`` picks a list entry by its ``id`` (``plants[busan]``), else
  by its position from 0 (``tariffs[3]``), or a mapping's key (``demand[my.product]``, for keys
  with a dot); ``.FIELD`` a field or mapping key (``markets[us].demand.rogue``, ``capacity.2014``).
  A number or a figure takes the value (a figure keeps its source and assumption, and its low and
  high where the value lies within them); a per-year series takes it for every year;
- ``growth:PATH``: a per-year series (demand, say) that keeps its first horizon year and grows by
  the value each year after: year t gets ``first * (1 + value) ** (t - start)``.

Every trial value is written into a copy of the data (only the containers on the path are
copied, so YAML anchors elsewhere stay shared), validated and solved afresh.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.optimize.solve import PlanningError, solver_options
from footprint.plan.plan import Plan
from footprint.plan.tables import solve
from footprint.scenario.codes import currency_code
from footprint.scenario.entities import Horizon
from footprint.scenario.figures import error_details
from footprint.scenario.files import ScenarioError, scenario_from_data
from footprint.scenario.scenario import Scenario

GROWTH_PREFIX = "growth:"
RELATIVE_TOLERANCE = 1e-3
"""Default width of the final bracket, as a share of HI - LO: ten bisection steps."""

_NAME, _KEY = r"[^.\[\]\s]+", r"[^\[\]\s]+"
_STEP = re.compile(rf"(?P<name>{_NAME})(?:\[(?P<key>{_KEY})\])?")
_PATH = re.compile(rf"{_NAME}(?:\[{_KEY}\])?(?:\.{_NAME}(?:\[{_KEY}\])?)*")
_EXAMPLES = "e.g. fx.KRW, plants[busan].fixed_cost, tariffs[3].rate or growth:markets[us].demand.rogue"
_MISSING = object()
"""Stands for a field the data leaves out (at its default)."""


class BreakevenError(Exception):
    """A parameter path that names nothing usable, a value the scenario refuses, or a bad range."""


@dataclass(frozen=True)
class _Selector:
    text: str
    bracketed: bool
    """``[text]`` (a list entry or a mapping key) rather than ``.text`` (a field or mapping key)."""


@dataclass(frozen=True)
class Parameter:
    """A parsed parameter path: where in the scenario's data a trial value goes, and how."""

    path: str
    selectors: tuple[_Selector, ...]
    growth: bool
    fx_currency: str | None

    @classmethod
    def parse(cls, path: str) -> Parameter:
        growth = path.startswith(GROWTH_PREFIX)
        body = path.removeprefix(GROWTH_PREFIX)
        if not _PATH.fullmatch(body):
            raise BreakevenError(f"{path}: not a parameter path; expected {_EXAMPLES}")
        selectors: list[_Selector] = []
        for step in _STEP.finditer(body):
            selectors.append(_Selector(step["name"], False))
            if step["key"] is not None:
                selectors.append(_Selector(step["key"], True))
        if selectors[0] != _Selector("fx", False):
            return cls(path, tuple(selectors), growth, None)
        if growth or len(selectors) != 2 or selectors[1].bracketed:
            raise BreakevenError(f"{path}: an FX parameter is fx.CURRENCY alone, a flat rate for every year "
                                 "(no growth:, no further fields)")
        try:
            currency = currency_code(selectors[1].text.upper())
        except ValueError as err:
            raise BreakevenError(f"{path}: {err}") from None
        return cls(path, tuple(selectors), growth, currency)

    def check(self, scenario: Scenario) -> None:
        """Refuse an FX parameter that could not change anything: the scenario has no amounts in it."""
        if self.fx_currency is None:
            return
        if self.fx_currency == scenario.currency:
            raise BreakevenError(f"{self.path}: {self.fx_currency} is the reporting currency; its rate is 1")
        if self.fx_currency not in scenario.currencies():
            others = ", ".join(sorted(scenario.currencies() - {scenario.currency})) or "none"
            raise BreakevenError(f"{self.path}: no amount in the scenario is in {self.fx_currency} "
                                 f"(other currencies: {others})")

    def apply(self, data: dict[str, Any], value: float) -> dict[str, Any]:
        """A copy of ``data`` with the parameter at ``value``; ``data`` itself is left as it was."""
        if self.fx_currency is not None:
            rates = {key: spec for key, spec in (data.get("fx") or {}).items()
                     if str(key).upper() != self.fx_currency}
            return {**data, "fx": {**rates, self.fx_currency: value}}
        if self.growth:
            years = _horizon_years(data, self.path)
            return _replace_at(data, self.selectors, self.path, "", True,
                               lambda old, where: _grown(old, value, years, self.path, where))
        return _replace_at(data, self.selectors, self.path, "", True,
                           lambda old, where: _set(old, value, self.path, where))


def _horizon_years(data: dict[str, Any], path: str) -> list[int]:
    try:
        return Horizon.model_validate(data.get("horizon")).years
    except ValidationError as err:
        raise BreakevenError(f"{path}: growth needs the scenario's horizon: {error_details(err)}") from None


def _replace_at(node: Any, selectors: tuple[_Selector, ...], path: str, where: str, entity: bool,
                update: Callable[[Any, str], Any]) -> Any:
    """``node`` with the target of ``selectors`` replaced by ``update(old, where)``, copying only the path.

    ``entity`` says ``node`` is the scenario or a list entry: a field it leaves out may be set
    (validation then refuses a misspelt one), where a missing mapping key is an error.
    """
    if not selectors:
        return update(node, where)
    selector, rest = selectors[0], selectors[1:]
    here = f"{where}[{selector.text}]" if selector.bracketed else f"{where}.{selector.text}".removeprefix(".")
    if isinstance(node, list) and selector.bracketed:
        position = _position(node, selector.text, path, where)
        copy = list(node)
        copy[position] = _replace_at(node[position], rest, path, here, True, update)
        return copy
    if isinstance(node, list):
        raise BreakevenError(f"{path}: {where} is {_kind(node)}; pick one as {where}[id] or {where}[position]")
    if not isinstance(node, dict):
        raise BreakevenError(f"{path}: {where} is {_kind(node)}; it has no {here.removeprefix(where)}")
    key = _key(node, selector.text)
    if key is None:
        if rest or not entity or selector.bracketed:
            keys = ", ".join(map(str, node)) or "nothing"
            raise BreakevenError(f"{path}: {where or 'the scenario'} has no {selector.text!r} (it has: {keys})")
        return {**node, selector.text: update(_MISSING, here)}
    return {**node, key: _replace_at(node[key], rest, path, here, False, update)}


def _key(mapping: dict[Any, Any], text: str) -> Any:
    """The key of ``mapping`` written as ``text`` (YAML reads year keys as numbers), or None."""
    if text in mapping:
        return text
    if text.isdigit() and int(text) in mapping:
        return int(text)
    return None


def _position(entries: list[Any], key: str, path: str, where: str) -> int:
    """The entry with id ``key``, else the entry at position ``key``."""
    ids = [str(entry["id"]) for entry in entries if isinstance(entry, dict) and "id" in entry]
    for position, entry in enumerate(entries):
        if isinstance(entry, dict) and str(entry.get("id")) == key:
            return position
    if key.isdigit() and int(key) < len(entries):
        return int(key)
    if ids:
        raise BreakevenError(f"{path}: no {where} entry with id {key!r} (ids: {', '.join(ids)})")
    raise BreakevenError(f"{path}: {where} has {len(entries)} entries, at positions 0-{len(entries) - 1}; "
                         f"no entry {key!r}")


def _is_number(raw: Any) -> bool:
    if isinstance(raw, (int, float)):
        return not isinstance(raw, bool)
    if not isinstance(raw, str):
        return False
    try:
        float(raw.replace("_", ""))  # YAML 1.1 reads 160e6 as text; the scenario accepts it
    except ValueError:
        return False
    return True


def _is_figure(raw: Any) -> bool:
    return isinstance(raw, dict) and "value" in raw


def _is_series(raw: Any) -> bool:
    return isinstance(raw, dict) and bool(raw) and all(str(key).isdigit() for key in raw)


def _with_value(old: Any, value: float) -> Any:
    """A number in place of ``old``: a figure keeps its provenance, and its range where it still holds."""
    if not _is_figure(old):
        return value
    figure = {**old, "value": value}
    low, high = old.get("low"), old.get("high")
    if (low is not None and value < float(low)) or (high is not None and value > float(high)):
        figure.pop("low", None)
        figure.pop("high", None)
    return figure


def _set(old: Any, value: float, path: str, where: str) -> Any:
    if old is _MISSING or _is_number(old) or _is_figure(old):
        return _with_value(old, value)
    if _is_series(old):
        return {year: _with_value(entry, value) for year, entry in old.items()}
    raise BreakevenError(f"{path}: {where} is {_kind(old)}, not a number, a figure or a per-year series")


def _grown(old: Any, rate: float, years: list[int], path: str, where: str) -> dict[int, Any]:
    """A series from the first horizon year's value of ``old``, grown at ``rate`` a year."""
    if old is _MISSING:
        raise BreakevenError(f"{path}: {where} is not given; growth needs its first year's value")
    if _is_series(old):
        entries = {year: old[key] for year in years if (key := _key(old, str(year))) is not None}
    elif _is_number(old) or _is_figure(old):
        entries = dict.fromkeys(years, old)
    else:
        raise BreakevenError(f"{path}: {where} is {_kind(old)}, not a number or a per-year series")
    if years[0] not in entries:
        raise BreakevenError(f"{path}: {where} has no value for {years[0]}, the first horizon year")
    first = entries[years[0]]
    start = float(first["value"] if _is_figure(first) else first)
    return {year: _with_value(entries.get(year), start * (1 + rate) ** (year - years[0])) for year in years}


def _kind(raw: Any) -> str:
    if isinstance(raw, dict):
        return f"a mapping of {', '.join(map(str, raw))}" if raw else "an empty mapping"
    if isinstance(raw, list):
        return f"a list of {len(raw)} entries"
    return "empty" if raw is None else f"{raw!r}"


@dataclass(frozen=True)
class Decisions:
    """What a plan decides: the builds (option, year, count), the assigned cells (plant, product, year)
    and the plants it opens or closes (plant, "opens" or "closes", year)."""

    builds: frozenset[tuple[str, int, int]]
    assignments: frozenset[tuple[str, str, int]]
    plants: frozenset[tuple[str, str, int]]

    @classmethod
    def of(cls, plan: Plan) -> Decisions:
        builds = plan.builds
        assigned = plan.assignments[plan.assignments["assigned"]]
        plants = plan.tables["plants"]
        return cls(
            frozenset(zip(builds["option"].astype(str), builds["year"].astype(int), builds["count"].astype(int),
                          strict=True)),
            frozenset(zip(assigned["plant"].astype(str), assigned["product"].astype(str),
                          assigned["year"].astype(int), strict=True)),
            frozenset((plant, verb, year) for flag, verb in (("opened", "opens"), ("closed", "closes"))
                      for plant, year in zip(plants["plant"][plants[flag]].astype(str),
                                             plants["year"][plants[flag]].astype(int), strict=True)),
        )


@dataclass(frozen=True)
class Trial:
    """One re-solve: the parameter's value and what the plan decided and cost there."""

    value: float
    objective: float
    status: str
    decisions: Decisions


@dataclass(frozen=True)
class Breakeven:
    """Where the decisions change between LO and HI, as far as bisection can tell."""

    path: str
    tolerance: float
    currency: str
    objective_sense: str
    trials: tuple[Trial, ...]
    """Every re-solve in the order made: LO, HI, then each midpoint."""
    bracket: tuple[Trial, Trial] | None
    """(a, b): a, the highest value tried with LO's decisions; b, the lowest above it with others.
    None when LO and HI have the same decisions."""

    @property
    def low(self) -> Trial:
        return self.trials[0]

    @property
    def high(self) -> Trial:
        return self.trials[1]

    @property
    def changes_again(self) -> bool:
        """b's decisions are not HI's: there is at least one more change between b and HI."""
        return self.bracket is not None and self.bracket[1].decisions != self.high.decisions


def default_tolerance(low: float, high: float) -> float:
    return (high - low) * RELATIVE_TOLERANCE


def find_breakeven(
    data: Any,
    path: str,
    low: float,
    high: float,
    *,
    tolerance: float | None = None,
    options: SolverOptions | None = None,
    on_trial: Callable[[Trial], None] | None = None,
    source: str = "<scenario>",
) -> Breakeven:
    """Bisect [low, high] on ``path`` to a bracket of width <= ``tolerance`` where the decisions change.

    Decisions may change more than once in the range; bisection keeps the half whose ends differ
    and so finds one change. ``on_trial`` hears of each re-solve as it ends (for progress).
    ScenarioError for invalid data, BreakevenError for a bad path or range or a value the
    scenario refuses, PlanningError (naming the value) where a re-solve has no plan.
    """
    parameter = Parameter.parse(path)
    tolerance = default_tolerance(low, high) if tolerance is None else tolerance
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise BreakevenError(f"{path}: expected a range LO < HI, found {low:g} {high:g}")
    if not (math.isfinite(tolerance) and tolerance > 0):
        raise BreakevenError(f"{path}: expected a tolerance > 0, found {tolerance:g}")
    base = scenario_from_data(data, source, CHECKS)
    parameter.check(base)
    options = options or solver_options(base)
    trials: list[Trial] = []

    def trial(value: float) -> Trial:
        scenario = _scenario_at(parameter, data, value, source)
        try:
            plan = solve(scenario, options)
        except PlanningError as err:
            raise PlanningError(f"{path} = {value:g}: {err}") from None
        trials.append(Trial(value, plan.objective, plan.status, Decisions.of(plan)))
        if on_trial is not None:
            on_trial(trials[-1])
        return trials[-1]

    before, after = trial(low), trial(high)
    changed = before.decisions != after.decisions
    while changed and after.value - before.value > tolerance:
        middle = trial((before.value + after.value) / 2)
        if middle.decisions == before.decisions:
            before = middle
        else:
            after = middle
    return Breakeven(path, tolerance, base.currency, base.objective, tuple(trials),
                     (before, after) if changed else None)


def _scenario_at(parameter: Parameter, data: dict[str, Any], value: float, source: str) -> Scenario:
    try:
        return scenario_from_data(parameter.apply(data, value), source, CHECKS)
    except ScenarioError as err:
        problems = "; ".join(map(str, err.problems))
        raise BreakevenError(f"{parameter.path} = {value:g}: the scenario refuses it: {problems}") from None


__all__ = ["Breakeven", "BreakevenError", "Decisions", "Parameter", "Trial", "default_tolerance", "find_breakeven"]
