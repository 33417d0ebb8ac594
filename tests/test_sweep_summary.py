"""A sweep's statistics: hand-computed percentiles and CVaR (ties, a quantile inside an atom), decision
frequencies by year, failed futures counted but left out of the distribution."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from footprint.analysis.summary import STATISTICS, SweepSummary, sweep_summary, tail_mean, weighted_percentile
from footprint.plan.decisions import Decisions
from footprint.views.figures import decision_shares
from footprint.views.sweep_summary import frequency_text, print_sweep_summary


def decisions(builds: tuple[tuple[str, int, int], ...] = (), assignments: tuple[tuple[str, str, int], ...] = (),
              plants: tuple[tuple[str, str, int], ...] = ()) -> Decisions:
    return Decisions(frozenset(builds), frozenset(assignments), frozenset(plants))


def futures(*rows: tuple[float, float | None, Decisions | None], **columns: list[Any]) -> pd.DataFrame:
    """One future per (probability, objective, decisions); failed where decisions is None."""
    return pd.DataFrame({
        "name": columns.get("name", [f"f{i}" for i in range(len(rows))]),
        "probability": [p for p, _, _ in rows],
        "status": columns.get("status", ["optimal" if d is not None else "infeasible" for _, _, d in rows]),
        "objective": [o if o is not None else np.nan for _, o, _ in rows],
        "decisions": [d for _, _, d in rows],
        "message": columns.get("message", ["" for _ in rows]),
    })


def npv(values: list[float], probabilities: list[float], sense: str = "cost") -> pd.Series:
    return sweep_summary(futures(*((p, v, decisions()) for v, p in zip(values, probabilities, strict=True))),
                         sense).npv


def test_weighted_percentiles_mean_and_deviation() -> None:
    """1, 2, 3, 4 with probabilities 0.1, 0.2, 0.3, 0.4: F = 0.1, 0.3, 0.6, 1.0."""
    stats = npv([1.0, 2.0, 3.0, 4.0], [0.1, 0.2, 0.3, 0.4])
    assert list(stats.index) == list(STATISTICS)
    assert stats["mean"] == pytest.approx(3.0)  # 0.1 + 0.4 + 0.9 + 1.6
    assert stats["std"] == pytest.approx(1.0)  # 0.1 x 4 + 0.2 x 1 + 0 + 0.4 x 1
    assert (stats["min"], stats["max"]) == (1.0, 4.0)
    assert [stats[f"p{p}"] for p in (5, 10, 25, 50, 75, 90, 95)] == [1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0]


def test_a_percentile_at_the_edge_of_an_atom_is_that_atom() -> None:
    """Ten futures at 0.1 each: F reaches 0.9 at the ninth (in binary, the sum of nine 0.1s falls just short
    of it), so p90 is 9, not 10; the worst 10% is the tenth alone."""
    stats = npv([float(v) for v in range(1, 11)], [0.1] * 10)
    assert [stats["p10"], stats["p50"], stats["p90"]] == [1.0, 5.0, 9.0]
    assert stats["cvar90"] == pytest.approx(10.0)
    twenty = npv([float(v) for v in range(1, 21)], [0.05] * 20)
    assert [twenty["p5"], twenty["p95"]] == [1.0, 19.0]


def test_cvar_of_a_cost_is_the_mean_of_its_highest_tail() -> None:
    """10, 20, 30, 40 with 0.5, 0.3, 0.15, 0.05. The worst 10%: all of 40 (0.05) and 0.05 of 30's 0.15, an
    atom cut at the quantile: (40 x 0.05 + 30 x 0.05) / 0.1 = 35. The worst 5%: 40."""
    stats = npv([10.0, 20.0, 30.0, 40.0], [0.5, 0.3, 0.15, 0.05])
    assert stats["cvar90"] == pytest.approx(35.0)
    assert stats["cvar95"] == pytest.approx(40.0)
    assert stats["p90"] == 30.0  # the value at risk: the atom the tail cuts
    assert stats["p95"] == 30.0  # F(30) = 0.95 reaches 0.95


def test_cvar_of_a_profit_is_the_mean_of_its_lowest_tail() -> None:
    stats = npv([10.0, 20.0, 30.0, 40.0], [0.05, 0.15, 0.3, 0.5], "profit")
    assert stats["cvar90"] == pytest.approx(15.0)  # (10 x 0.05 + 20 x 0.05) / 0.1
    assert stats["cvar95"] == pytest.approx(10.0)
    assert npv([10.0, 20.0], [0.5, 0.5], "maximize_profit")["cvar95"] == 10.0  # the scenario's spelling


def test_cvar_with_ties() -> None:
    """Two futures at 3 (0.04 each) and one at 1 (0.92): the worst 10% is both 3s and 0.02 of the 1:
    (3 x 0.08 + 1 x 0.02) / 0.1 = 2.6; the worst 5%: 3. A tie across the whole tail is its value."""
    stats = npv([3.0, 1.0, 3.0], [0.04, 0.92, 0.04])
    assert stats["cvar90"] == pytest.approx(2.6)
    assert stats["cvar95"] == pytest.approx(3.0)
    same = npv([100.0, 100.0, 50.0], [1 / 3, 1 / 3, 1 / 3])
    assert same["cvar90"] == pytest.approx(100.0)
    assert npv([100.0, 100.0, 50.0], [1 / 3, 1 / 3, 1 / 3], "profit")["cvar90"] == pytest.approx(50.0)


@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(1, 20)), min_size=1, max_size=12),
       st.sampled_from([0.1, 0.05, 0.25]))
def test_cvar_is_rockafellar_uryasevs(atoms: list[tuple[int, int]], tail: float) -> None:
    """CVaR = VaR + E[(L - VaR)+] / (1 - alpha), with VaR the alpha-quantile (their Proposition 8 for
    discrete distributions); and the lowest tail's mean is minus the highest tail's of -L."""
    values = np.array([float(v) for v, _ in atoms])
    weights = np.array([float(w) for _, w in atoms])
    weights /= weights.sum()
    var = weighted_percentile(values, weights, 1 - tail)
    expected = var + float(np.dot(weights, np.maximum(values - var, 0.0))) / tail
    assert tail_mean(values, weights, tail, worst_high=True) == pytest.approx(expected)
    assert tail_mean(values, weights, tail, worst_high=False) == pytest.approx(
        -tail_mean(-values, weights, tail, worst_high=True))


def test_failed_futures_are_counted_and_left_out_of_the_distribution() -> None:
    summary = sweep_summary(futures(
        (0.3, 100.0, decisions()), (0.3, 200.0, decisions()),
        (0.2, None, None), (0.1, 1e12, None), (0.1, None, None),
        status=["optimal", "time_limit", "infeasible", "time_limit", "infeasible"],
        message=["", "", "demand of car in us cannot be met", "no plan found in time",
                 "demand of car in us cannot be met"]))
    assert (summary.futures, summary.solved) == (5, 2)
    assert summary.probability_solved == pytest.approx(0.6)
    assert summary.npv["mean"] == pytest.approx(150.0)  # the two with a plan, at 0.5 each
    assert summary.npv["max"] == 200.0
    assert summary.failed.to_dict(orient="list") == {
        "status": ["infeasible", "time_limit"],
        "message": ["demand of car in us cannot be met", "no plan found in time"],
        "futures": [2, 1],
        "probability": [pytest.approx(0.3), pytest.approx(0.1)],
    }


def test_no_future_with_a_plan() -> None:
    summary = sweep_summary(futures((1.0, None, None), message=["infeasible: no plant can build car"]))
    assert summary.solved == 0
    assert summary.npv.isna().all()
    assert summary.builds.empty
    assert summary.assignments.empty


def test_probabilities_need_not_sum_to_one() -> None:
    stats = npv([1.0, 3.0], [2.0, 6.0])
    assert stats["mean"] == pytest.approx(2.5)


def sample_sweep() -> pd.DataFrame:
    """Busan's line in 2014 (83%), 2015 (11%, built twice) or never (6%); plant p2 opens in half."""
    line = "busan-rogue-line"
    return futures(
        (0.50, 1.0, decisions(((line, 2014, 1),), (("busan", "rogue", 2014), ("kyushu", "rogue", 2014)),
                              (("p2", "opens", 2016),))),
        (0.33, 2.0, decisions(((line, 2014, 1),), (("busan", "rogue", 2014), ("kyushu", "rogue", 2014)))),
        (0.11, 3.0, decisions(((line, 2015, 1), (line, 2017, 1)), (("kyushu", "rogue", 2014),))),
        (0.06, 4.0, decisions((), (("kyushu", "rogue", 2014),), (("p2", "opens", 2018),))),
        (0.10, None, None),
    )


