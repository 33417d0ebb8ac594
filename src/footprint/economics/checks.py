"""Checks that need the economics: exchange rates that can be had and look right, and demand that pays.

They join the scenario layer's checks (``CHECKS``), so that loading reports every problem of a
file in one pass, these included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np

from footprint.economics.fx import FxError, ecb_annual, fx_table
from footprint.economics.modes import FixedModes, LaneModes, keeps_promise
from footprint.economics.network import Network, compile_network
from footprint.economics.trade import duty_rates
from footprint.scenario.model.checks import CONSISTENCY_CHECKS, SCENARIO_CHECKS, Check, Context, Problem
from footprint.scenario.model.currencies import FxRule
from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.figures import series_value, value_of, year_values
from footprint.scenario.model.network import NODE_SECTIONS

FX_PLAUSIBLE_FACTOR = 3.0
"""An explicit rate this many times above or below the ECB's mean for its year is probably inverted
or in the wrong unit."""


def _currencies(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Every currency an amount is stated in has a rate for every year."""
    if not context.usable("horizon", "currency", "fx", "fx_default"):
        return
    needed = {currency for _, currency in scenario.currency_uses()}
    _, problems = fx_table(scenario.fx, scenario.fx_default, needed, scenario.currency, scenario.years)
    first_use: dict[str, tuple[str | int, ...]] = {}
    for loc, currency in scenario.currency_uses():
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


def _resolvable(scenario: ScenarioFields) -> ScenarioFields:
    """The part of a partly loaded scenario that can be compiled: entries whose references resolve.

    The entries left out are reported by the consistency checks; what remains is enough to price the
    lanes that do exist.
    """
    products = {product.id for product in scenario.products}
    components = {component.id for component in scenario.components}
    items = products | components  # what a plant can make
    plants = {plant.id: plant for plant in scenario.plants}
    markets = {market.id for market in scenario.markets}
    capabilities = [c for c in scenario.capabilities if c.plant in plants and c.product in items
                    and any(c.product in pool.products for pool in plants[c.plant].pools)]
    options = [o for o in scenario.options if o.plant in plants and o.pool in {q.id for q in plants[o.plant].pools}]
    market_entries = [market.model_copy(update={
        name: {product: series for product, series in getattr(market, name).items() if product in products}
        for name in ("demand", "price", "lost_sale_penalty")}) for market in scenario.markets]
    sources = plants.keys() | {supplier.id for supplier in scenario.suppliers}
    lanes = [lane for lane in scenario.lanes if (lane.origin in plants and lane.destination in markets)
             or (lane.origin in sources and lane.destination in plants)]

    def known_parts(entry: Any) -> Any:  # a bill naming an unknown part counts the known ones: less, never more
        return entry.model_copy(update={"bom": {name: units for name, units in entry.bom.items()
                                                if name in components}})

    suppliers = [supplier.model_copy(update={"supplies": [supply for supply in supplier.supplies
                                                          if supply.component in components]})
                 for supplier in scenario.suppliers]
    return scenario.model_copy(update={
        "capabilities": capabilities, "options": options, "markets": market_entries, "lanes": lanes,
        "products": [known_parts(product) for product in scenario.products],
        "components": [known_parts(component) for component in scenario.components], "suppliers": suppliers})


