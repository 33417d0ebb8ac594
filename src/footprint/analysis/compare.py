"""Two plans compared: what B decides, supplies and costs that A does not.

Each table lists every difference once, B against A (``added``: only in B, ``removed``: only in A), in a
fixed order, so the same two plans always give the same rows. ``compare(b, a)`` is the mirror image of
``compare(a, b)`` (added and removed swap, moves reverse, differences change sign) and ``compare(a, a)``
has no differences. Plans of different horizons, products or markets compare too: what only one has is
a difference. Amounts are compared only in one reporting currency; the decisions and flows always are.
The decisions compared are those of a level (plan/decisions.py): by default every level, strategic (builds,
plants) first, then assignments (a product made at a plant in one plan only; an assignment that makes
nothing is a tie, not a decision) and single sources (the plant a single-sourced demand comes from), then flows
(which plant or facility supplies each market) and parts (which supplier or plant supplies each component a plant
uses); the key figures and costs are compared at every level. Suppliers and facilities open and close as plants do.
A stochastic plan (its tables stacked by future) compares as its expected plan (analysis/expected.py):
amounts weighted by the futures' probabilities, the decisions those it takes in every future, and those
it takes in some futures only named in the notes with the probability of the futures that take them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import pandas as pd

from footprint.analysis.expected import decided_by_future, expected_plan
from footprint.plan.decisions import Level, making
from footprint.plan.plan import Plan

LOST_SALES = "(lost sales)"
"""The supply source of units a plan leaves unserved: moves to it are sales lost in B, from it sales won back."""
FACILITY = "(facility)"
"""The sourcing of a market's supply from a facility (distribution centre): its ``plant`` is the facility."""
DEMAND = "(demand)"
"""The supply source of demand only one plan has: moves from it supply B's extra demand, moves to it
supplied demand that B does not have."""
TOLERANCE = 1e-6
"""Units, shares and amounts this close (relative to the largest of their kind, at least 1) count as equal:
what a solver's rounding leaves between two plans that decide the same."""

_YEAR = "Int64"  # a year or NA: a difference that one plan has no year for
BUILDS = {"option": "str", "plant": "str", "pool": "str", "year_a": _YEAR, "year_b": _YEAR, "count_a": "int64",
          "count_b": "int64", "change": "str"}
PLANTS = {"plant": "str", "event": "str", "year_a": _YEAR, "year_b": _YEAR, "change": "str"}
ASSIGNMENTS = {"plant": "str", "product": "str", "year": "int64", "change": "str"}
SINGLE_SOURCES = {"product": "str", "market": "str", "year": "int64", "plant_a": "object", "plant_b": "object"}
FLOWS = {"product": "str", "market": "str", "year": "int64", "from_plant": "str", "from_sourcing": "str",
         "to_plant": "str", "to_sourcing": "str", "units": "float64"}
PARTS = {"component": "str", "plant": "str", "year": "int64", "from_source": "str", "from_kind": "str",
         "to_source": "str", "to_kind": "str", "units": "float64"}
COSTS = {"component": "str", **{f"{value}_{side}": "float64" for value in ("amount", "discounted")
                                for side in ("a", "b", "difference")}}
CURRENCIES = {"currency": "str", **{f"{value}_{side}": "float64" for value in ("amount", "amount_in_currency")
                                    for side in ("a", "b", "difference")}}
KPI_TABLE = {"kpi": "str", "unit": "str", "a": "float64", "b": "float64", "difference": "float64"}
"""Each table of a Comparison: its columns, in order, and their types."""
KPIS = {
    "objective": "the objective: NPV of cost, or of profit (summary 'objective')",
    "gap": "relative gap of the plan to the solver's bound (0: proven optimal)",
    "capex": "capex of every build, undiscounted",
    "builds": "builds of capacity options (an option built twice counts twice)",
    "added_capacity": "capacity the builds add, units a year",
    "demand": "units demanded over the horizon",
    "served": "units served over the horizon",
    "lost": "units left unserved over the horizon",
    "utilization": "units made over capacity, all pools and years with capacity",
    "plants_open": "plants open in the plan's last year",
}
"""The KPIs side by side, in order; capex and the objective are money, in the reporting currency."""
_MONEY_KPIS = ("objective", "capex")


