"""The status of sites the plan opens or closes (plants, suppliers, facilities): open in each operating year, when
it opens and when it closes, with their costs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from footprint.economics.tiers import Sites
from footprint.optimize.lp import LinearProgram


def _labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=names, validate=False)


def site_cells(sites: Sites) -> tuple[np.ndarray, np.ndarray]:
    """(site, year index) of every open variable of ``sites``, in its block's order: the operating years of the
    sites the plan opens or closes. A site's operating years are one run, so its cells are consecutive."""
    n_years = sites.operating.shape[1]
    site, year = np.divmod(np.arange(len(sites.names) * n_years), n_years)
    keep = sites.decides[site] & sites.operating[site, year]
    return site[keep], year[keep]


def previous_cells(plant: np.ndarray) -> np.ndarray:
    """For each cell of plant_cells, the position of the same plant's cell a year before; -1 for its first."""
    position = np.arange(len(plant)) - 1
    first = np.r_[True, plant[1:] != plant[:-1]] if len(plant) else np.zeros(0, bool)
    return np.where(first, -1, position)


@dataclass(frozen=True)
class SiteBlocks:
    """The names of a kind of site's status blocks, and the label of its column."""

    open: str
    opened: str
    closed: str
    open_once: str
    close_once: str
    label: str


def add_site_status(program: LinearProgram, sites: Sites, years: np.ndarray, discount: np.ndarray,
                    blocks: SiteBlocks) -> None:
    """open[s,t] binary for sites the plan opens (candidates) or closes (closable), in their operating
    years; 0 before a candidate's earliest year. opened[s,t] (candidates) and closed[s,t] (closable) in [0, 1].

    Costs: d_t * (fixed cost * open[s,t] + opening cost * opened[s,t] + closing cost * closed[s,t]);
    sites without a decision pay their fixed cost in every operating year (the program's offset).
    status[s,t]:  open[s,t] - open[s,t-1] - opened[s,t] + closed[s,t] = 0, where open before the
                  site's first cell is 0 for a candidate and 1 for an existing site (moved to the
                  right-hand side). A candidate only opens (open never falls) and a closable site
                  only closes (open never rises) unless it is both.
    open_once[s]: sum_t opened[s,t] <= 1;  close_once[s]: sum_t closed[s,t] <= 1. Implied for a site
                  with one decision; a site with both may open and later close, and never reopen.
    """
    site, year = site_cells(sites)
    if len(site) == 0:
        return
    index = pd.DataFrame({blocks.label: _labels(site, sites.names), "year": years[year]})
    discount = discount[year]
    candidate = sites.candidate[site]
    upper = np.where(year >= sites.first_open[site], 1.0, 0.0)  # first_open is 0 unless candidate
    is_open = program.add_variables(blocks.open, index, upper=upper, cost=sites.fixed_cost[site, year] * discount,
                                    integer=True)
    opening, closing = np.flatnonzero(candidate), np.flatnonzero(sites.closable[site])
    opened = program.add_variables(blocks.opened, index.iloc[opening], upper=1.0,
                                   cost=sites.opening_cost[site[opening], year[opening]] * discount[opening])
    closed = program.add_variables(blocks.closed, index.iloc[closing], upper=1.0,
                                   cost=sites.closing_cost[site[closing], year[closing]] * discount[closing])
    previous = previous_cells(site)
    has_previous = np.flatnonzero(previous >= 0)
    terms = [(np.arange(len(site)), is_open.columns(), 1.0),
             (has_previous, is_open.columns(previous[has_previous]), -1.0),
             (opening, opened.columns(), -1.0), (closing, closed.columns(), 1.0)]
    before = np.where((previous < 0) & ~candidate, 1.0, 0.0)
    status = f"{blocks.label}_status"
    program.add_constraints(status, index, terms, lower=before, upper=before)
    for name, cells, changes in ((blocks.open_once, opening, opened), (blocks.close_once, closing, closed)):
        owners, row = np.unique(site[cells], return_inverse=True)
        program.add_constraints(name, pd.DataFrame({blocks.label: _labels(owners, sites.names)}),
                                [(row, changes.columns(), 1.0)], upper=1.0)
