"""Forced and forbidden decisions: "build Busan's option", "keep the Rogue for the US in Kyushu".

A change names an option (``OPTION`` or ``OPTION@YEAR``) or an assignment
(``PLANT/PRODUCT`` or ``PLANT/PRODUCT@MARKET``). Forcing an option builds it
(in that year); forbidding it keeps it unbuilt. Forcing an assignment leaves the
product (for that market) to that plant alone; forbidding it takes the plant out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np

from footprint.optimize.highs import add_row, set_bounds
from footprint.optimize.model import FootprintModel, option_years


class ChangeError(ValueError):
    """A change that names something the scenario does not have."""


@dataclass(frozen=True)
class Change:
    kind: Literal["force", "forbid"]
    target: str

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"


def apply_changes(model: FootprintModel, highs: highspy.Highs, changes: tuple[Change, ...]) -> None:
    """Restrict the model held by ``highs``; ChangeError names what is unknown."""
    for change in changes:
        name, _, at = change.target.partition("@")
        if "/" in name:
            _apply_assignment(model, highs, change, name, at)
        else:
            _apply_option(model, highs, change, name, at)


def _known(what: str, name: str, known: list[str]) -> ChangeError:
    hint = f"; known: {', '.join(known)}" if len(known) <= 12 else ""
    return ChangeError(f"unknown {what} {name!r}{hint}")


def _apply_option(model: FootprintModel, highs: highspy.Highs, change: Change, name: str, at: str) -> None:
    network = model.network
    if name not in network.option_names:
        raise _known("option", name, network.option_names)
    option, year = option_years(network)
    mine = np.flatnonzero(option == network.option_names.index(name))
    columns, years = model.program.variables["build"].columns(mine), network.years[year[mine]]
    if at:
        if not at.isdigit() or int(at) not in years:
            raise ChangeError(f"option {name!r} cannot come online in {at!r}; possible years: "
                              f"{', '.join(str(y) for y in years)}")
        columns = columns[years == int(at)]
    if change.kind == "forbid":
        set_bounds(highs, columns, np.zeros(len(columns)), np.zeros(len(columns)))
    else:
        add_row(highs, columns, np.ones(len(columns)), 1.0, 1.0)


def _apply_assignment(model: FootprintModel, highs: highspy.Highs, change: Change, name: str, market: str) -> None:
    network = model.network
    plant, _, product = name.partition("/")
    if plant not in network.plants:
        raise _known("plant", plant, network.plants)
    if product not in network.products:
        raise _known("product", product, network.products)
    if market and market not in network.markets:
        raise _known("market", market, network.markets)
    at_plant = network.flow_plant == network.plants.index(plant)
    if not (at_plant & (network.cap_product[network.flow_capability] == network.products.index(product))).any():
        raise ChangeError(f"plant {plant!r} cannot build {product!r} for any market")
    chosen = network.flow_product == network.products.index(product)
    if market:
        chosen &= network.flow_market == network.markets.index(market)
    closed = chosen & (at_plant if change.kind == "forbid" else ~at_plant)
    columns = model.program.variables["flow"].columns(np.flatnonzero(closed))
    set_bounds(highs, columns, np.zeros(len(columns)), np.zeros(len(columns)))


def parse_changes(force: list[str] | None, forbid: list[str] | None) -> tuple[Change, ...]:
    return (*(Change("force", t) for t in force or []), *(Change("forbid", t) for t in forbid or []))