SUMMARY_KEYS = ("status", "objective", "objective_sense", "currency")
"""What compare reads from each plan's summary."""
LISTED = 8
"""How many of a stochastic plan's decisions by future a note names (the rest it counts)."""


class CompareError(ValueError):
    """Two plans that cannot be compared (a summary without what compare reads), or bad names."""


@dataclass(frozen=True)
class Comparison:
    """Plan B against plan A. In builds and plants, year_a and year_b are nullable integers (NA: not in
    that plan)."""

    names: tuple[str, str]
    """What the two plans are called in notes and views ("A", "B")."""
    scenarios: tuple[str, str]
    """The scenario of each plan, A's then B's."""
    status: tuple[str, str]
    """The solver's status of each plan (``optimal``, ``time_limit``, ...)."""
    objective_sense: tuple[str, str]
    """Each plan's objective: ``minimize_cost`` or ``maximize_profit``."""
    currency: str | None
    """The reporting currency of both plans; None when they differ, and then no amounts are compared."""
    level: Level
    """The decisions compared: assignments only from the assignments level, flows only at the flows level
    (the tables beyond the level are empty)."""
    builds: pd.DataFrame
    """option, plant, pool, year_a, year_b, count_a, count_b, change: one row per year in which the option's
    builds differ. ``count``: built in the same year, a different number of times; ``moved``: a year only
    A builds in paired with one only B builds in (the earliest with the earliest); ``removed`` and
    ``added``: a year left over, only in A or only in B. count_a, count_b: builds in year_a, year_b."""
    plants: pd.DataFrame
    """plant, event (``opens`` or ``closes``), year_a, year_b, change (``added``, ``removed``, ``moved``); ``plant``
    is any site the plans open or close: a plant, a supplier or a facility."""
    assignments: pd.DataFrame
    """plant, product, year, change: a product made at a plant in that year in B only (``added``) or in A only
    (``removed``)."""
    single_sources: pd.DataFrame
    """product, market, year, plant_a, plant_b: a single-sourced demand whose source differs, the plant each plan
    serves it from (None: that plan has no single source for it, the demand being unserved, not single-sourced
    or not there)."""
    flows: pd.DataFrame
    """product, market, year, from_plant, from_sourcing, to_plant, to_sourcing, units: supply moved from
    a source in A to one in B. A source is a plant with its sourcing (``own``, or the sourcing option
    used), so a change of sourcing at one plant is a move too, or a facility (sourcing FACILITY) for what the
    market receives through it; LOST_SALES and DEMAND (sourcing NA) stand for unserved units and for demand only
    one plan has. Within a product, market and year, the sources that lose most give first, to those that gain
    most."""
    parts: pd.DataFrame
    """component, plant, year, from_source, from_kind, to_source, to_kind, units: a plant's supply of a component
    moved from a source in A to one in B, as flows are (kind ``supplier`` or ``plant``: a plant making it, the
    using plant itself included; DEMAND, kind NA, for what one plan's plant uses and the other's does not)."""
    costs: pd.DataFrame
    """component, amount_a, amount_b, amount_difference (undiscounted), discounted_a, discounted_b,
    discounted_difference (NPV): every component either plan has; difference = B - A. Revenue is a negative
    cost, as in the Plan. Empty when the reporting currencies differ."""
    currencies: pd.DataFrame
    """currency, amount_a, amount_b, amount_difference (reporting currency), amount_in_currency_a, _b,
    _difference (the currency's own): costs net of revenue by the currency they are incurred in (the
    ``exposure`` table). Empty when the reporting currencies differ."""
    kpis: pd.DataFrame
    """kpi, unit, a, b, difference: the KPIS in order (money ones only in one reporting currency; the
    objective's difference NaN when one plan minimizes cost and the other maximizes profit)."""
    notes: tuple[str, ...]
    """What limits the comparison: currencies or objectives that differ, horizons, products or markets one
    plan lacks, a plan not proven optimal."""

    @property
    def empty(self) -> bool:
        """No difference: the same decisions (at the level), flows, costs and KPIs (within TOLERANCE)."""
        tables = (self.builds, self.plants, self.assignments, self.single_sources, self.flows, self.parts)
        sides = [(self.costs, f"{what}_a", f"{what}_b") for what in ("amount", "discounted")]
        sides += [(self.currencies, f"{what}_a", f"{what}_b") for what in ("amount", "amount_in_currency")]
        sides.append((self.kpis, "a", "b"))
        return all(frame.empty for frame in tables) and not any(
            _differs(frame[a], frame[b]).any() for frame, a, b in sides)


