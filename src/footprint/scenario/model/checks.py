"""Checks across a scenario's entities: references, duplicates, years, and what is probably a mistake.

Field-level checks (types, signs, codes) live on the entity declarations; these are the
checks that need more than one entity. Each problem names the key path of the offending
field (as a tuple of keys and positions), what was expected and what was found. Errors
make a scenario unusable; warnings flag what is valid but probably wrong (a rate of 25
meant as 25%), and ``--strict`` makes them errors too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Literal

from footprint.scenario.model.classes import broken_code, class_key, covers_any, hs_digits, overlap
from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.figures import LARGEST, MAX_MAGNITUDE, Figure, Growth, Num, Series, value_of, year_values
from footprint.scenario.model.groups import MEMBER_KINDS, group_members
from footprint.scenario.model.network import (
    NODE_SECTIONS,
    Plant,
    can_route,
    lane_ends,
    lane_joins,
    node_sections,
)
from footprint.scenario.model.trade import ANY_ORIGIN, Tariff, regime_rules
from footprint.scenario.model.unions import Membership, customs_unions

Loc = tuple[str | int, ...]
"""A key path into the scenario's data: section names, field names, mapping keys and list positions."""

Severity = Literal["error", "warning"]


def loc_text(loc: Loc) -> str:
    """``plants[1].pools[0].capacity``: positions in brackets, names after dots."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.removeprefix(".")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, at a key path such as ``("plants", 2, "pools", 0, "capacity")``.

    ``named`` and ``where`` are filled in by the loader: the key path with entities named by
    id (``plants[wroclaw].pools[line].capacity``), and the file and line it comes from.
    """

    loc: Loc
    message: str
    severity: Severity = "error"
    named: str = ""
    where: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def path(self) -> str:
        """The key path as it reads in messages: entities by id once the loader has placed it."""
        return self.named or loc_text(self.loc)

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        text = f"{self.where}: {text}" if self.where else text
        return text if self.is_error else f"warning: {text}"


@dataclass(frozen=True)
class Context:
    """What failed to load, so that checks neither trip over it nor report it twice.

    ``broken`` names sections that did not load at all; ``failed`` names the list sections some
    of whose entries failed on their own, with the ids those entries give: references to them
    are not unknown (the entry is reported where it is), and references to anything else still are.
    """

    broken: frozenset[str] = frozenset()
    failed: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def usable(self, *sections: str) -> bool:
        return not self.broken & set(sections)

    def complete(self, *sections: str) -> bool:
        """Whether every entry of ``sections`` loaded: what a warning about something missing needs, lest it
        blame the entry that failed (a tariff on Mexico when the Mexican plant did not load)."""
        return self.usable(*sections) and not set(self.failed) & set(sections)

    def known(self, section: str, loaded: Iterable[str]) -> set[str]:
        return set(loaded) | set(self.failed.get(section, ()))


