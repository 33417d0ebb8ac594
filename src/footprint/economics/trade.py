"""Duty rates from dated tariffs, free-trade agreements and customs unions, as tables for the network.

Rates change on given days (a deal in force from 2025-09-16, a member joining on
2012-03-15, a country leaving a customs union). Each year is cut at every such day into
spans; the rates are evaluated and kept per span, with each span's share of the year, so
that goods claiming a preference can pay in each span the lower of the preferential and
the general rate. A unit qualifies for an agreement when its content from members reaches
the agreement's regional value content: the network decides that per capability, sourcing
option and year, but for products with a bill of materials, whose qualification the plan decides
from the components it routes (economics/origin.py).

Relief from an additional duty goes with a claim of its agreement, as in trade law (USMCA's relief
from Section 232 is had by claiming USMCA preference on the entry): goods that claim pay the
agreement's preferential rate and the relieved duty, goods that do not pay the general rate and the
duty in full.

A customs union's code (``EU``) stands for its members on each day: a tariff into the union
applies to imports into every member from outside it, a tariff from it to goods of every
member's origin, and an agreement listing it covers every member. Goods of a member's origin
pay nothing in another member (or in a market standing for the whole union) while both are
members. On each cell the most specific tariff wins: an origin's own rate over a union's over
the any-origin rate, then a destination's own rate over its union's, then the rate on the longest
HS code that covers the goods' class (8703.23 over 8703 over 87). Origin comes first, as in a real
schedule: a country's own rate (a preference, a retaliation) given for a heading applies to every line
under it, whatever lines the general (MFN) schedule lists more finely.

Which classes each rate covers is worked out once, for the scenario's classes (``classes.covering``),
not per flow or per day.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, reduce
from typing import Any

import numpy as np

from footprint.scenario.model.classes import covering, specificity
from footprint.scenario.model.figures import value_of
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.trade import ANY_ORIGIN, Agreement, Tariff
from footprint.scenario.model.unions import CustomsUnion, customs_unions, is_union

SHARE_TOLERANCE = 1e-9
"""A content share this close to its threshold counts as meeting it (shares come from cost ratios)."""

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class AgreementRates:
    """What goods qualifying under one agreement pay, by origin, destination, class, year index and span."""

    id: str
    threshold: float
    """Least share of value from member countries (the rule of origin)."""
    member: np.ndarray
    """Whether each country is a member on some day of each year index: (country, year)."""
    qualified: np.ndarray
    """Rate of qualifying goods, without the relieved duties below."""
    relief: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """(exempt countries mask, rate table): qualifying goods pay the rate on their content from outside."""
    build_up: bool = False
    """Whether the regional value content of products with a bill of materials counts originating materials alone
    (build-up), not the value less non-originating materials (build-down): economics/origin.py."""


@dataclass(frozen=True)
class ReliefReach:
    """Where a relief from an additional duty can apply: for the scenario's warnings."""

    tariff: int
    """Position of the duty among the trade rules' tariffs (the regime's first, the scenario's own last)."""
    agreement: str
    relieved: bool
    """Whether some lane between the agreement's members pays the duty on some day (the relief can apply)."""
    dearer: tuple[str, str, str, float, float] | None
    """Where claiming the agreement raises the base rate most: (origin, destination, class, the agreement's
    rate, the general rate); None where the claim costs no more."""