def compare(a: Plan, b: Plan, names: tuple[str, str] = ("A", "B"), level: Level | str = Level.FLOWS) -> Comparison:
    """Plan ``b`` against plan ``a``: each difference of decisions (at ``level``), flows, costs and KPIs once
    (see :class:`Comparison`). CompareError for a plan whose summary lacks one of SUMMARY_KEYS."""
    if len(names) != 2 or not all(names) or names[0] == names[1]:
        raise CompareError(f"names: expected two different names, found {names!r}")
    for name, plan in zip(names, (a, b), strict=True):
        missing = [key for key in SUMMARY_KEYS if key not in plan.summary]
        if missing:
            raise CompareError(f"plan {name}: its summary has no {', '.join(missing)}")
    level = Level(level)
    stochastic = list(_stochastic_notes(a, b, names, level))
    a, b = (expected_plan(plan) if plan.stacked else plan for plan in (a, b))
    currencies = (str(a.summary["currency"]), str(b.summary["currency"]))
    currency = currencies[0] if currencies[0] == currencies[1] else None
    senses = (str(a.summary["objective_sense"]), str(b.summary["objective_sense"]))
    return Comparison(
        names=(str(names[0]), str(names[1])),
        scenarios=(str(a.summary.get("scenario", "")), str(b.summary.get("scenario", ""))),
        status=(a.status, b.status),
        objective_sense=senses,
        currency=currency,
        level=level,
        builds=_builds(a.builds, b.builds),
        plants=_plants(a, b),
        assignments=(_assignments(a.assignments, b.assignments) if level.holds(Level.ASSIGNMENTS)
                     else _table([], ASSIGNMENTS)),
        single_sources=(_single_sources(a.tables["single_sources"], b.tables["single_sources"])
                        if level.holds(Level.ASSIGNMENTS) else _table([], SINGLE_SOURCES)),
        flows=_moves(_supply(a), _supply(b), _CELL, FLOWS) if level.holds(Level.FLOWS) else _table([], FLOWS),
        parts=_moves(_parts(a), _parts(b), _PART, PARTS) if level.holds(Level.FLOWS) else _table([], PARTS),
        costs=_costs(a.costs, b.costs) if currency is not None else _table([], COSTS),
        currencies=(_currencies(a.tables["exposure"], b.tables["exposure"]) if currency is not None
                    else _table([], CURRENCIES)),
        kpis=_kpis(a, b, currency, senses),
        notes=(*stochastic, *_notes(a, b, names, currencies, senses)),
    )