class ConsistencyError(ValueError):
    """Errors the checks found in a Scenario being built (the problems kept, for the loader to place)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


Check = Callable[[ScenarioFields, Context], Iterable[Problem]]
"""A check of a (possibly partly loaded) scenario: the problems it finds."""


def consistency_problems(scenario: ScenarioFields, context: Context) -> list[Problem]:
    """Every cross-entity error of ``scenario``."""
    return [problem for check in CONSISTENCY_CHECKS for problem in check(scenario, context)]


def _duplicate_problems(loc: Loc, keys: Iterable[object], what: str) -> Iterator[Problem]:
    keys = list(keys)
    counts = Counter(keys)
    seen: set[object] = set()
    for index, key in enumerate(keys):
        if counts[key] > 1 and key in seen:
            yield Problem((*loc, index), f"duplicate {what} {key!r}; each must be unique")
        seen.add(key)


def _duplicates(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    yield from _duplicate_problems(("products",), (p.id for p in scenario.products), "product id")
    yield from _duplicate_problems(("plants",), (p.id for p in scenario.plants), "plant id")
    yield from _duplicate_problems(("options",), (o.id for o in scenario.options), "option id")
    yield from _duplicate_problems(("markets",), (m.id for m in scenario.markets), "market id")
    for index, plant in enumerate(scenario.plants):
        yield from _duplicate_problems(("plants", index, "pools"), (q.id for q in plant.pools), "pool id")
        for q, pool in enumerate(plant.pools):
            yield from _duplicate_problems(("plants", index, "pools", q, "products"), pool.products, "product")
    yield from _duplicate_problems(
        ("capabilities",), ((c.plant, c.product) for c in scenario.capabilities), "plant and product"
    )
    yield from _duplicate_problems(("lanes",), ((lane.origin, lane.destination) for lane in scenario.lanes), "lane")
    for index, lane in enumerate(scenario.lanes):
        yield from _duplicate_problems(("lanes", index, "modes"), (mode.mode for mode in lane.modes), "mode")
    yield from _duplicate_problems(("components",), (c.id for c in scenario.components), "component id")
    yield from _duplicate_problems(("suppliers",), (s.id for s in scenario.suppliers), "supplier id")
    yield from _duplicate_problems(("facilities",), (f.id for f in scenario.facilities), "facility id")
    for index, supplier in enumerate(scenario.suppliers):
        yield from _duplicate_problems(("suppliers", index, "supplies"), (s.component for s in supplier.supplies),
                                       "component")
    yield from _shared_item_ids(scenario)
    yield from _duplicate_problems(("agreements",), (a.id for a in scenario.agreements), "agreement id")
    yield from _duplicate_problems(("groups",), (g.id for g in scenario.groups), "group id")
    for index, group in enumerate(scenario.groups):
        yield from _duplicate_problems(("groups", index, "members"), group.members, "member")
    for index, capability in enumerate(scenario.capabilities):
        yield from _duplicate_problems(("capabilities", index, "sourcing"), (o.id for o in capability.sourcing),
                                       "sourcing option id")
    if context.usable("horizon"):
        yield from _overlapping_base_rates(scenario)


def _shared_item_ids(scenario: ScenarioFields) -> Iterator[Problem]:
    """Products and components share one name space: a pool or a capability names either."""
    products = {p.id for p in scenario.products}
    for index, component in enumerate(scenario.components):
        if component.id in products:
            yield Problem(("components", index, "id"), f"id {component.id!r} is also a product's; pools and "
                          "capabilities name either, so products and components need different ids")


def _overlapping_base_rates(scenario: ScenarioFields) -> Iterator[Problem]:
    """Base rates for the same origin, destination, class and days may not overlap (additional duties stack)."""
    share: dict[tuple[str, str, str, int], float] = {}
    first_seen: dict[tuple[str, str, str, int], int] = {}
    clashes: dict[tuple[int, int], list[int]] = {}
    for index, t in enumerate(scenario.tariffs):
        if t.additional:
            continue
        for year, weight in t.weights(scenario.horizon).items():
            key = (t.origin, t.destination, class_key(t.product_class), year)
            share[key] = share.get(key, 0.0) + weight
            if share[key] > 1.0 + 1e-9:
                clashes.setdefault((index, first_seen[key]), []).append(year)
            first_seen.setdefault(key, index)
    for (index, first), years in clashes.items():
        t = scenario.tariffs[index]
        yield Problem(("tariffs", index), f"a second base rate for {t.origin} -> {t.destination}, class "
                                          f"{t.product_class!r}, in {_year_list(years)} (first in tariffs[{first}]); "
                                          "mark stacking duties additional: true")


def _unknown(loc: Loc, what: str, name: str, known: set[str]) -> Problem:
    hint = f"; known: {', '.join(sorted(known))}" if 0 < len(known) <= 12 else "" if known else "; none is defined"
    return Problem(loc, f"unknown {what} {name!r}{hint}")


def _references(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    products = context.known("products", (p.id for p in scenario.products))
    items = products | context.known("components", (c.id for c in scenario.components))  # what a plant can make
    item = "product or component" if scenario.components else "product"
    components = {component.id for component in scenario.components}
    plants = {p.id: p for p in scenario.plants}
    plant_ids = context.known("plants", plants)
    check_products, check_plants = context.usable("products"), context.usable("plants")
    check_items = context.usable("products", "components")
    for i, plant in enumerate(scenario.plants):
        for j, pool in enumerate(plant.pools):
            for k, product in enumerate(pool.products):
                if check_items and product not in items:
                    yield _unknown(("plants", i, "pools", j, "products", k), item, product, items)
    for i, capability in enumerate(scenario.capabilities):
        if check_plants and capability.plant not in plant_ids:
            yield _unknown(("capabilities", i, "plant"), "plant", capability.plant, plant_ids)
        if check_items and capability.product not in items:
            yield _unknown(("capabilities", i, "product"), item, capability.product, items)
        if capability.product in components and (
                value_of(capability.launch_cost) > 0 or value_of(capability.min_volume) > 0 or capability.sourcing
                or capability.content is not None or capability.imported_origin is not None):
            yield Problem(("capabilities", i), f"{capability.product!r} is a component: launch_cost, min_volume, "
                          "sourcing, content and imported_origin apply to a capability that makes a product (a "
                          "component's origin comes from where the plan buys its parts); leave them out")
        plant = plants.get(capability.plant)
        if (plant is not None and capability.product in items
                and not any(capability.product in q.products for q in plant.pools)):
            yield Problem(
                ("capabilities", i),
                f"plant {plant.id!r} has no pool covering product {capability.product!r}; "
                "add it to one of the plant's pools",
            )
    for i, option in enumerate(scenario.options):
        plant = plants.get(option.plant)
        if plant is None:
            if check_plants and option.plant not in plant_ids:
                yield _unknown(("options", i, "plant"), "plant", option.plant, plant_ids)
        elif option.pool not in {q.id for q in plant.pools}:
            yield _unknown(("options", i, "pool"), f"pool of plant {plant.id!r}", option.pool,
                           {q.id for q in plant.pools})
    for i, market in enumerate(scenario.markets):
        for section in ("demand", "price", "lost_sale_penalty"):
            for product in getattr(market, section):
                if check_products and product not in products:
                    yield _unknown(("markets", i, section, product), "product", product, products)
        if check_products and isinstance(market.single_source, list):
            for k, product in enumerate(market.single_source):
                if product not in products:
                    yield _unknown(("markets", i, "single_source", k), "product", product, products)
    yield from _lane_ends(scenario, context)
    yield from _bills_of_materials(scenario, context)
    if context.usable("components"):
        components = context.known("components", (c.id for c in scenario.components))
        for i, supplier in enumerate(scenario.suppliers):
            for j, supply in enumerate(supplier.supplies):
                if supply.component not in components:
                    yield _unknown(("suppliers", i, "supplies", j, "component"), "component", supply.component,
                                   components)
    if context.usable(*MEMBER_KINDS):
        sections = {kind: list(context.known(kind, (site.id for site in getattr(scenario, kind))))
                    for kind in MEMBER_KINDS}
        known = set().union(*sections.values())
        what = " or ".join(_singular(kind) for kind in MEMBER_KINDS if kind == "plants" or sections[kind])
        for i, group in enumerate(scenario.groups):
            for k, (member, found) in enumerate(zip(group.members, group_members(sections, group), strict=True)):
                if found is None:
                    yield _unknown(("groups", i, "members", k), what, member, known)
    if context.usable("tariffs", "agreements", "regime"):
        agreements = context.known("agreements", (a.id for a in scenario.trade_rules[1]))
        for i, tariff in enumerate(scenario.tariffs):
            if tariff.relief is not None and tariff.relief.agreement not in agreements:
                yield _unknown(("tariffs", i, "relief", "agreement"), "agreement", tariff.relief.agreement,
                               agreements)


def _lane_ends(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Each lane joins two known nodes, of kinds a lane may join (see ``lane_ends``), and names each end
    unambiguously."""
    if not context.usable(*NODE_SECTIONS):
        return
    failed = {name for section in NODE_SECTIONS for name in context.failed.get(section, ())}
    nodes = {section: {node.id for node in getattr(scenario, section)} for section in NODE_SECTIONS}
    sections = node_sections(scenario)
    for i, lane in enumerate(scenario.lanes):
        ends = lane_ends(scenario, lane, sections)
        for position, end in enumerate(("origin", "destination")):
            name, found = getattr(lane, end), ends[position]
            if len(found) > 1:
                yield Problem(("lanes", i, end), f"{name!r} is both a {' and a '.join(s[:-1] for s in found)} "
                              "here; give them different ids")
            elif not found and name not in failed:
                other = ends[1 - position]  # what the other end is narrows what this one can be
                kinds = [s for s in NODE_SECTIONS if nodes[s] and any(
                    s == pair[position] and (not other or pair[1 - position] in other)
                    for pair in lane_joins(scenario))] or ["plants"]
                yield _unknown(("lanes", i, end), " or ".join(kind[:-1].replace("facilitie", "facility")
                                                              for kind in kinds), name,
                               set().union(*(nodes[kind] for kind in kinds)))
        if all(ends) and not any((o, d) in lane_joins(scenario) for o in ends[0] for d in ends[1]):
            origin, destination = ends[0][0], ends[1][0]
            yield Problem(("lanes", i), f"a lane from a {_singular(origin)} ({lane.origin!r}) to a "
                          f"{_singular(destination)} ({lane.destination!r}) carries nothing: lanes join a supplier or "
                          "plant to a plant, a plant to a market or facility, or a facility to a market")


