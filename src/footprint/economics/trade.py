"""Duty rates from dated tariffs and free-trade agreements, as yearly tables for the network.

Rates change on given days (a deal in force from 2025-09-16, a member joining on
2012-03-15). Each year is cut at every such day into segments; the rates are
evaluated per segment and weighted by its share of the year. A unit qualifies
for an agreement when its content from members reaches the agreement's regional
value content: the network decides that per capability, sourcing option and year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from footprint.scenario.entities import ANY_ORIGIN, Agreement, Tariff
from footprint.scenario.figures import value_of
from footprint.scenario.scenario import Scenario

SHARE_TOLERANCE = 1e-9
"""A content share this close to its threshold counts as meeting it (shares come from cost ratios)."""


@dataclass(frozen=True)
class AgreementRates:
    """What goods qualifying under one agreement pay, by origin, destination, class and year index."""

    id: str
    threshold: float
    """Least share of value from member countries (the rule of origin)."""
    member: np.ndarray
    """Whether each country is a member on some day of each year index: (country, year)."""
    qualified: np.ndarray
    """Rate of qualifying goods, without the relieved duties below."""
    relief: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """(exempt countries mask, rate table): qualifying goods pay the rate on their content from outside."""


@dataclass(frozen=True)
class DutyRates:
    country: dict[str, int]
    product_class: dict[str, int]
    general: np.ndarray
    """Rate by origin, destination, product class and year index for goods claiming no preference."""
    agreements: list[AgreementRates]


def duty_rates(scenario: Scenario, content_countries: Iterable[str] = ()) -> DutyRates:
    """Yearly duty tables of the scenario's tariffs and agreements (its regime included)."""
    tariffs, agreements = scenario.trade_rules
    names = ({p.country for p in scenario.plants} | {m.country for m in scenario.markets} | set(content_countries)
             | {m.country for a in agreements for m in a.members})
    countries = sorted(names)
    classes = sorted({p.product_class for p in scenario.products})
    country, product_class = _codes(countries), _codes(classes)
    n_years = len(scenario.years)
    cells = (len(countries), len(countries), len(classes))
    general = np.zeros((*cells, n_years))
    tables = [_AgreementTables(a, np.zeros((*cells, n_years))) for a in agreements]
    for t, year in enumerate(scenario.years):
        for day, weight in _segments(year, tariffs, agreements):
            point = _PointRates(country, product_class, day, tariffs)
            general[..., t] += weight * point.general()
            for table in tables:
                table.add(point, weight, t)
    member = [np.array([[_member_in_year(a, c, year) for year in scenario.years] for c in countries])
              for a in agreements]
    return DutyRates(country, product_class, general, [
        AgreementRates(table.agreement.id, value_of(table.agreement.regional_value_content), member[i],
                       table.qualified, list(table.relief.values()))
        for i, table in enumerate(tables)
    ])


def _codes(names: list[str]) -> dict[str, int]:
    return {name: code for code, name in enumerate(names)}