def _table(rows: list[tuple[object, ...]], schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(schema)).astype(schema)


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Row by row, whether ``a`` and ``b`` differ by more than TOLERANCE relative to the larger (NaN equals
    NaN: a KPI neither plan has)."""
    left, right = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    scale = np.maximum(1.0, np.maximum(np.abs(np.nan_to_num(left)), np.abs(np.nan_to_num(right))))
    same = (np.isnan(left) & np.isnan(right)) | (np.abs(left - right) <= TOLERANCE * scale)
    return ~same


_Pair = tuple[int | None, int | None, int, int, str]


def _paired_years(a: Counter[int], b: Counter[int]) -> Iterator[_Pair]:
    """(year_a, year_b, count_a, count_b, change) for each year in which ``a`` and ``b`` (count per year)
    differ: a year in both with different counts, or years in one only, paired earliest with earliest; the
    years left over added or removed. Swapping ``a`` and ``b`` swaps the pairs."""
    for year in sorted(a.keys() & b.keys()):
        if a[year] != b[year]:
            yield year, year, a[year], b[year], "count"
    only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    for year_a, year_b in zip(only_a, only_b, strict=False):
        yield year_a, year_b, a[year_a], b[year_b], "moved"
    for year_a in only_a[len(only_b):]:
        yield year_a, None, a[year_a], 0, "removed"
    for year_b in only_b[len(only_a):]:
        yield None, year_b, 0, b[year_b], "added"


def _in_order(pairs: Iterable[_Pair]) -> list[_Pair]:
    """By the earlier of their years: each year is in one pair only, so the order is the same both ways."""
    return sorted(pairs, key=lambda pair: min(year for year in pair[:2] if year is not None))


def _years_by(rows: Iterable[tuple[tuple[str, ...], int, int]]) -> dict[tuple[str, ...], Counter[int]]:
    """(key, year, count) rows as a count per year for each key."""
    by: dict[tuple[str, ...], Counter[int]] = {}
    for key, year, count in rows:
        if count > 0:
            by.setdefault(key, Counter())[year] += count
    return by


def _builds(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Builds per option (with its plant and pool: a scenario that moves an option to another pool builds
    another option) and year, paired by :func:`_paired_years`."""
    def by_option(builds: pd.DataFrame) -> dict[tuple[str, ...], Counter[int]]:
        return _years_by(((str(o), str(p), str(q)), int(y), int(c)) for o, p, q, y, c in zip(
            builds["option"], builds["plant"], builds["pool"], builds["year"], builds["count"], strict=True))

    in_a, in_b = by_option(a), by_option(b)
    rows = [(*key, *pair) for key in sorted(in_a.keys() | in_b.keys())
            for pair in _in_order(_paired_years(in_a.get(key, Counter()), in_b.get(key, Counter())))]
    return _table(rows, BUILDS)


def _plants(a: Plan, b: Plan) -> pd.DataFrame:
    """The years each site (plant, supplier, facility) opens and closes (the plants and sites tables' flags),
    paired as builds are."""
    def events(plan: Plan) -> dict[tuple[str, ...], Counter[int]]:
        rows = []
        for table, name in ((plan.tables["plants"], "plant"), (plan.tables["sites"], "site")):
            for flag, event in (("opened", "opens"), ("closed", "closes")):
                chosen = table[table[flag].astype(bool)]
                rows += [((str(p), event), int(y), 1) for p, y in zip(chosen[name], chosen["year"], strict=True)]
        return _years_by(rows)

    in_a, in_b = events(a), events(b)
    rows = [(*key, year_a, year_b, change) for key in sorted(in_a.keys() | in_b.keys())
            for year_a, year_b, _, _, change in _in_order(_paired_years(in_a.get(key, Counter()),
                                                                        in_b.get(key, Counter())))]
    return _table(rows, PLANTS)


