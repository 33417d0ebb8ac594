"""The physical network: products and their bills of materials, sites (plants and their pools, what each plant can
build, capacity that can be added), markets and their demand, ports, freight and lanes between any two nodes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from footprint.scenario.model.base import Entity, Identifier, Location, YearRange
from footprint.scenario.model.codes import Country, Currency, IsoCountry
from footprint.scenario.model.figures import (
    Fraction,
    NonNegative,
    NotBool,
    Positive,
    Real,
    Year,
    YearSeries,
    value_of,
)


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
    sea_knots: Positive = Field(16.0, description="Speed at sea, nautical miles per hour, for the transit days of "
                                "lanes computed from distances: 16, container ships' slow-steaming speed (their "
                                "design speed of 22-25 knots is rarely sailed since 2008, to save fuel).")
    port_days: NonNegative = Field(2.0, description="Days at each port of a sea lane (two per lane): loading or "
                                   "unloading, and customs; 2, a typical container dwell time.")
    road_km_per_day: Positive = Field(500.0, description="Road km a truck covers in a day: 500, about 8 hours at "
                                      "60 km/h within drivers' hours rules.")


Bom = dict[Identifier, Positive]
"""A bill of materials: units of each component per unit made."""


class Product(Entity):
    id: Identifier = Field(description="Product name, unique.")
    product_class: str = Field(description="Tariff class (e.g. HS heading 8703, passenger cars).")
    platform: str | None = Field(None, description="Vehicle platform or product family.")
    bom: Bom = Field(default_factory=dict, description="Components per unit (see components): each plant that "
                     "makes the product takes them in, from suppliers or plants, through lanes.")


class Pool(Entity):
    id: Identifier = Field(description="Pool name, unique within its plant (a line, a body shop).")
    products: list[Identifier] = Field(min_length=1, description="Products (and components) that draw on this pool.")
    capacity: YearSeries = Field(description="Base capacity, units per year (one value or per year).")


class Site(Entity):
    """A node of the network the plan may open or close: a plant, a supplier or a distribution centre."""

    id: Identifier = Field(description="Name, unique among plants, suppliers, facilities and markets.")
    country: IsoCountry = Field(description="ISO 3166 country code; the origin for tariffs.")
    currency: Currency = Field(description="Currency of its local costs (ISO 4217).")
    location: Location | None = Field(None, description="Coordinates, for maps and distances.")
    port: Port | None = Field(None, description="Port it ships from and receives at by sea.")
    operating_years: YearRange = Field(
        default_factory=YearRange, description="Years it can operate (open by default)."
    )
    fixed_cost: NonNegative = Field(0.0, description="Fixed cost per year it is open (every operating year unless "
                                    "the plan opens or closes it), in its currency.")
    candidate: bool = Field(False, description="A new site (for a supplier: not yet qualified): the plan decides "
                            "whether and in which year to open it; closed until then (no capacity, no fixed cost).")
    opening_cost: NonNegative = Field(0.0, description="One-off cost in the year a candidate opens (a supplier: "
                                      "its qualification), in its currency.")
    earliest_open: Year | None = Field(
        None, description="First year a candidate can be open, lead time included (default: horizon start)."
    )
    closable: bool = Field(False, description="The plan may close it: once closed it stays closed (no capacity, no "
                           "fixed cost). A candidate that is closable may open and later close, each at most once.")
    closing_cost: NonNegative = Field(0.0, description="One-off cost in the year it closes (its first year "
                                      "closed), in its currency.")

    @model_validator(mode="after")
    def _decision_fields_need_their_decision(self) -> Site:
        kind = type(self).__name__.lower()
        if not self.candidate and (value_of(self.opening_cost) > 0 or self.earliest_open is not None):
            raise ValueError(f"opening_cost and earliest_open apply to a candidate {kind}; set candidate: true")
        if not self.closable and value_of(self.closing_cost) > 0:
            raise ValueError(f"closing_cost applies to a closable {kind}; set closable: true")
        return self


class Plant(Site):
    pools: list[Pool] = Field(min_length=1, description="Capacity pools of the plant.")


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
    product: Identifier = Field(description="Product (or component) it can build.")
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


def _single_source(raw: object) -> object:
    """true, false or product ids; as a table's cell, the same as text (``true``, ``rogue, altima``)."""
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        return [item.strip() for item in text.split(",") if item.strip()]
    return raw


SingleSource = Annotated[bool | list[Identifier], BeforeValidator(_single_source)]
"""Whether a market's demand is single-sourced: all of it (true), none (false) or that of the products listed."""


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
    single_source: SingleSource = Field(
        False, description="Each year, at most one plant serves the market's demand for a product (exactly one "
        "where no lost sale is allowed): true for every product, or a list of the products so served (in a "
        "table's cell: true, or their ids comma-separated)."
    )

    max_transit_days: NonNegative | None = Field(
        None, description="Delivery within this many transit days: lanes and modes slower than that (or of unknown "
        "transit days) do not serve the market. Through a facility the promise counts from the facility (goods "
        "are held in stock there): only the delivery leg's transit days count."
    )

    def single_sourced(self) -> list[str]:
        """The products of the market's demand that it single-sources (``single_source``), in demand's order."""
        if isinstance(self.single_source, bool):
            return list(self.demand) if self.single_source else []
        return [product for product in self.demand if product in self.single_source]


def can_route(plant: Plant, market: Market) -> bool:
    """Whether freight can be computed from distances: both ends have a port (sea), or both a location (road)."""
    return (plant.port is not None and market.port is not None) or (
        plant.location is not None and market.location is not None)