def test_decision_frequencies_are_by_year() -> None:
    """Each build counted in the year it is built (issue 16: the third future's builds of 2015 and 2017 were one
    outcome, "2015 x2"), each plant decision in its year, and the share of the futures that never take it."""
    assert sweep_summary(sample_sweep()).assignments.empty  # the strategic level unless asked
    summary = sweep_summary(sample_sweep(), level="assignments")
    assert summary.builds.to_dict(orient="list") == {
        "option": ["busan-rogue-line"] * 4,
        "year": [2014, 2015, 2017, None],  # None: never
        "count": [1, 1, 1, 0],
        "probability": [pytest.approx(0.83), pytest.approx(0.11), pytest.approx(0.11), pytest.approx(0.06)],
        "futures": [2, 1, 1, 1],
    }
    assert summary.plants.to_dict(orient="list") == {
        "plant": ["p2"] * 3, "event": ["opens"] * 3, "year": [2016, 2018, None],
        "probability": [pytest.approx(0.5), pytest.approx(0.06), pytest.approx(0.44)], "futures": [1, 1, 2],
    }
    assert np.allclose(summary.plants.groupby(["plant", "event"])["probability"].sum(), 1.0)  # once a future
    # Kyushu builds the Rogue in every future: only Busan's assignment differs.
    assert summary.assignments.to_dict(orient="list") == {
        "plant": ["busan"], "product": ["rogue"], "year": [2014], "probability": [pytest.approx(0.83)],
        "futures": [2]}


