"""The mean future of a scenario set: the base scenario with every figure the futures set averaged by probability.

It is the future of EV, the expected value problem (Birge, "The value of the stochastic solution in stochastic
linear programs with fixed recourse", 1982): each random figure at its expectation. The figures averaged are
those the model reads (a number, or a number per year), each over all the futures, a future that leaves a
figure as the base has it counting at the base's value; see :func:`mean_overrides`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from footprint.economics.fx import fx_rates, resolve_rates
from footprint.scenario.formats.files import scenario_from_data
from footprint.scenario.model.base import Horizon
from footprint.scenario.model.currencies import FxSpec
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.sets.parameters import GROWTH_PREFIX, MISSING, Parameter, ParameterError, numbers_of
from footprint.scenario.sets.scenario_sets import Future

_FX_SPEC: TypeAdapter[Any] = TypeAdapter(FxSpec)
"""Reads a currency's entry under ``fx`` (a rate, rates by year, a rule)."""


def mean_overrides(data: dict[str, Any], futures: Sequence[Future],
                   source: str = "the base scenario") -> tuple[tuple[str, Any], ...]:
    """The mean future's overrides of the base scenario ``data``: every figure a future sets, averaged by
    probability over all the futures, those that leave it at the base's value included.

    A figure is what the model reads: a number, or a per-year series year by year. A future's value is read from
    its scenario (the base with its overrides), so one that sets nothing there counts at the base's value (a field
    the base leaves out, at its default), and a series counts by the numbers it gives each year, however written:
    a growth series (``{from, growth}``, or ``growth:PATH``) by the values it grows to, not by its rate, since the
    mean of the futures' demands is not the demand at their mean rate; a future that sets ``from`` or ``growth``
    of such a series moves the whole series. An exchange rate counts by its rate in each year, the base's from its
    rule (the ECB's, a peg). Where the futures' values differ in kind (a number, a series) the mean is a series;
    a year a future's series leaves out (its field's default there, which the data do not hold) is averaged over
    the futures that give it. Values that are not figures (a regime's name, the rules a regime switch writes out,
    a field some futures leave empty) are those of the likeliest combination of them, so that a regime's name and
    its rules come from one regime (the first such combination of the futures, where two are as likely)."""
    if not futures:
        return ()
    base = _Base(data, source)
    scenarios = [future.apply(data) for future in futures]
    probabilities = np.array([future.probability for future in futures])
    targets: dict[str, list[str]] = {}
    for path in dict.fromkeys(path for future in futures for path, _ in future.overrides):
        targets.setdefault(_target(data, path), []).append(path)
    averaged, chosen = [], set()
    for target, paths in targets.items():
        values = _figures(target, scenarios, base)
        if values is None:
            chosen.update(paths)
        else:
            averaged.append((target, _mean(values, probabilities, base.years)))
    combinations: dict[str, float] = defaultdict(float)
    picked: dict[str, tuple[tuple[str, Any], ...]] = {}
    for future in futures:
        others = tuple((path, value) for path, value in future.overrides if path in chosen)
        key = json.dumps(sorted(others, key=lambda item: item[0]), sort_keys=True, default=str)
        combinations[key] += future.probability
        picked.setdefault(key, others)
    return (*picked[max(combinations, key=combinations.__getitem__)], *averaged)


_GROWTH_FIELDS = ("from", "growth", "from_year")
"""The fields of a growth series ``{from, growth, from_year}``: a future that sets one moves the whole series."""


class _Base:
    """The base scenario's data, with what reading its figures may need (made on first need): its horizon's
    years, its fields at their defaults, its exchange rates."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data, self.source = data, source

    @cached_property
    def years(self) -> list[int]:
        return Horizon.model_validate(self.data.get("horizon")).years

    @cached_property
    def scenario(self) -> Scenario:
        return scenario_from_data(self.data, self.source, ())

    @cached_property
    def dumped(self) -> dict[str, Any]:
        """Its data with every field it leaves out at its default."""
        return self.scenario.model_dump(by_alias=True)

    @cached_property
    def rates(self) -> dict[str, dict[int, float]]:
        return fx_rates(self.scenario)


def _target(data: dict[str, Any], path: str) -> str:
    """Where the figure a path sets is: the path, the series of a ``growth:`` path or of a growth series' field,
    an exchange rate's currency."""
    parameter = Parameter.parse(path)
    if parameter.fx_currency is not None:
        return f"fx.{parameter.fx_currency}"
    body = path.removeprefix(GROWTH_PREFIX)
    series, _, field = body.rpartition(".")
    if field in _GROWTH_FIELDS and series:
        try:
            found = Parameter.parse(series).read(data)
        except ParameterError:
            return body
        if isinstance(found, dict) and ("from" in found or "growth" in found):
            return series
    return body


def _figures(target: str, scenarios: Sequence[dict[str, Any]], base: _Base) -> list[float | dict[int, float]] | None:
    """Each future's figure at ``target`` (a number, or a number per year), or None where one is not a figure (a
    field declared as text is never one, whatever it reads as: the regime 2012)."""
    parameter = Parameter.parse(target)
    if parameter.names_text:
        return None
    try:
        written = [parameter.read(scenario) for scenario in scenarios]
    except ParameterError:  # a future whose other values (rules written out whole) leave no such place
        return None
    if parameter.fx_currency is not None:
        rates = [_rates(parameter.fx_currency, spec, base) for spec in written]
        return None if any(rate is None for rate in rates) else rates  # type: ignore[return-value]
    numbers = [None if raw is MISSING else numbers_of(raw, base.years) for raw in written]
    if any(number is None and raw is not MISSING for number, raw in zip(numbers, written, strict=True)):
        return None
    if any(raw is MISSING for raw in written):
        try:
            default = numbers_of(parameter.read(base.dumped), base.years)
        except ParameterError:  # a key of a mapping the base leaves empty (a product's lost-sale penalty): none
            return None
        if default is None:
            return None
        numbers = [default if number is None else number for number in numbers]
    return numbers  # type: ignore[return-value]


def _rates(currency: str, spec: Any, base: _Base) -> float | dict[int, float] | None:
    """A currency's rate (flat) or rates by year, as the scenario whose ``fx`` gives it ``spec`` reads them (None:
    it gives none, the currency being one the scenario does not use)."""
    number = None if spec is MISSING else numbers_of(spec, base.years)
    if isinstance(number, float):
        return number
    scenario = base.scenario
    rule = scenario.fx_default if spec is MISSING else _FX_SPEC.validate_python(spec)
    if rule is None:
        return None
    return resolve_rates(rule, currency, scenario.currency, scenario.years, base.rates.__getitem__)


def _mean(values: Sequence[float | dict[int, float]], probabilities: np.ndarray,
          years: list[int]) -> float | dict[int, float]:
    """The probability-weighted mean of the futures' figures: a number, or where any is a series, a series (a
    number counting for every year)."""
    if all(isinstance(value, float) for value in values):
        return float(probabilities @ np.array(values)) / float(probabilities.sum())
    series = [dict.fromkeys(years, value) if isinstance(value, float) else value for value in values]
    mean = {}
    for year in sorted({year for one in series for year in one}):
        given = [(p, one[year]) for p, one in zip(probabilities, series, strict=True) if year in one]
        mean[year] = float(sum(p * number for p, number in given) / sum(p for p, _ in given))
    return mean


__all__ = ["mean_overrides"]
