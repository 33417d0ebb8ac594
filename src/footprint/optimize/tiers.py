"""The blocks of the tiers around the plants (economics/tiers.py): purchases from suppliers, components moved between
plants, products through distribution centres, and the balances that tie them to what the plants make.

Variables (each per year, cost d_t x the arc's cost per unit):
    supply[a]    units of a component bought from a supplier for a plant;
    transfer[a]  units of a component made at one plant for another (or itself);
    inbound[a]   units of a product (a content profile) sent from its plant to a facility;
    delivery[a]  units of a commodity sent from a facility to a demand entry;
    supplier_open / facility_open and their opened / closed: the sites' status (model.add_site_status);
    buy[o,t]     binary, for offers with a minimum volume: whether the offer sells that year.
Constraints:
    component[p,c,t]   bought + received - used by the bill of materials of what p makes (products shipped direct
                       or to facilities, components made for any plant) = 0;
    offer[o,t]         bought from offer o <= its capacity (x supplier_open where the plan decides the supplier);
    min_buy[o,t]       min_volume x buy <= bought <= most x buy; buy <= supplier_open;
    commodity[f,g,t]   received at facility f of commodity g = delivered;
    throughput[f,t]    received at f <= its capacity (x facility_open where the plan decides it);
    *_link[a]          arc <= its most x the open variable of each end the plan opens or closes (the strong
                       form of facility location, as the plants' plant_open).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network, pairs_by_key
from footprint.economics.tiers import Arcs
from footprint.optimize.lp import Labels, LinearProgram, Term
from footprint.optimize.sites import SiteBlocks, add_site_status, site_cells

SUPPLIER_BLOCKS = SiteBlocks("supplier_open", "supplier_opened", "supplier_closed", "supplier_open_once",
                             "supplier_close_once", "supplier")
FACILITY_BLOCKS = SiteBlocks("facility_open", "facility_opened", "facility_closed", "facility_open_once",
                             "facility_close_once", "facility")
ARC_BLOCKS = ("supply", "transfer", "inbound", "delivery")


def _names(names: list[str], codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=names, validate=False)


def arc_labels(network: Network, block: str, arcs: np.ndarray | slice) -> pd.DataFrame:
    """The labels of arcs of ``block`` (one of ARC_BLOCKS): where from, what, where to, and the year."""
    tiers = network.tiers
    arc: Arcs = getattr(tiers, block)
    origin, item, destination, year = arc.origin[arcs], arc.item[arcs], arc.destination[arcs], arc.year[arcs]
    components, plants = tiers.components, network.plants
    if block == "supply":
        columns = {"supplier": _names(tiers.suppliers.names, origin),
                   "component": _names(components, tiers.offer_component[item]),
                   "plant": _names(plants, destination)}
    elif block == "transfer":
        columns = {"origin": _names(plants, tiers.maker_plant[origin]), "component": _names(components, item),
                   "destination": _names(plants, destination)}
    elif block == "inbound":
        capability = network.profile_capability[origin]
        columns = {"plant": _names(plants, network.cap_plant[capability]),
                   "product": _names(network.products, network.cap_product[capability]),
                   "facility": _names(tiers.facilities.names, destination)}
    else:
        columns = {"facility": _names(tiers.facilities.names, origin),
                   "product": _names(network.products, tiers.commodity_product[item]),
                   "market": _names(network.markets, network.demand_market[destination])}
    return pd.DataFrame(columns | {"year": network.years[year]})


def add_tier_variables(program: LinearProgram, network: Network, profit: bool) -> None:
    """The arcs, the suppliers' and facilities' status, and the buy decisions of minimum volumes; maximizing profit,
    what a facility delivers earns its market's price."""
    tiers = network.tiers
    if tiers.empty:
        return
    for block in ARC_BLOCKS:
        arc: Arcs = getattr(tiers, block)
        cost = arc.cost - (network.demand_price[arc.destination] if profit and block == "delivery" else 0.0)
        program.add_variables(block, Labels(len(arc), lambda block=block: arc_labels(network, block, slice(None))),
                              cost=cost * network.discount[arc.year])
    for sites, blocks in ((tiers.suppliers, SUPPLIER_BLOCKS), (tiers.facilities, FACILITY_BLOCKS)):
        add_site_status(program, sites, network.years, network.discount, blocks)
        program.offset += float((sites.fixed_cost * network.discount)[~sites.decides].sum())
    offer, year = buy_cells(network)
    if len(offer):
        index = pd.DataFrame({"supplier": _names(tiers.suppliers.names, tiers.offer_supplier[offer]),
                              "component": _names(tiers.components, tiers.offer_component[offer]),
                              "year": network.years[year]})
        program.add_variables("buy", index, upper=1.0, integer=True)