@given(st.lists(st.tuples(st.integers(1, 10), st.sets(st.tuples(st.sampled_from(["o1", "o2"]),
                                                                 st.sampled_from([2020, 2021, 2022]),
                                                                 st.integers(1, 2)), max_size=3),
                          st.booleans()), min_size=1, max_size=8))
def test_each_build_is_counted_in_its_year(rows: list[tuple[int, set[tuple[str, int, int]], bool]]) -> None:
    """The share of an option in a year is the probability of the futures that build it then (by their
    count), its share of never that of the futures that never build it."""
    rows = [(p, {(o, y, c) for o, y, c in builds if not any(o == o2 and y == y2 and c != c2
                                                              for o2, y2, c2 in builds)}, ok)
            for p, builds, ok in rows]  # at most one count per option and year, as a plan has
    sweep = futures(*((float(p), 1.0, decisions(tuple(builds)) if ok else None) for p, builds, ok in rows))
    summary = sweep_summary(sweep)
    solved = [(float(p), builds) for p, builds, ok in rows if ok]
    mass = sum(p for p, _ in solved)
    expected: dict[tuple[str, int | None, int], float] = {}
    for option in {o for _, builds in solved for o, _, _ in builds}:
        for year in (2020, 2021, 2022):
            for count in (1, 2):
                expected[(option, year, count)] = sum(p for p, builds in solved if (option, year, count) in builds)
        expected[(option, None, 0)] = sum(p for p, builds in solved if all(o != option for o, _, _ in builds))
    found = {(r.option, None if pd.isna(r.year) else r.year, r.count): r.probability
             for r in summary.builds.itertuples()}
    assert found == {key: pytest.approx(p / mass) for key, p in expected.items() if p > 0}


