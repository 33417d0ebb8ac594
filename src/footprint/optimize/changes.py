"""Forced and forbidden decisions: "build Busan's option", "keep the Rogue for the US in Kyushu".

A change names an option (``OPTION`` or ``OPTION@YEAR``), an assignment
(``PLANT/PRODUCT`` or ``PLANT/PRODUCT@MARKET``) or a plant decision (``open:PLANT``,
``open:PLANT@YEAR``, ``close:PLANT``, ``close:PLANT@YEAR``). Forcing an option builds it
(in that year); forbidding it keeps it unbuilt. Forcing an assignment leaves the
product (for that market) to that plant alone; forbidding it takes the plant out.
In a single-sourced market, forcing ``PLANT/PRODUCT@MARKET`` makes the plant its source and forbidding it
leaves the choice to the others. Forcing ``open:`` opens a candidate (in that year: its first year open); forbidding it
keeps it from opening (then). ``close:`` does the same for closing a closable plant
(in that year: its first year closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np

from footprint.economics.network import Network
from footprint.optimize.highs import add_row, set_bounds
from footprint.optimize.model import FootprintModel, option_years, plant_cells

PLANT_DECISIONS = ("open", "close")


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
        decision, colon, plant_target = change.target.partition(":")  # no id has a colon
        name, _, at = (plant_target if colon else change.target).partition("@")
        if colon:
            _apply_plant(model, highs, change, decision, name, at)
        elif "/" in name:
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


def _apply_plant(model: FootprintModel, highs: highspy.Highs, change: Change, decision: str, name: str,
                 at: str) -> None:
    """Force or forbid opening (``open``) or closing (``close``) a plant, in some year or in year ``at``.

    Forcing acts on open[p,t]; forbidding bounds opened[p,t] or closed[p,t] at 0. Either way
    plant_status does the rest.
    """
    network = model.network
    p = _decision_plant(network, decision, name)
    opening, candidate = decision == "open", bool(network.plant_candidate[p])
    plant, year = plant_cells(network)
    columns = model.program.variables["open"].columns(np.flatnonzero(plant == p))
    has_change = network.plant_candidate[plant] if opening else network.plant_closable[plant]
    change_columns = model.program.variables["opened" if opening else "closed"].columns(
        np.flatnonzero(plant[has_change] == p))  # the plant's cells, in order, as are its open columns
    years = network.years[year[plant == p]]
    # Opening in year i: open from i, closed in i - 1. Closing in i: open in i - 1 (before the horizon,
    # for an existing plant), closed from i: a candidate closes at the earliest a year after it can open.
    can_open = year[plant == p] >= network.plant_first_open[p]
    possible = (np.flatnonzero(can_open) if opening else np.flatnonzero(np.r_[False, can_open[:-1]]) if candidate
                else np.arange(len(years)))
    if at:
        if not at.isdigit() or int(at) not in years[possible]:
            raise ChangeError(f"plant {name!r} cannot {decision} in {at!r}; possible years: "
                              f"{', '.join(str(y) for y in years[possible]) or 'none'}")
        i = int(np.searchsorted(years, int(at)))
        if change.kind == "forbid":
            set_bounds(highs, change_columns[i:i + 1], np.zeros(1), np.zeros(1))
            return
        now, before = (1.0, 0.0) if opening else (0.0, 1.0)
        set_bounds(highs, columns[i:i + 1], np.array([now]), np.array([now]))
        if i > 0:
            set_bounds(highs, columns[i - 1:i], np.array([before]), np.array([before]))
    elif change.kind == "forbid":
        set_bounds(highs, change_columns, np.zeros(len(change_columns)), np.zeros(len(change_columns)))
    elif len(possible) == 0:
        raise ChangeError(f"plant {name!r} cannot {decision} in any year of the horizon")
    else:
        if candidate:  # to open, or to close (it opens first): open in some year
            add_row(highs, columns, np.ones(len(columns)), 1.0, np.inf)
        if not opening:  # and closed in its last year
            set_bounds(highs, columns[-1:], np.zeros(1), np.zeros(1))


def _decision_plant(network: Network, decision: str, name: str) -> int:
    """The code of plant ``name``, which the plan may open (``open``) or close (``close``)."""
    if decision not in PLANT_DECISIONS:
        raise ChangeError(f"unknown plant decision {decision!r}; expected open:PLANT or close:PLANT (with @YEAR "
                          "or without)")
    if name not in network.plants:
        raise _known("plant", name, network.plants)
    allowed = network.plant_candidate if decision == "open" else network.plant_closable
    if not allowed[network.plants.index(name)]:
        which = [plant for plant, may in zip(network.plants, allowed, strict=True) if may]
        what, some = ("a candidate", "candidates") if decision == "open" else ("closable", "closable plants")
        raise ChangeError(f"plant {name!r} is not {what}: the plan does not {decision} it; {some}: "
                          f"{', '.join(which) if which else 'none'}")
    return network.plants.index(name)


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