@dataclass(frozen=True)
class DutyRates:
    country: dict[str, int]
    """Code of each country on the tables' origin and destination axes (a union's own code where a
    market or content names the union)."""
    product_class: dict[str, int]
    span_share: np.ndarray
    """Share of each year index of each of its spans of unchanged rates: (year, span); 0 pads a year with
    fewer spans than the most."""
    general: np.ndarray
    """Rate by origin, destination, product class, year index and span for goods claiming no preference."""
    agreements: list[AgreementRates]
    reliefs: list[ReliefReach] = field(default_factory=list)
    """Where each relief of the trade rules can apply, by duty and agreement."""
    _originating: dict[frozenset[str], np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    """yearly_originating's tables made so far: the tables are shared by a sweep's futures, which ask again."""

    @cached_property
    def yearly_general(self) -> np.ndarray:
        """The general rate of each year, its spans weighted by their days: (origin, destination, class, year)."""
        return np.einsum("odcys,ys->odcy", self.general, self.span_share)

    def yearly_originating(self, agreements: Iterable[str]) -> np.ndarray:
        """The rate of each year of goods that originate under ``agreements`` (ids), whatever their content: in
        each span the lowest of the general rate and each agreement's preferential one (a claim is made only where
        it pays; between non-members an agreement's rate is the general one), with none of the duties it relieves
        (originating goods have no dutiable content outside), the spans weighted by their days:
        (origin, destination, class, year)."""
        wanted = frozenset(agreements)
        if wanted not in self._originating:
            lowest = reduce(np.minimum, (a.qualified for a in self.agreements if a.id in wanted), self.general)
            table = np.einsum("odcys,ys->odcy", lowest, self.span_share)
            table.flags.writeable = False  # shared, as the other tables
            self._originating[wanted] = table
        return self._originating[wanted]


_RECENT: OrderedDict[tuple[Any, ...], DutyRates] = OrderedDict()
RECENT_TABLES = 8
"""Duty tables kept for the last distinct trade rules: a sweep's futures mostly share theirs (FX and demand
change, tariffs do not), and building them is a third of compiling a small network."""


def duty_rates(scenario: Scenario, content_countries: Iterable[str] = ()) -> DutyRates:
    """Duty tables of the scenario's tariffs and agreements (its regime included), by span of each year.

    The tables are shared with any scenario of the same trade rules, countries, classes and years, and read-only.
    """
    tariffs, agreements = scenario.trade_rules
    countries = sorted({site.country for site in (*scenario.plants, *scenario.suppliers, *scenario.facilities)}
                       | {m.country for m in scenario.markets} | set(content_countries))
    classes = scenario.goods_classes()
    key = (tuple(t.model_dump_json() for t in tariffs), tuple(a.model_dump_json() for a in agreements),
           tuple(countries), tuple(classes), tuple(scenario.years))
    if key in _RECENT:
        _RECENT.move_to_end(key)
        return _RECENT[key]
    rates = _duty_rates(tariffs, agreements, countries, classes, scenario.years)
    for table in (rates.span_share, rates.general, *(a.member for a in rates.agreements),
                  *(a.qualified for a in rates.agreements),
                  *(part for a in rates.agreements for relief in a.relief for part in relief)):
        table.flags.writeable = False
    _RECENT[key] = rates
    while len(_RECENT) > RECENT_TABLES:
        _RECENT.popitem(last=False)
    return rates


def _duty_rates(tariffs: list[Tariff], agreements: list[Agreement], countries: list[str], classes: list[str],
                years: list[int]) -> DutyRates:
    country, product_class = _codes(countries), _codes(classes)
    rate_classes = [t.product_class for t in tariffs] + [r.product_class for a in agreements for r in a.rates]
    reach = {rate_class: np.array([product_class[c] for c in covered], dtype=np.int64)
             for rate_class, covered in covering(rate_classes, classes).items()}
    unions = [u for u in customs_unions().values() if u.code in country or u.countries() & country.keys()]
    # Rates on classes no good falls under change no duty: their days cut no year (a schedule of thousands of lines).
    applying = [t for t in tariffs if len(reach[t.product_class])]
    spans = [t.span() for t in applying]
    spans += [r.span() for a in agreements for r in a.rates if len(reach[r.product_class])]
    spans += [m.span() for a in agreements for m in a.members]
    spans += [(m.from_date, m.to_date) for u in unions for m in u.members]
    segments = [_segments(year, spans) for year in years]
    shape = (len(countries), len(countries), len(product_class), len(segments), max(map(len, segments)))
    span_share = np.zeros(shape[3:])
    general = np.zeros(shape)
    position = {id(tariff): k for k, tariff in enumerate(tariffs)}
    tables = [_AgreementTables(a, shape, position) for a in agreements]
    for t, year_segments in enumerate(segments):
        for s, (day, share) in enumerate(year_segments):
            point = _PointRates(country, product_class, reach, unions, day, applying)
            span_share[t, s] = share
            general[..., t, s] = point.general()
            for table in tables:
                table.add(point, t, s)
    return DutyRates(country, product_class, span_share, general, [table.rates() for table in tables],
                     [reach for table in tables for reach in table.reaches(countries, classes)])


def _codes(names: list[str]) -> dict[str, int]:
    return {name: code for code, name in enumerate(names)}


def _segments(year: int, spans: list[Span]) -> list[tuple[dt.date, float]]:
    """The first day of each span of ``year`` with unchanged rates, and its share of the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    starts = {first}
    for start, end in spans:
        if first < start <= last:
            starts.add(start)
        if first <= end < last:
            starts.add(end + dt.timedelta(days=1))
    ordered = sorted(starts)
    days = (last - first).days + 1
    ends = [*ordered[1:], last + dt.timedelta(days=1)]
    return [(start, (end - start).days / days) for start, end in zip(ordered, ends, strict=True)]


def _in_force(start_end: Span, day: dt.date) -> bool:
    return start_end[0] <= day <= start_end[1]


def _specificity(code: str) -> int:
    """How narrowly a code names countries: * (every one) 0, a customs union 1, a country 2."""
    return 0 if code == ANY_ORIGIN else 1 if is_union(code) else 2


@lru_cache(maxsize=4096)  # asked for each tariff on each day a year is cut at: worked out once per triple
def _rank(origin: str, destination: str, product_class: str) -> tuple[int, int, int]:
    """Which of two rates on the same goods wins (the higher): origin first, then destination, then class."""
    return _specificity(origin), _specificity(destination), specificity(product_class)


class _PointRates:
    """The rates in force on one day, by origin, destination and class."""

    def __init__(self, country: dict[str, int], product_class: dict[str, int], reach: dict[str, np.ndarray],
                 unions: list[CustomsUnion], day: dt.date, tariffs: list[Tariff]) -> None:
        self.country, self.product_class, self.day = country, product_class, day
        self.reach = reach
        """The positions on the class axis that each rate's class covers."""
        self.shape = (len(country), len(country), len(product_class))
        self._places = {union.code: self._members(union) for union in unions}
        # Trade within a customs union (a member's goods to a member, or to the union's own market) is free.
        self.intra = reduce(np.logical_or, (np.logical_and.outer(m, m) for m in self._places.values()),
                            np.zeros(self.shape[:2], dtype=bool))
        self.dutiable = ~self.intra
        self.foreign = self.dutiable & ~np.eye(len(country), dtype=bool)  # and two different countries
        named = {ANY_ORIGIN} | country.keys() | self._places.keys()
        active = [t for t in tariffs if _in_force(t.span(), day) and t.destination in named and t.origin in named]
        self.base = self.most_specific([t for t in active if not t.additional])
        by_measure: dict[str, list[Tariff]] = {}
        for t in active:
            if t.additional:
                by_measure.setdefault(t.measure, []).append(t)
        # Each additional duty's cells, after more specific rates took theirs within its measure.
        self.additional = [(t, cells) for group in by_measure.values() for t, cells in self.covered(group)]

    def _members(self, union: CustomsUnion) -> np.ndarray:
        """The union's members on the day, and its own code (a market standing for the whole union)."""
        mask = np.zeros(len(self.country), dtype=bool)
        mask[[self.country[c] for c in union.members_on(self.day) | {union.code} if c in self.country]] = True
        mask.flags.writeable = False
        return mask

    def places(self, code: str) -> np.ndarray:
        """The countries ``code`` stands for on the day: every one (*), a union's members, or the country
        (read only: one array per code)."""
        if code not in self._places:
            mask = np.full(len(self.country), code == ANY_ORIGIN)
            if code in self.country:
                mask[self.country[code]] = True
            mask.flags.writeable = False
            self._places[code] = mask
        return self._places[code]

    def _cells(self, origin: str, destination: str, product_class: str) -> np.ndarray:
        pairs = np.logical_and.outer(self.places(origin), self.places(destination))
        pairs &= self.foreign if origin == ANY_ORIGIN else self.dutiable  # * spares a country's own goods
        mask = np.zeros(self.shape, dtype=bool)
        mask[:, :, self.reach[product_class]] = pairs[..., None]
        return mask

    def covered(self, group: list[Tariff]) -> list[tuple[Tariff, np.ndarray]]:
        """Each tariff with the cells it rates: those no more specific tariff of the group rates, by origin
        first (a country, a union, then *), then by destination (a country, then a union), then by class (the
        longest HS code)."""
        cells = [self._cells(t.origin, t.destination, t.product_class) for t in group]
        rank = [_rank(t.origin, t.destination, t.product_class) for t in group]
        by_rank: dict[tuple[int, int, int], np.ndarray] = {}
        for r, c in zip(rank, cells, strict=True):
            by_rank[r] = by_rank[r] | c if r in by_rank else c
        covered = []
        for t, r, c in zip(group, rank, cells, strict=True):
            for other, taken in by_rank.items():
                if other > r:
                    c = c & ~taken
            covered.append((t, c))
        return covered

    def most_specific(self, group: list[Tariff]) -> np.ndarray:
        """The rate on each cell: that of the group's most specific tariffs there."""
        rates = np.zeros(self.shape)
        for t, cells in self.covered(group):
            rates[cells] += value_of(t.rate)
        return rates

    def general(self) -> np.ndarray:
        """Base rate plus every additional duty in full."""
        rates = self.base.copy()
        for t, cells in self.additional:
            rates[cells] += value_of(t.rate)
        return rates


class _AgreementTables:
    """The tables of one agreement, filled span by span."""

    def __init__(self, agreement: Agreement, shape: tuple[int, ...], position: dict[int, int]) -> None:
        self.agreement = agreement
        self.qualified = np.zeros(shape)
        self.member = np.zeros((shape[0], shape[3]), dtype=bool)
        self.relief: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}
        self.position = position
        """Each tariff's position among the trade rules' tariffs, by id."""
        self.reach: dict[int, tuple[bool, tuple[int, int, int, float, float] | None]] = {}
        """By tariff position: whether its relief applied, and the cell where the claim raised the base rate most."""

    def reaches(self, countries: list[str], classes: list[str]) -> list[ReliefReach]:
        return [ReliefReach(tariff, self.agreement.id, relieved, None if dearer is None else (
            countries[dearer[0]], countries[dearer[1]], classes[dearer[2]], dearer[3], dearer[4]))
                for tariff, (relieved, dearer) in self.reach.items()]

    def _note_reach(self, tariff: Tariff, relieved: np.ndarray, preferential: np.ndarray, base: np.ndarray) -> None:
        """Keep whether the tariff's relief applied on this day, and where the claim's base rate is highest
        above the general one."""
        key = self.position[id(tariff)]
        applied, dearer = self.reach.get(key, (False, None))
        extra = np.where(relieved & ~np.isnan(preferential), preferential - base, 0.0)
        cell = np.unravel_index(int(np.argmax(extra)), extra.shape)
        if extra[cell] > 0 and (dearer is None or extra[cell] > dearer[3] - dearer[4]):
            dearer = (int(cell[0]), int(cell[1]), int(cell[2]), float(preferential[cell]), float(base[cell]))
        self.reach[key] = (applied or bool(relieved.any()), dearer)

    def rates(self) -> AgreementRates:
        return AgreementRates(self.agreement.id, value_of(self.agreement.regional_value_content), self.member,
                              self.qualified, list(self.relief.values()), self.agreement.rvc_method == "build_up")

    def add(self, point: _PointRates, t: int, s: int) -> None:
        """The rates of qualifying goods on the point's day, as those of span ``s`` of year index ``t``."""
        members = self._members_on(point)
        self.member[:, t] |= members
        # (origin, destination) pairs of two members not in one customs union (trade within one is free anyway).
        in_force = (np.logical_and.outer(members, members) & point.foreign)[..., None]
        preferential = np.full(point.shape, np.nan)
        active = [r for r in self.agreement.rates if _in_force(r.span(), point.day)
                  and len(point.reach[r.product_class])]
        # More specific rates come later and win, ranked as tariffs are: origin, destination, then class.
        for rate in sorted(active, key=lambda r: _rank(r.origin, r.destination, r.product_class)):
            cells = np.zeros(point.shape, dtype=bool)
            cells[:, :, point.reach[rate.product_class]] = np.logical_and.outer(
                point.places(rate.origin), point.places(rate.destination))[..., None]
            preferential[cells & in_force] = value_of(rate.rate)
        rates = np.where(np.isnan(preferential), point.base, preferential)
        for tariff, cells in point.additional:
            relief = tariff.relief
            if relief is None or relief.agreement != self.agreement.id:
                rates[cells] += value_of(tariff.rate)
                continue
            relieved = cells & in_force
            self._note_reach(tariff, relieved, preferential, point.base)
            rates[cells & ~relieved] += value_of(tariff.rate)
            if relief.dutiable_content_outside:  # none listed: relieved goods pay nothing
                key = tuple(sorted(relief.dutiable_content_outside))
                exempt = np.zeros(len(point.country), dtype=bool)
                exempt[[point.country[c] for c in key if c in point.country]] = True
                _, table = self.relief.setdefault(key, (exempt, np.zeros_like(self.qualified)))
                table[..., t, s][relieved] += value_of(tariff.rate)
        self.qualified[..., t, s] = rates

    def _members_on(self, point: _PointRates) -> np.ndarray:
        """Countries in the agreement on the point's day: each member in force, a union's members while in it."""
        members = np.zeros(len(point.country), dtype=bool)
        for member in self.agreement.members:
            if _in_force(member.span(), point.day):
                members |= point.places(member.country)
        return members
