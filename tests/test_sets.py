"""Scenario sets: reading, the generators' samples against their distributions, products and samples of them,
regimes switched on a date (by the duties they give), and the command and API that list futures."""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.special
import yaml
from hypothesis import given
from hypothesis import strategies as st

import footprint
import footprint.economics.futures as futures_module
import footprint.economics.fx_paths as fx_paths
import footprint.scenario.model.trade as trade
from conftest import capability, invoke, make, market, plant, scenario_data, write_yaml
from footprint.analysis.mean_future import mean_overrides
from footprint.economics.futures import check_futures, expand, factors
from footprint.economics.fx import ecb_annual
from footprint.economics.network import compile_network
from footprint.scenario.cases.bundled import case_names, case_path, set_names, set_path
from footprint.scenario.formats.files import read_source
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.parameters import Parameter, ParameterError
from footprint.scenario.sets.ranges import (
    beta_quantile,
    found_dimensions,
    latin_hypercube,
    pert_quantile,
    regularized_beta,
    triangular_quantile,
)
from footprint.scenario.sets.regime_switch import switched_rules
from footprint.scenario.sets.scenario_sets import (
    FxHistoryGenerator,
    Generators,
    ListedFuture,
    RangesGenerator,
    RegimeFuture,
    SetSpec,
    StochasticSettings,
    future_data,
    read_set,
    rng,
)

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "futures.md"
"""The scenario sets' guide page, with a table per declaration."""
DRAWN_TWICE = pytest.mark.filterwarnings("ignore::footprint.economics.futures.SameFuturesWarning")
"""Many exchange-rate paths of a few years: some are drawn twice, which expand warns of."""


def write_set(folder: Path, text: str, name: str = "set.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path | str) -> str:
    with pytest.raises(ScenarioError) as caught:
        expand(read_set(path))
    return caught.value.report()


def small_base() -> dict[str, Any]:
    """Two plants (the US, Korea in KRW), one market with a ranged demand and a ranged cost."""
    return scenario_data(
        start=2012, end=2016,
        plants=[plant("smyrna", 1_000.0, fixed_cost={"value": 100.0, "low": 50.0, "high": 200.0}),
                plant("busan", 1_000.0, country="KR", currency="KRW")],
        capabilities=[capability("smyrna", local_cost=20.0),
                      capability("busan", local_cost={"value": 15_000.0, "low": 12_000.0, "high": 16_000.0})],
        markets=[market("us", {2012: 100.0, 2013: {"value": 120.0, "low": 100.0, "high": 150.0},
                               2014: {"value": 130.0, "low": 100.0, "high": 170.0}, 2015: 140.0, 2016: 150.0})],
        fx={"KRW": {"history": "ecb", "hold_after": 2012}},
    )


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "base.yaml", small_base())


# --- the distributions and the hypercube -----------------------------------------------------------------------

ranges = st.tuples(st.floats(-1e6, 1e6), st.floats(0.01, 1e6), st.floats(0, 1)).map(
    lambda t: (t[0], t[0] + t[2] * t[1], t[0] + t[1]))
"""(low, mode, high) with low < high and the mode anywhere between them (at either end too)."""


@given(ranges, st.integers(2, 400), st.integers(0, 2**32 - 1))
def test_a_triangular_hypercube_hits_each_stratum_once_and_has_the_triangular_mean(
        figure: tuple[float, float, float], n: int, seed: int) -> None:
    low, mode, high = figure
    cube = latin_hypercube(n, 3, np.random.default_rng(seed))
    for column in cube.T:  # each dimension: one point in each of the n strata
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))
    samples = triangular_quantile(cube[:, 0], low, mode, high)
    assert samples.min() >= low - 1e-9 * (high - low)
    assert samples.max() <= high + 1e-9 * (high - low)
    # One sample in each of n strata of equal probability: the mean is within (high - low) / n of the true one.
    assert abs(samples.mean() - (low + mode + high) / 3) <= (high - low) / n


@given(ranges, st.integers(2, 400), st.integers(0, 2**32 - 1))
def test_a_pert_hypercube_has_the_pert_mean(figure: tuple[float, float, float], n: int, seed: int) -> None:
    low, mode, high = figure
    samples = pert_quantile(latin_hypercube(n, 1, np.random.default_rng(seed))[:, 0], low, mode, high)
    assert abs(samples.mean() - (low + 4 * mode + high) / 6) <= (high - low) / n + 1e-9 * abs(low)


def test_the_quantiles_invert_their_distributions() -> None:
    u = np.linspace(0.0005, 0.9995, 400)
    low, mode, high = 10.0, 13.0, 20.0
    x = triangular_quantile(u, low, mode, high)
    cdf = np.where(x < mode, (x - low) ** 2 / ((high - low) * (mode - low)),
                   1 - (high - x) ** 2 / ((high - low) * (high - mode)))
    assert cdf == pytest.approx(u, abs=1e-12)
    for a, b in [(1.0, 5.0), (2.2, 3.8), (5.0, 1.0), (3.0, 3.0), (1.0001, 4.9999)]:
        assert regularized_beta(u, a, b) == pytest.approx(scipy.special.betainc(a, b, u), abs=1e-12)
        assert beta_quantile(u, a, b) == pytest.approx(scipy.special.betaincinv(a, b, u), abs=1e-12)


