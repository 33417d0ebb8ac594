"""Consistency checks across a scenario's entities: references, duplicates, FX, years.

Field-level checks (types, signs, codes) live on the entity declarations; these
are the checks that need more than one entity. Each problem names the key path
of the offending field, what was expected and what was found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from footprint.figures import YearSeries, series_value
from footprint.freight import can_route
from footprint.fx import fx_table

if TYPE_CHECKING:
    from footprint.scenario import Scenario


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, at a key path such as ``plants[2].pools[0].capacity``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def consistency_problems(scenario: Scenario, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Every cross-entity problem of ``scenario``.

    ``skip`` names sections that failed to load: references into them are not
    checked, so a broken plant is reported once, not again by every lane to it.
    """
    checks = (_duplicates, _references, _currencies, _years, _unservable_demand)
    return [problem for check in checks for problem in check(scenario, skip)]


def _duplicate_problems(section: str, keys: Iterable[object], what: str) -> Iterator[Problem]:
    keys = list(keys)
    counts = Counter(keys)
    seen: set[object] = set()
    for index, key in enumerate(keys):
        if counts[key] > 1 and key in seen:
            yield Problem(f"{section}[{index}]", f"duplicate {what} {key!r}; each must be unique")
        seen.add(key)


def _duplicates(scenario: Scenario, skip: frozenset[str]) -> Iterator[Problem]:
    yield from _duplicate_problems("products", (p.id for p in scenario.products), "product id")
    yield from _duplicate_problems("plants", (p.id for p in scenario.plants), "plant id")
    yield from _duplicate_problems("options", (o.id for o in scenario.options), "option id")
    yield from _duplicate_problems("markets", (m.id for m in scenario.markets), "market id")
    for index, plant in enumerate(scenario.plants):
        yield from _duplicate_problems(f"plants[{index}].pools", (q.id for q in plant.pools), "pool id")
        for q, pool in enumerate(plant.pools):
            yield from _duplicate_problems(f"plants[{index}].pools[{q}].products", pool.products, "product")
    yield from _duplicate_problems(
        "capabilities", ((c.plant, c.product) for c in scenario.capabilities), "plant and product"
    )
    yield from _duplicate_problems("lanes", ((lane.plant, lane.market) for lane in scenario.lanes), "lane")
    yield from _duplicate_problems("agreements", (a.id for a in scenario.agreements), "agreement id")
    for index, capability in enumerate(scenario.capabilities):
        yield from _duplicate_problems(f"capabilities[{index}].sourcing", (o.id for o in capability.sourcing),
                                       "sourcing option id")
    # Base rates for the same origin, destination, class and days may not overlap (additional duties stack).
    share: dict[tuple[str, str, str, int], float] = {}
    first_seen: dict[tuple[str, str, str, int], int] = {}
    clashes: dict[tuple[int, int], list[int]] = {}
    for index, t in enumerate(scenario.tariffs):
        if t.additional:
            continue
        for year, weight in t.weights(scenario.horizon).items():
            key = (t.origin, t.destination, t.product_class, year)
            share[key] = share.get(key, 0.0) + weight
            if share[key] > 1.0 + 1e-9:
                clashes.setdefault((index, first_seen[key]), []).append(year)
            first_seen.setdefault(key, index)
    for (index, first), years in clashes.items():
        t = scenario.tariffs[index]
        yield Problem(f"tariffs[{index}]", f"a second base rate for {t.origin} -> {t.destination}, class "
                                           f"{t.product_class!r}, in {_year_list(years)} (first in tariffs[{first}]); "
                                           "mark stacking duties additional: true")


def _unknown(path: str, what: str, name: str, known: set[str]) -> Problem:
    hint = f"; known: {', '.join(sorted(known))}" if len(known) <= 12 else ""
    return Problem(path, f"unknown {what} {name!r}{hint}")


def _references(scenario: Scenario, skip: frozenset[str]) -> Iterator[Problem]:
    products = {p.id for p in scenario.products}
    plants = {p.id: p for p in scenario.plants}
    markets = {m.id for m in scenario.markets}
    check_products = "products" not in skip
    check_plants = "plants" not in skip
    for i, plant in enumerate(scenario.plants):
        for j, pool in enumerate(plant.pools):
            for k, product in enumerate(pool.products):
                if check_products and product not in products:
                    yield _unknown(f"plants[{i}].pools[{j}].products[{k}]", "product", product, products)
    for i, capability in enumerate(scenario.capabilities):
        if check_plants and capability.plant not in plants:
            yield _unknown(f"capabilities[{i}].plant", "plant", capability.plant, set(plants))
        if check_products and capability.product not in products:
            yield _unknown(f"capabilities[{i}].product", "product", capability.product, products)
        plant = plants.get(capability.plant)
        if (plant is not None and capability.product in products
                and not any(capability.product in q.products for q in plant.pools)):
            yield Problem(
                f"capabilities[{i}]",
                f"plant {plant.id!r} has no pool covering product {capability.product!r}; "
                "add it to one of the plant's pools",
            )
    for i, option in enumerate(scenario.options):
        plant = plants.get(option.plant)
        if plant is None:
            if check_plants:
                yield _unknown(f"options[{i}].plant", "plant", option.plant, set(plants))
        elif option.pool not in {q.id for q in plant.pools}:
            yield _unknown(f"options[{i}].pool", f"pool of plant {plant.id!r}", option.pool,
                           {q.id for q in plant.pools})
    for i, market in enumerate(scenario.markets):
        for field in ("demand", "price", "lost_sale_penalty"):
            for product in getattr(market, field):
                if check_products and product not in products:
                    yield _unknown(f"markets[{i}].{field}.{product}", "product", product, products)
    for i, lane in enumerate(scenario.lanes):
        if check_plants and lane.plant not in plants:
            yield _unknown(f"lanes[{i}].plant", "plant", lane.plant, set(plants))
        if "markets" not in skip and lane.market not in markets:
            yield _unknown(f"lanes[{i}].market", "market", lane.market, markets)
    if not {"tariffs", "agreements", "regime"} & skip:
        agreements = {a.id for a in scenario.trade_rules[1]}
        for i, tariff in enumerate(scenario.tariffs):
            if tariff.relief is not None and tariff.relief.agreement not in agreements:
                yield _unknown(f"tariffs[{i}].relief.agreement", "agreement", tariff.relief.agreement, agreements)


