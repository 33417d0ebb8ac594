"""Trade rules: tariffs, free-trade agreements and their rules of origin, dated, and the shipped regimes they
layer on."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    model_validator,
)

from footprint.scenario.model.base import Entity, Horizon, Identifier
from footprint.scenario.model.classes import class_key
from footprint.scenario.model.codes import Country, country_code
from footprint.scenario.model.figures import (
    Fraction,
    NonNegative,
    Year,
)
from footprint.scenario.model.regimes import regime_layers, regime_names
from footprint.scenario.model.text import short

ANY_ORIGIN = "*"


def _origin(code: str) -> str:
    return code if code == ANY_ORIGIN else country_code(code)

def _known_regime(name: Any) -> str:
    if isinstance(name, int) and not isinstance(name, bool):  # `regime: 2012` reads as a number
        name = str(name)
    if not isinstance(name, str) or name not in regime_names():
        raise ValueError(f"unknown regime {short(name)}; shipped: {', '.join(regime_names())}")
    return name


RegimeName = Annotated[str, BeforeValidator(_known_regime)]
"""The name of a tariff regime shipped with footprint (never a path)."""


class Dated(Entity):
    """Something in force for a span of years or days; a year counts the share of its days covered."""

    year: Year | None = Field(None, description="Year in force; or give from_year/to_year, or dates.")
    from_year: Year | None = Field(None, description="First year in force (default: horizon start).")
    to_year: Year | None = Field(None, description="Last year in force (default: horizon end).")
    from_date: dt.date | None = Field(None, description="First day in force (a year counts the share of "
                                                        "its days covered).")
    to_date: dt.date | None = Field(None, description="Last day in force (inclusive).")

    @model_validator(mode="after")
    def _one_way_of_dating(self) -> Dated:
        by_year = self.year is not None or self.from_year is not None or self.to_year is not None
        if by_year and (self.from_date is not None or self.to_date is not None):
            raise ValueError("give years or dates, not both")
        if self.year is not None and (self.from_year is not None or self.to_year is not None):
            raise ValueError("give either year or from_year/to_year, not both")
        if self.from_year is not None and self.to_year is not None and self.to_year < self.from_year:
            raise ValueError(f"to_year {self.to_year} is before from_year {self.from_year}")
        if self.from_date is not None and self.to_date is not None and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")
        return self

    def span(self) -> tuple[dt.date, dt.date]:
        """First and last day in force (open ends as far as dates go)."""
        first = self.year if self.year is not None else self.from_year
        last = self.year if self.year is not None else self.to_year
        start = self.from_date or (dt.date(first, 1, 1) if first is not None else dt.date.min)
        end = self.to_date or (dt.date(last, 12, 31) if last is not None else dt.date.max)
        return start, end

    def weights(self, horizon: Horizon) -> dict[int, float]:
        """The share of each horizon year in force (1.0 for a whole year), for years it touches."""
        start, end = self.span()
        shares = {}
        for year in horizon.years:
            first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            if first <= last:
                shares[year] = ((last - first).days + 1) / ((dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1)
        return shares


class Relief(Entity):
    agreement: Identifier = Field(description="Agreement whose goods get the relief when they claim it (qualifying "
                                  "goods that do not claim it pay the duty in full).")
    dutiable_content_outside: list[Country] = Field(
        default_factory=list, description="Goods claiming the agreement pay the rate only on the share of their "
        "content not from these countries (none listed: they pay nothing)."
    )


class Tariff(Dated):
    origin: Annotated[str, AfterValidator(_origin)] = Field(
        description="Origin country, a customs union (EU: goods of each member's origin), or * for every origin "
        "without a rate of its own (MFN). The most specific origin wins: a country's rate, then its union's, then *; "
        "among rates of that origin, the destination's own over its union's, then the longest HS code."
    )
    destination: Country = Field(description="Destination country, or a customs union (EU): imports into each "
                                 "member from outside the union; a member's own rate replaces the union's.")
    product_class: str = Field(description="Product class the rate applies to: an HS code (`87`, `8703`, "
                               "`8703.23`) covers every longer code under it that has no rate of its own; "
                               "any other class, goods of that class only.")
    rate: NonNegative = Field(description="Ad valorem rate on the customs value (0.025 = 2.5%).")
    additional: bool = Field(False, description="An additional duty (e.g. Section 232): it stacks on the "
                                                "base rate instead of replacing it.")
    measure: str = Field("additional", description="Name of an additional duty's measure (e.g. s232): an "
                         "origin's own rate replaces the any-origin rate of the same measure.")
    relief: Relief | None = Field(None, description="How goods qualifying under an agreement are treated "
                                  "(additional duties only; e.g. s232 on USMCA goods' non-US content).")

    @model_validator(mode="after")
    def _relief_on_additional(self) -> Tariff:
        if self.relief is not None and not self.additional:
            raise ValueError("relief applies to additional duties only; set additional: true")
        return self

    def key(self) -> tuple[str, str, str, str | None]:
        """What a scenario's own tariff replaces in a regime: same origin, destination, class (`8703.23` is
        `870323`) and measure."""
        return (self.origin, self.destination, class_key(self.product_class),
                self.measure if self.additional else None)


class Member(Entity):
    country: Country = Field(description="Member country, or a customs union (EU): each of its members while "
                             "in both the agreement and the union.")
    from_date: dt.date | None = Field(None, description="Entry into force for this member (default: always).")
    to_date: dt.date | None = Field(None, description="Last day of membership (default: open).")

    def span(self) -> tuple[dt.date, dt.date]:
        """First and last day of membership (open ends as far as dates go)."""
        return self.from_date or dt.date.min, self.to_date or dt.date.max


class PreferentialRate(Dated):
    origin: Annotated[str, AfterValidator(_origin)] = Field(
        ANY_ORIGIN, description="Member the goods come from (a customs union: each of its members), or * for "
        "every member."
    )
    destination: Annotated[str, AfterValidator(_origin)] = Field(
        ANY_ORIGIN, description="Member importing them (a customs union: each of its members), or * for every "
        "member."
    )
    product_class: str = Field(description="Product class the rate applies to (an HS code covers the codes "
                               "under it, as in a tariff).")
    rate: NonNegative = Field(description="Rate for qualifying goods; it replaces the base (MFN) rate.")


class Agreement(Entity):
    id: Identifier = Field(description="Agreement name, unique (e.g. korus).")
    name: str = Field("", description="Full name, for reports.")
    source: str = Field("", description="Where its terms come from.")
    members: list[Member] = Field(min_length=2, description="Member countries and their dates of entry.")
    rates: list[PreferentialRate] = Field(
        default_factory=list, description="Preferential rates by class and year (phase-outs); where none "
        "is listed, qualifying goods pay the base rate."
    )
    regional_value_content: Fraction = Field(
        0.0, description="Rule of origin: least share of a unit's value from member countries (0.35 = 35%)."
    )
    rvc_method: Literal["build_down", "build_up"] = Field(
        "build_down", description="How the regional value content of a product with a bill of materials is "
        "measured, from the components the plan routes to its plant: build_down, the value less its "
        "non-originating materials (the plant's own value added counts as originating); build_up, its originating "
        "materials alone. Either over the product's value at the plant: its local and imported cost and its "
        "components at value. A product without a bill of materials is measured by its content, as before."
    )


TradeRules = tuple[list[Tariff], list[Agreement]]


def _regime_layers(name: str) -> list[TradeRules]:
    return [([Tariff.model_validate(raw) for raw in layer["tariffs"]],
             [Agreement.model_validate(raw) for raw in layer["agreements"]]) for layer in regime_layers(name)]


def _layered(layers: list[TradeRules]) -> TradeRules:
    """The rules of ``layers``, each replacing the tariffs of the same key and agreements of the same id before it."""
    tariffs: list[Tariff] = []
    agreements: list[Agreement] = []
    for own_tariffs, own_agreements in layers:
        keys, ids = {t.key() for t in own_tariffs}, {a.id for a in own_agreements}
        tariffs = [t for t in tariffs if t.key() not in keys] + own_tariffs
        agreements = [a for a in agreements if a.id not in ids] + own_agreements
    return tariffs, agreements


def regime_rules(name: str) -> TradeRules:
    """The tariffs and agreements of a shipped regime (those of the regimes it extends included)."""
    return _layered(_regime_layers(name))



def layered_rules(regime: str | None, tariffs: list[Tariff], agreements: list[Agreement]) -> TradeRules:
    """The tariffs and agreements in force: those of ``regime`` (if any), overridden by ``tariffs`` and
    ``agreements``."""
    return _layered([*([] if regime is None else _regime_layers(regime)), (list(tariffs), list(agreements))])
