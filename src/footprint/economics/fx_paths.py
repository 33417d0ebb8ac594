"""Exchange-rate paths drawn from the ECB history: a joint moving-block bootstrap of yearly log changes.

A set's ``fx_history`` generator gives each future a path of rates for its currencies. The history is the
yearly means of the ECB reference rates that ``economics.fx`` reads (units of each currency per unit of
the scenario's reporting currency), and only the years up to the base year: what a planner then could
know. The yearly log changes of those years, over the run of years in which every listed currency has
a rate (back from the base year, without a gap), are drawn in blocks of ``block`` consecutive years with
replacement (Künsch's moving-block bootstrap), the same block for every currency in a draw, so that
the currencies keep their correlation and a block keeps the years' momentum. A path starts at the base
year's rate and compounds the drawn changes, one per year after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from footprint.economics.fx import FxError, ecb_annual, fx_rates
from footprint.scenario.model.checks import Loc
from footprint.scenario.sets.scenario_sets import Future, FxHistoryGenerator, ScenarioSet, numbered


@dataclass(frozen=True)
class Changes:
    """Yearly log changes of several currencies over the same years: row i is ``years[i] - 1`` to ``years[i]``."""

    currencies: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray
    """Shape (years, currencies)."""


def history_changes(history: dict[str, dict[int, float]], base_year: int) -> Changes:
    """The yearly log changes of the currencies of ``history`` (yearly rates) up to ``base_year``, over the run
    of consecutive years back from it in which all of them have a rate; FxError if there is not one change."""
    currencies = tuple(history)
    missing = [currency for currency in currencies if base_year not in history[currency]]
    if missing:
        spans = "; ".join(f"{c}: {min(history[c])}-{max(history[c])}" if history[c] else f"{c}: none"
                          for c in missing)
        raise FxError(f"no ECB rate in {base_year} for {', '.join(missing)} (the years it has: {spans})")
    first = base_year  # walking back from the base year: no later year is ever read
    while all(first - 1 in history[currency] for currency in currencies):
        first -= 1
    if first == base_year:
        raise FxError(f"the ECB history has no year before {base_year} in which "
                      f"{'all of ' if len(currencies) > 1 else ''}{', '.join(currencies)} have a rate: no change "
                      "to draw")
    years = tuple(range(first + 1, base_year + 1))
    logs = np.log([[history[c][year] for c in currencies] for year in range(first, base_year + 1)])
    return Changes(currencies, years, np.diff(logs, axis=0))


def block_bootstrap(changes: np.ndarray, steps: int, block: int, n: int, draws: np.random.Generator) -> np.ndarray:
    """``n`` series of ``steps`` rows of ``changes`` (shape (years, currencies)), each made of blocks of
    ``block`` consecutive rows whose first row is drawn uniformly with replacement: shape (n, steps, currencies).
    Every currency takes the same rows in a draw."""
    years = len(changes)
    if block > years:
        raise ValueError(f"a block of {block} years is longer than the {years} yearly changes")
    blocks = math.ceil(steps / block)
    starts = draws.integers(0, years - block + 1, size=(n, blocks))
    rows = (starts[:, :, None] + np.arange(block)).reshape(n, blocks * block)[:, :steps]
    return changes[rows]


def bootstrap_paths(changes: Changes, start: dict[str, float], steps: int, block: int, n: int,
                    draws: np.random.Generator) -> np.ndarray:
    """``n`` paths of ``steps`` rates after the start, per currency: shape (n, steps, currencies)."""
    drawn = block_bootstrap(changes.values, steps, block, n, draws)
    first = np.array([start[currency] for currency in changes.currencies])
    return first * np.exp(np.cumsum(drawn, axis=1))


def fx_history_futures(scenario_set: ScenarioSet, spec: FxHistoryGenerator, n: int,
                       draws: np.random.Generator) -> list[Future]:
    """``n`` futures of probability 1/n, each setting ``fx.CUR`` to a rate for every horizon year for each of
    the generator's currencies: the base's own rates up to the base year, a bootstrapped path after it.

    A path starts at the base's rate for the base year when the horizon holds that year (the scenario's
    present, as it gives it), else at the ECB mean of the base year. ScenarioError (naming the set's line)
    for a currency without ECB history or a base year outside it."""
    scenario = scenario_set.scenario
    loc: Loc = ("generate", "fx_history")
    history = {}
    for index, currency in enumerate(spec.currencies):
        try:
            history[currency] = ecb_annual(currency, scenario.currency)
        except FxError as err:
            raise scenario_set.error((*loc, "currencies", index), f"{err}; fx_history draws from the ECB history "
                                     "only") from None
    try:
        changes = history_changes(history, spec.base_year)
    except FxError as err:
        raise scenario_set.error((*loc, "base_year"), str(err)) from None
    if spec.block > len(changes.years):
        raise scenario_set.error((*loc, "block"), f"a block of {spec.block} years is longer than the "
                                 f"{len(changes.years)} yearly changes of {changes.years[0] - 1}-{spec.base_year}")
    try:
        given = fx_rates(scenario)
    except FxError as err:
        raise scenario_set.error(("base",), f"the base's exchange rates: {err}") from None
    years = scenario.horizon.years
    start = {c: given[c][spec.base_year] if spec.base_year in years else history[c][spec.base_year]
             for c in spec.currencies}
    steps = years[-1] - spec.base_year
    paths = bootstrap_paths(changes, start, steps, spec.block, n, draws)
    futures = []
    for name, path in zip(numbered("fx", n), paths, strict=True):
        overrides = tuple(
            (f"fx.{currency}", {year: float(path[year - spec.base_year - 1, k]) if year > spec.base_year
                                else given[currency][year] for year in years})
            for k, currency in enumerate(changes.currencies))
        futures.append(Future(name, 1 / n, overrides))
    return futures


__all__ = ["Changes", "block_bootstrap", "bootstrap_paths", "fx_history_futures", "history_changes"]
