"""Sourcing rules compiled for the model builder: the demands each served by one plant at most (a market's
``single_source``) and the count rules over groups of plants (``groups``), as arrays over the network's codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from footprint.economics.network import Network
from footprint.scenario.model.groups import MEMBER_KINDS, group_members


@dataclass(frozen=True)
class SingleSourced:
    """Every year of every single-sourced (product, market) pair a market's demand lists, whatever its units that
    year: the decisions to take are the same in every future, a future whose demand is 0 included."""

    product: np.ndarray
    market: np.ndarray
    year: np.ndarray
    """Year index."""
    demand: np.ndarray
    """The network's demand entry of each (-1 where there is none: no units that year)."""


def single_sourced(network: Network) -> SingleSourced:
    """The network's single-sourced demands, by product, market and year."""
    product_code = {name: code for code, name in enumerate(network.products)}
    pairs = np.array([(product_code[product], k) for k, market in enumerate(network.scenario.markets)
                      for product in market.single_sourced()], dtype=np.int64).reshape(-1, 2)
    n_years, n_markets = len(network.years), len(network.markets)
    product, market = np.repeat(pairs[:, 0], n_years), np.repeat(pairs[:, 1], n_years)
    year = np.tile(np.arange(n_years, dtype=np.int64), len(pairs))
    key = (product * n_markets + market) * n_years + year
    entries = (network.demand_product * n_markets + network.demand_market) * n_years + network.demand_year
    demand = np.full(len(key), -1, dtype=np.int64)
    if len(entries):  # each (product, market, year) has one entry at most
        order = np.argsort(entries)
        at = order[np.minimum(np.searchsorted(entries, key, sorter=order), len(entries) - 1)]
        demand = np.where(entries[at] == key, at, -1)
    return SingleSourced(product, market, year, demand)


@dataclass(frozen=True)
class GroupRules:
    """The count rules over groups: each group's sites, and the least and most of them open by year."""

    names: list[str]
    member_group: np.ndarray
    member_kind: np.ndarray
    """Each member's kind of site, as its position in MEMBER_KINDS (plants, suppliers, facilities)."""
    member_site: np.ndarray
    """Each member's position among the sites of its kind."""
    least: np.ndarray
    """Least members open, by group and year index (-inf where the rule sets none, or does not hold that year)."""
    most: np.ndarray
    """Most members open, by group and year index (inf where the rule sets none, or does not hold that year)."""


def group_rules(network: Network) -> GroupRules:
    """The scenario's groups over the network's plants, suppliers and facilities."""
    groups = network.scenario.groups
    years = [int(year) for year in network.years]
    least, most = np.full((len(groups), len(years)), -np.inf), np.full((len(groups), len(years)), np.inf)
    member_group, member_kind, member_site = [], [], []
    for g, group in enumerate(groups):
        held = np.isin(years, group.years(years))
        if group.min_open is not None:
            least[g, held] = group.min_open
        if group.max_open is not None:
            most[g, held] = group.max_open
        sections = {"plants": network.plants, "suppliers": network.tiers.suppliers.names,
                    "facilities": network.tiers.facilities.names}
        for found in group_members(sections, group):
            if found is not None:  # the scenario's checks refuse unknown members
                member_group.append(g)
                member_kind.append(MEMBER_KINDS.index(found[0]))
                member_site.append(found[1])
    return GroupRules([group.id for group in groups], np.array(member_group, dtype=np.int64),
                      np.array(member_kind, dtype=np.int64), np.array(member_site, dtype=np.int64), least, most)


__all__ = ["GroupRules", "SingleSourced", "group_rules", "single_sourced"]
