"""Rules of origin from the plan's own sourcing: which units of a product with a bill of materials (or of a component
sent between plants) may claim an agreement's preference, what a claim saves, and the terms of the rows that say
when it may (optimize/origin.py).

A product with a bill of materials has no fixed qualification (its content profile never qualifies by itself:
economics/network.py). Where it is made at a plant in an agreement's member country and shipped direct to a market
in another member, the plan decides how many of its units claim the agreement, and it may claim only as far as the
components it routes to that plant that year carry the originating value the agreement asks for:

- Claims. ``claim[f,a]`` units of flow f claim agreement a, at most the flow in all (a unit claims one agreement
  in a year). The flow pays the general rate; each unit claimed saves (general - claimed rate) x its customs value,
  the claimed rate being, in each dated span of the year, the lower of the general rate and the agreement's (with
  the duties it relieves on the unit's dutiable content, as the capability's content says: today's rule), and the
  spans weighted by their days: a claim is made only where it pays, as for any product. Only claims that save
  duty in their year exist.
- Originating components. A component comes from a member country when the supplier or the plant that ships it is
  in one that year (a plant's own components come from its own country), and it then originates whole (a
  component's own sourcing is not looked into). ``orig[g,c,s]``: units of component c from country s counted
  for the claimed units of group g = (plant, product, year, agreement); per group and component, at most the bill
  of materials times the units claimed; per plant, component, year and country, at most the units received from
  that country. Split by country, a component counts once where two agreements would both count it.
- The value of a unit at its plant, V: its local and imported cost, a sourcing option's extra cost and its bill of
  materials at value (components' ``value``: the customs value, which is also what its duty is paid on). Of it,
  the own content D (local and imported cost) is split by origin as for any product (local cost from the plant's
  country, imported cost from ``imported_origin``, non-originating where unnamed; a sourcing option moves its
  share), and a component is non-originating unless counted in ``orig``.
- The rule, per group (``threshold`` t): build-down (the default), the value of non-originating materials at
  most (1 - t) V: D x (1 - share from members) + B - sum_c value_c orig_c / claimed <= (1 - t) V, B the bill of
  materials at value; build-up, the value of originating materials at least t V, the plant's own value added
  (local cost) not being a material: max(0, D x share from members - local) + sum_c value_c orig_c / claimed >= t V.
  Multiplied by the units claimed, both are linear: sum_f k_f claim[f,a] - sum_c,s value_c orig[g,c,s] <= 0.

Parts claim too. A component made at one plant and sent to another across a border (a transfer arc) may claim an
agreement as a product does: ``part_claim[r,a]`` units of arc r, at most the arc, each saving (general - the
agreement's rate, as for a certified part) x the part's value (its maker's cost plus its bill of materials at value:
what its duty is paid on), in groups (making plant, component, year, agreement) with the same rule and cells: the
maker's local cost originates (its country is a member, or no claim saves duty), its imported cost does not (a
component's capability names no origin for it), and the components it received count through ``orig``, drawing on
the same sources as the plant's products.

What stays as before: a component from a member's plant or supplier counts as originating whole toward what is
made with it (its own content is not looked into for that), a product through a distribution centre pays the
general rate, and a relieved duty's dutiable content is the capability's content (not its components').
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from footprint.economics.joins import pairs_by_key
from footprint.economics.trade import SHARE_TOLERANCE

SAVING_TOLERANCE = 1e-12
"""A claim that saves less than this share of its customs value saves nothing: it is not offered."""


@dataclass(frozen=True)
class ClaimSet:
    """Claims of one kind: of units of products shipped direct to markets (on flows), or of components made at one
    plant and sent to another (on transfer arcs)."""

    arc: np.ndarray
    """The flow, or the transfer arc, of each claim."""
    agreement: np.ndarray
    group: np.ndarray
    """The group of each claim."""
    saving: np.ndarray
    """Duty saved per unit claimed, reporting currency, undiscounted."""
    value: np.ndarray
    """The value per unit at the plant (V)."""
    own_originating: np.ndarray
    """Originating value per unit besides the components counted for it: build-down V - D x (1 - share) - B,
    build-up max(0, D x share - local)."""
    coefficient: np.ndarray
    """Per unit claimed in its group's rvc row: build-down D x (1 - share) + B - (1 - t) V, build-up
    t V - own originating (each less SHARE_TOLERANCE x V: a share within 1e-9 of the threshold meets it)."""

    def __len__(self) -> int:
        return len(self.arc)


@dataclass(frozen=True)
class Claims:
    """The claims a plan may make, their groups (plant, item made, year, agreement), and the allocation cells of
    originating components to groups, with the rows they sit in (see the module's doc)."""

    products: ClaimSet
    """Claims on direct flows of products; their groups come first."""
    parts: ClaimSet
    """Claims on components sent from the plant that makes them to another."""
    group_plant: np.ndarray
    group_item: np.ndarray
    """The product, or for a group of part claims the component, its units are."""
    group_is_part: np.ndarray
    group_year: np.ndarray
    group_agreement: np.ndarray
    cell_group: np.ndarray
    """The group of each allocation cell orig[g,c,s]."""
    cell_component: np.ndarray
    cell_country: np.ndarray
    """The country each cell's components come from (the duty tables' country axis)."""
    cell_bom: np.ndarray
    """The cell's (group, component) row: one per group and component of its bill of materials with a cell."""
    cell_source: np.ndarray
    """The cell's source row: one per (plant, component, year, country) with a cell."""
    bom_group: np.ndarray
    bom_component: np.ndarray
    bom_units: np.ndarray
    """Per (group, component) row: units of the component per unit of the group's item."""
    source_plant: np.ndarray
    source_component: np.ndarray
    source_year: np.ndarray
    source_country: np.ndarray
    supply_source: np.ndarray
    """The source row each supply arc delivers into (-1: none)."""
    transfer_source: np.ndarray
    """The source row each transfer arc delivers into (-1: none)."""
    countries: list[str]
    """Names of the country codes."""

    def __len__(self) -> int:
        return len(self.products) + len(self.parts)

    def item_codes(self, network: Any, groups: np.ndarray | slice) -> tuple[np.ndarray, list[str]]:
        """Each group's item as a code into the names of the products, then the components; and those names."""
        codes = self.group_item[groups] + np.where(self.group_is_part[groups], len(network.products), 0)
        return codes, [*network.products, *network.tiers.components]


def _no_claim_set() -> ClaimSet:
    empty, none = np.zeros(0, np.int64), np.zeros(0)
    return ClaimSet(empty, empty, empty, none, none, none, none)


def _no_claims(countries: list[str], supply: int, transfer: int) -> Claims:
    empty, none = np.zeros(0, np.int64), np.zeros(0)
    return Claims(_no_claim_set(), _no_claim_set(), empty, empty, np.zeros(0, bool), empty, empty, empty, empty,
                  empty, empty, empty, empty, empty, none, empty, empty, empty, empty,
                  np.full(supply, -1, np.int64), np.full(transfer, -1, np.int64), countries)


def _offered(arcs: np.ndarray, general: np.ndarray, claimed_rate: Any, value: np.ndarray,
             n_agreements: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(arc, agreement, saving per unit) of every claim of ``arcs`` that saves duty: ``claimed_rate(a)`` the rate
    each arc pays claiming agreement a, ``value`` what the rate is paid on."""
    rows = []
    for a in range(n_agreements):
        saving_rate = general - claimed_rate(a)
        keep = np.flatnonzero(saving_rate > SAVING_TOLERANCE)
        rows.append((arcs[keep], np.full(len(keep), a, np.int64), saving_rate[keep] * value[keep]))
    arc, agreement, saving = (np.concatenate(parts) for parts in zip(*rows, strict=True))
    return arc, agreement, saving


def _product_claims(network: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Claims on direct flows of products with a bill of materials (see the module's doc)."""
    duty, tiers = network.duty, network.tiers
    has_bom = (tiers.product_bom > 0).any(axis=1)
    flows = np.flatnonzero(has_bom[network.flow_product])
    profile, market, year = network.flow_profile[flows], network.flow_market[flows], network.flow_year[flows]
    general = duty.yearly_general[network.plant_origin[network.flow_plant[flows]], network.market_destination[market],
                                  network.product_class[network.flow_product[flows]], year]
    return _offered(flows, general, lambda a: network.claimed_rate(profile, market, year, a),
                    network.customs_value(flows), len(duty.agreements))


def _part_claims(network: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Claims on components made at one plant and sent to another across a border (see the module's doc)."""
    duty, tiers = network.duty, network.tiers
    transfer = tiers.transfer
    arcs = np.flatnonzero(tiers.maker_plant[transfer.origin] != transfer.destination)
    maker, year = transfer.origin[arcs], transfer.year[arcs]
    cell = (network.plant_origin[tiers.maker_plant[maker]], network.plant_origin[transfer.destination[arcs]],
            tiers.component_class[tiers.maker_component[maker]], year)
    return _offered(arcs, duty.yearly_general[cell],
                    lambda a: duty.yearly_originating([duty.agreements[a].id])[cell],
                    tiers.made_value[maker, year], len(duty.agreements))


def _rule_terms(network: Any, agreement: np.ndarray, local: np.ndarray, own: np.ndarray, share: np.ndarray,
                value: np.ndarray, materials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(own originating, coefficient) of claims (see ClaimSet) under each one's agreement's rule."""
    agreements = network.duty.agreements
    threshold = np.array([a.threshold for a in agreements])[agreement]
    build_up = np.array([a.build_up for a in agreements], dtype=bool)[agreement]
    non_originating = own * (1.0 - share)
    own_originating = np.where(build_up, np.maximum(own * share - local, 0.0), value - non_originating - materials)
    coefficient = np.where(build_up, threshold * value - own_originating,
                           non_originating + materials - (1.0 - threshold) * value) - SHARE_TOLERANCE * value
    return own_originating, coefficient


def compile_claims(network: Any) -> Claims:
    """The claims of ``network`` (a Network) and what they need (see the module's doc)."""
    duty = network.duty
    countries = list(duty.country)
    if not network.scenario.components:  # nor suppliers, nor arcs
        return _no_claims(countries, 0, 0)
    tiers = network.tiers
    if not duty.agreements:
        return _no_claims(countries, len(tiers.supply), len(tiers.transfer))
    flow, flow_agreement, flow_saving = _product_claims(network)
    transfer, part_agreement, part_saving = _part_claims(network)
    if not len(flow) and not len(transfer):
        return _no_claims(countries, len(tiers.supply), len(tiers.transfer))
    maker, transfer_year = tiers.transfer.origin[transfer], tiers.transfer.year[transfer]
    # groups: (kind, plant, item, year, agreement), the products' first
    plant = np.concatenate([network.flow_plant[flow], tiers.maker_plant[maker]]).astype(np.int64)
    item = np.concatenate([network.flow_product[flow], tiers.maker_component[maker]]).astype(np.int64)
    year = np.concatenate([network.flow_year[flow], transfer_year]).astype(np.int64)
    agreement = np.concatenate([flow_agreement, part_agreement])
    is_part = np.repeat([0, 1], [len(flow), len(transfer)])
    n_items, n_agreements, n_years = max(len(network.products), len(tiers.components)), len(duty.agreements), len(
        network.years)
    key = (((is_part * len(network.plants) + plant) * n_items + item) * n_years + year) * n_agreements + agreement
    keys, group = np.unique(key, return_inverse=True)
    group = group.reshape(-1)
    rest, group_agreement = np.divmod(keys, n_agreements)
    rest, group_year = np.divmod(rest, n_years)
    rest, group_item = np.divmod(rest, n_items)
    group_is_part, group_plant = np.divmod(rest, len(network.plants))

    # products: the value at the plant and its origin (economics/network.py's content profiles)
    profile = network.flow_profile[flow]
    capability = network.profile_capability[profile]
    product_year = network.flow_year[flow]
    local = network.cap_local[capability, product_year]
    own = local + network.cap_imported[capability, product_year]
    materials = network.product_bom_value[network.flow_product[flow], product_year]
    value = own + network.profile_extra[profile, product_year] + materials
    share = network.profile_member_share[profile, flow_agreement, product_year]
    products = ClaimSet(flow, flow_agreement, group[:len(flow)], flow_saving, value,
                        *_rule_terms(network, flow_agreement, local, own, share, value, materials))
    # parts: the maker's local cost originates in its country (a member's, or there is no claim), its imported
    # cost does not (a component's capability names no origin for it)
    local, own = tiers.maker_local[maker, transfer_year], tiers.maker_cost[maker, transfer_year]
    value = tiers.made_value[maker, transfer_year]
    share = np.divide(local, own, out=np.ones_like(own), where=own > 0)
    parts = ClaimSet(transfer, part_agreement, group[len(flow):], part_saving, value,
                     *_rule_terms(network, part_agreement, local, own, share, value, value - own))
    cells = _cells(network, group_plant, group_item, group_is_part.astype(bool), group_year, group_agreement)
    return Claims(products=products, parts=parts, group_plant=group_plant, group_item=group_item,
                  group_is_part=group_is_part.astype(bool), group_year=group_year, group_agreement=group_agreement,
                  countries=countries, **cells)


def _cells(network: Any, group_plant: np.ndarray, group_item: np.ndarray, group_is_part: np.ndarray,
           group_year: np.ndarray, group_agreement: np.ndarray) -> dict[str, np.ndarray]:
    """The allocation cells of the groups, and the rows they sit in: per (group, component) and per source
    (plant, component, year, country), with the arcs that deliver into each source."""
    tiers, duty = network.tiers, network.duty
    supply, transfer = tiers.supply, tiers.transfer
    supplier_country = np.array([duty.country[s.country] for s in network.scenario.suppliers], dtype=np.int64)
    n_components, n_years, n_countries = len(tiers.components), len(network.years), len(duty.country)
    # each arrival's (plant, component, year) and (..., country) as one integer key
    where = (np.concatenate([supply.destination, transfer.destination]).astype(np.int64) * n_components
             + np.concatenate([tiers.offer_component[supply.item], transfer.item])) * n_years + np.concatenate(
        [supply.year, transfer.year])
    country = np.concatenate([supplier_country[tiers.offer_supplier[supply.item]],
                              network.plant_origin[tiers.maker_plant[transfer.origin]]]).astype(np.int64)
    # the sources: distinct (plant, component, year, country), numbered as they first arrive
    keys, first, arc_source = np.unique(where * n_countries + country, return_index=True, return_inverse=True)
    by_arrival = np.argsort(first)
    number = np.empty(len(keys), np.int64)
    number[by_arrival] = np.arange(len(keys))
    arc_source = number[arc_source.reshape(-1)]
    source_keys = keys[by_arrival]
    source_where, source_country = np.divmod(source_keys, n_countries)
    # each group with each component of its item's bill of materials, with each source of it at its plant
    boms = np.vstack([tiers.product_bom, tiers.component_bom])  # a product's row, then a component's
    group_bom = group_item + np.where(group_is_part, len(tiers.product_bom), 0)
    item, component = np.nonzero(boms)
    group, entry = pairs_by_key(group_bom, item)
    component = component[entry]
    pair, source = pairs_by_key((group_plant[group] * n_components + component) * n_years + group_year[group],
                                source_where)
    cell_group, cell_component, cell_country = group[pair], component[pair], source_country[source]
    member = np.stack([a.member for a in duty.agreements])  # (agreement, country, year)
    keep = member[group_agreement[cell_group], cell_country, group_year[cell_group]]
    cell_group, cell_component, cell_country, source = (column[keep] for column in (
        cell_group, cell_component, cell_country, source))
    # keep the sources some cell draws on, and number the rows densely
    used = np.unique(source)
    renumber = np.full(len(source_keys), -1, np.int64)
    renumber[used] = np.arange(len(used))
    pairs, cell_bom = np.unique(cell_group * n_components + cell_component, return_inverse=True)
    bom_group, bom_component = np.divmod(pairs, n_components)
    rest, source_year = np.divmod(source_where[used], n_years)
    source_plant, source_component = np.divmod(rest, n_components)
    arc_row = renumber[arc_source]
    return {
        "cell_group": cell_group.astype(np.int64), "cell_component": cell_component.astype(np.int64),
        "cell_country": cell_country, "cell_bom": cell_bom.reshape(-1).astype(np.int64),
        "cell_source": renumber[source], "bom_group": bom_group.astype(np.int64),
        "bom_component": bom_component.astype(np.int64),
        "bom_units": boms[group_bom[bom_group], bom_component],
        "source_plant": source_plant, "source_component": source_component, "source_year": source_year,
        "source_country": source_country[used], "supply_source": arc_row[:len(supply)],
        "transfer_source": arc_row[len(supply):],
    }


__all__ = ["SAVING_TOLERANCE", "ClaimSet", "Claims", "compile_claims"]
