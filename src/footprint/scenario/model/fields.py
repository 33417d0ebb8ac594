"""Every section of a scenario in one declaration: the entities of each domain, the reporting currency, the horizon,
the objective and the solver's settings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    Field,
)

from footprint.scenario.model.base import Entity, Horizon
from footprint.scenario.model.codes import Currency
from footprint.scenario.model.currencies import FxDefault, FxSpec
from footprint.scenario.model.distribution import Facility
from footprint.scenario.model.figures import (
    NonNegative,
    NotBool,
    Real,
)
from footprint.scenario.model.groups import Group
from footprint.scenario.model.network import Capability, CapacityOption, FreightRates, Lane, Market, Plant, Product
from footprint.scenario.model.supply import Component, Supplier
from footprint.scenario.model.trade import Agreement, RegimeName, Tariff, layered_rules

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
    components: list[Component] = Field(default_factory=list, description="Parts and sub-assemblies that products' "
                                        "bills of materials name.")
    suppliers: list[Supplier] = Field(default_factory=list, description="External sources of components.")
    facilities: list[Facility] = Field(default_factory=list, description="Distribution centres between plants and "
                                       "markets.")
    markets: list[Market] = Field(min_length=1, description="Markets and their demand.")
    freight_rates: FreightRates | None = Field(
        None, description="Freight of unlisted lanes from distances; it comes before default_freight."
    )
    lanes: list[Lane] = Field(default_factory=list, description="Freight per lane between two nodes (a plant to a "
                              "market; a supplier or plant to a plant; a plant to a facility; a facility to a "
                              "market).")
    groups: list[Group] = Field(default_factory=list, description="Count rules: how many of a group's plants may "
                                "or must be open each year.")
    fx: dict[Currency, FxSpec] = Field(
        default_factory=dict,
        description="Units of each currency per unit of the reporting currency: one value, one per year, "
        "`ecb` (ECB annual means, offline) or a rule (see fx rule).",
    )
    fx_default: FxDefault | None = Field(
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
        return layered_rules(self.regime, self.tariffs, self.agreements)

    def goods_classes(self) -> list[str]:
        """The product class of every kind of goods the scenario moves across borders (its products' and
        components'), sorted: the classes tariffs are looked up for (``classes.covering``)."""
        return sorted({item.product_class for item in (*self.products, *self.components)})

    def currency_uses(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Every field that names a currency an amount is stated in, with its key path and the currency."""
        for section in ("plants", "suppliers", "facilities", "components", "options", "markets", "lanes"):
            for i, entry in enumerate(getattr(self, section)):
                if entry.currency is not None:
                    yield (section, i, "currency"), entry.currency
        for i, capability in enumerate(self.capabilities):
            if capability.imported_currency is not None:
                yield ("capabilities", i, "imported_currency"), capability.imported_currency
            for j, option in enumerate(capability.sourcing):
                if option.currency is not None:
                    yield ("capabilities", i, "sourcing", j, "currency"), option.currency
        if self.freight_rates is not None and self.freight_rates.currency is not None:
            yield ("freight_rates", "currency"), self.freight_rates.currency

    def currencies(self) -> set[str]:
        """Every currency an amount of the scenario is stated in (the reporting currency and fx's too)."""
        return {self.currency} | set(self.fx) | {currency for _, currency in self.currency_uses()}