def _assignments(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    def cells(assignments: pd.DataFrame) -> set[tuple[str, str, int]]:
        chosen = assignments[making(assignments)]
        return set(zip(chosen["plant"].astype(str), chosen["product"].astype(str), chosen["year"].astype(int),
                       strict=True))

    in_a, in_b = cells(a), cells(b)
    rows = sorted([(*cell, "removed") for cell in in_a - in_b] + [(*cell, "added") for cell in in_b - in_a])
    return _table(rows, ASSIGNMENTS)


def _single_sources(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    def sources(table: pd.DataFrame) -> dict[tuple[str, str, int], str]:
        return {(str(product), str(market), int(year)): str(plant) for plant, product, market, year in zip(
            table["plant"], table["product"], table["market"], table["year"], strict=True)}

    in_a, in_b = sources(a), sources(b)
    rows = [(*cell, in_a.get(cell), in_b.get(cell)) for cell in sorted(in_a.keys() | in_b.keys())
            if in_a.get(cell) != in_b.get(cell)]
    return _table(rows, SINGLE_SOURCES)


_CELL = ["product", "market", "year"]
_PART = ["component", "plant", "year"]
_SOURCE = ["source", "detail"]
"""A supply source in two columns: plant and sourcing (flows), or source and kind (parts)."""


def _supply(plan: Plan) -> pd.DataFrame:
    """Units per product, market, year and source: plants with their sourcing, facilities (FACILITY) and
    LOST_SALES ('' sourcing)."""
    flows = plan.flows.rename(columns={"plant": "source", "sourcing": "detail"})
    deliveries = plan.tables["deliveries"].rename(columns={"facility": "source"}).assign(detail=FACILITY)
    demand = plan.demand
    lost = demand[demand["lost"] > 0]
    lost = lost.assign(source=LOST_SALES, detail="", units=lost["lost"])
    return _summed([flows, deliveries, lost], _CELL)


def _parts(plan: Plan) -> pd.DataFrame:
    """Units per component, using plant, year and source: suppliers and plants that make it."""
    supplies = plan.tables["supplies"].rename(columns={"supplier": "source"}).assign(detail="supplier")
    transfers = plan.tables["transfers"].rename(columns={"origin": "source", "destination": "plant"})
    return _summed([supplies, transfers.assign(detail="plant")], _PART)


def _summed(tables: list[pd.DataFrame], cell: list[str]) -> pd.DataFrame:
    """The units of ``tables`` summed by ``cell`` and source, their names as text and their years as integers."""
    columns = [*cell, *_SOURCE, "units"]
    both = pd.concat([table[columns] for table in tables], ignore_index=True)
    both = both.astype({**{column: str for column in [*cell, *_SOURCE] if column != "year"}, "year": "int64"})
    return both.groupby([*cell, *_SOURCE], sort=False, as_index=False)["units"].sum()


def _moves(a: pd.DataFrame, b: pd.DataFrame, cell: list[str], schema: dict[str, str]) -> pd.DataFrame:
    """Supply moved, per ``cell`` (product, market and year; component, plant and year): each source's change in
    units (B - A), with DEMAND taking what the totals differ by, matched losers to gainers (:func:`_matched`), as
    rows of ``schema`` (the cell, then the source's two columns from and to, then the units)."""
    supply = _paired(a, b, [*cell, *_SOURCE], ("units",))
    supply["change"] = supply["units_b"] - supply["units_a"]
    # Equal within a tolerance relative to the cell's largest supply.
    largest = supply[["units_a", "units_b"]].abs().max(axis=1).groupby([supply[c] for c in cell]).transform("max")
    supply["tolerance"] = TOLERANCE * np.maximum(1.0, largest)
    changed = supply[supply["change"].abs() > supply["tolerance"]].sort_values(cell, kind="stable")
    columns = (changed[column].tolist() for column in (*cell, *_SOURCE, "change", "tolerance"))
    rows: list[tuple[object, ...]] = []
    # Plain tuples, not a DataFrame per cell: a large network changes thousands of them.
    for key, group in groupby(zip(*columns, strict=True), key=lambda row: row[:3]):
        members = list(group)
        tolerance = members[0][-1]
        changes = {(source, detail): change for *_, source, detail, change, _ in members}
        total = math.fsum(changes.values())
        if abs(total) > tolerance:
            changes[(DEMAND, "")] = -total
        rows += [(*key, *source, *sink, units) for source, sink, units in _matched(changes, tolerance)]
    table = _table(rows, schema).sort_values(list(schema)[:-1], kind="stable", ignore_index=True)
    from_detail, to_detail = list(schema)[4], list(schema)[6]  # a source's sourcing (flows) or kind (parts)
    for column in (from_detail, to_detail):  # the pseudo-sources have neither
        table[column] = table[column].where(table[column] != "", None)
    return table


_Source = tuple[str, str]
"""A supply source: plant (or facility, LOST_SALES, DEMAND) and sourcing, or source and kind."""


def _matched(changes: dict[_Source, float], tolerance: float) -> Iterator[tuple[_Source, _Source, float]]:
    """(from, to, units): the sources that lose units matched to those that gain, each list largest first
    (ties by name), the first loser's units to the first gainer until one runs out. Swapping the plans
    swaps the lists, so it reverses every move."""
    order = sorted(changes.items(), key=lambda item: (-abs(item[1]), item[0]))
    losers = [source for source, change in order if change < -tolerance]
    gainers = [source for source, change in order if change > tolerance]
    lose, gain = [-changes[source] for source in losers], [changes[source] for source in gainers]
    i = j = 0
    while i < len(losers) and j < len(gainers):
        units = min(lose[i], gain[j])
        yield losers[i], gainers[j], units
        lose[i] -= units
        gain[j] -= units
        if lose[i] <= tolerance:
            i += 1
        if gain[j] <= tolerance:
            j += 1


def _paired(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], values: tuple[str, ...]) -> pd.DataFrame:
    """``values`` summed by ``keys`` in each of ``a`` and ``b``, side by side (``_a``, ``_b``; 0 where one has
    none). Stacked and grouped rather than merged: pandas cannot merge two empty string columns."""
    def side(table: pd.DataFrame, own: str, other: str) -> pd.DataFrame:
        renamed = table[[*keys, *values]].rename(columns={value: f"{value}{own}" for value in values})
        return renamed.assign(**{f"{value}{other}": 0.0 for value in values})

    both = pd.concat([side(a, "_a", "_b"), side(b, "_b", "_a")], ignore_index=True)
    columns = [f"{value}{suffix}" for value in values for suffix in ("_a", "_b")]
    return both.groupby(keys, sort=True, as_index=False)[columns].sum()


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, key: str, values: tuple[str, str],
                  schema: dict[str, str]) -> pd.DataFrame:
    """``values`` summed by ``key`` in each plan, B - A beside them; keys with nothing in either are left out."""
    both = _paired(a.astype({key: str}), b.astype({key: str}), [key], values).set_index(key)
    for value in values:
        both[f"{value}_difference"] = both[f"{value}_b"] - both[f"{value}_a"]
    both = both[(both != 0).any(axis=1)].reset_index()
    return both[list(schema)].astype(schema).sort_values(key, ignore_index=True)