def buy_cells(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(offer, year index) of every buy variable: offers with a minimum volume, in years their supplier operates."""
    tiers = network.tiers
    n_years = len(network.years)
    offer, year = np.divmod(np.arange(len(tiers.offer_supplier) * n_years), n_years)
    keep = (tiers.offer_min_volume[offer] > 0) & tiers.suppliers.operating[tiers.offer_supplier[offer], year]
    return offer[keep], year[keep]


def delivery_terms(program: LinearProgram, network: Network) -> list[Term]:
    """What facilities deliver, in the demand rows (one per demand entry)."""
    if "delivery" not in program.variables:
        return []
    return [(network.tiers.delivery.destination, program.variables["delivery"].span, 1.0)]


def inbound_production(program: LinearProgram, network: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(capability, year index, column) of the units plants make for facilities: production beside the flows."""
    if "inbound" not in program.variables:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    inbound = network.tiers.inbound
    return network.profile_capability[inbound.origin], inbound.year, program.variables["inbound"].columns()


def pool_terms(program: LinearProgram, network: Network, row_of: np.ndarray) -> list[Term]:
    """What plants make for facilities and components they make, in their pools' capacity rows row_of[pool, t]."""
    terms = []
    capability, year, columns = inbound_production(program, network)
    arc, member = pairs_by_key(capability, network.member_capability)
    if len(arc):
        terms.append((row_of[network.member_pool[member], year[arc]], columns[arc], 1.0))
    if "transfer" in program.variables:
        tiers = network.tiers
        arc, member = pairs_by_key(tiers.transfer.origin, tiers.maker_member)
        if len(arc):
            terms.append((row_of[tiers.maker_member_pool[member], tiers.transfer.year[arc]],
                          program.variables["transfer"].columns(arc), 1.0))
    return terms


def add_tier_constraints(program: LinearProgram, network: Network) -> None:
    """The balances, capacities and links of the tiers (see the module's doc)."""
    if network.tiers.empty:
        return
    need = component_need(network)
    _add_component_balance(program, network)
    _add_offers(program, network, need)
    _add_facilities(program, network)
    _add_plant_links(program, network)


def _add_component_balance(program: LinearProgram, network: Network) -> None:
    tiers = network.tiers
    n_plants, n_components, n_years = len(network.plants), len(tiers.components), len(network.years)
    if n_components == 0:
        return

    def cell(plant: np.ndarray, component: np.ndarray, year: np.ndarray) -> np.ndarray:
        return (plant * n_components + component) * n_years + year

    terms: list[Term] = []
    supply, transfer = tiers.supply, tiers.transfer
    terms.append((cell(supply.destination, tiers.offer_component[supply.item], supply.year),
                  program.variables["supply"].span, 1.0))
    terms.append((cell(transfer.destination, transfer.item, transfer.year), program.variables["transfer"].span, 1.0))
    # what is made uses its bill of materials: products shipped direct or to facilities, components made
    flow_capability, flow_year = network.flow_capability, network.flow_year
    capability, year, columns = inbound_production(program, network)
    made = [(np.asarray(flow_capability), np.asarray(flow_year), program.variables["flow"].columns(), tiers.product_bom,
             network.cap_product, network.cap_plant),
            (capability, year, columns, tiers.product_bom, network.cap_product, network.cap_plant),
            (transfer.origin, transfer.year, program.variables["transfer"].columns(), tiers.component_bom,
             tiers.maker_component, tiers.maker_plant)]
    for maker, when, cols, bom, item_of, plant_of in made:
        item, component = np.nonzero(bom)  # the bill of materials' entries, by item and component
        arc, entry = pairs_by_key(item_of[maker], item)
        if len(arc):
            terms.append((cell(plant_of[maker][arc], component[entry], when[arc]), cols[arc],
                          (-bom[item, component])[entry]))
    # rows only where something comes in or is used, numbered densely in (plant, component, year) order
    dense = np.zeros(n_plants * n_components * n_years, np.int64)
    for rows, _, _ in terms:
        dense[rows] = 1
    used = np.flatnonzero(dense)
    dense[used] = np.arange(len(used))

    def index() -> pd.DataFrame:
        plant, component, year = np.unravel_index(used, (n_plants, n_components, n_years))
        return pd.DataFrame({"plant": _names(network.plants, plant),
                             "component": _names(tiers.components, component), "year": network.years[year]})

    program.add_constraints("component", Labels(len(used), index),
                            [(dense[rows], cols, coef) for rows, cols, coef in terms], lower=0.0, upper=0.0)


def component_need(network: Network) -> np.ndarray:
    """The most units of each component the network can use per year index: the demand for every product, through
    its bills of materials at every level. A bound for links, never binding."""
    return network.tiers.explosion.T @ _product_demand(network)


def _add_offers(program: LinearProgram, network: Network, need: np.ndarray) -> None:
    tiers = network.tiers
    supply = tiers.supply
    if not len(supply):
        return
    n_years = len(network.years)
    most = np.minimum(tiers.offer_capacity, need[tiers.offer_component])  # (offer, year)
    cell = supply.item * n_years + supply.year
    supplier = tiers.offer_supplier
    status = _open_columns(program, network, tiers.suppliers, SUPPLIER_BLOCKS.open)
    decides = status[supplier[:, None], np.arange(n_years)] >= 0
    limited = np.isfinite(tiers.offer_capacity) | decides
    offer, year = np.nonzero(limited)
    if len(offer):
        dense = np.full(most.size, -1)
        dense[offer * n_years + year] = np.arange(len(offer))
        rows = dense[cell]
        has = rows >= 0
        terms = [(rows[has], program.variables["supply"].columns(np.flatnonzero(has)), 1.0)]
        opens = np.flatnonzero(decides[offer, year])
        terms.append((opens, status[supplier[offer[opens]], year[opens]], -most[offer[opens], year[opens]]))
        upper = np.where(decides[offer, year], 0.0, most[offer, year])
        program.add_constraints("offer", _offer_index(network, offer, year), terms, upper=upper)
    buy_offer, buy_year = buy_cells(network)
    if len(buy_offer):
        dense = np.full(most.size, -1)
        dense[buy_offer * n_years + buy_year] = np.arange(len(buy_offer))
        rows = dense[cell]
        has = np.flatnonzero(rows >= 0)
        bought = (rows[has], program.variables["supply"].columns(has), 1.0)
        buy = program.variables["buy"].columns()
        cells = np.arange(len(buy_offer))
        index = _offer_index(network, buy_offer, buy_year)
        program.add_constraints("min_buy", index, [bought, (cells, buy, -tiers.offer_min_volume[buy_offer])],
                                lower=0.0)
        program.add_constraints("buy_link", index, [bought, (cells, buy, -most[buy_offer, buy_year])], upper=0.0)
        open_column = status[supplier[buy_offer], buy_year]
        opens = np.flatnonzero(open_column >= 0)
        if len(opens):
            program.add_constraints("buy_open", index.iloc[opens].reset_index(drop=True),
                                    [(np.arange(len(opens)), buy[opens], 1.0),
                                     (np.arange(len(opens)), open_column[opens], -1.0)], upper=0.0)
    _add_arc_links(program, network, "supply", "supply_link", status[supplier[supply.item], supply.year],
                   arc_most(network, "supply"))


def arc_most(network: Network, block: str) -> np.ndarray:
    """The most each arc of ``block`` (one of ARC_BLOCKS) can carry in its year: a purchase, its offer's capacity
    and the network's use of its component; a transfer, that use; a product into a facility, its demand and the
    facility's capacity; a delivery, its demand entry's units and its facility's capacity."""
    tiers = network.tiers
    arc: Arcs = getattr(tiers, block)
    if block == "supply":
        need = component_need(network)
        return np.minimum(tiers.offer_capacity, need[tiers.offer_component])[arc.item, arc.year]
    if block == "transfer":
        return component_need(network)[arc.item, arc.year]
    capacity = tiers.facility_capacity[arc.destination if block == "inbound" else arc.origin, arc.year]
    if block == "inbound":
        return np.minimum(_product_demand(network)[network.cap_product[network.profile_capability[arc.origin]],
                                                   arc.year], capacity)
    return np.minimum(network.demand_units[arc.destination], capacity)


def _product_demand(network: Network) -> np.ndarray:
    """Units of each product demanded in each year index, every market together."""
    demand = np.zeros((len(network.products), len(network.years)))
    np.add.at(demand, (network.demand_product, network.demand_year), network.demand_units)
    return demand


def _offer_index(network: Network, offer: np.ndarray, year: np.ndarray) -> pd.DataFrame:
    tiers = network.tiers
    return pd.DataFrame({"supplier": _names(tiers.suppliers.names, tiers.offer_supplier[offer]),
                         "component": _names(tiers.components, tiers.offer_component[offer]),
                         "year": network.years[year]})


def _open_columns(program: LinearProgram, network: Network, sites: object, block: str) -> np.ndarray:
    """The column of each site's open variable by site and year index; -1 where the plan does not decide it."""
    cells = np.full(sites.operating.shape, -1, dtype=np.int64)
    if block in program.variables:
        site, year = site_cells(sites)
        cells[site, year] = program.variables[block].columns()
    return cells


def _add_arc_links(program: LinearProgram, network: Network, block: str, name: str, open_column: np.ndarray,
                   most: np.ndarray) -> None:
    """``name``[a]: arc a of ``block`` - most[a] x its open column <= 0, for arcs with an open column (>= 0)."""
    linked = np.flatnonzero(open_column >= 0)
    if not len(linked):
        return
    rows = np.arange(len(linked))
    terms = [(rows, program.variables[block].columns(linked), 1.0), (rows, open_column[linked], -most[linked])]
    program.add_constraints(name, Labels(len(linked), lambda: arc_labels(network, block, linked)), terms, upper=0.0)


def _add_facilities(program: LinearProgram, network: Network) -> None:
    tiers = network.tiers
    inbound, delivery = tiers.inbound, tiers.delivery
    n_facilities, n_years = len(tiers.facilities.names), len(network.years)
    if not n_facilities:
        return
    n_commodities = len(tiers.commodity_facility)
    index = pd.DataFrame({"facility": _names(tiers.facilities.names, np.repeat(tiers.commodity_facility, n_years)),
                          "product": _names(network.products, np.repeat(tiers.commodity_product, n_years)),
                          "year": np.tile(network.years, n_commodities)})
    program.add_constraints("commodity", index, [
        (tiers.inbound_commodity * n_years + inbound.year, program.variables["inbound"].span, 1.0),
        (delivery.item * n_years + delivery.year, program.variables["delivery"].span, -1.0)], lower=0.0, upper=0.0)
    status = _open_columns(program, network, tiers.facilities, FACILITY_BLOCKS.open)
    most = np.minimum(tiers.facility_capacity, _product_demand(network).sum(axis=0))
    facility, year = np.nonzero(np.isfinite(tiers.facility_capacity) | (status >= 0))
    if len(facility):
        dense = np.full((n_facilities, n_years), -1)
        dense[facility, year] = np.arange(len(facility))
        rows = dense[inbound.destination, inbound.year]
        has = np.flatnonzero(rows >= 0)
        decided = np.flatnonzero(status[facility, year] >= 0)
        terms = [(rows[has], program.variables["inbound"].columns(has), 1.0),
                 (decided, status[facility[decided], year[decided]], -most[facility[decided], year[decided]])]
        upper = np.where(status[facility, year] >= 0, 0.0, most[facility, year])
        program.add_constraints("throughput", pd.DataFrame({"facility": _names(tiers.facilities.names, facility),
                                                            "year": network.years[year]}), terms, upper=upper)
    _add_arc_links(program, network, "delivery", "delivery_link", status[delivery.origin, delivery.year],
                   arc_most(network, "delivery"))
    _add_arc_links(program, network, "inbound", "inbound_link", status[inbound.destination, inbound.year],
                   arc_most(network, "inbound"))


def _add_plant_links(program: LinearProgram, network: Network) -> None:
    """Nothing is made for a facility or another plant at a plant while it is closed."""
    tiers = network.tiers
    status = _open_columns(program, network, network.plant_sites, "open")
    demand = _product_demand(network)
    inbound = tiers.inbound
    capability = network.profile_capability[inbound.origin]
    _add_arc_links(program, network, "inbound", "inbound_plant_open",
                   status[network.cap_plant[capability], inbound.year],
                   demand[network.cap_product[capability], inbound.year])
    transfer = tiers.transfer
    if len(transfer):
        _add_arc_links(program, network, "transfer", "transfer_plant_open",
                       status[tiers.maker_plant[transfer.origin], transfer.year], arc_most(network, "transfer"))


def facility_single_sources(program: LinearProgram, network: Network, demand_of_entry: np.ndarray,
                            rows: np.ndarray, must: np.ndarray) -> list[Term]:
    """Distribution centres as sources of single-sourced demand, beside plants (model.add_single_sourcing):
    single_source_facility[f,m,k,t] binary for every facility that delivers to such a demand, linked as plants are
    (single_source_facility_link: its deliveries - the demand x the choice, = 0 where none of the demand may go
    unserved, else <= 0). Returns the choices' terms in the one_source rows (``rows``: the single-sourced demand of
    each of those rows; ``demand_of_entry``: the single-sourced demand of each demand entry, -1 for none)."""
    if "delivery" not in program.variables:
        return []
    tiers = network.tiers
    delivery = tiers.delivery
    sourced = demand_of_entry[delivery.destination]
    arcs = np.flatnonzero(sourced >= 0)
    if not len(arcs):
        return []
    keys, arc_cell = np.unique(sourced[arcs] * len(tiers.facilities.names) + delivery.origin[arcs],
                               return_inverse=True)
    single, facility = np.divmod(keys, len(tiers.facilities.names))
    entry = delivery.destination[arcs[np.unique(arc_cell, return_index=True)[1]]]
    index = pd.DataFrame({"facility": _names(tiers.facilities.names, facility),
                          "product": _names(network.products, network.demand_product[entry]),
                          "market": _names(network.markets, network.demand_market[entry]),
                          "year": network.years[network.demand_year[entry]]})
    choice = program.add_variables("single_source_facility", index, upper=1.0, integer=True)
    exact = must[single]
    cells = np.arange(len(keys))
    program.add_constraints("single_source_facility_link", index, [
        (arc_cell, program.variables["delivery"].columns(arcs), 1.0),
        (cells, choice.columns(), -network.demand_units[entry])],
        lower=np.where(exact, 0.0, -np.inf), upper=0.0)
    return [(np.searchsorted(rows, single), choice.columns(), 1.0)]
