"""The blocks of rules of origin from the plan's own sourcing (economics/origin.py): claims of agreements'
preferences for products with a bill of materials, and the components counted as originating for them.

Variables (each per year):
    claim[f,a]     units of direct flow f claiming agreement a; cost -d_t x the duty a unit saves;
    orig[g,c,s]    units of component c from member country s counted for the claimed units of group g =
                   (plant, product, year, agreement).
Constraints:
    claim_limit[f]     sum_a claim[f,a] - flow[f] <= 0;
    origin_bom[g,c]    sum_s orig[g,c,s] - bom[m,c] x sum_f claim[f,a] <= 0 (the claimed units' components);
    origin_source[p,c,t,s]  sum_g orig[g,c,s] - units of c received at p in t from s (supply and transfer arcs) <= 0;
    rvc[g]             sum_f k_f claim[f,a] - sum_c,s value_c,t orig[g,c,s] <= 0: build-down or build-up, as the
                       agreement measures it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network, pairs_by_key
from footprint.optimize.labels import coded, flow_labels
from footprint.optimize.lp import Labels, LinearProgram


def agreement_names(network: Network) -> list[str]:
    return [agreement.id for agreement in network.duty.agreements]


def claim_labels(network: Network, claims: np.ndarray | slice) -> pd.DataFrame:
    """Plant, product, market, year (and sourcing option) and agreement of claims."""
    origin = network.claims
    return flow_labels(network, origin.flow[claims]).assign(
        agreement=coded(origin.agreement[claims], agreement_names(network)))


def group_labels(network: Network, groups: np.ndarray | slice) -> pd.DataFrame:
    """Plant, product, agreement and year of claim groups."""
    origin = network.claims
    return pd.DataFrame({"plant": coded(origin.group_plant[groups], network.plants),
                         "product": coded(origin.group_product[groups], network.products),
                         "agreement": coded(origin.group_agreement[groups], agreement_names(network)),
                         "year": network.years[origin.group_year[groups]]})


def add_origin(program: LinearProgram, network: Network) -> None:
    """The claims, the allocation of originating components and their rows (see the module's doc)."""
    origin = network.claims
    if not len(origin):
        return
    tiers = network.tiers
    claim_year = network.flow_year[origin.flow]
    claim = program.add_variables("claim", Labels(len(origin), lambda: claim_labels(network, slice(None))),
                                  cost=-origin.saving * network.discount[claim_year])
    components = tiers.components
    orig = program.add_variables("orig", Labels(len(origin.cell_group), lambda: group_labels(
        network, origin.cell_group).assign(component=coded(origin.cell_component, components),
                                           country=coded(origin.cell_country, origin.countries))))

    flows, row = np.unique(origin.flow, return_inverse=True)
    program.add_constraints("claim_limit", Labels(len(flows), lambda: flow_labels(network, flows)), [
        (row.reshape(-1), claim.span, 1.0),
        (np.arange(len(flows)), program.variables["flow"].columns(flows), -1.0)], upper=0.0)

    n_groups = len(origin.group_plant)
    if len(origin.bom_group):
        # each claim in the row of every component of its group's bill of materials that has cells
        claim_of, pair = pairs_by_key(origin.group, origin.bom_group)
        program.add_constraints("origin_bom", Labels(len(origin.bom_group), lambda: group_labels(
            network, origin.bom_group).assign(component=coded(origin.bom_component, components))), [
            (origin.cell_bom, orig.span, 1.0),
            (pair, claim.columns(claim_of), -origin.bom_units[pair])], upper=0.0)
        supply_rows, transfer_rows = origin.supply_source, origin.transfer_source
        supplied, transferred = np.flatnonzero(supply_rows >= 0), np.flatnonzero(transfer_rows >= 0)
        program.add_constraints("origin_source", pd.DataFrame({
            "plant": coded(origin.source_plant, network.plants),
            "component": coded(origin.source_component, components),
            "country": coded(origin.source_country, origin.countries),
            "year": network.years[origin.source_year]}), [
            (origin.cell_source, orig.span, 1.0),
            (supply_rows[supplied], program.variables["supply"].columns(supplied), -1.0),
            (transfer_rows[transferred], program.variables["transfer"].columns(transferred), -1.0)], upper=0.0)
    value = tiers.component_value[origin.cell_component, origin.group_year[origin.cell_group]]
    program.add_constraints("rvc", Labels(n_groups, lambda: group_labels(network, slice(None))), [
        (origin.group, claim.span, origin.coefficient),
        (origin.cell_group, orig.span, -value)], upper=0.0)


__all__ = ["add_origin", "agreement_names", "claim_labels", "group_labels"]