def test_bad_input_is_refused() -> None:
    good = sample_sweep()
    with pytest.raises(ValueError, match="objective_sense: expected one of cost"):
        sweep_summary(good, "revenue")
    with pytest.raises(ValueError, match="missing column"):
        sweep_summary(good.drop(columns="message"))
    with pytest.raises(ValueError, match="a probability must be a number >= 0; not so for f1"):
        sweep_summary(good.assign(probability=[0.5, -0.1, 0.3, 0.2, 0.1]))
    with pytest.raises(ValueError, match="no future has a positive probability"):
        sweep_summary(good.assign(probability=0.0))


def printed(summary: SweepSummary) -> str:
    console = Console(width=160, record=True)
    print_sweep_summary(summary, console)
    return " ".join(console.export_text().split())


def test_the_view_reads_each_decision_as_a_line() -> None:
    text = printed(sweep_summary(sample_sweep(), currency="USD", level="assignments"))
    assert "5 futures: 4 with a plan (90.9% of the probability), 1 without" in text
    assert "NPV cost in the 4 futures with a plan" in text  # the figures say whom they leave out
    assert "1 future without a plan (9.1% of the probability) left out: see below" in text
    assert "│ capacity built │ busan-rogue-line │ 2014 in 83%, 2015 in 11%, 2017 in 11%, never in 6% │" in text
    assert "│ plant opens │ p2 │ 2016 in 50%, 2018 in 6%, never in 44% │" in text
    assert "│ assigned │ busan rogue │ 2014 in 83% │" in text
    assert "│ CVaR 90% (mean of the worst 10%) │ 3.60 USD │" in text  # (4 x 0.06 + 3 x 0.04) / 0.1
    assert "│ CVaR 95% (mean of the worst 5%) │ 4.00 USD │" in text
    assert "│ infeasible │ - │ 1 │ 9.1% │" in text
    assert frequency_text([(2014, 1, 0.004), (pd.NA, 0, 0.996)]) == "2014 in <1%, never in >99%"


def test_the_reports_chart_shows_each_decision_by_year() -> None:
    """Wroclaw opens in 2029 (40%), 2030 (35%) or 2031 (25%): the chart's bars say so, not "wroclaw opens"
    in 100% (issue 16); a decision taken in one year only has its bar, and no "any year" bar beside it."""
    summary = sweep_summary(futures(
        (0.40, 1.0, decisions((("line", 2029, 2),), plants=(("wroclaw", "opens", 2029),))),
        (0.35, 2.0, decisions((("line", 2029, 2),), plants=(("wroclaw", "opens", 2030),))),
        (0.25, 3.0, decisions((("line", 2029, 1), ("line", 2032, 1)), plants=(("wroclaw", "opens", 2031),)))))
    assert [(label, pytest.approx(share), series) for label, share, series in decision_shares(summary)] == [
        ("build line, any year", 1.0, "in any year"),
        ("build line 2029", 1.0, "in that year"),  # twice in 75%, once in 25%: every future builds it then
        ("build line 2032", 0.25, "in that year"),
        ("wroclaw opens, any year", 1.0, "in any year"),
        ("wroclaw opens 2029", 0.40, "in that year"),
        ("wroclaw opens 2030", 0.35, "in that year"),
        ("wroclaw opens 2031", 0.25, "in that year"),
    ]
    once = sweep_summary(futures((0.5, 1.0, decisions(plants=(("tangier", "opens", 2030),))), (0.5, 2.0, decisions())))
    assert decision_shares(once) == [("tangier opens 2030", 0.5, "in that year")]
