"""Freight of unlisted lanes from distances: the sea route between ports (searoute's bundled
Eurostat MARNET network, offline), port handling at both ends, and road legs as great-circle
distance times a road factor."""

from __future__ import annotations

import math
from functools import cache

from searoute import searoute

from footprint.scenario.entities import FreightRates, Location, Market, Plant, Port, can_route
from footprint.scenario.figures import value_of

EARTH_RADIUS_KM = 6371.0088
FREIGHT_PARTS = ("sea_freight", "port_handling", "land_freight")
"""How a computed lane's freight divides, each part a landed-cost component of its own."""


def great_circle_km(a: Location | Port, b: Location | Port) -> float:
    """Haversine distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@cache
def sea_nautical_miles(origin: tuple[float, float], destination: tuple[float, float]) -> float:
    """Sea distance between two (lon, lat) points along searoute's shipping network."""
    return float(searoute(origin, destination, units="naut")["properties"]["length"])


def lane_parts(plant: Plant, market: Market, rates: FreightRates) -> dict[str, float] | None:
    """Sea, handling and road freight per unit of a lane, in the rates' currency; None if the
    scenario lacks the ports or locations to tell."""
    road = value_of(rates.road_factor) * value_of(rates.per_road_km)
    if not can_route(plant, market):
        return None
    if plant.port is not None and market.port is not None:
        sea = sea_nautical_miles((plant.port.lon, plant.port.lat), (market.port.lon, market.port.lat))
        land_km = (great_circle_km(plant.location, plant.port) if plant.location else 0.0) + (
            great_circle_km(market.port, market.location) if market.location else 0.0)
        return {"sea_freight": sea * value_of(rates.per_nautical_mile),
                "port_handling": 2 * value_of(rates.port_handling), "land_freight": land_km * road}
    assert plant.location is not None
    assert market.location is not None
    return {"sea_freight": 0.0, "port_handling": 0.0,
            "land_freight": great_circle_km(plant.location, market.location) * road}
