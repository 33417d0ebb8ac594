"""What plants take in: components (parts and sub-assemblies, each with its own bill of materials) and the suppliers
that sell them."""

from __future__ import annotations

from pydantic import Field

from footprint.scenario.model.base import Entity, Identifier
from footprint.scenario.model.codes import Currency
from footprint.scenario.model.figures import NonNegative, YearSeries
from footprint.scenario.model.network import Bom, Site


class Component(Entity):
    id: Identifier = Field(description="Component name, unique among products and components.")
    product_class: str = Field(description="Tariff class (an HS heading: 8407 engines, 8483 transmissions, 8708 "
                               "parts).")
    value: NonNegative = Field(description="Value per unit for customs and rules of origin (its price as a part of "
                               "what is made from it), in currency.")
    currency: Currency | None = Field(None, description="Currency of value (default: reporting currency).")
    weight: NonNegative = Field(0.0, description="Kilograms per unit (reported with the flows).")
    bom: Bom = Field(default_factory=dict, description="Components per unit of this one (a sub-assembly); a "
                     "component may not contain itself, directly or through others.")


class Supply(Entity):
    component: Identifier = Field(description="Component sold.")
    price: YearSeries = Field(description="Price per unit, in the supplier's currency (one value, per year, or a "
                              "growth series).")
    capacity: YearSeries | None = Field(None, description="Most units per year (default: unlimited).")
    min_volume: NonNegative = Field(0.0, description="Fewest units per year it sells, in a year it sells any: buying "
                                    "becomes a yes/no decision per year.")
    originating: list[Identifier] = Field(
        default_factory=list, description="Agreements under which the supplier certifies the part as originating "
        "(its certificate of origin): shipped from a member to a member on days the agreement is in force, the part "
        "pays the agreement's preferential rate where it is lower than the general rate, and none of the additional "
        "duties the agreement relieves (a USMCA-originating part and Section 232). Without one, the part pays the "
        "general rate.")


class Supplier(Site):
    """An external source of components: bought at its price, shipped through lanes to the plants that use them."""

    supplies: list[Supply] = Field(min_length=1, description="Components it sells, at what price and how many.")