def _lane_modes(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Each listed lane has a mode whose cost can be had: a lane without freight or modes is computed as an
    unlisted lane would be, a sea mode without a cost from the ends' ports (freight_rates) or default_freight, a
    cost per km from the lane's distance_km or its ends' locations."""
    if not context.usable(*NODE_SECTIONS, "default_freight", "freight_rates"):
        return
    nodes = {node.id: node for section in NODE_SECTIONS for node in getattr(scenario, section)}
    rates, default = scenario.freight_rates is not None, scenario.default_freight is not None
    for i, lane in enumerate(scenario.lanes):
        origin, destination = nodes.get(lane.origin), nodes.get(lane.destination)
        if origin is None or destination is None:
            continue  # an unknown end: _lane_ends says so
        ports = origin.port is not None and destination.port is not None
        if not lane.modes and lane.freight is None and not (default or (rates and can_route(origin, destination))):
            yield Problem(("lanes", i), "a lane without a mode: give freight or modes (nothing computes its freight: "
                          f"{_no_route(rates, 'ports or locations')})")
        for j, mode in enumerate(lane.modes):
            if mode.cost is None and mode.cost_per_km is None and not (default or (rates and ports)):
                yield Problem(("lanes", i, "modes", j), "a sea mode without a cost, and nothing computes it "
                              f"({_no_route(rates, 'ports')}); give cost or cost_per_km")
            if mode.cost_per_km is not None and lane.distance_km is None and not (
                    origin.location is not None and destination.location is not None):
                ends = " and ".join(repr(end.id) for end in (origin, destination) if end.location is None)
                yield Problem(("lanes", i, "modes", j, "cost_per_km"), "a cost per km needs a distance: give the "
                              f"lane's distance_km, or a location for {ends}")


def _no_route(rates: bool, what: str) -> str:
    """Why freight cannot be computed between a lane's ends."""
    return (f"its ends lack the {what} freight_rates need" if rates else "no freight_rates") + (
        ", and no default_freight")


def _singular(section: str) -> str:
    return "facility" if section == "facilities" else section[:-1]


def _bills_of_materials(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Every component a bill of materials names is known, and no component contains itself."""
    if not context.usable("products", "components"):
        return
    components = {c.id: c for c in scenario.components}
    known = context.known("components", components)
    for section, entries in (("products", scenario.products), ("components", scenario.components)):
        for i, entry in enumerate(entries):
            for name in entry.bom:
                if name not in known:
                    yield _unknown((section, i, "bom", name), "component", name, known)
    for i, component in enumerate(scenario.components):
        cycle = _bom_cycle(component.id, components)
        if cycle:
            yield Problem(("components", i, "bom"), f"component {component.id!r} contains itself: "
                          f"{' -> '.join(cycle)}")


def _bom_cycle(start: str, components: Mapping[str, object]) -> list[str]:
    """A path of components from ``start`` back to it through their bills of materials (empty: none)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for part in getattr(components.get(name), "bom", {}):
            if part == start:
                return [*path, part]
            if part not in seen:
                seen.add(part)
                stack.append((part, [*path, part]))
    return []


def _year_list(years: list[int]) -> str:
    return ", ".join(str(year) for year in years[:6]) + (" ..." if len(years) > 6 else "")


def _years(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    if not context.usable("horizon"):
        return
    horizon = scenario.horizon
    span = f"{horizon.start}-{horizon.end}"
    for i, market in enumerate(scenario.markets):
        for section in ("demand", "price", "lost_sale_penalty"):
            for product, series in getattr(market, section).items():
                if isinstance(series, dict):
                    outside = [year for year in series if not horizon.start <= year <= horizon.end]
                    if outside:
                        yield Problem(("markets", i, section, product),
                                      f"{_year_list(outside)} outside the horizon {span}")
    for i, plant in enumerate(scenario.plants):
        for j, pool in enumerate(plant.pools):
            if isinstance(pool.capacity, dict):
                missing = [y for y in horizon.years if y not in pool.capacity]
                if missing:
                    yield Problem(("plants", i, "pools", j, "capacity"),
                                  f"no capacity for {_year_list(missing)}; give one per year {span} "
                                  "or a single number")
    if scenario.objective == "maximize_profit":
        for i, market in enumerate(scenario.markets):
            for product, series in market.demand.items():
                price = market.price.get(product)
                missing = [y for y, units in _demand_years(series, horizon.years) if units > 0
                           and (price is None or (isinstance(price, dict) and y not in price))]
                if missing:
                    yield Problem(("markets", i, "price", product),
                                  f"maximize_profit needs a price for every year with demand; "
                                  f"missing {_year_list(missing)}")


def _demand_years(series: Series, years: list[int]) -> Iterator[tuple[int, float]]:
    for year, units in zip(years, year_values(series, years), strict=True):
        yield year, 0.0 if units is None else units


def _unservable_demand(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Demand that no plant can serve, where unserved demand is not allowed."""
    if scenario.objective == "maximize_profit" or not context.usable(
            "horizon", "markets", "default_freight", "freight_rates"):
        return
    if not context.complete("plants", "capabilities", "lanes", "facilities"):
        return  # a plant, capability, lane or facility that did not load might have served it
    plants = {plant.id: plant for plant in scenario.plants}
    makers: dict[str, set[str]] = {}
    for capability in scenario.capabilities:
        if capability.plant in plants:
            makers.setdefault(capability.product, set()).add(capability.plant)
    lanes = {(lane.origin, lane.destination) for lane in scenario.lanes}

    def joined(origin: Any, destination: Any) -> bool:
        return (scenario.default_freight is not None or (origin.id, destination.id) in lanes
                or (scenario.freight_rates is not None and can_route(origin, destination)))

    for i, market in enumerate(scenario.markets):
        through = [facility for facility in scenario.facilities if joined(facility, market)]
        for product, series in market.demand.items():
            if product in market.lost_sale_penalty:
                continue
            if not any(units > 0 for _, units in _demand_years(series, scenario.horizon.years)):
                continue
            reachable = {plant for plant in makers.get(product, set()) if joined(plants[plant], market)
                         or any(joined(plants[plant], facility) for facility in through)}
            if not reachable:
                yield Problem(
                    ("markets", i, "demand", product),
                    f"no plant can build {product!r} for {market.id!r} (no capability or no lane) "
                    "and no lost_sale_penalty allows it to go unserved",
                )


def _series(scenario: ScenarioFields) -> Iterator[tuple[Loc, Series]]:
    """Every per-year series of the scenario: demand, prices, lost-sale penalties and capacities."""
    for i, market in enumerate(scenario.markets):
        for section in ("demand", "price", "lost_sale_penalty"):
            for product, values in getattr(market, section).items():
                yield ("markets", i, section, product), values
    for i, plant in enumerate(scenario.plants):
        for j, pool in enumerate(plant.pools):
            yield ("plants", i, "pools", j, "capacity"), pool.capacity


def _growth_bounds(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """A growth series may not grow past the largest number a scenario may hold within the horizon."""
    if not context.usable("horizon"):
        return
    years = scenario.horizon.years
    for loc, values in _series(scenario):
        if isinstance(values, Growth):
            too_large = [(year, value) for year, value in zip(years, values.over(years), strict=True)
                         if not value <= MAX_MAGNITUDE]
            if too_large:
                year, value = too_large[0]
                yield Problem(loc, f"grows to {value:.3g} by {year}, past the largest number a scenario may hold "
                                   f"({LARGEST}); check its growth rate (0.05 = 5% a year)")


def _most_made(scenario: ScenarioFields, plant: Plant, product: str) -> list[float]:
    """The most ``plant`` could make of ``product`` in each year of the horizon, alone: the tightest of the pools
    covering it, with every option on them built as often as it may be; 0 where it cannot operate (or open)."""
    years = scenario.horizon.years
    most = [float("inf")] * len(years)
    for pool in plant.pools:
        if product not in pool.products:
            continue
        base = [value or 0.0 for value in year_values(pool.capacity, years)]
        for option in scenario.options:
            if option.plant == plant.id and option.pool == pool.id:
                added = value_of(option.capacity) * option.max_builds
                base = [amount + (added if year >= (option.earliest_year or years[0]) else 0.0)
                        for amount, year in zip(base, years, strict=True)]
        most = [min(a, b) for a, b in zip(most, base, strict=True)]
    first_open = plant.earliest_open if plant.candidate and plant.earliest_open is not None else years[0]
    return [amount if plant.operating_years.contains(year) and year >= first_open else 0.0
            for amount, year in zip(most, years, strict=True)]


def _single_sources(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Single-sourced demand that no plant can serve alone (each capable plant's capacity below it), where
    unserved demand is not allowed."""
    if scenario.objective == "maximize_profit" or not context.usable(
            "horizon", "markets", "default_freight", "freight_rates", "products"):
        return
    if not context.complete("plants", "capabilities", "lanes", "options"):
        return  # a plant, capability, lane or option that did not load might have served it
    plants = {plant.id: plant for plant in scenario.plants}
    lanes = {(lane.origin, lane.destination) for lane in scenario.lanes}
    years = scenario.horizon.years
    makers: dict[str, list[Plant]] = {}
    for capability in scenario.capabilities:
        if capability.plant in plants:
            makers.setdefault(capability.product, []).append(plants[capability.plant])
    most_made: dict[tuple[str, str], list[float]] = {}
    for i, market in enumerate(scenario.markets):
        for product in market.single_sourced():
            if product in market.lost_sale_penalty:
                continue
            reach = [plant for plant in makers.get(product, []) if scenario.default_freight is not None
                     or (plant.id, market.id) in lanes
                     or (scenario.freight_rates is not None and can_route(plant, market))]
            if not reach or any(scenario.default_freight is not None or (facility.id, market.id) in lanes
                                or (scenario.freight_rates is not None and can_route(facility, market))
                                for facility in scenario.facilities):
                continue  # no plant at all: _unservable_demand says so; a centre may gather what one plant cannot
            for plant in reach:
                if (plant.id, product) not in most_made:
                    most_made[plant.id, product] = _most_made(scenario, plant, product)
            most = [max(column) for column in zip(*(most_made[plant.id, product] for plant in reach), strict=True)]
            short_of = [(year, units, can) for year, units, can in zip(
                years, (units for _, units in _demand_years(market.demand[product], years)), most, strict=True)
                if units > can]
            if short_of:
                year, units, can = short_of[0]
                yield Problem(("markets", i, "single_source"),
                              f"{product!r} is single-sourced, but no plant can serve its demand alone in {year} "
                              f"({units:,.6g} units; the most one plant can make is {can:,.6g}) and no "
                              "lost_sale_penalty allows it to go unserved; add capacity, allow lost sales or "
                              "take the product off single_source")


def _members(count: int) -> str:
    return f"{count} member{'' if count == 1 else 's'}"


def _group_bounds(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Count rules no plan can meet: more members to open than can be open, or fewer than must be (plants that
    operate and that the plan can neither open nor close)."""
    if not context.usable("horizon") or not context.complete(*MEMBER_KINDS):
        return
    sites = {kind: list(getattr(scenario, kind)) for kind in MEMBER_KINDS}
    sections = {kind: [site.id for site in entries] for kind, entries in sites.items()}
    for i, group in enumerate(scenario.groups):
        members = [sites[found[0]][found[1]] for found in group_members(sections, group) if found]
        for year in group.years(scenario.horizon.years):
            operating = [plant for plant in members if plant.operating_years.contains(year)]
            must = sum(not plant.candidate and not plant.closable for plant in operating)
            can = sum(not plant.candidate or (plant.earliest_open or year) <= year for plant in operating)
            if group.min_open is not None and group.min_open > can:
                yield Problem(("groups", i, "min_open"), f"at least {_members(group.min_open)} open in {year}, "
                                                         f"but only {can} of them can be open then")
                break
            if group.max_open is not None and group.max_open < must:
                yield Problem(("groups", i, "max_open"), f"at most {_members(group.max_open)} open in {year}, "
                                                         f"but {must} of them operate then and cannot close "
                                                         "(closable: false)")
                break


CONSISTENCY_CHECKS: tuple[Check, ...] = (_duplicates, _references, _years, _unservable_demand, _growth_bounds,
                                         _single_sources, _group_bounds, _lane_modes)


# Warnings: valid, but probably not what was meant.

MOST_LIKELY_RATE = 1.0
"""A rate above this (100%: a duty, a discount rate, a growth rate a year) is more likely a percentage typed
as a number (25 for 25%)."""


def _warning(loc: Loc, message: str) -> Problem:
    return Problem(loc, message, "warning")


def _rates(scenario: ScenarioFields) -> Iterator[tuple[Loc, str, Num]]:
    """The scenario's own ad valorem rates: (loc, product class, rate)."""
    for i, tariff in enumerate(scenario.tariffs):
        yield ("tariffs", i, "rate"), tariff.product_class, tariff.rate
    for i, agreement in enumerate(scenario.agreements):
        for j, rate in enumerate(agreement.rates):
            yield ("agreements", i, "rates", j, "rate"), rate.product_class, rate.rate


def _shares(scenario: ScenarioFields) -> Iterator[tuple[Loc, str, str, Num]]:
    """Every rate the scenario writes as a share (0.25 = 25%): (loc, what it is, per what, rate)."""
    for loc, _, rate in _rates(scenario):
        yield loc, "rate", "", rate
    yield ("discount_rate",), "discount rate", " a year", scenario.discount_rate
    for loc, values in _series(scenario):
        if isinstance(values, Growth):
            yield (*loc, "growth"), "growth rate", " a year", values.growth


def _ends(number: Num) -> Iterator[tuple[Loc, float]]:
    """A number's value, then a figure's high and low (a sensitivity samples them), each with its key."""
    yield (), value_of(number)
    if isinstance(number, Figure):
        yield from (((end,), value) for end, value in (("high", number.high), ("low", number.low))
                    if value is not None)


def _rate_sizes(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    for loc, what, per, number in _shares(scenario):
        for end, rate in _ends(number):
            if rate > MOST_LIKELY_RATE:
                yield _warning((*loc, *end), f"a {what} of {rate:g} is {rate:.0%}{per}; {what}s are shares "
                                             f"({rate / 100:g} = {rate:g}%): did you mean {rate / 100:g}?")
                break  # one warning for a number: the value, else the high end of its range


def regime_covers_nothing(regime: str, classes: Iterable[str]) -> str | None:
    """Why ``regime`` changes no rate of products of ``classes`` (it has rates for other classes only), or None."""
    tariffs, agreements = regime_rules(regime)
    covered = {t.product_class for t in tariffs} | {rate.product_class for a in agreements for rate in a.rates}
    classes = sorted(set(classes))
    if any(covers_any(rate_class, classes) for rate_class in covered):
        return None
    several = len(covered) > 1
    rates = f"has rates for product class{'es' if several else ''} {', '.join(sorted(covered))} only" if covered \
        else "has no rates"
    those = "those classes" if several else "that class"
    return (f"regime {regime!r} {rates}, and the scenario has no product of {those} (its products' "
            f"class{'es' if len(classes) > 1 else ''}: {', '.join(classes)}): its rates apply to nothing")


def _regime_classes(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    if scenario.regime is None or not context.complete("products"):
        return
    message = regime_covers_nothing(scenario.regime, scenario.goods_classes())
    if message is not None:
        yield _warning(("regime",), message)


def _unknown_classes(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    if not context.complete("products"):
        return
    classes = scenario.goods_classes()
    for loc, product_class, _ in _rates(scenario):
        if not covers_any(product_class, classes):
            under = " or a class under it" if hs_digits(product_class) is not None else ""
            yield _warning((*loc[:-1], "product_class"),
                           f"no product has class {product_class!r}{under}, so this rate applies to nothing; "
                           f"the products' classes: {', '.join(sorted(classes))}")


def _broken_codes(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Classes written as HS codes of an odd number of digits: they match only themselves."""
    classes = [(("products", i, "product_class"), p.product_class) for i, p in enumerate(scenario.products)]
    classes += [((*loc[:-1], "product_class"), product_class) for loc, product_class, _ in _rates(scenario)]
    for loc, product_class in classes:
        if broken_code(product_class):
            digits = sum(ch.isdigit() for ch in product_class)
            yield _warning(loc, f"{product_class!r} has {digits} digits, no level of the HS (2, 4, 6, 8 or 10), so "
                                "it is matched as written and covers no other class; a typo, or a spreadsheet's "
                                f"number that lost a trailing 0 ({product_class}0)?")


def _places(codes: Iterable[str]) -> set[str]:
    """The countries and unions ``codes`` stand for: each country, and each union it was ever in."""
    places = set()
    for code in codes:
        places.add(code)
        places |= {union.code for union in customs_unions().values() if code in union.countries()}
        if code in customs_unions():
            places |= customs_unions()[code].countries()
    return places


def _tariff_places(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Rates from or into a country no goods leave or enter. Goods leave a plant's or a supplier's country (a
    supplier's components pay duties too) and enter a market's, or a plant's when plants take in components."""
    plants = [p.country for p in scenario.plants]
    sources = {("plant", "plants"): plants, ("supplier", "suppliers"): [s.country for s in scenario.suppliers]}
    sinks = {("market", "markets"): [m.country for m in scenario.markets],
             ("plant taking in components", "plants taking in components"): plants if scenario.components else []}
    origins, destinations = _places(chain(*sources.values())), _places(chain(*sinks.values()))
    for i, tariff in enumerate(scenario.tariffs):
        if context.complete("plants", "suppliers") and tariff.origin != ANY_ORIGIN and tariff.origin not in origins:
            yield _warning(("tariffs", i, "origin"), _nowhere(sources, tariff.origin))
        if context.complete("markets", "plants", "components") and tariff.destination not in destinations:
            yield _warning(("tariffs", i, "destination"), _nowhere(sinks, tariff.destination))


def _nowhere(sites: Mapping[tuple[str, str], list[str]], country: str) -> str:
    """"no plant or supplier is in BR, so this rate applies to nothing; plants are in KR, US": the kinds of site
    the rate could apply to (those the scenario has, else the first), and where the scenario has them."""
    kinds = [kind for kind, countries in sites.items() if countries] or list(sites)[:1]
    where = "; ".join(f"{plural} are in {', '.join(sorted(set(sites[(one, plural)])))}"
                      for one, plural in kinds if sites[(one, plural)])
    return (f"no {' or '.join(one for one, _ in kinds)} is in {country}, so this rate applies to nothing"
            + (f"; {where}" if where else ""))


def _membership(membership: Membership) -> str:
    if membership.to_date == dt.date.max:
        return f"since {membership.from_date}"
    if membership.from_date == dt.date.min:
        return f"until {membership.to_date}"
    return f"from {membership.from_date} to {membership.to_date}"


def _replaces(member_rate: Tariff, union_rate: Tariff) -> bool:
    """Whether a rate into a member replaces ``union_rate`` on some goods: classes that share goods (a destination's
    own rate wins over its union's, however broad its class), the same measure, origins that meet."""
    return (overlap(union_rate.product_class, member_rate.product_class) and union_rate.key()[3] == member_rate.key()[3]
            and (ANY_ORIGIN in (union_rate.origin, member_rate.origin) or union_rate.origin == member_rate.origin))


def _member_rates(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """A rate into a customs union's member, in force while it is a member: it replaces the union's rate there,
    which a common external tariff rarely means (a UK rate undated, the UK in the EU until 2020)."""
    if not context.usable("horizon", "regime", "tariffs", "agreements"):
        return
    first, last = dt.date(scenario.horizon.start, 1, 1), dt.date(scenario.horizon.end, 12, 31)
    into_union: dict[str, list[Tariff]] = {}
    for rate in scenario.trade_rules[0]:
        into_union.setdefault(rate.destination, []).append(rate)
    for i, tariff in enumerate(scenario.tariffs):
        for union in customs_unions().values():
            membership = union.membership(tariff.destination)
            if membership is None:
                continue
            found = next(((rate, days) for rate in into_union.get(union.code, []) if _replaces(tariff, rate)
                          and (days := _overlap(first, last, membership, tariff, rate)) is not None), None)
            if found is None:
                continue
            union_rate, (start, end) = found
            years = f"{start.year}" if start.year == end.year else f"{start.year}-{end.year}"
            member, code = tariff.destination, union.code
            yield _warning(("tariffs", i), (
                f"while {member} is in the {code} ({_membership(membership)}), this rate replaces the {code}'s "
                f"({union_rate.origin} -> {code}, class {union_rate.product_class}) on imports into {member} in "
                f"{years}: a member's own rate replaces its union's; date it to the days {member} is outside the "
                f"{code}"))


def _overlap(first: dt.date, last: dt.date, membership: Membership, member_rate: Tariff,
             union_rate: Tariff) -> tuple[dt.date, dt.date] | None:
    """The days of the horizon (``first`` to ``last``) on which both rates are in force and the country is a
    member, as a first and last day; None if there are none."""
    start = max(first, membership.from_date, member_rate.span()[0], union_rate.span()[0])
    end = min(last, membership.to_date, member_rate.span()[1], union_rate.span()[1])
    return (start, end) if start <= end else None


def _outside_horizon(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Dated entries that are in force on no day of the horizon."""
    if not context.usable("horizon"):
        return
    first, last = dt.date(scenario.horizon.start, 1, 1), dt.date(scenario.horizon.end, 12, 31)
    span = f"{scenario.horizon.start}-{scenario.horizon.end}"

    def outside(start: dt.date, end: dt.date) -> bool:
        return end < first or start > last

    for i, tariff in enumerate(scenario.tariffs):
        if outside(*tariff.span()):
            yield _warning(("tariffs", i), f"in force only outside the horizon {span}: it changes nothing")
    for i, agreement in enumerate(scenario.agreements):
        for j, rate in enumerate(agreement.rates):
            if outside(*rate.span()):
                yield _warning(("agreements", i, "rates", j),
                               f"in force only outside the horizon {span}: it changes nothing")
    for currency, spec in scenario.fx.items():
        path = getattr(spec, "path", None)
        if path and all(not scenario.horizon.start <= year <= scenario.horizon.end for year in path):
            yield _warning(("fx", currency, "path"), f"every year of the path ({_year_list(sorted(path))}) is "
                                                      f"outside the horizon {span}: it changes nothing")
    for i, plant in enumerate(scenario.plants):
        years = plant.operating_years
        if not any(years.contains(year) for year in scenario.horizon.years):
            yield _warning(("plants", i, "operating_years"),
                           f"the plant operates in no year of the horizon {span}: it can build nothing")


def _late_options(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Options that can come online in no year of the horizon."""
    if not context.usable("horizon", "plants"):
        return
    plants = {plant.id: plant for plant in scenario.plants}
    span = f"{scenario.horizon.start}-{scenario.horizon.end}"
    for i, option in enumerate(scenario.options):
        earliest = option.earliest_year or scenario.horizon.start
        plant = plants.get(option.plant)
        if earliest > scenario.horizon.end:
            yield _warning(("options", i, "earliest_year"),
                           f"{earliest} is after the horizon {span}: the option can never be built")
        elif plant is not None and not any(plant.operating_years.contains(year)
                                           for year in range(earliest, scenario.horizon.end + 1)):
            yield _warning(("options", i), f"plant {plant.id!r} does not operate from {earliest} to "
                                           f"{scenario.horizon.end}: the option can never be used")


def _late_openings(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Candidate plants that can be open in no year of the horizon (though they operate in some)."""
    if not context.usable("horizon"):
        return
    horizon = scenario.horizon
    for i, plant in enumerate(scenario.plants):
        earliest = plant.earliest_open or horizon.start
        if not plant.candidate or not any(plant.operating_years.contains(year) for year in horizon.years):
            continue  # a plant operating in no year of the horizon has its warning (_outside_horizon)
        if earliest > horizon.end:
            yield _warning(("plants", i, "earliest_open"),
                           f"{earliest} is after the horizon {horizon.start}-{horizon.end}: the plant can never open")
        elif not any(plant.operating_years.contains(year) for year in range(earliest, horizon.end + 1)):
            yield _warning(("plants", i), f"the plant does not operate from {earliest} to {horizon.end}: "
                                          "it can never open")


def _component_sources(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """A component that a bill of materials needs and no supplier sells nor plant makes (what needs it cannot be
    made), and one that no bill of materials names (it is never used)."""
    if not context.complete("components", "suppliers", "capabilities", "products"):
        return
    sold = {supply.component for supplier in scenario.suppliers for supply in supplier.supplies}
    made = {capability.product for capability in scenario.capabilities}
    needed = {name for entry in (*scenario.products, *scenario.components) for name in entry.bom}
    for i, component in enumerate(scenario.components):
        if component.id in needed and component.id not in sold | made:
            users = [entry.id for entry in (*scenario.products, *scenario.components) if component.id in entry.bom]
            yield _warning(("components", i), f"no supplier sells {component.id!r} and no plant makes it: "
                           f"{', '.join(map(repr, users))} cannot be made")
        elif component.id not in needed:
            yield _warning(("components", i), f"no bill of materials names {component.id!r}: it is never used")


def _idle_rules(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """Sourcing rules that change nothing: a product single-sourced where the market has no demand for it, a
    group whose years are all outside the horizon."""
    if context.usable("products"):
        for i, market in enumerate(scenario.markets):
            if isinstance(market.single_source, list):
                for k, product in enumerate(market.single_source):
                    if product not in market.demand and product in {p.id for p in scenario.products}:
                        yield _warning(("markets", i, "single_source", k),
                                       f"{market.id!r} has no demand for {product!r}: single-sourcing it changes "
                                       "nothing")
    if context.usable("horizon"):
        for i, group in enumerate(scenario.groups):
            if not group.years(scenario.horizon.years):
                yield _warning(("groups", i), f"the rule holds in no year of the horizon {scenario.horizon.start}-"
                                              f"{scenario.horizon.end}: it changes nothing")


def _certificates(scenario: ScenarioFields, context: Context) -> Iterator[Problem]:
    """A supplier's certificate of origin under an agreement the scenario lacks: a warning, not an error, for a
    variant without the regime drops the agreements its certificates name (its parts then pay the general rate)."""
    if not context.usable("suppliers", "agreements", "regime"):
        return
    agreements = context.known("agreements", (a.id for a in scenario.trade_rules[1]))
    for i, supplier in enumerate(scenario.suppliers):
        for j, supply in enumerate(supplier.supplies):
            for k, name in enumerate(supply.originating):
                if name not in agreements:
                    unknown = _unknown(("suppliers", i, "supplies", j, "originating", k), "agreement", name,
                                       agreements)
                    yield _warning(unknown.loc, f"{unknown.message}: the certificate gives nothing, the part pays "
                                                "the general rate")


WARNING_CHECKS: tuple[Check, ...] = (_certificates, _rate_sizes, _unknown_classes, _broken_codes, _regime_classes,
                                     _tariff_places, _member_rates, _outside_horizon, _late_options, _late_openings,
                                     _component_sources, _idle_rules)
SCENARIO_CHECKS: tuple[Check, ...] = CONSISTENCY_CHECKS + WARNING_CHECKS
"""Every check that needs only the scenario; the economics layer adds those that need exchange rates
and landed costs."""

