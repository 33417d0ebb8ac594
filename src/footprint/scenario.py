"""The scenario: plants, products, markets, lanes, FX and tariffs, as frozen data.

Each entity is declared once, here. The declaration drives validation, file
loading and the format reference in the README (``footprint schema``). Amounts
are per unit and per year unless a field says otherwise; the currency of an
amount is named by the field's description.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from footprint.checks import consistency_problems
from footprint.codes import Country, Currency, country_code
from footprint.figures import Figure, NonNegative, Num, Positive, Year, YearSeries, series_value, value_of
from footprint.fx import FxError, FxRule, FxSpec, fx_table

ANY_ORIGIN = "*"


def _origin(code: str) -> str:
    return code if code == ANY_ORIGIN else country_code(code)


Identifier = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]


def _rule_shorthand(raw: Any) -> Any:
    return FxRule() if raw == "ecb" else raw


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(Entity):
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees north.")
    lon: float = Field(ge=-180, le=180, description="Longitude, degrees east.")


class Port(Entity):
    name: str = Field(description="Port name (for reports).")
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees north.")
    lon: float = Field(ge=-180, le=180, description="Longitude, degrees east.")


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
    country: Country = Field(description="ISO 3166 country code; the origin for tariffs.")
    currency: Currency = Field(description="Currency of local costs (ISO 4217).")
    location: Location | None = Field(None, description="Coordinates, for maps and distances.")
    port: Port | None = Field(None, description="Port the plant ships from by sea.")
    operating_years: YearRange = Field(
        default_factory=YearRange, description="Years the plant can produce (open by default)."
    )
    fixed_cost: NonNegative = Field(0.0, description="Fixed cost per operating year, plant currency.")
    pools: list[Pool] = Field(min_length=1, description="Capacity pools of the plant.")


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

    @model_validator(mode="after")
    def _imported_currency_named(self) -> Capability:
        if value_of(self.imported_cost) > 0 and self.imported_currency is None:
            raise ValueError("imported_cost > 0 needs an imported_currency")
        return self


class CapacityOption(Entity):
    id: Identifier = Field(description="Option name, unique.")
    plant: Identifier = Field(description="Plant of the pool the option adds to.")
    pool: Identifier = Field(description="Pool the option adds capacity to.")
    capacity: Positive = Field(description="Added capacity, units per year.")
    capex: NonNegative = Field(description="One-off investment when built, in currency.")
    currency: Currency | None = Field(None, description="Currency of capex (default: plant currency).")
    earliest_year: Year | None = Field(
        None, description="First year it can be online, lead time included (default: horizon start)."
    )


class Market(Entity):
    id: Identifier = Field(description="Market name, unique.")
    country: Country = Field(description="ISO 3166 country code (or EU); the destination for tariffs.")
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
        "fob", description="Customs value: production cost (fob) or production cost plus freight (cif)."
    )


class Lane(Entity):
    plant: Identifier = Field(description="Origin plant.")
    market: Identifier = Field(description="Destination market.")
    freight: NonNegative = Field(description="Transport cost per unit, in currency.")
    currency: Currency | None = Field(None, description="Currency of freight (default: reporting currency).")


class Tariff(Entity):
    origin: Annotated[str, AfterValidator(_origin)] = Field(
        description="Origin country, or * for every origin without a rate of its own (MFN)."
    )
    destination: Country = Field(description="Destination country (or EU).")
    product_class: str = Field(description="Product class the rate applies to.")
    year: Year | None = Field(None, description="Year of the rate; or give from_year/to_year, or dates.")
    from_year: Year | None = Field(None, description="First year of the rate (default: horizon start).")
    to_year: Year | None = Field(None, description="Last year of the rate (default: horizon end).")
    from_date: dt.date | None = Field(None, description="First day of the rate (a year counts the share of "
                                                        "its days the rate is in force).")
    to_date: dt.date | None = Field(None, description="Last day of the rate (inclusive).")
    rate: NonNegative = Field(description="Ad valorem rate on the customs value (0.025 = 2.5%).")
    additional: bool = Field(False, description="An additional duty (e.g. Section 232): it stacks on the "
                                                "base rate instead of replacing it.")

    @model_validator(mode="after")
    def _one_way_of_dating(self) -> Tariff:
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

    def weights(self, horizon: Horizon) -> dict[int, float]:
        """The share of each year the rate is in force (1.0 for a whole year), for years it touches."""
        if self.year is not None:
            return {self.year: 1.0}
        if self.from_date is None and self.to_date is None:
            first = horizon.start if self.from_year is None else self.from_year
            last = horizon.end if self.to_year is None else self.to_year
            return dict.fromkeys(range(first, last + 1), 1.0)
        start = self.from_date or dt.date(horizon.start, 1, 1)
        end = self.to_date or dt.date(horizon.end, 12, 31)
        shares = {}
        for year in range(start.year, end.year + 1):
            days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
            covered = (min(end, dt.date(year, 12, 31)) - max(start, dt.date(year, 1, 1))).days + 1
            shares[year] = covered / days
        return shares


class SolverSettings(Entity):
    time_limit: float | None = Field(None, gt=0, description="Seconds; the best plan found by then is kept.")
    mip_gap: float = Field(1e-4, ge=0, description="Relative optimality gap at which to stop.")
    threads: int | None = Field(None, ge=1, description="Solver threads (default: HiGHS decides).")


class Scenario(Entity):
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
    tariffs: list[Tariff] = Field(default_factory=list, description="Ad valorem duties; unlisted: 0.")
    solver: SolverSettings = Field(default_factory=SolverSettings, description="Solver options.")

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = consistency_problems(self)
        if problems:
            raise ValueError("; ".join(str(problem) for problem in problems))
        return self

    @property
    def years(self) -> list[int]:
        return self.horizon.years

    def currencies(self) -> set[str]:
        """Every currency an amount of the scenario is stated in."""
        used = {self.currency} | {p.currency for p in self.plants} | set(self.fx)
        used |= {c.imported_currency for c in self.capabilities if c.imported_currency}
        used |= {o.currency for o in self.options if o.currency}
        used |= {m.currency for m in self.markets if m.currency}
        if self.freight_rates is not None and self.freight_rates.currency:
            used.add(self.freight_rates.currency)
        return used | {lane.currency for lane in self.lanes if lane.currency}

    @cached_property
    def fx_rates(self) -> dict[str, dict[int, float]]:
        """Units of each currency per unit of the reporting currency, by year."""
        rates, problems = fx_table(self.fx, self.fx_default, self.currencies(), self.currency, self.years)
        if problems:
            raise FxError("; ".join(f"fx.{c}: {message}" for c, message in problems.items()))
        return rates

    def fx_rate(self, currency: str, year: int) -> float:
        """Units of ``currency`` per unit of the reporting currency in ``year``."""
        return self.fx_rates[currency][year]


__all__ = [
    "ANY_ORIGIN",
    "Capability",
    "CapacityOption",
    "Figure",
    "Horizon",
    "Lane",
    "Location",
    "Market",
    "Num",
    "Plant",
    "Pool",
    "Product",
    "Scenario",
    "SolverSettings",
    "Tariff",
    "YearRange",
    "series_value",
]
