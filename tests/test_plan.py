"""A Plan's tables are made when first read, once; a pickled Plan carries them all made."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pandas as pd
import pytest

from conftest import small_network_data, solved
from footprint.plan.plan import TABLES, Plan, Tables


def counting_makers(tables: dict[str, pd.DataFrame], calls: dict[str, int]) -> dict[str, Callable[[], pd.DataFrame]]:
    def maker(name: str) -> Callable[[], pd.DataFrame]:
        def make() -> pd.DataFrame:
            calls[name] = calls.get(name, 0) + 1
            return tables[name]
        return make
    return {name: maker(name) for name in TABLES}


def test_each_table_is_made_once_and_only_when_read() -> None:
    plan = solved(small_network_data())
    made = {name: plan.tables[name] for name in TABLES}
    calls: dict[str, int] = {}
    lazy = Plan(plan.summary, Tables(counting_makers(made, calls)))
    assert calls == {}
    assert lazy.builds is made["builds"]
    assert lazy.builds is made["builds"]
    assert calls == {"builds": 1}
    assert list(lazy.tables) == list(TABLES)


def test_a_pickled_plan_has_every_table_made() -> None:
    plan = solved(small_network_data())
    copy = pickle.loads(pickle.dumps(plan))
    assert isinstance(copy.tables, dict)
    for name in TABLES:
        pd.testing.assert_frame_equal(copy.tables[name], plan.tables[name])


def test_a_table_with_the_wrong_columns_is_refused_when_made() -> None:
    plan = solved(small_network_data())
    tables = {name: plan.tables[name] for name in TABLES} | {"costs": pd.DataFrame({"year": [2025]})}
    lazy = Plan(plan.summary, Tables(counting_makers(tables, {})))
    assert len(lazy.flows) == len(plan.flows)
    with pytest.raises(ValueError, match="table 'costs' has columns \\('year',\\)"):
        lazy.costs  # noqa: B018
    with pytest.raises(ValueError, match="table 'costs' has columns"):
        Plan(plan.summary, tables)