LEGACY_LANE_FIELDS = {"plant": "origin", "market": "destination"}
"""How lanes were written before any node could be an end (a plant to a market): read as origin and destination."""


MODES = ("sea", "rail", "road", "air")
"""The transport modes a lane may carry goods by."""
Mode = Literal["sea", "rail", "road", "air"]


class LaneMode(Entity):
    """One way to carry goods along a lane: its cost, its time and a fixed cost for each year it is used."""

    mode: Mode = Field(description="sea, rail, road or air; each at most once on a lane.")
    cost: NonNegative | None = Field(None, description="Cost per unit, in the lane's currency (or give "
                                     "cost_per_km). A sea mode without either costs what freight_rates compute "
                                     "for the sea route between the ends' ports, else default_freight.")
    cost_per_km: NonNegative | None = Field(None, description="Cost per unit and km, in the lane's currency: times "
                                            "the lane's distance_km, else the great-circle km between its ends' "
                                            "locations.")
    transit_days: NonNegative | None = Field(None, description="Days from leaving the origin to arriving (a sea "
                                             "mode without a cost: default from distances at freight_rates' "
                                             "speeds). A mode of unknown transit days cannot serve a market "
                                             "with a max_transit_days.")
    fixed_cost: NonNegative = Field(0.0, description="Cost for each year the mode carries anything on the lane "
                                    "(a contract, a rail slot), in the lane's currency: the plan decides per year "
                                    "whether to use the mode.")

    @model_validator(mode="after")
    def _one_cost(self) -> LaneMode:
        if self.cost is not None and self.cost_per_km is not None:
            raise ValueError("give cost or cost_per_km, not both")
        if self.cost is None and self.cost_per_km is None and self.mode != "sea":
            raise ValueError(f"{'an' if self.mode == 'air' else 'a'} {self.mode} mode needs a cost or a cost_per_km "
                             "(only a sea mode's cost is computed: from freight_rates, else default_freight)")
        return self


class Lane(Entity):
    origin: Identifier = Field(description="Where the goods leave: a supplier, a plant or a facility.")
    destination: Identifier = Field(description="Where they arrive: a plant, a facility or a market.")
    freight: NonNegative | None = Field(None, description="Transport cost per unit, in currency: one sea mode (for "
                                        "several, give modes). Without freight or modes, the lane's freight is "
                                        "computed as an unlisted lane's (freight_rates, else default_freight).")
    transit_days: NonNegative | None = Field(None, description="Days in transit of freight's sea mode (default: "
                                             "from distances at freight_rates' speeds, where they give them).")
    currency: Currency | None = Field(None, description="Currency of freight and of the modes' costs (default: "
                                      "reporting currency).")
    distance_km: Positive | None = Field(None, description="Length of the lane in km, for modes costed per km "
                                         "(default: great-circle km between its ends' locations).")
    modes: list[LaneMode] = Field(default_factory=list, description="Transport modes of the lane (in place of "
                                  "freight): the plan routes each unit by one of them.")

    @model_validator(mode="after")
    def _freight_or_modes(self) -> Lane:
        if self.modes and (self.freight is not None or self.transit_days is not None):
            raise ValueError("give freight (and transit_days) for one sea mode, or modes, not both")
        return self

    @model_validator(mode="before")
    @classmethod
    def _legacy_ends(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and any(old in raw for old in LEGACY_LANE_FIELDS):
            renamed = {LEGACY_LANE_FIELDS.get(key, key): value for key, value in raw.items()}
            if len(renamed) < len(raw):
                raise ValueError("give origin and destination, or plant and market (as before), not both")
            return renamed
        return raw



NODE_SECTIONS = ("suppliers", "plants", "facilities", "markets")
"""The sections whose entries are nodes that lanes name by id."""
LANE_KINDS = (("suppliers", "plants"), ("plants", "plants"), ("plants", "markets"), ("plants", "facilities"),
              ("facilities", "markets"))
"""What a lane may join: components from a supplier or a plant to a plant; products from a plant to a market or a
facility, and from a facility to a market."""


def lane_joins(scenario: Any) -> tuple[tuple[str, str], ...]:
    """The kinds of node a lane of ``scenario`` may join: plant to plant only where there are components to carry."""
    return tuple(pair for pair in LANE_KINDS if pair != ("plants", "plants") or scenario.components)


def node_sections(scenario: Any) -> dict[str, tuple[str, ...]]:
    """The sections each node id is in (NODE_SECTIONS)."""
    sections: dict[str, tuple[str, ...]] = {}
    for section in NODE_SECTIONS:
        for node in getattr(scenario, section):
            sections[node.id] = (*sections.get(node.id, ()), section)
    return sections


def lane_ends(scenario: Any, lane: Lane, sections: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...],
                                                                                       tuple[str, ...]]:
    """The sections each end of ``lane`` may be in (``sections``: node_sections of the scenario): those holding a
    node of its name, narrowed to the pairs a lane may join when that leaves any (ids need differ only where a lane
    could mean either: a plant and a market may share a name, as they do in some published instances, where no
    lane joins two plants)."""
    found = sections.get(lane.origin, ()), sections.get(lane.destination, ())
    joins = lane_joins(scenario)
    pairs = [(o, d) for o in found[0] for d in found[1] if (o, d) in joins]
    if not pairs:
        return found
    return tuple(dict.fromkeys(o for o, _ in pairs)), tuple(dict.fromkeys(d for _, d in pairs))