def test_a_figure_without_width_is_its_value() -> None:
    u = np.array([0.1, 0.9])
    assert list(triangular_quantile(u, 5.0, 5.0, 5.0)) == list(pert_quantile(u, 5.0, 5.0, 5.0)) == [5.0, 5.0]


# --- ranges: which figures, by which paths -----------------------------------------------------------------------

def _differences(old: Any, new: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The key paths at which two plain data trees differ."""
    if isinstance(old, dict) and isinstance(new, dict) and set(old) == set(new):
        return [d for key in old for d in _differences(old[key], new[key], (*loc, key))]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in _differences(a, b, (*loc, i))]
    return [] if old == new else [loc]


def _assert_paths_round_trip(data: dict[str, Any]) -> int:
    dimensions, _ = found_dimensions(data)
    for dimension in dimensions:
        (figure,) = dimension.figures
        changed = Parameter.parse(figure.path).apply(data, figure.low + (figure.high - figure.low) * 0.3127)
        assert _differences(data, changed) == [(*figure.loc, "value")] or (  # an FX figure becomes a rate
            figure.loc[0] == "fx" and _differences(data, changed) == [figure.loc]), figure.path
    return len(dimensions)


@pytest.mark.parametrize("case", ["rogue-2012", "rogue-2026", "rogue-2012/strong-won"])
def test_every_ranged_figure_of_the_cases_has_a_path_to_exactly_itself(case: str) -> None:
    data = read_source(case_path(case)).data  # type: ignore[arg-type]
    assert _assert_paths_round_trip(data) > 10


def test_the_paths_of_figures_name_entries_by_id_and_years_by_number() -> None:
    dimensions, issues = found_dimensions(small_base())
    assert not issues
    assert [d.path for d in dimensions] == ["plants[smyrna].fixed_cost", "capabilities[busan/car].local_cost",
                                            "markets[us].demand.car.2013", "markets[us].demand.car.2014"]


ident = st.sampled_from(["a", "b", "a.b", "0", "1", "x y", "2014"])


@given(st.lists(st.tuples(st.one_of(st.none(), ident), ident), min_size=1, max_size=5))
def test_a_figure_gets_a_path_to_exactly_itself_or_is_reported(entries: list[tuple[str | None, str]]) -> None:
    figure = {"value": 2.0, "low": 1.0, "high": 3.0}
    data = {"plants": [{**({"id": i} if i is not None else {}), "costs": {key: dict(figure)}} for i, key in entries]}
    count = _assert_paths_round_trip(data)
    _, issues = found_dimensions(data)
    assert count + len(issues) == len(entries)


def test_a_listed_series_moves_its_years_together(base_file: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path, f"""kind: scenario-set
base: {base_file.name}
generate:
  ranges: {{paths: ["markets[us].demand.car", "plants[smyrna].fixed_cost"], n: 50}}
""")
    scenario_set = read_set(path)
    assert [(d.path, [f.path for f in d.figures]) for d in scenario_set.dimensions] == [
        ("markets[us].demand.car", ["markets[us].demand.car.2013", "markets[us].demand.car.2014"]),
        ("plants[smyrna].fixed_cost", ["plants[smyrna].fixed_cost"])]
    futures = expand(scenario_set)
    values = np.array([[dict(f.overrides)[p] for p in ("markets[us].demand.car.2013", "markets[us].demand.car.2014")]
                       for f in futures])
    # The same quantile of each year's triangular range: one year's order is the other's.
    assert (np.argsort(values[:, 0]) == np.argsort(values[:, 1])).all()
    assert np.corrcoef(values.T)[0, 1] > 0.99
    assert all(100 <= a <= 150 and 100 <= b <= 170 for a, b in values)


def test_ranges_sample_every_ranged_figure_within_its_range(base_file: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path, f"kind: scenario-set\nbase: {base_file.name}\nn: 40\ngenerate: {{ranges: {{}}}}\n")
    futures = expand(read_set(path))
    assert [f.name for f in futures[:2]] == ["ranges001", "ranges002"]
    assert len(futures) == 40
    assert math.fsum(f.probability for f in futures) == pytest.approx(1.0)
    costs = sorted(dict(f.overrides)["capabilities[busan/car].local_cost"] for f in futures)
    assert costs[0] >= 12_000
    assert costs[-1] <= 16_000
    assert np.mean(costs) == pytest.approx((12_000 + 15_000 + 16_000) / 3, abs=4_000 / 40)
    assert not check_futures(read_set(path), futures)


# --- fx_history: the bootstrap ----------------------------------------------------------------------------------

def _fx_set(folder: Path, base: Path, n: int = 200, block: int = 2, base_year: int = 2012, seed: int = 1) -> Path:
    return write_set(folder, f"""kind: scenario-set
base: {base.name}
seed: {seed}
generate:
  fx_history: {{currencies: [KRW, JPY], base_year: {base_year}, block: {block}, n: {n}}}
""")


@pytest.fixture
def two_currencies(tmp_path: Path) -> Path:
    data = small_base()
    data["capabilities"][0]["imported_cost"] = 100.0
    data["capabilities"][0]["imported_currency"] = "JPY"
    data["fx"]["JPY"] = {"history": "ecb", "hold_after": 2012}
    return write_yaml(tmp_path / "base.yaml", data)


def _log_changes(futures: list[footprint.Future], currency: str, years: range) -> np.ndarray:
    rates = np.array([[dict(f.overrides)[f"fx.{currency}"][year] for year in years] for f in futures])
    return np.diff(np.log(rates), axis=1)


@DRAWN_TWICE
def test_the_bootstrap_draws_only_yearly_changes_up_to_the_base_year(two_currencies: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = _fx_set(tmp_path, two_currencies, n=100)
    futures = expand(read_set(path))
    history = {c: ecb_annual(c, "USD") for c in ("KRW", "JPY")}
    known = {(round(math.log(history["KRW"][y] / history["KRW"][y - 1]), 12),
              round(math.log(history["JPY"][y] / history["JPY"][y - 1]), 12)) for y in range(2000, 2013)}
    drawn = np.stack([_log_changes(futures, c, range(2012, 2017)) for c in ("KRW", "JPY")], axis=-1)
    assert {(round(k, 12), round(j, 12)) for k, j in drawn.reshape(-1, 2)} <= known  # each a pair of 2000-2012
    for future in futures:  # up to the base year, the scenario's own rates (the 2012 ECB mean, held)
        assert dict(future.overrides)["fx.KRW"][2012] == pytest.approx(history["KRW"][2012])

    def absurd(currency: str, base: str) -> dict[int, float]:  # years after 2012 that no path may see
        return {year: rate * (1e6 if year > 2012 else 1.0) for year, rate in ecb_annual(currency, base).items()}

    monkeypatch.setattr(fx_paths, "ecb_annual", absurd)
    assert expand(read_set(path)) == futures


@DRAWN_TWICE
def test_the_bootstrap_keeps_the_currencies_correlation(two_currencies: Path, tmp_path: Path) -> None:
    futures = expand(read_set(_fx_set(tmp_path, two_currencies, n=4000, block=1)))
    krw, jpy = (_log_changes(futures, c, range(2012, 2017)).ravel() for c in ("KRW", "JPY"))
    history = {c: ecb_annual(c, "USD") for c in ("KRW", "JPY")}
    changes = np.array([[math.log(history[c][y] / history[c][y - 1]) for c in ("KRW", "JPY")]
                        for y in range(2000, 2013)])
    historical = np.corrcoef(changes.T)[0, 1]
    assert np.corrcoef(krw, jpy)[0, 1] == pytest.approx(historical, abs=0.05)
    independent = np.corrcoef(krw, np.random.default_rng(0).permutation(jpy))[0, 1]
    assert abs(independent) < 0.05 < abs(historical)  # the test can tell kept from lost


@DRAWN_TWICE
def test_blocks_are_consecutive_years_of_history(two_currencies: Path, tmp_path: Path) -> None:
    futures = expand(read_set(_fx_set(tmp_path, two_currencies, n=50, block=2)))
    history = ecb_annual("KRW", "USD")
    by_change = {round(math.log(history[y] / history[y - 1]), 12): y for y in range(2000, 2013)}
    for row in _log_changes(futures, "KRW", range(2012, 2017)):
        years = [by_change[round(change, 12)] for change in row]
        assert years[1] == years[0] + 1
        assert years[3] == years[2] + 1


@DRAWN_TWICE
def test_the_same_seed_gives_the_same_futures_and_another_seed_others(two_currencies: Path, tmp_path: Path) -> None:
    scenario_set = read_set(_fx_set(tmp_path, two_currencies, n=20))
    assert expand(scenario_set) == expand(read_set(scenario_set.name))
    assert expand(scenario_set, seed=2) != expand(scenario_set)
    assert expand(scenario_set, seed=2) == expand(scenario_set, seed=2)
    assert len(expand(scenario_set, n=3)) == 3


# --- products and samples ---------------------------------------------------------------------------------------

def _mixed(folder: Path, base: Path, combine: str = "product", n: int = 30) -> Path:
    return write_set(folder, f"""kind: scenario-set
base: {base.name}
seed: 5
n: {n}
combine: {combine}
futures:
  - {{name: low-penalty, probability: 0.25, set: {{"plants[smyrna].pools[main].capacity": 900}}}}
  - {{name: as-is, probability: 0.75}}
generate:
  regimes:
    - {{regime: "2012", probability: 0.5, reason: "known in 2012"}}
    - {{regime: none, probability: 0.3}}
    - {{regime: 2025-s232, from: 2014-07-01, probability: 0.2}}
  fx_history: {{currencies: [KRW], base_year: 2012, n: 4}}
  ranges: {{paths: ["plants[smyrna].fixed_cost"], n: 3}}
""")


def test_a_product_multiplies_probabilities_and_joins_names(base_file: Path, tmp_path: Path) -> None:
    scenario_set = read_set(_mixed(tmp_path, base_file))
    parts = factors(scenario_set)
    assert [part.label for part in parts] == ["the listed futures", "regimes", "fx_history", "ranges"]
    futures = expand(scenario_set)
    assert len(futures) == 2 * 3 * 4 * 3 == len({f.name for f in futures})
    assert futures[0].name == "low-penalty+2012+fx001+ranges001"
    assert futures[0].probability == pytest.approx(0.25 * 0.5 * 0.25 / 3)
    assert math.fsum(f.probability for f in futures) == pytest.approx(1.0, abs=1e-12)
    first = dict(futures[0].overrides)
    assert list(first) == ["plants[smyrna].pools[main].capacity", "regime", "fx.KRW", "plants[smyrna].fixed_cost"]
    assert not check_futures(scenario_set, futures)  # every future is a valid scenario


def test_a_sample_draws_n_combinations_by_probability(base_file: Path, tmp_path: Path) -> None:
    scenario_set = read_set(_mixed(tmp_path, base_file, "sample", n=2000))
    futures = expand(scenario_set)
    assert sum(round(f.probability * 2000) for f in futures) == 2000
    assert math.fsum(f.probability for f in futures) == pytest.approx(1.0)
    assert len({f.name for f in futures}) == len(futures) <= 72  # repeated draws are one future
    listed = math.fsum(f.probability for f in futures if f.name.startswith("low-penalty"))
    assert listed == pytest.approx(0.25, abs=0.03)
    switched = math.fsum(f.probability for f in futures if "2025-s232-from-2014-07-01" in f.name)
    assert switched == pytest.approx(0.2, abs=0.03)
    assert expand(scenario_set, n=10) == expand(scenario_set, n=10)
    assert math.fsum(f.probability for f in expand(scenario_set, n=10)) == pytest.approx(1.0)


def test_a_product_too_large_is_refused_from_its_counts_before_any_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    """--n 100000 on rogue-2012/futures is 10 billion futures: refused as the counts say so, not after drawing
    100,000 exchange-rate paths and demand samples (minutes and gigabytes; here a draw fails the test)."""
    scenario_set = read_set("rogue-2012/futures")

    def drawn(*args: object) -> None:
        raise AssertionError("a generator drew its futures")

    monkeypatch.setattr(futures_module, "ranges_futures", drawn)
    monkeypatch.setattr(futures_module, "fx_history_futures", drawn)
    with pytest.raises(ScenarioError) as err:
        expand(scenario_set, n=100_000)
    assert str(err.value.problems[0]).endswith(
        "combine: the product has 10,000,000,000 futures (100,000 fx_history x 100,000 ranges), more than "
        "1,000,000; use combine: sample")
    with pytest.raises(ScenarioError) as err:  # nor is a sample of more draws than a set may have futures
        expand(scenario_set, n=1_000_001)
    assert "n = 1,000,001 is more than the 1,000,000 futures a set may have" in str(err.value.problems[0])
    result = invoke("futures", "rogue-2012/futures", "--n", "100000")
    assert result.exit_code == 1
    assert "the product has 10,000,000,000 futures" in " ".join(result.output.split())


def test_a_product_may_not_set_one_value_twice(base_file: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path, f"""kind: scenario-set
base: {base_file.name}
futures:
  - {{name: a, probability: 1, set: {{"markets[us].demand.car": 150}}}}
generate:
  ranges: {{n: 5}}
""")
    report = problems(path)
    assert "set.yaml:6: generate.ranges: markets[us].demand.car by the listed futures and " \
           "markets[us].demand.car.2013 by ranges: a product sets each value once" in report


def test_a_listed_future_applies_its_overrides_in_order(base_file: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path, f"""kind: scenario-set
base: {base_file.name}
futures:
  - name: strong-won
    probability: 1
    reason: the won at its 2007 level
    set: {{fx.KRW: 930, "markets[us].demand.car": 150, "markets[us].demand.car.2016": 170, regime: "2012"}}
""")
    scenario_set = read_set(path)
    (future,) = expand(scenario_set)
    data = future_data(scenario_set, future)
    assert data["fx"]["KRW"] == 930
    assert data["regime"] == "2012"
    assert data["markets"][0]["demand"]["car"] == {2012: 150, 2013: {"value": 150, "low": 100.0, "high": 150.0},
                                                   2014: {"value": 150, "low": 100.0, "high": 170.0},
                                                   2015: 150, 2016: 170}
    assert scenario_set.base.data == small_base()  # the base is left as it was


def test_a_base_may_be_a_bundled_case_and_null_leaves_a_field_at_its_default(tmp_path: Path) -> None:
    path = write_set(tmp_path, """kind: scenario-set
base: rogue-2012/strong-won
futures:
  - {name: no-regime, probability: 0.2, reason: "no tariffs at all", set: {regime: null}}
  - {name: as-is, probability: 0.8}
""")
    scenario_set = read_set(path)
    assert scenario_set.scenario.name == "rogue-2012-strong-won"
    futures = expand(scenario_set)
    assert future_data(scenario_set, futures[0])["regime"] is None
    assert not check_futures(scenario_set, futures)


@pytest.mark.parametrize("futures", [
    "futures:\n  - {name: old, probability: 0.5, set: {regime: 2012}}\n  - {name: s232, probability: 0.5, set: "
    "{regime: 2025-s232}}\n",
    "generate:\n  regimes:\n    - {regime: 2012, probability: 0.5}\n    - {regime: none, probability: 0.5}\n",
    "set: {regime: 2012}\nfutures:\n  - {name: as-is, probability: 1}\n",
])
def test_the_regime_2012_is_a_name_wherever_a_set_gives_it(tmp_path: Path, futures: str) -> None:
    """`regime: 2012` (a number in YAML) names the shipped regime 2012 in place of the base's regime, in a listed
    future, the regimes generator and the shared values alike: futures and stochastic take it as such."""
    write_yaml(tmp_path / "base.yaml", {**small_base(), "regime": "2025-deals"})
    path = write_set(tmp_path, f"kind: scenario-set\nbase: base.yaml\n{futures}")
    scenario_set = read_set(path)
    listed = expand(scenario_set)
    assert str(future_data(scenario_set, listed[0])["regime"]) == "2012"
    assert not check_futures(scenario_set, listed)
    assert invoke("futures", str(path)).exit_code == 0
    result = invoke("stochastic", str(path), "--method", "extensive", "--no-store")
    assert result.exit_code == 0, result.output


def test_the_mean_future_keeps_a_regime_whose_name_is_a_number() -> None:
    """Every future in the regime 2012 (text that reads as a number): the mean future's regime is 2012, not the mean
    2012.0 of the futures' (which names no regime), while their figures are averaged."""
    futures = [footprint.Future(name, 0.5, (("regime", "2012"), ("plants[smyrna].fixed_cost", cost)))
               for name, cost in (("a", 100.0), ("b", 200.0))]
    assert dict(mean_overrides({**small_base(), "regime": "2012"}, futures)) == {
        "regime": "2012", "plants[smyrna].fixed_cost": 150.0}


def test_a_name_takes_any_value_and_a_number_a_number() -> None:
    regime = Parameter.parse("regime")
    assert regime.apply({"regime": "2025-deals"}, 2012) == {"regime": 2012}
    assert regime.apply({"regime": "2025-deals"}, "2012") == {"regime": "2012"}
    assert regime.apply({"regime": None}, 2012) == {"regime": 2012}
    assert regime.apply({"regime": "2012"}, "2025-deals") == {"regime": "2025-deals"}
    with pytest.raises(ParameterError, match="is a mapping of a, not a number"):
        Parameter.parse("x").apply({"x": {"a": 1}}, 5)
    figure = {"value": 1.0, "low": 0.0, "high": 2.0, "source": "s"}  # -inf (text to YAML) set in a figure: for
    assert Parameter.parse("x").apply({"x": figure}, "-inf") == {"x": {"value": "-inf", "source": "s"}}  # validation


@pytest.mark.parametrize(("rate", "expected"), [
    ("-inf", "growth takes a yearly rate, a number (0.02 for 2% a year), found '-inf'"),
    ("fast", "growth takes a yearly rate, a number (0.02 for 2% a year), found 'fast'"),
    (1e15, "growing 100 by 1e+15 a year gives numbers past any limit"),
])
def test_growth_takes_a_rate_and_says_so(rate: Any, expected: str) -> None:
    """A set's `growth:PATH: -inf` (text to YAML) ended `futures` in an internal error."""
    data = {**small_base(), "horizon": {"start": 2000, "end": 2100}}
    data["markets"][0]["demand"] = {"car": 100.0}
    with pytest.raises(ParameterError) as err:
        Parameter.parse("growth:markets[us].demand.car").apply(data, rate)
    assert str(err.value) == f"growth:markets[us].demand.car: {expected}"


# --- regimes from a date: the duties before and after it ------------------------------------------------------

def _duties(scenario: Any) -> tuple[Any, np.ndarray]:
    network = compile_network(scenario)
    flows = np.arange(len(network.flow_capability))
    return network, network.unit_costs(flows)["duty"]


def _switched(case: str, regime: str | None, day: dt.date) -> Any:
    data = read_source(case_path(case)).data  # type: ignore[arg-type]
    tariffs, agreements = switched_rules(make(data), regime, day)
    return make({**data, "regime": None, "tariffs": tariffs, "agreements": agreements})


@pytest.mark.parametrize("day", [dt.date(2027, 1, 1), dt.date(2027, 7, 1)])
def test_a_regime_from_a_date_gives_the_base_duties_before_and_the_new_ones_after(day: dt.date) -> None:
    deals = make(read_source(case_path("rogue-2026")).data)  # type: ignore[arg-type]
    s232 = make(read_source(case_path("rogue-2026/s232")).data)  # type: ignore[arg-type]
    network, before = _duties(deals)
    _, after = _duties(s232)
    _, switched = _duties(_switched("rogue-2026", "2025-s232", day))
    year = network.flow_year
    assert not np.allclose(before, after)  # the regimes differ, so the test can tell them apart
    earlier, later = year < day.year - 2026, year > day.year - 2026
    assert switched[earlier] == pytest.approx(before[earlier], abs=1e-12)
    assert switched[later] == pytest.approx(after[later], abs=1e-12)
    share = ((day - dt.date(day.year, 1, 1)).days) / 365  # the days of the base's rates in the year of the switch
    on = year == day.year - 2026
    assert switched[on] == pytest.approx(share * before[on] + (1 - share) * after[on], abs=1e-12)


def test_the_scenarios_own_tariffs_apply_on_both_sides_of_the_date() -> None:
    data = scenario_data(
        start=2024, end=2027,
        plants=[plant("kyushu", country="JP", currency="USD"), plant("busan", country="KR", currency="USD"),
                plant("monterrey", country="MX", currency="USD")],
        capabilities=[capability("kyushu", local_cost=1000.0), capability("busan", local_cost=1000.0),
                      capability("monterrey", local_cost=1000.0, imported_cost=0.0)],
        markets=[market("us", 10.0), market("canada", 10.0, country="CA")],
        regime="2025-s232",
        tariffs=[{"origin": "JP", "destination": "CA", "product_class": "8703", "rate": 0.04}])
    base = make(data)
    tariffs, agreements = switched_rules(base, "2025-deals", dt.date(2026, 1, 1))
    switched = make({**data, "regime": None, "tariffs": tariffs, "agreements": agreements})
    network, before = _duties(base)
    _, after = _duties(make({**data, "regime": "2025-deals"}))
    _, both = _duties(switched)
    year = network.flow_year
    assert both[year < 2] == pytest.approx(before[year < 2])
    assert both[year >= 2] == pytest.approx(after[year >= 2])
    own = [t for t in tariffs if t["origin"] == "JP" and t["destination"] == "CA"]
    assert [(t["from_date"], t["to_date"]) for t in own] == [("2024-01-01", "2025-12-31"), ("2026-01-01",
                                                                                           "2027-12-31")]
    assert not switched.tariffs[0].relief or switched.tariffs[0].relief.agreement in {a.id for a in
                                                                                     switched.agreements}


def test_an_agreement_whose_rule_of_origin_changes_is_split_at_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    def fta(rvc: float) -> dict[str, Any]:
        return {"id": "fta", "members": [{"country": "KR"}, {"country": "US"}], "regional_value_content": rvc,
                "rates": [{"product_class": "8703", "rate": 0.0}]}

    relief = {"agreement": "fta", "dutiable_content_outside": ["KR"]}
    layers = {name: [{"tariffs": [{"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.1},
                                  {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.2,
                                   "additional": True, "relief": relief}],
                      "agreements": [fta(rvc)]}] for name, rvc in (("loose", 0.3), ("strict", 0.8))}
    monkeypatch.setattr(trade, "regime_layers", lambda name: layers[name])
    monkeypatch.setattr(trade, "regime_names", lambda: tuple(layers))
    data = scenario_data(start=2030, end=2031, plants=[plant("busan", country="KR", currency="USD")],
                         capabilities=[capability("busan", local_cost=600.0, imported_cost=400.0,
                                                  imported_currency="USD", imported_origin="JP")],
                         markets=[market("us", 10.0)], regime="loose")
    tariffs, agreements = switched_rules(make(data), "strict", dt.date(2031, 1, 1))
    assert [a["id"] for a in agreements] == ["fta", "fta-from-2031-01-01"]
    assert [t["relief"]["agreement"] for t in tariffs if t.get("additional")] == ["fta", "fta-from-2031-01-01"]
    _, duty = _duties(make({**data, "regime": None, "tariffs": tariffs, "agreements": agreements}))
    # 60% Korean content: qualifies under the loose rule (0, and 20% on the 40% non-Korean content), not the strict.
    assert duty == pytest.approx([1000 * 0.2 * 0.4, 1000 * 0.3])


# --- reading: good and bad files -------------------------------------------------------------------------------

def test_the_bundled_sets_are_listed_apart_from_the_variants() -> None:
    assert set_names() == ["rogue-2012/futures", "rogue-2026/futures"]
    assert not set(set_names()) & set(case_names())
    assert case_path("rogue-2012/futures") is None
    assert set_path("rogue-2012/futures") is not None


@pytest.mark.parametrize(("name", "count"), [("rogue-2012/futures", 100), ("rogue-2026/futures", 150)])
def test_every_future_of_the_bundled_sets_is_a_valid_scenario(name: str, count: int) -> None:
    scenario_set = read_set(name)
    futures = expand(scenario_set)
    assert len(futures) == count
    assert math.fsum(f.probability for f in futures) == pytest.approx(1.0)
    assert not check_futures(scenario_set, futures)


BAD = [
    ("base: base.yaml\nfutures: []\n", "set.yaml:1: not a scenario set: expected kind: scenario-set, found no kind"),
    ("kind: scenario-set\nbase: base.yaml\nfutures:\n  - {name: a, probabilty: 1}\n",
     "set.yaml:4: futures[0].probabilty: unknown field"),
    ("kind: scenario-set\nbase: base.yaml\nfutures:\n  - {name: a, probability: 0.5}\n"
     "  - {name: b, probability: 0.4}\n",
     "set.yaml:4: futures: the futures' probabilities add up to 0.9, not 1 (off by -0.1)"),
    ("kind: scenario-set\nbase: base.yaml\nfutures:\n  - name: a\n    probability: 1\n    set:\n"
     "      plants[nowhere].fixed_cost: 5\n",
     "set.yaml:7: futures[0].set['plants[nowhere].fixed_cost']: no plants entry 'nowhere' (entries: smyrna, busan; "
     "or positions 0-1)"),
    ("kind: scenario-set\nbase: base.yaml\nfutures:\n  - {name: a, probability: 1, set: {fx.JPY: 100}}\n",
     "set.yaml:4: futures[0].set[fx.JPY]: no amount in the scenario is in JPY (other currencies: KRW)"),
    ("kind: scenario-set\nbase: base.yaml\ngenerate:\n  regimes:\n    - {regime: 2031-deals, probability: 1}\n",
     "set.yaml:5: generate.regimes[0].regime: unknown regime '2031-deals'; shipped: 2012, 2025-deals, 2025-s232, "
     "or none"),
    ("kind: scenario-set\nbase: base.yaml\ngenerate:\n  regimes:\n    - {regime: '2012', probability: 0.7}\n"
     "    - {regime: none, probability: 0.7}\n", "set.yaml:5: generate.regimes: the regimes' probabilities add up "
     "to 1.4"),
    ("kind: scenario-set\nbase: base.yaml\ngenerate:\n  ranges: {paths: ['capabilities[0].local_cost']}\n",
     "set.yaml:4: generate.ranges.paths[0]: capabilities[0].local_cost: names a plain number (20), not a figure"),
    ("kind: scenario-set\nbase: elsewhere.yaml\nfutures: [{name: a, probability: 1}]\n",
     "set.yaml:2: base: no scenario 'elsewhere.yaml' beside the set"),
    ("kind: scenario-set\nbase: base.yaml\n", "the set has no futures"),
    ("kind: scenario-set\nbase: base.yaml\ngenerate:\n  fx_history:\n    currencies: [KRW]\n    base_year: 1990\n",
     "set.yaml:6: generate.fx_history.base_year: no ECB rate in 1990 for KRW (the years it has: KRW: 1999-"),
    ("kind: scenario-set\nbase: base.yaml\ngenerate:\n  fx_history:\n    currencies: [KRW]\n    base_year: 2016\n",
     "set.yaml:6: generate.fx_history.base_year: 2016 is not before the horizon's last year 2016"),
    ("kind: scenario-set\nbase: base.yaml\ngenerate:\n  fx_history: {currencies: [KRW], base_year: 2000, block: 3}\n",
     "set.yaml:4: generate.fx_history.block: a block of 3 years is longer than the 1 yearly changes of 1999-2000"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_a_bad_set_is_refused_naming_the_line(base_file: Path, tmp_path: Path, text: str, expected: str) -> None:
    report = problems(write_set(tmp_path, text))
    assert expected in report, report


def test_a_currency_without_ecb_history_is_refused_at_its_line(tmp_path: Path) -> None:
    data = small_base()
    data["plants"][1]["currency"] = "AED"
    data["fx"] = {"AED": 3.6725}
    write_yaml(tmp_path / "base.yaml", data)
    report = problems(write_set(tmp_path, "kind: scenario-set\nbase: base.yaml\ngenerate:\n  fx_history:\n"
                                          "    currencies: [AED]\n    base_year: 2012\n"))
    assert "set.yaml:5: generate.fx_history.currencies[0]: the ECB publishes no rate for AED" in report


def test_a_figure_with_one_end_of_its_range_is_refused_at_its_line(tmp_path: Path) -> None:
    data = small_base()
    data["plants"][0]["fixed_cost"] = {"value": 100.0, "low": 50.0}
    base = write_yaml(tmp_path / "base.yaml", data)
    report = problems(write_set(tmp_path, "kind: scenario-set\nbase: base.yaml\ngenerate: {ranges: {}}\n"))
    line = next(i for i, text in enumerate(base.read_text().splitlines(), 1) if "value: 100.0" in text)
    assert f"base.yaml:{line}: generate.ranges: plants[smyrna].fixed_cost: the figure has a low but no high" in report


def test_a_bad_base_is_reported_through_the_set(tmp_path: Path) -> None:
    data = small_base()
    data["plants"][0]["pools"][0]["capacity"] = -5
    write_yaml(tmp_path / "base.yaml", data)
    report = problems(write_set(tmp_path, "kind: scenario-set\nbase: base.yaml\n"
                                          "futures: [{name: a, probability: 1}]\n"))
    assert "set.yaml:2: base: " in report
    assert "plants[smyrna].pools[main].capacity: expected a number >= 0" in report


def test_a_future_that_is_no_valid_scenario_names_its_override(base_file: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path, f"""kind: scenario-set
base: {base_file.name}
futures:
  - {{name: negative, probability: 0.5, set: {{"plants[smyrna].fixed_cost": -10}}}}
  - {{name: fine, probability: 0.5}}
""")
    scenario_set = read_set(path)
    invalid = check_futures(scenario_set, expand(scenario_set))
    assert list(invalid) == ["negative"]
    assert "plants[smyrna].fixed_cost: expected a number >= 0, found -10 (set by the future's " \
           "plants[smyrna].fixed_cost)" in invalid["negative"].report()


def test_a_set_is_not_a_scenario(tmp_path: Path, base_file: Path) -> None:
    path = write_set(tmp_path, f"# a set\nkind: scenario-set\nbase: {base_file.name}\n")
    with pytest.raises(ScenarioError, match=r"set.yaml:2: kind: this is a scenario set .* use `footprint sweep`"):
        read_source(path)


def test_the_set_declarations_are_strict_and_documented() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for model in (SetSpec, ListedFuture, Generators, RangesGenerator, FxHistoryGenerator, RegimeFuture,
                  StochasticSettings):
        assert model.model_config.get("extra") == "forbid"
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"
            assert f"| `{field.alias or name}` |" in guide, name
            assert field.description in guide, name


# --- the command and the API -------------------------------------------------------------------------------------

def test_futures_lists_names_probabilities_and_values(base_file: Path, tmp_path: Path) -> None:
    result = invoke("futures", str(_mixed(tmp_path, base_file)), "--n", "8")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "384 futures of" in text
    assert "low-penalty+2012+fx001+ranges001" in text
    assert "344 more futures" in text
    assert "probabilities add up to 1" in text
    assert "fx.KRW" in text


def test_futures_of_a_bad_set_exits_1_with_the_lines(tmp_path: Path, base_file: Path) -> None:
    result = invoke("futures", str(write_set(tmp_path, BAD[2][0])))
    assert result.exit_code == 1
    assert "set.yaml:4: futures: the futures' probabilities add up to 0.9" in result.output


def test_futures_reports_invalid_futures_and_exits_1(tmp_path: Path, base_file: Path) -> None:
    path = write_set(tmp_path, "kind: scenario-set\nbase: base.yaml\nfutures:\n"
                               "  - {name: bad, probability: 1, set: {'plants[smyrna].fixed_cost': -1}}\n")
    result = invoke("futures", str(path))
    assert result.exit_code == 1
    assert "1 of the 1 futures checked are not valid scenarios" in result.output
    assert invoke("futures", str(path), "--check", "0").exit_code == 0


def test_run_refuses_a_set_and_cases_lists_the_bundled_sets() -> None:
    result = invoke("run", "rogue-2012/futures")
    assert result.exit_code == 1
    assert "this is a scenario set" in result.output
    listed = invoke("cases").output
    assert "rogue-2012/futures" in listed
    assert "footprint futures rogue-2012/futures" in " ".join(listed.split())
    assert "a bundled case, not a scenario set" in invoke("futures", "rogue-2012").output


def test_the_api_lists_futures_and_applies_them(base_file: Path, tmp_path: Path) -> None:
    path = _mixed(tmp_path, base_file)
    futures = footprint.futures(path, n=2, seed=9)
    assert futures == footprint.futures(footprint.read_set(path), n=2, seed=9) != footprint.futures(path, n=2)
    assert all(isinstance(f, footprint.Future) for f in futures)
    data = futures[0].apply(copy.deepcopy(small_base()))
    assert data["regime"] == "2012"
    assert data["plants"][0]["pools"][0]["capacity"] == 900
    assert yaml.safe_dump(data)  # plain data: numbers, names, mappings and lists


def test_rng_streams_differ_and_repeat() -> None:
    assert rng(1, 1).random() == rng(1, 1).random() != rng(1, 2).random()
