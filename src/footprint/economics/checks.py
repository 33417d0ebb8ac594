"""Checks that need the economics: exchange rates that can be had and look right, and demand that pays.

They join the scenario layer's checks (``CHECKS``), so that loading reports every problem of a
file in one pass, these included.
"""

from __future__ import annotations

from collections.abc import Iterator

from footprint.economics.fx import FxError, ecb_annual, fx_table
from footprint.scenario.checks import SCENARIO_CHECKS, Check, Context, Problem, currency_uses
from footprint.scenario.entities import FxRule, ScenarioFields
from footprint.scenario.figures import series_value, value_of

FX_PLAUSIBLE_FACTOR = 3.0
"""An explicit rate this many times above or below the ECB's mean for its year is probably inverted
or in the wrong unit."""


def _currencies(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Every currency an amount is stated in has a rate for every year."""
    if not context.usable("horizon", "currency", "fx", "fx_default"):
        return
    needed = {currency for _, currency in currency_uses(scenario)}
    _, problems = fx_table(scenario.fx, scenario.fx_default, needed, scenario.currency, scenario.years)
    first_use: dict[str, tuple[str | int, ...]] = {}
    for loc, currency in currency_uses(scenario):
        first_use.setdefault(currency, loc)
    for currency, message in problems.items():
        yield Problem(("fx", currency) if currency in scenario.fx else first_use.get(currency, ("fx",)), message)


def _ecb_mean(currency: str, base: str, year: int) -> float | None:
    try:
        return ecb_annual(currency, base).get(year)
    except FxError:  # the ECB publishes no rate for one of them
        return None


def _fx_plausibility(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Explicit rates far from the ECB's annual mean: likely inverted (USD per KRW for KRW per USD)."""
    if not context.usable("horizon", "currency", "fx"):
        return
    base = scenario.currency
    for currency, spec in scenario.fx.items():
        if currency == base:
            continue
        if isinstance(spec, FxRule):
            given = {year: value_of(rate) for year, rate in spec.path.items()} if spec.peg is None else {}
            loc: tuple[str | int, ...] = ("fx", currency, "path")
        else:
            given = {year: series_value(spec, year) for year in scenario.years}
            loc = ("fx", currency)
        for year, rate in sorted(given.items()):
            mean = _ecb_mean(currency, base, year)
            if rate is None or mean is None or rate <= 0:
                continue
            ratio = rate / mean
            if ratio > FX_PLAUSIBLE_FACTOR or ratio < 1 / FX_PLAUSIBLE_FACTOR:
                inverse = 1 / (rate * mean)  # the ECB's mean against 1 / rate
                hint = (f"; it looks inverted ({base} per {currency}): rates are units of {currency} per {base}"
                        if 1 / FX_PLAUSIBLE_FACTOR <= inverse <= FX_PLAUSIBLE_FACTOR else "")
                yield Problem(loc, f"{rate:,.6g} {currency} per {base} in {year} is {_times(ratio)} the ECB's mean "
                                   f"for {year} ({mean:,.6g}){hint}", "warning")
                break  # one warning per currency: the rest of its years are likely the same mistake


def _times(ratio: float) -> str:
    return f"{ratio:,.3g} times" if ratio >= 1 else f"1/{1 / ratio:,.3g} of"


ECONOMIC_CHECKS: tuple[Check, ...] = (_currencies, _fx_plausibility)
CHECKS: tuple[Check, ...] = SCENARIO_CHECKS + ECONOMIC_CHECKS
"""Every check of a scenario: pass these when loading."""

__all__ = ["CHECKS", "ECONOMIC_CHECKS"]