def _costs(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    return _side_by_side(a, b, "component", ("amount", "discounted"), COSTS)


def _currencies(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    return _side_by_side(a, b, "currency", ("amount", "amount_in_currency"), CURRENCIES)


def _kpi_values(plan: Plan) -> dict[str, float]:
    gap = plan.summary.get("gap")
    demand, utilization, plants = plan.demand, plan.utilization, plan.tables["plants"]
    capacity = utilization[utilization["capacity"] > 0]
    last = plants[plants["year"] == plants["year"].max()] if not plants.empty else plants
    return {
        "objective": plan.objective,
        "gap": float(gap) if gap is not None else math.nan,
        "capex": float(plan.builds["capex"].sum()),
        "builds": float(plan.builds["count"].sum()),
        "added_capacity": float(plan.builds["added_capacity"].sum()),
        "demand": float(demand["demand"].sum()),
        "served": float(demand["served"].sum()),
        "lost": float(demand["lost"].sum()),
        "utilization": (float(capacity["used"].sum() / capacity["capacity"].sum()) if not capacity.empty
                        else math.nan),
        "plants_open": float(last["open"].astype(bool).sum()),
    }


def _kpis(a: Plan, b: Plan, currency: str | None, senses: tuple[str, str]) -> pd.DataFrame:
    units = {"objective": currency, "capex": currency, "gap": "share", "utilization": "share",
             "builds": "count", "plants_open": "count", "added_capacity": "units/yr"}
    in_a, in_b = _kpi_values(a), _kpi_values(b)
    rows = []
    for kpi in KPIS:
        if kpi in _MONEY_KPIS and currency is None:
            continue
        comparable = kpi != "objective" or senses[0] == senses[1]
        rows.append((kpi, units.get(kpi, "units"), in_a[kpi], in_b[kpi],
                     in_b[kpi] - in_a[kpi] if comparable else math.nan))
    return _table(rows, KPI_TABLE)


def _stochastic_notes(a: Plan, b: Plan, names: tuple[str, str], level: Level) -> Iterator[str]:
    """For each stochastic plan: how it is compared, and the decisions it takes in some futures only (up to the
    assignments level: flows are each future's own)."""
    for name, plan in zip(names, (a, b), strict=True):
        if not plan.stacked:
            continue
        yield (f"{name} is a stochastic plan over {len(plan.probabilities)} futures, compared as its expected plan: "
               "amounts weighted by the futures' probabilities, its objective the expected NPV cost, its decisions "
               "those it takes in every future")
        varying = decided_by_future(plan, Level.STRATEGIC if level is Level.STRATEGIC else Level.ASSIGNMENTS)
        if varying:
            listed = ", ".join(f"{what} in {share:.0%}" for what, share in varying[:LISTED])
            more = f" and {len(varying) - LISTED} more" if len(varying) > LISTED else ""
            yield (f"{name} decides by future (not compared above; the share is the probability of the futures "
                   f"that do): {listed}{more}")


def _notes(a: Plan, b: Plan, names: tuple[str, str], currencies: tuple[str, str],
           senses: tuple[str, str]) -> Iterator[str]:
    first, second = names
    if currencies[0] != currencies[1]:
        yield (f"{first} reports in {currencies[0]} and {second} in {currencies[1]}: their amounts are not "
               "compared (costs, currencies, objective, capex), only their decisions and flows")
    if senses[0] != senses[1]:
        yield (f"{first} is to {senses[0].replace('_', ' ')} and {second} to {senses[1].replace('_', ' ')}: "
               "their objectives are not subtracted")
    for name, plan in zip(names, (a, b), strict=True):
        if plan.status != "optimal":
            gap = plan.summary.get("gap")
            yield (f"{name} is not proven optimal ({plan.status}"
                   + (f", gap {gap:.2%}" if isinstance(gap, float) and np.isfinite(gap) else "")
                   + "): some differences may be the solver's, not the scenarios'")
    horizons = ["-".join(map(str, plan.summary.get("horizon") or [])) for plan in (a, b)]
    if all(horizons) and horizons[0] != horizons[1]:
        yield (f"horizons differ ({first} {horizons[0]}, {second} {horizons[1]}): what a year only one has "
               "holds counts as a difference")
    for what in ("product", "market"):
        have = [set(plan.demand[what].astype(str)) for plan in (a, b)]
        for name, own, other in ((first, have[0], have[1]), (second, have[1], have[0])):
            if own - other:
                yield f"{what}s only {name} has: {', '.join(sorted(own - other))}"


__all__ = ["DEMAND", "FACILITY", "KPIS", "LOST_SALES", "CompareError", "Comparison", "compare"]