def _unprofitable_demand(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Demand whose lost-sale penalty (or, maximizing profit, price) is below the cheapest landed cost of
    serving it: the plan will leave it unserved, which is rarely what the penalty was meant to say."""
    if not context.usable("horizon", "currency", "fx", "fx_default", "products", "markets", "regime", "tariffs",
                          "freight_rates") or not context.complete("plants", "capabilities", "lanes", "agreements",
                                                                   "components", "suppliers", "facilities"):
        return  # a site, capability, part, lane or agreement that did not load might have served it for less
    profit = scenario.objective == "maximize_profit"
    if not profit and not any(market.lost_sale_penalty for market in scenario.markets):
        return  # nothing to compare landed costs with: no need to price the network
    resolvable = _resolvable(scenario)
    if not (resolvable.capabilities and resolvable.markets and resolvable.plants and resolvable.products):
        return
    try:
        network = compile_network(resolvable)
    except FxError:  # missing rates: reported by _currencies
        return
    if not len(network.flow_demand):
        return
    parts = _parts_floor(network)
    cheapest = np.full(len(network.demand_units), np.inf)
    np.minimum.at(cheapest, network.flow_demand, network.unit_cost
                  + parts[network.flow_product, network.flow_year])
    if scenario.facilities:  # through a distribution centre a unit may travel for less: it pays its making at least
        made = np.full(parts.shape, np.inf)  # by product and year index
        np.minimum.at(made, network.cap_product, network.cap_local + network.cap_imported)
        least = (made + parts)[network.demand_product, network.demand_year]
        cheapest = np.minimum(cheapest, least)
    bound = network.demand_price if profit else network.demand_penalty
    below = np.flatnonzero(np.isfinite(cheapest) & ~np.isnan(bound) & (bound < cheapest - 1e-9))
    market_index = {market.id: i for i, market in enumerate(scenario.markets)}
    seen: set[tuple[int, int]] = set()
    for entry in below:  # one warning per market and product, at its first such year
        market, product = int(network.demand_market[entry]), int(network.demand_product[entry])
        if (market, product) in seen:
            continue
        seen.add((market, product))
        market_id, product_id = network.markets[market], network.products[product]
        year = int(network.years[network.demand_year[entry]])
        what = "its price" if profit else "a lost sale"
        field = "price" if profit else "lost_sale_penalty"
        yield Problem(("markets", market_index[market_id], field, product_id),
                      f"{what} ({bound[entry]:,.2f} {scenario.currency} a unit in {year}) is below the cheapest "
                      f"landed cost of {product_id} in {market_id} ({cheapest[entry]:,.2f}): the plan will leave this "
                      "demand unserved", "warning")


def _parts_floor(network: Network) -> np.ndarray:
    """The least the parts of a unit of each product can cost, by product and year index: each component at the
    lowest of what it costs bought and delivered to a plant and what a plant pays to make it with its own parts at
    this least (no freight nor duty on the way): below what any plan pays for them."""
    tiers = network.tiers
    n_years = len(network.years)
    if not len(tiers.components):
        return np.zeros((len(network.products), n_years))
    bought = np.full((len(tiers.components), n_years), np.inf)
    supply = tiers.supply
    np.minimum.at(bought, (tiers.offer_component[supply.item], supply.year), supply.cost)
    least = bought
    for _ in tiers.components:  # the bills of materials are acyclic: each pass settles one more level
        made = np.full_like(bought, np.inf)
        np.minimum.at(made, tiers.maker_component, tiers.maker_cost + _bom_cost(tiers.component_bom, least)[
            tiers.maker_component])
        settled, least = least, np.minimum(bought, made)
        if np.array_equal(settled, least):
            break
    return _bom_cost(tiers.product_bom, least)


def _bom_cost(bom: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """bom @ cost, where a component no bill uses may cost inf (none sells or makes it) without making a NaN."""
    return bom @ np.where(np.isfinite(cost), cost, 0.0) + np.where((bom > 0) @ ~np.isfinite(cost), np.inf, 0.0)


def _relief_claims(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """The scenario's own reliefs from additional duties where it matters that relief goes with a claim of the
    agreement: one that no lane between the agreement's members can use, and one whose agreement charges more
    than the general rate, so that a unit pays for the relief by claiming."""
    if not (context.usable("horizon", "products", "regime", "tariffs") and any(t.relief for t in scenario.tariffs)
            and context.complete("plants", "markets", "agreements")):
        return  # a plant, market or agreement that did not load might have been the lane that uses the relief
    tariffs, _ = scenario.trade_rules
    own = len(tariffs) - len(scenario.tariffs)  # the scenario's own tariffs come last
    for reach in duty_rates(scenario).reliefs:
        if reach.tariff < own:
            continue  # a regime's: it has its sources, and a scenario is not to be warned of the regime's lanes
        tariff = tariffs[reach.tariff]
        loc = ("tariffs", reach.tariff - own, "relief", "agreement")
        if not reach.relieved:
            yield Problem(loc, f"no lane that pays this duty runs between two members of {reach.agreement}: relief "
                               f"goes with a claim of {reach.agreement}, so it applies to nothing", "warning")
        elif reach.dearer is not None:
            origin, destination, product_class, claimed, general = reach.dearer
            yield Problem(loc, f"relief goes with a claim of {reach.agreement}, whose rate on {product_class} from "
                               f"{origin} to {destination} ({_percent(claimed)}) is above the general rate "
                               f"({_percent(general)}): a unit that claims {reach.agreement} pays {_percent(claimed)} "
                               f"and the duty as relieved, one that does not {_percent(general)} and the duty "
                               f"({_percent(value_of(tariff.rate))}) in full; each unit pays the less", "warning")


def _transit_promises(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """A market's transit promise (max_transit_days) that no lane and mode can keep for a product whose demand
    must be met: from a plant that makes it, or from a facility that a plant making it reaches. Demand that no lane
    reaches at all is _unservable_demand's to report."""
    if (scenario.objective == "maximize_profit" or not any(m.max_transit_days is not None for m in scenario.markets)
            or not context.usable("horizon", "markets", "default_freight", "freight_rates")
            or not context.complete(*NODE_SECTIONS, "capabilities", "lanes")):
        return
    fixed = FixedModes([], [], np.zeros(0, np.int64), np.zeros((0, 1)), np.zeros(0, np.int64))
    # transit days only: every amount at a rate of 1 (the costs are not asked for)
    modes = LaneModes(scenario, defaultdict(int), np.ones((1, 1)), scenario.lanes, fixed)
    plants = {plant.id: plant for plant in scenario.plants}
    makers: dict[str, list[Any]] = {}
    for capability in scenario.capabilities:
        if capability.plant in plants:
            makers.setdefault(capability.product, []).append(plants[capability.plant])
    promised = [market for market in scenario.markets if market.max_transit_days is not None]
    modes.route([(a, b) for a in (*scenario.plants, *scenario.facilities) for b in promised]
                + [(a, b) for a in scenario.plants for b in scenario.facilities])
    for i, market in enumerate(scenario.markets):
        if market.max_transit_days is None:
            continue
        promise = value_of(market.max_transit_days)
        kept = [facility for facility in scenario.facilities
                if any(keeps_promise(mode.transit_days, market) for mode in modes(facility, market))]
        for product, series in market.demand.items():
            if product in market.lost_sale_penalty or not any(
                    units > 0 for units in _units(series, scenario.years)):
                continue
            reach = makers.get(product, [])
            if any(keeps_promise(mode.transit_days, market) for plant in reach for mode in modes(plant, market)) or any(
                    modes(plant, facility) for plant in reach for facility in kept):
                continue
            if not any(modes(plant, market) for plant in reach) and not any(
                    modes(plant, facility) and modes(facility, market) for plant in reach
                    for facility in scenario.facilities):
                continue  # nothing reaches it at all: _unservable_demand says so
            yield Problem(("markets", i, "max_transit_days"),
                          f"no lane and mode delivers {product!r} to {market.id!r} within {promise:g} transit days "
                          "(from a plant that makes it, or a facility such a plant reaches; a mode of unknown "
                          "transit days does not count) and no lost_sale_penalty allows it to go unserved; give "
                          "the lanes' modes transit_days, add a faster mode, or relax max_transit_days")


def _units(series: Any, years: list[int]) -> list[float]:
    return [0.0 if units is None else units for units in year_values(series, years)]


def _percent(rate: float) -> str:
    return f"{rate * 100:.4g}%"


ECONOMIC_CHECKS: tuple[Check, ...] = (_currencies, _fx_plausibility, _unprofitable_demand, _relief_claims,
                                      _transit_promises)
CHECKS: tuple[Check, ...] = SCENARIO_CHECKS + ECONOMIC_CHECKS
"""Every check of a scenario: pass these when loading."""
ERROR_CHECKS: tuple[Check, ...] = (*CONSISTENCY_CHECKS, _currencies, _transit_promises)
"""The checks whose problems are errors, without the warnings: for the many futures made from one base
scenario that had every check (its warnings were said once)."""

__all__ = ["CHECKS", "ECONOMIC_CHECKS", "ERROR_CHECKS"]
