"""Names for the codes of the network's arrays: the labels of the model's blocks and of the Plan's rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network
from footprint.scenario.model.network import MODES

OWN_CONTENT = "own"
"""The sourcing label of units made with a capability's own content (no sourcing option)."""
NOT_SPECIFIC = "(none)"
"""The plant or market label of an amount that belongs to none (a plant's fixed cost has no market);
no id can be it."""


def coded(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Names for codes; the codes come from the network, so they need no range check."""
    return pd.Categorical.from_codes(codes, categories=names, validate=False)


def flow_labels(network: Network, flows: np.ndarray | slice) -> pd.DataFrame:
    """Plant, product, market, year (and sourcing option, when the network has any; mode, when a lane has several)
    of flows."""
    labels = pd.DataFrame({
        "plant": coded(network.flow_plant[flows], network.plants),
        "product": coded(network.flow_product[flows], network.products),
        "market": coded(network.flow_market[flows], network.markets),
        "year": network.years[network.flow_year[flows]],
    })
    if len(network.sourcing_names):
        labels["sourcing"] = profile_labels(network, network.flow_profile[flows])
    if network.lane_mode.shape[2] > 1:  # a lane of several modes: a flow per mode
        labels["mode"] = coded(network.flow_mode[flows], list(MODES))
    return labels


def profile_names(network: Network) -> list[str]:
    """OWN_CONTENT for a capability's own content, the option's name for a sourcing option."""
    return [OWN_CONTENT] * len(network.cap_plant) + network.sourcing_names


def profile_labels(network: Network, profiles: np.ndarray) -> pd.Categorical:
    """The sourcing label of each given profile, as categories that are each name once (every capability's
    own content is OWN_CONTENT; two capabilities may name a sourcing option alike)."""
    names = profile_names(network)
    categories = list(dict.fromkeys(names))
    code = {name: position for position, name in enumerate(categories)}
    return coded(np.array([code[name] for name in names], dtype=np.int32)[profiles], categories)


__all__ = ["NOT_SPECIFIC", "OWN_CONTENT", "coded", "flow_labels", "profile_labels", "profile_names"]
