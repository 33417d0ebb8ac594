"""The scenario's entities: plants, products, markets, lanes, FX and tariffs, as frozen data.

Each entity is declared once, here. The declaration drives validation, file
loading and the format reference in the README (``footprint schema``). Amounts
are per unit and per year unless a field says otherwise; the currency of an
amount is named by the field's description. Checks across entities are in
``checks``; ``scenario.Scenario`` is these fields with those checks run.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)

from footprint.scenario.codes import Country, Currency, IsoCountry, country_code
from footprint.scenario.figures import (
    MIN_RATE,
    RATE_EXPECTED,
    Figure,
    Fraction,
    NonNegative,
    NotBool,
    Num,
    Positive,
    Rate,
    Real,
    Year,
    YearSeries,
    dump_number,
    error_details,
    number_text,
    parse_series,
    series_value,
    value_of,
)
from footprint.scenario.regimes import regime_layers, regime_names
from footprint.scenario.text import short

ANY_ORIGIN = "*"


def _origin(code: str) -> str:
    return code if code == ANY_ORIGIN else country_code(code)


Identifier = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]


def _known_regime(name: Any) -> str:
    if isinstance(name, int) and not isinstance(name, bool):  # `regime: 2012` reads as a number
        name = str(name)
    if not isinstance(name, str) or name not in regime_names():
        raise ValueError(f"unknown regime {short(name)}; shipped: {', '.join(regime_names())}")
    return name


RegimeName = Annotated[str, BeforeValidator(_known_regime)]
"""The name of a tariff regime shipped with footprint (never a path)."""


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FxRule(Entity):
    """Rates by rule instead of by number: ECB history, a hold, a path, or a peg."""

    history: Literal["ecb"] | None = Field(
        "ecb", description="Past years: annual means of the ECB daily reference rates (offline)."
    )
    hold_after: Year | None = Field(
        None, description="Years after this one repeat its rate (what a planner knew in that year)."
    )
    future: Literal["hold_last", "mean_last_5"] = Field(
        "hold_last", description="Years past the data: repeat the last year, or the mean of the last five."
    )
    path: dict[Year, Rate] = Field(
        default_factory=dict, description="Given rates for given years; they override everything else."
    )
    peg: Currency | None = Field(None, description="Pegged to this currency ...")
    rate: Rate | None = Field(None, description="... at this many units per unit of it.")

    @model_validator(mode="after")
    def _peg_has_rate(self) -> FxRule:
        if (self.peg is None) != (self.rate is None):
            raise ValueError("a peg needs both peg (the currency) and rate")
        return self


RULE_KEYS = set(FxRule.model_fields)


def _fx_spec(raw: Any) -> Any:
    if isinstance(raw, FxRule):
        return raw
    if raw == "ecb":
        return FxRule()
    if isinstance(raw, dict) and raw and set(raw) <= RULE_KEYS and "value" not in raw:
        try:
            return FxRule.model_validate(raw)
        except ValidationError as err:
            raise ValueError(f"expected an FX rule: {error_details(err)}") from None
    series = parse_series(raw)
    for year, rate in (series.items() if isinstance(series, dict) else [(None, series)]):
        if not value_of(rate) >= MIN_RATE:
            where = "" if year is None else f"year {year}: "
            raise ValueError(f"{where}expected a rate {RATE_EXPECTED}, found {number_text(value_of(rate))}")
    return series


def _dump_spec(spec: Any) -> Any:
    if isinstance(spec, FxRule):
        return spec.model_dump(exclude_defaults=True) or "ecb"
    return dump_number(spec)


FxSpec = Annotated[Num | dict[int, Num] | FxRule, PlainValidator(_fx_spec), PlainSerializer(_dump_spec)]
"""A currency's rates: a number, a number per year, ``ecb``, or an FxRule."""


def _rule_shorthand(raw: Any) -> Any:
    return FxRule() if raw == "ecb" else raw


class Location(Entity):
    lat: Annotated[Real, Field(ge=-90, le=90)] = Field(description="Latitude, degrees north.")
    lon: Annotated[Real, Field(ge=-180, le=180)] = Field(description="Longitude, degrees east.")


class Port(Entity):
    name: str = Field(description="Port name (for reports).")
    lat: Annotated[Real, Field(ge=-90, le=90)] = Field(description="Latitude, degrees north.")
    lon: Annotated[Real, Field(ge=-180, le=180)] = Field(description="Longitude, degrees east.")


