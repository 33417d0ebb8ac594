"""What stands between plants and markets: distribution centres, cross-docks and port hubs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from footprint.scenario.model.figures import NonNegative, YearSeries
from footprint.scenario.model.network import Site


class Facility(Site):
    """A distribution centre: it receives products from plants and ships what it receives to markets, the same
    year (no stock is held from one year to the next). It is a bonded warehouse: its goods are not cleared there,
    and pay their duty once, on entering the market's country, by the plant that made them (economics/tiers.py)."""

    kind: Literal["dc"] = Field("dc", description="dc: a distribution centre, cross-dock or port hub.")
    capacity: YearSeries | None = Field(None, description="Most units it handles per year (default: unlimited).")
    handling_cost: NonNegative = Field(0.0, description="Cost per unit handled, in its currency.")
