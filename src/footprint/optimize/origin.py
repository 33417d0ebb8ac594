"""The blocks of rules of origin from the plan's own sourcing (economics/origin.py): claims of agreements'
preferences for products with a bill of materials and for components sent between plants, and the components
counted as originating for them.

Variables (each per year):
    claim[f,a]       units of direct flow f claiming agreement a; cost -d_t x the duty a unit saves;
    part_claim[r,a]  units of transfer arc r (a component made at one plant for another) claiming agreement a;
                     cost -d_t x the duty a unit saves;
    orig[g,c,s]      units of component c from member country s counted for the claimed units of group g =
                     (plant, item made, year, agreement).
Constraints:
    claim_limit[f]       sum_a claim[f,a] - flow[f] <= 0;
    part_claim_limit[r]  sum_a part_claim[r,a] - transfer[r] <= 0;
    origin_bom[g,c]      sum_s orig[g,c,s] - bom[m,c] x the group's units claimed <= 0 (their components);
    origin_source[p,c,t,s]  sum_g orig[g,c,s] - units of c received at p in t from s (supply and transfer arcs) <= 0;
    rvc[g]               sum k x the group's claims - sum_c,s value_c,t orig[g,c,s] <= 0: build-down or build-up,
                         as the agreement measures it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network, pairs_by_key
from footprint.economics.origin import ClaimSet
from footprint.optimize.labels import coded, flow_labels
from footprint.optimize.lp import Block, Labels, LinearProgram, Term
from footprint.optimize.tiers import arc_labels

CLAIM_BLOCKS = {"products": ("claim", "flow", "claim_limit"), "parts": ("part_claim", "transfer", "part_claim_limit")}
"""Per kind of claims (economics/origin.Claims' sets): its variables, the block of the arcs it claims on, and the
rows that keep it within them."""


def agreement_names(network: Network) -> list[str]:
    return [agreement.id for agreement in network.duty.agreements]


def _arc_labels(network: Network, kind: str, arcs: np.ndarray | slice) -> pd.DataFrame:
    if kind == "products":
        return flow_labels(network, arcs)
    return arc_labels(network, "transfer", arcs)


def claim_labels(network: Network, kind: str, claims: np.ndarray | slice) -> pd.DataFrame:
    """The arc (a flow: plant, product, market, year, ...; a transfer: origin, component, destination, year) and the
    agreement of claims of ``kind`` (products or parts)."""
    claim_set: ClaimSet = getattr(network.claims, kind)
    return _arc_labels(network, kind, claim_set.arc[claims]).assign(
        agreement=coded(claim_set.agreement[claims], agreement_names(network)))


def group_labels(network: Network, groups: np.ndarray | slice) -> pd.DataFrame:
    """Plant, item made (a product, or a component), agreement and year of claim groups."""
    origin = network.claims
    return pd.DataFrame({"plant": coded(origin.group_plant[groups], network.plants),
                         "product": coded(*origin.item_codes(network, groups)),
                         "agreement": coded(origin.group_agreement[groups], agreement_names(network)),
                         "year": network.years[origin.group_year[groups]]})


def add_origin(program: LinearProgram, network: Network) -> None:
    """The claims, the allocation of originating components and their rows (see the module's doc)."""
    origin = network.claims
    if not len(origin):
        return
    tiers = network.tiers
    claims: list[tuple[ClaimSet, Block]] = []
    for kind, (name, arc_block, limit) in CLAIM_BLOCKS.items():
        claim_set: ClaimSet = getattr(origin, kind)
        if not len(claim_set):
            continue
        arc_year = network.flow_year if kind == "products" else tiers.transfer.year
        block = program.add_variables(name, Labels(len(claim_set), lambda kind=kind: claim_labels(
            network, kind, slice(None))), cost=-claim_set.saving * network.discount[arc_year[claim_set.arc]])
        arcs, row = np.unique(claim_set.arc, return_inverse=True)
        program.add_constraints(limit, Labels(len(arcs), lambda kind=kind, arcs=arcs: _arc_labels(
            network, kind, arcs)), [(row.reshape(-1), block.span, 1.0),
                                    (np.arange(len(arcs)), program.variables[arc_block].columns(arcs), -1.0)],
                                upper=0.0)
        claims.append((claim_set, block))
    components = tiers.components
    orig = program.add_variables("orig", Labels(len(origin.cell_group), lambda: group_labels(
        network, origin.cell_group).assign(component=coded(origin.cell_component, components),
                                           country=coded(origin.cell_country, origin.countries))))

    n_groups = len(origin.group_plant)
    if len(origin.bom_group):
        # each claim in the row of every component of its group's bill of materials that has cells
        terms: list[Term] = [(origin.cell_bom, orig.span, 1.0)]
        for claim_set, block in claims:
            claim_of, pair = pairs_by_key(claim_set.group, origin.bom_group)
            terms.append((pair, block.columns(claim_of), -origin.bom_units[pair]))
        program.add_constraints("origin_bom", Labels(len(origin.bom_group), lambda: group_labels(
            network, origin.bom_group).assign(component=coded(origin.bom_component, components))), terms, upper=0.0)
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
        *((claim_set.group, block.span, claim_set.coefficient) for claim_set, block in claims),
        (origin.cell_group, orig.span, -value)], upper=0.0)


__all__ = ["CLAIM_BLOCKS", "add_origin", "agreement_names", "claim_labels", "group_labels"]