class FreightRates(Entity):
    """Freight for lanes not listed: sea distance (searoute, offline), port handling and road legs."""

    per_nautical_mile: NonNegative = Field(description="Sea freight per unit and nautical mile, in currency.")
    port_handling: NonNegative = Field(0.0, description="Handling per unit at each port (two per sea lane).")
    per_road_km: NonNegative = Field(0.0, description="Road or rail freight per unit and km, in currency.")
    road_factor: Positive = Field(1.2, description="Road km per great-circle km.")
    currency: Currency | None = Field(None, description="Currency of the rates (default: reporting currency).")


class YearRange(Entity):
    start: Year | None = Field(None, description="First year (inclusive); open if absent.")
    end: Year | None = Field(None, description="Last year (inclusive); open if absent.")

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def contains(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


class Horizon(Entity):
    start: Year = Field(description="First planning year.")
    end: Year = Field(description="Last planning year (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))


class Product(Entity):
    id: Identifier = Field(description="Product name, unique.")
    product_class: str = Field(description="Tariff class (e.g. HS heading 8703, passenger cars).")
    platform: str | None = Field(None, description="Vehicle platform or product family.")


class Pool(Entity):
    id: Identifier = Field(description="Pool name, unique within its plant (a line, a body shop).")
    products: list[Identifier] = Field(min_length=1, description="Products that draw on this pool.")
    capacity: YearSeries = Field(description="Base capacity, units per year (one value or per year).")


class Plant(Entity):
    id: Identifier = Field(description="Plant name, unique.")
    country: IsoCountry = Field(description="ISO 3166 country code; the origin for tariffs.")
    currency: Currency = Field(description="Currency of local costs (ISO 4217).")
    location: Location | None = Field(None, description="Coordinates, for maps and distances.")
    port: Port | None = Field(None, description="Port the plant ships from by sea.")
    operating_years: YearRange = Field(
        default_factory=YearRange, description="Years the plant can produce (open by default)."
    )
    fixed_cost: NonNegative = Field(0.0, description="Fixed cost per year the plant is open (every operating "
                                    "year unless the plan opens or closes it), plant currency.")
    pools: list[Pool] = Field(min_length=1, description="Capacity pools of the plant.")
    candidate: bool = Field(False, description="A greenfield site: the plan decides whether and in which year to "
                            "open it; closed until then (no capacity, no fixed cost).")
    opening_cost: NonNegative = Field(0.0, description="One-off cost in the year a candidate opens, plant currency.")
    earliest_open: Year | None = Field(
        None, description="First year a candidate can be open, lead time included (default: horizon start)."
    )
    closable: bool = Field(False, description="The plan may close the plant: once closed it stays closed (no "
                           "capacity, no fixed cost). A candidate that is closable may open and later close, "
                           "each at most once.")
    closing_cost: NonNegative = Field(0.0, description="One-off cost in the year the plant closes (its first year "
                                      "closed), plant currency.")

    @model_validator(mode="after")
    def _decision_fields_need_their_decision(self) -> Plant:
        if not self.candidate and (value_of(self.opening_cost) > 0 or self.earliest_open is not None):
            raise ValueError("opening_cost and earliest_open apply to a candidate plant; set candidate: true")
        if not self.closable and value_of(self.closing_cost) > 0:
            raise ValueError("closing_cost applies to a closable plant; set closable: true")
        return self


class SourcingOption(Entity):
    """Sourcing a share of a product's content from another country, at a cost: a way to meet a rule of origin."""

    id: Identifier = Field(description="Option name, unique within its capability (not `own`: plans label "
                           "units made without a sourcing option so).")
    share: Fraction = Field(description="Share of the unit's value sourced anew (at most what it replaces).")
    origin: Country = Field(description="Country the content comes from once sourced.")
    replaces: Country | None = Field(
        None, description="Country whose content it replaces (default: the imported content's origin, or the "
        "non-originating rest)."
    )
    extra_cost: NonNegative = Field(0.0, description="Added cost per unit, in currency.")
    fixed_cost: NonNegative = Field(0.0, description="Cost per year in use (supplier set-up), in currency; "
                                    "makes the choice a yes/no decision per year.")
    currency: Currency | None = Field(None, description="Currency of the costs (default: plant currency).")

    @field_validator("id")
    @classmethod
    def _not_own(cls, name: str) -> str:
        if name == "own":
            raise ValueError("`own` labels units made without a sourcing option; choose another id")
        return name


class Capability(Entity):
    plant: Identifier = Field(description="Plant that can build the product.")
    product: Identifier = Field(description="Product it can build.")
    local_cost: NonNegative = Field(description="Local content per unit, plant currency.")
    imported_cost: NonNegative = Field(0.0, description="Imported content per unit, in imported_currency.")
    imported_currency: Currency | None = Field(
        None, description="Currency of imported content (required when imported_cost > 0)."
    )
    launch_cost: NonNegative = Field(
        0.0, description="Tooling cost when production starts, plant currency."
    )
    min_volume: NonNegative = Field(0.0, description="Minimum units per year while assigned.")
    in_production: bool = Field(
        False, description="Already built here before the horizon: no launch cost to continue."
    )
    imported_origin: Country | None = Field(
        None, description="Country the imported content comes from, for rules of origin (default: non-originating)."
    )
    content: dict[Country, Fraction] | None = Field(
        None, description="Shares of the unit's value by country of origin, for rules of origin (a customs union's "
        "code, EU: content from its members, originating under agreements that list the union); the rest counts "
        "as non-originating. Default: local cost from the plant's country and imported cost from "
        "imported_origin, by each year's costs in the reporting currency."
    )
    sourcing: list[SourcingOption] = Field(
        default_factory=list, description="Ways to source content elsewhere (the plan chooses per year)."
    )

    @model_validator(mode="after")
    def _imported_currency_named(self) -> Capability:
        if value_of(self.imported_cost) > 0 and self.imported_currency is None:
            raise ValueError("imported_cost > 0 needs an imported_currency")
        if self.content is not None and sum(value_of(v) for v in self.content.values()) > 1 + 1e-9:
            raise ValueError("content shares add up to more than 1")
        return self


class CapacityOption(Entity):
    id: Identifier = Field(description="Option name, unique.")
    plant: Identifier = Field(description="Plant of the pool the option adds to.")
    pool: Identifier = Field(description="Pool the option adds capacity to.")
    capacity: Positive = Field(description="Added capacity, units per year.")
    capex: NonNegative = Field(description="One-off investment per build, in currency.")
    currency: Currency | None = Field(None, description="Currency of capex (default: plant currency).")
    earliest_year: Year | None = Field(
        None, description="First year it can be online, lead time included (default: horizon start)."
    )
    max_builds: Annotated[int, NotBool, Field(ge=1, le=10_000)] = Field(
        1, description="How many times it may be built (in the same or different years); each build adds its "
        "capacity and pays its capex.")


class Market(Entity):
    id: Identifier = Field(description="Market name, unique.")
    country: Country = Field(description="ISO 3166 country code; the destination for tariffs. A customs union's "
                             "code (EU) for a market standing for the whole union: its external tariff applies, "
                             "and goods from its members enter free.")
    currency: Currency | None = Field(
        None, description="Currency of price and penalty (default: reporting currency)."
    )
    demand: dict[Identifier, YearSeries] = Field(
        default_factory=dict, description="Units per year, by product (one value or per year)."
    )
    price: dict[Identifier, YearSeries] = Field(
        default_factory=dict, description="Net revenue per unit, by product (maximize_profit)."
    )
    lost_sale_penalty: dict[Identifier, YearSeries] = Field(
        default_factory=dict,
        description="Cost per unit of unserved demand, by product; without one, demand must be met "
        "(minimize_cost) or may go unserved at its lost price (maximize_profit).",
    )
    location: Location | None = Field(None, description="Where the market's demand is centred (road legs).")
    port: Port | None = Field(None, description="Port the market is served through by sea.")
    customs_basis: Literal["fob", "cif"] = Field(
        "fob", description="Customs value: production cost (fob) or production cost plus freight to the point "
        "of entry (cif): a sea lane's freight to the market's port, without the handling there or the road leg "
        "inland; a listed lane's, the default's or a road lane's freight whole."
    )


def can_route(plant: Plant, market: Market) -> bool:
    """Whether freight can be computed from distances: both ends have a port (sea), or both a location (road)."""
    return (plant.port is not None and market.port is not None) or (
        plant.location is not None and market.location is not None)


class Lane(Entity):
    plant: Identifier = Field(description="Origin plant.")
    market: Identifier = Field(description="Destination market.")
    freight: NonNegative = Field(description="Transport cost per unit, in currency.")
    currency: Currency | None = Field(None, description="Currency of freight (default: reporting currency).")


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
        "without a rate of its own (MFN). The most specific origin wins: a country's rate, then its union's, then *."
    )
    destination: Country = Field(description="Destination country, or a customs union (EU): imports into each "
                                 "member from outside the union; a member's own rate replaces the union's.")
    product_class: str = Field(description="Product class the rate applies to.")
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
        """What a scenario's own tariff replaces in a regime: same origin, destination, class and measure."""
        return self.origin, self.destination, self.product_class, self.measure if self.additional else None


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
    product_class: str = Field(description="Product class the rate applies to.")
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


MAX_THREADS = 256
"""More solver threads than this only cost start-up time (HiGHS makes each one)."""


class SolverSettings(Entity):
    time_limit: Annotated[Real, Field(gt=0)] | None = Field(
        None, description="Seconds; the best plan found by then is kept.")
    mip_gap: Annotated[Real, Field(ge=0, le=1)] = Field(1e-4, description="Relative optimality gap at which to stop.")
    threads: Annotated[int, NotBool, Field(ge=1, le=MAX_THREADS)] | None = Field(
        None, description=f"Solver threads, at most {MAX_THREADS} (default: HiGHS decides; never more than the "
        "machine's cores).")


class ScenarioFields(Entity):
    """Every section of a scenario, each field validated; ``scenario.Scenario`` adds the checks across them."""

    name: str = Field(description="Scenario name.")
    description: str = Field("", description="What the scenario is about.")
    currency: Currency = Field("USD", description="Reporting currency; all results are in it.")
    horizon: Horizon = Field(description="Planning years.")
    discount_rate: NonNegative = Field(0.0, description="Yearly rate for NPV (0.08 = 8%).")
    objective: Literal["minimize_cost", "maximize_profit"] = Field(
        "minimize_cost", description="What the plan optimizes."
    )
    default_freight: NonNegative | None = Field(
        None, description="Freight per unit on unlisted lanes, reporting currency; absent: unlisted "
        "lanes cannot be used."
    )
    products: list[Product] = Field(min_length=1, description="Products.")
    plants: list[Plant] = Field(min_length=1, description="Plants and their capacity pools.")
    capabilities: list[Capability] = Field(min_length=1, description="Which plant can build what, at what cost.")
    options: list[CapacityOption] = Field(default_factory=list, description="Capacity that can be added.")
    markets: list[Market] = Field(min_length=1, description="Markets and their demand.")
    freight_rates: FreightRates | None = Field(
        None, description="Freight of unlisted lanes from distances; it comes before default_freight."
    )
    lanes: list[Lane] = Field(default_factory=list, description="Freight per plant-market lane.")
    fx: dict[Currency, FxSpec] = Field(
        default_factory=dict,
        description="Units of each currency per unit of the reporting currency: one value, one per year, "
        "`ecb` (ECB annual means, offline) or a rule (see fx rule).",
    )
    fx_default: Annotated[FxRule, BeforeValidator(_rule_shorthand)] | None = Field(
        None, description="Rule for every currency used but not listed under fx (e.g. `ecb`)."
    )
    regime: RegimeName | None = Field(
        None, description="A tariff regime shipped with footprint (see `footprint regimes`); the scenario's "
        "own tariffs replace its rates with the same origin, destination, class and measure, and its own "
        "agreements those with the same id."
    )
    tariffs: list[Tariff] = Field(default_factory=list, description="Ad valorem duties; unlisted: 0.")
    agreements: list[Agreement] = Field(default_factory=list, description="Free-trade agreements.")
    solver: SolverSettings = Field(default_factory=SolverSettings, description="Solver options.")

    @property
    def years(self) -> list[int]:
        return self.horizon.years

    @cached_property
    def trade_rules(self) -> tuple[list[Tariff], list[Agreement]]:
        """The tariffs and agreements in force: the regime's, overridden by the scenario's own."""
        return _layered([*([] if self.regime is None else _regime_layers(self.regime)),
                         (list(self.tariffs), list(self.agreements))])

    def currencies(self) -> set[str]:
        """Every currency an amount of the scenario is stated in."""
        used = {self.currency} | {p.currency for p in self.plants} | set(self.fx)
        used |= {c.imported_currency for c in self.capabilities if c.imported_currency}
        used |= {o.currency for c in self.capabilities for o in c.sourcing if o.currency}
        used |= {o.currency for o in self.options if o.currency}
        used |= {m.currency for m in self.markets if m.currency}
        if self.freight_rates is not None and self.freight_rates.currency:
            used.add(self.freight_rates.currency)
        return used | {lane.currency for lane in self.lanes if lane.currency}


__all__ = [
    "ANY_ORIGIN",
    "Agreement",
    "Capability",
    "CapacityOption",
    "Figure",
    "FxRule",
    "FxSpec",
    "Horizon",
    "Lane",
    "Location",
    "Market",
    "Member",
    "Num",
    "Plant",
    "Pool",
    "PreferentialRate",
    "Product",
    "Relief",
    "ScenarioFields",
    "SolverSettings",
    "SourcingOption",
    "Tariff",
    "YearRange",
    "regime_rules",
    "series_value",
]