def _currency_uses(scenario: Scenario) -> Iterator[tuple[str, str]]:
    for i, plant in enumerate(scenario.plants):
        yield f"plants[{i}].currency", plant.currency
    for i, capability in enumerate(scenario.capabilities):
        if capability.imported_currency is not None:
            yield f"capabilities[{i}].imported_currency", capability.imported_currency
        for j, option in enumerate(capability.sourcing):
            if option.currency is not None:
                yield f"capabilities[{i}].sourcing[{j}].currency", option.currency
    for i, option in enumerate(scenario.options):
        if option.currency is not None:
            yield f"options[{i}].currency", option.currency
    for i, market in enumerate(scenario.markets):
        if market.currency is not None:
            yield f"markets[{i}].currency", market.currency
    for i, lane in enumerate(scenario.lanes):
        if lane.currency is not None:
            yield f"lanes[{i}].currency", lane.currency


def _currencies(scenario: Scenario, skip: frozenset[str]) -> Iterator[Problem]:
    if {"currency", "fx", "fx_default"} & skip:
        return
    needed = {currency for _, currency in _currency_uses(scenario)}
    _, problems = fx_table(scenario.fx, scenario.fx_default, needed, scenario.currency, scenario.years)
    first_use = {}
    for path, currency in _currency_uses(scenario):
        first_use.setdefault(currency, path)
    for currency, message in problems.items():
        yield Problem(f"fx.{currency}" if currency in scenario.fx else first_use[currency], message)


def _year_list(years: list[int]) -> str:
    return ", ".join(str(year) for year in years[:6]) + (" ..." if len(years) > 6 else "")


def _years(scenario: Scenario, skip: frozenset[str]) -> Iterator[Problem]:
    horizon = scenario.horizon
    span = f"{horizon.start}-{horizon.end}"
    for i, market in enumerate(scenario.markets):
        for field in ("demand", "price", "lost_sale_penalty"):
            for product, series in getattr(market, field).items():
                if isinstance(series, dict):
                    outside = [year for year in series if not horizon.start <= year <= horizon.end]
                    if outside:
                        yield Problem(f"markets[{i}].{field}.{product}",
                                      f"{_year_list(outside)} outside the horizon {span}")
    for i, plant in enumerate(scenario.plants):
        for j, pool in enumerate(plant.pools):
            if isinstance(pool.capacity, dict):
                missing = [y for y in horizon.years if y not in pool.capacity]
                if missing:
                    yield Problem(f"plants[{i}].pools[{j}].capacity",
                                  f"no capacity for {_year_list(missing)}; give one per year {span} "
                                  "or a single number")
    if scenario.objective == "maximize_profit":
        for i, market in enumerate(scenario.markets):
            for product, series in market.demand.items():
                price = market.price.get(product)
                missing = [y for y, units in _demand_years(series, horizon.years) if units > 0
                           and (price is None or (isinstance(price, dict) and y not in price))]
                if missing:
                    yield Problem(f"markets[{i}].price.{product}",
                                  f"maximize_profit needs a price for every year with demand; "
                                  f"missing {_year_list(missing)}")


def _demand_years(series: YearSeries, years: list[int]) -> Iterator[tuple[int, float]]:
    for year in years:
        units = series_value(series, year)
        yield year, 0.0 if units is None else units


def _unservable_demand(scenario: Scenario, skip: frozenset[str]) -> Iterator[Problem]:
    """Demand that no plant can serve, where unserved demand is not allowed."""
    if scenario.objective == "maximize_profit" or skip:
        return
    makers: dict[str, set[str]] = {}
    for capability in scenario.capabilities:
        makers.setdefault(capability.product, set()).add(capability.plant)
    lanes = {(lane.plant, lane.market) for lane in scenario.lanes}
    plants = {plant.id: plant for plant in scenario.plants}
    for i, market in enumerate(scenario.markets):
        for product, series in market.demand.items():
            if product in market.lost_sale_penalty:
                continue
            if not any(units > 0 for _, units in _demand_years(series, scenario.horizon.years)):
                continue
            reachable = {plant for plant in makers.get(product, set())
                         if scenario.default_freight is not None or (plant, market.id) in lanes
                         or (scenario.freight_rates is not None and can_route(plants[plant], market))}
            if not reachable:
                yield Problem(
                    f"markets[{i}].demand.{product}",
                    f"no plant can build {product!r} for {market.id!r} (no capability or no lane) "
                    "and no lost_sale_penalty allows it to go unserved",
                )