def _segments(year: int, tariffs: list[Tariff], agreements: list[Agreement]) -> list[tuple[dt.date, float]]:
    """The first day of each span of ``year`` with unchanged rates, and its share of the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    starts = {first}
    spans = [t.span() for t in tariffs] + [r.span() for a in agreements for r in a.rates]
    spans += [m.span() for a in agreements for m in a.members]
    for start, end in spans:
        if first < start <= last:
            starts.add(start)
        if first <= end < last:
            starts.add(end + dt.timedelta(days=1))
    ordered = sorted(starts)
    days = (last - first).days + 1
    ends = [*ordered[1:], last + dt.timedelta(days=1)]
    return [(start, (end - start).days / days) for start, end in zip(ordered, ends, strict=True)]


def _member_in_year(agreement: Agreement, country: str, year: int) -> bool:
    span = agreement.member_span(country)
    return span is not None and span[0] <= dt.date(year, 12, 31) and span[1] >= dt.date(year, 1, 1)


def _in_force(start_end: tuple[dt.date, dt.date], day: dt.date) -> bool:
    return start_end[0] <= day <= start_end[1]


class _PointRates:
    """The rates in force on one day, by origin, destination and class."""

    def __init__(self, country: dict[str, int], product_class: dict[str, int], day: dt.date,
                 tariffs: list[Tariff]) -> None:
        self.country, self.product_class, self.day = country, product_class, day
        self.shape = (len(country), len(country), len(product_class))
        active = [t for t in tariffs if _in_force(t.span(), day)
                  and t.destination in country and t.product_class in product_class
                  and (t.origin == ANY_ORIGIN or t.origin in country)]
        self.base = self.own_replaces_any([t for t in active if not t.additional])
        by_measure: dict[str, list[Tariff]] = {}
        for t in active:
            if t.additional:
                by_measure.setdefault(t.measure, []).append(t)
        # Each additional duty's cells, after own-origin rates replaced any-origin ones within its measure.
        self.additional = [(t, cells) for group in by_measure.values() for t, cells in self.covered(group)]

    def _cells(self, origin: str, destination: str, product_class: str) -> np.ndarray:
        mask = np.zeros(self.shape, dtype=bool)
        d, c = self.country[destination], self.product_class[product_class]
        if origin == ANY_ORIGIN:
            mask[:, d, c] = True
            mask[d, d, c] = False  # no duty on a country's own goods
        else:
            mask[self.country[origin], d, c] = True
        return mask

    def covered(self, group: list[Tariff]) -> list[tuple[Tariff, np.ndarray]]:
        """Each tariff with the cells it rates: an origin's own rate takes its cells from any-origin rates."""
        own = np.zeros(self.shape, dtype=bool)
        for t in group:
            if t.origin != ANY_ORIGIN:
                own |= self._cells(t.origin, t.destination, t.product_class)
        covered = []
        for t in group:
            cells = self._cells(t.origin, t.destination, t.product_class)
            covered.append((t, cells & ~own if t.origin == ANY_ORIGIN else cells))
        return covered

    def own_replaces_any(self, group: list[Tariff]) -> np.ndarray:
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
    """Yearly tables of one agreement, filled segment by segment."""

    def __init__(self, agreement: Agreement, qualified: np.ndarray) -> None:
        self.agreement = agreement
        self.qualified = qualified
        self.relief: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}

    def add(self, point: _PointRates, weight: float, t: int) -> None:
        in_force = self._in_force(point)
        preferential = np.full(point.shape, np.nan)
        active = [r for r in self.agreement.rates if _in_force(r.span(), point.day)
                  and r.product_class in point.product_class]
        # More specific rates (a named origin or destination) come later and win their cells.
        for rate in sorted(active, key=lambda r: (r.origin != ANY_ORIGIN) + (r.destination != ANY_ORIGIN)):
            cells = np.zeros(point.shape, dtype=bool)
            cells[self._countries(rate.origin, point), :, point.product_class[rate.product_class]] = True
            cells &= self._countries(rate.destination, point)[None, :, None]
            preferential[cells & in_force[:, :, None]] = value_of(rate.rate)
        rates = np.where(np.isnan(preferential), point.base, preferential)
        for tariff, cells in point.additional:
            relieved = tariff.relief is not None and tariff.relief.agreement == self.agreement.id
            full = cells & ~in_force[:, :, None] if relieved else cells
            rates[full] += value_of(tariff.rate)
            if relieved:
                key = tuple(sorted(tariff.relief.dutiable_content_outside))
                exempt = np.zeros(len(point.country), dtype=bool)
                exempt[[point.country[c] for c in key if c in point.country]] = True
                _, table = self.relief.setdefault(key, (exempt, np.zeros_like(self.qualified)))
                table[..., t][cells & in_force[:, :, None]] += weight * value_of(tariff.rate)
        self.qualified[..., t] += weight * rates

    def _members_on(self, point: _PointRates) -> np.ndarray:
        members = np.zeros(len(point.country), dtype=bool)
        for member in self.agreement.members:
            if member.country in point.country and _in_force(member.span(), point.day):
                members[point.country[member.country]] = True
        return members

    def _in_force(self, point: _PointRates) -> np.ndarray:
        """(origin, destination) pairs of two different members on the point's day."""
        members = self._members_on(point)
        return members[:, None] & members[None, :] & ~np.eye(len(members), dtype=bool)

    def _countries(self, code: str, point: _PointRates) -> np.ndarray:
        if code == ANY_ORIGIN:
            return np.ones(len(point.country), dtype=bool)
        mask = np.zeros(len(point.country), dtype=bool)
        if code in point.country:
            mask[point.country[code]] = True
        return mask
