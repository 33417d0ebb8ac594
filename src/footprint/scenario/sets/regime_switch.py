"""A tariff regime that takes over from a scenario's own on a given day, written out as the scenario's tariffs.

A scenario names one regime, and its own tariffs replace the regime's by key (every date of that key), so
"the base's rules until the day, another regime's from it" cannot be said by naming regimes. Instead both
sides' rules in force (``Scenario.trade_rules``: the regime's, with the scenario's own layered on) are
written out as the scenario's own list, with no regime: each entry clipped to its side of the day, so
that on every day of the horizon exactly one side's rates apply and duty before the day is the base's,
from it the new regime's, to the day.

Only entries that can change a duty are written: those in force on some day of the horizon (on their
side), for a class that covers some product's or component's (8703, or 87 above it), from an origin some plant or
supplier is in and to a destination some market is in, or some plant where there are components (a customs union
counts for its members). The rest would do nothing
(and draw warnings).

An agreement on both sides with the same terms stays as it is. One whose members or rates differ is
merged: each side's members and rates clipped to its side. One whose rule of origin differs cannot be one
agreement (the threshold is not dated): the new side's becomes ``ID-from-DAY``, and the new side's reliefs
name it. A relief for an agreement with no members left on its side is dropped: with no member in force
it relieves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from footprint.scenario.model.classes import covers_any
from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.figures import value_of
from footprint.scenario.model.trade import ANY_ORIGIN, Agreement, Dated, Member, Tariff
from footprint.scenario.model.unions import customs_unions

Window = tuple[dt.date, dt.date]
_DATES = {"year", "from_year", "to_year", "from_date", "to_date"}


def switched_rules(scenario: ScenarioFields, regime: str | None,
                   day: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The tariffs and agreements (plain data, for a scenario with no regime) under which duty is the
    scenario's before ``day`` and that of ``regime`` (None: no regime) with the scenario's own from ``day``.
    ``day`` is after the horizon's first day and not after its last."""
    first, last = dt.date(scenario.horizon.start, 1, 1), dt.date(scenario.horizon.end, 12, 31)
    before, after = (first, day - dt.timedelta(days=1)), (day, last)
    then = ScenarioFields.model_construct(regime=regime, tariffs=scenario.tariffs,
                                          agreements=scenario.agreements).trade_rules
    relevant = _Relevance(scenario)
    agreements, names = _agreements(scenario.trade_rules[1], then[1], before, after, day, relevant)
    tariffs = [*_tariffs(scenario.trade_rules[0], before, names[0], relevant),
               *_tariffs(then[0], after, names[1], relevant)]
    return tariffs, agreements


class _Relevance:
    """What can change a duty in the scenario: product classes, and origins and destinations by place."""

    def __init__(self, scenario: ScenarioFields) -> None:
        self.classes = scenario.goods_classes()
        # Goods leave plants and suppliers; they enter markets, and plants where there are components to take in.
        self.origins = _places(site.country for site in (*scenario.plants, *scenario.suppliers))
        self.destinations = _places([*(market.country for market in scenario.markets),
                                     *(plant.country for plant in scenario.plants if scenario.components)])

    def tariff(self, tariff: Tariff) -> bool:
        return (covers_any(tariff.product_class, self.classes) and tariff.destination in self.destinations
                and (tariff.origin == ANY_ORIGIN or tariff.origin in self.origins))


def _places(codes: Iterable[str]) -> set[str]:
    """The countries and unions ``codes`` stand for: each country, each union it was ever in, a union's members
    (as the scenario's warnings read places)."""
    unions = customs_unions()
    places = set()
    for code in codes:
        places |= {code} | {union.code for union in unions.values() if code in union.countries()}
        places |= unions[code].countries() if code in unions else set()
    return places


def _clipped(span: tuple[dt.date, dt.date], window: Window) -> Window | None:
    start, end = max(span[0], window[0]), min(span[1], window[1])
    return (start, end) if start <= end else None


def _dated(entry: Dated, span: Window, **changes: Any) -> dict[str, Any]:
    """``entry`` as plain data, in force from the first to the last day of ``span``."""
    data = entry.model_dump(mode="json", exclude_defaults=True, exclude=_DATES)
    return {**data, **changes, "from_date": span[0].isoformat(), "to_date": span[1].isoformat()}


def _tariffs(tariffs: list[Tariff], window: Window, names: dict[str, str | None],
             relevant: _Relevance) -> list[dict[str, Any]]:
    """Each tariff that can change a duty clipped to ``window``; reliefs name the agreements as written
    (``names``: an id as written on this side, None where it was left out)."""
    written = []
    for tariff in tariffs:
        span = _clipped(tariff.span(), window)
        if span is None or not relevant.tariff(tariff):
            continue
        entry = _dated(tariff, span)
        if tariff.relief is not None:
            name = names.get(tariff.relief.agreement)
            if name is None:
                del entry["relief"]
            else:
                entry["relief"] = {**entry["relief"], "agreement": name}
        written.append(entry)
    return written


def _members(members: Iterable[Member], window: Window) -> list[dict[str, Any]]:
    written = []
    for member in members:
        span = _clipped(member.span(), window)
        if span is not None:
            written.append({"country": member.country, "from_date": span[0].isoformat(),
                            "to_date": span[1].isoformat()})
    return written


def _rates(agreement: Agreement, window: Window, relevant: _Relevance) -> list[dict[str, Any]]:
    return [_dated(rate, span) for rate in agreement.rates
            if covers_any(rate.product_class, relevant.classes) and (span := _clipped(rate.span(), window)) is not None]


def _agreements(before: list[Agreement], after: list[Agreement], window_before: Window, window_after: Window,
                day: dt.date, relevant: _Relevance
                ) -> tuple[list[dict[str, Any]], tuple[dict[str, str | None], dict[str, str | None]]]:
    """The agreements of both sides as one list, and on each side the id each of its agreements is written
    under (None: left out, it has no two members in force on its side)."""
    old, new = {a.id: a for a in before}, {a.id: a for a in after}
    whole = (window_before[0], window_after[1])
    written: list[dict[str, Any]] = []
    names: tuple[dict[str, str | None], dict[str, str | None]] = ({}, {})

    def write(agreement: Agreement, members: list[dict[str, Any]], rates: list[dict[str, Any]],
              sides: tuple[int, ...], name: str | None = None) -> None:
        ident = name or agreement.id
        keep = len(members) >= 2
        if keep:
            data = agreement.model_dump(mode="json", exclude_defaults=True, exclude={"members", "rates"})
            written.append({**data, "id": ident, "members": members, **({"rates": rates} if rates else {})})
        for side in sides:
            names[side][agreement.id] = ident if keep else None

    for ident in [*old, *(ident for ident in new if ident not in old)]:
        first, then = old.get(ident), new.get(ident)
        if first is not None and then is not None and first == then:
            write(first, _members(first.members, whole), _rates(first, whole, relevant), (0, 1))
            continue
        if first is not None and then is not None and value_of(first.regional_value_content) == value_of(
                then.regional_value_content) and first.rvc_method == then.rvc_method:
            write(then, _members(first.members, window_before) + _members(then.members, window_after),
                  _rates(first, window_before, relevant) + _rates(then, window_after, relevant), (0, 1))
            continue
        if first is not None:
            write(first, _members(first.members, window_before), _rates(first, window_before, relevant), (0,))
        if then is not None:
            renamed = f"{ident}-from-{day.isoformat()}" if first is not None else None
            write(then, _members(then.members, window_after), _rates(then, window_after, relevant), (1,), renamed)
    return written, names


__all__ = ["switched_rules"]
