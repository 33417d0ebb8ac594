"""Every decision a stochastic plan makes now, shown as `run` shows a plan's (issue 16, point 3): plants opened and
closed, capacity built, products assigned and sourcing chosen, in the console, `show`, summary.json, the report and
the web app, on an instance worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import footprint as fp
from conftest import capability, invoke, market, plant, scenario_data, write_yaml
from footprint.analysis.stochastic import StochasticPlan
from footprint.plan.plan import Plan
from footprint.views.stochastic import print_stochastic
from web_helpers import app_client, web_app

REPRO = Path(__file__).parent / "repro"


def decided() -> dict[str, Any]:
    """Cars for the US in 2016 and 2017, costs of 2017 discounted by 10%, no freight. Old (US): 1,100 a car and
    100,000 a year open; it may close. New (Korea): a candidate from 2017, 1,000 to open; its line (300 a year,
    2,000) from 2017; a car costs 300 of Korean and 700 of Japanese content, and 500 to launch. The US charges 2.5%
    on a car (25) unless it qualifies for KORUS (35% Korean content): sourcing 10% of it in Korea (the engine)
    costs 10 a car and 1,000 a year.

    2016: old alone, 100,000 + 110,000 = 210,000. 2017 at d cars: old 100,000 + 1,100 d; new 3,500 + 1,000 d,
    plus min(25 d of duty, 1,000 + 10 d to source), so new, with old closed. Futures "low" (1/2, 100 cars in 2017)
    and "high" (1/2, 200): sourcing saves 2,500 - 2,000 and 5,000 - 3,000, so the engine is sourced now. RP =
    210,000 + (3,500 + 1,000 x 150 + 1,000 + 10 x 150) / 1.1 = 351,818.18. (Discounting makes launching in 2017
    cheaper than in 2016, with nothing made.)"""
    engine = {"id": "korean-engine", "share": 0.10, "origin": "KR", "extra_cost": 10.0, "fixed_cost": 1000.0,
              "currency": "USD"}
    return scenario_data(
        start=2016, end=2017, discount_rate=0.1,
        plants=[plant("old", closable=True, fixed_cost=100_000.0),
                plant("new", 0.0, country="KR", candidate=True, earliest_open=2017, opening_cost=1000.0)],
        capabilities=[capability("old", local_cost=1100.0),
                      capability("new", local_cost=300.0, imported_cost=700.0, imported_currency="USD",
                                 imported_origin="JP", launch_cost=500.0, sourcing=[engine])],
        options=[{"id": "new-line", "plant": "new", "pool": "main", "capacity": 300.0, "capex": 2000.0,
                  "earliest_year": 2017}],
        markets=[market("us", 100.0)],
        tariffs=[{"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025}],
        agreements=[{"id": "korus", "members": [{"country": "US"}, {"country": "KR"}],
                     "regional_value_content": 0.35,
                     "rates": [{"origin": "KR", "destination": "US", "product_class": "8703", "rate": 0.0}]}],
        solver={"mip_gap": 0.0})


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The set, and the plan solved once by the command, kept in a store."""
    here = tmp_path_factory.mktemp("decided")
    write_yaml(here / "decided.yaml", decided())
    write_yaml(here / "set.yaml", {
        "kind": "scenario-set", "base": "decided.yaml",
        "futures": [{"name": "low", "probability": 0.5},
                    {"name": "high", "probability": 0.5, "set": {"markets[us].demand.car": {2016: 100.0,
                                                                                            2017: 200.0}}}]})
    solved = invoke("stochastic", str(here / "set.yaml"), "--store", str(here / "runs.sqlite"))
    assert solved.exit_code == 0, solved.output
    (here / "printed.txt").write_text(solved.output, encoding="utf-8")
    return here


def flat(text: str) -> str:
    return " ".join(text.split())


DECIDED_NOW = [
    "│ RP, this plan's objective │ 351.82k USD │",
    "Plant decisions (decided now) ┏",
    "│ old │ close │ - │ 2017 │ 2016 │",
    "│ new │ open │ 2017 │ - │ 2017 │",
    "Capacity built (decided now) ┏",
    "│ new-line │ new │ main │ 2017 │ 300 │ 2.00k USD │",
    "Products assigned (decided now) ┏",
    "│ new │ car │ 2017 │",
    "Sourcing chosen (decided now) ┏",
    "│ new │ car │ korean-engine │ 2017 │",
]
"""What the console prints of the decisions made now: as `run` prints a plan's, and the assignments and sourcing."""


def test_the_summary_holds_every_decision_made_now(folder: Path) -> None:
    plan = fp.stochastic(folder / "set.yaml", mip_gap=0.0)
    s = plan.plan.summary
    assert plan.objective == pytest.approx(210_000 + 156_000 / 1.1)
    assert s["plant_decisions"] == [
        {"plant": "old", "candidate": False, "closable": True, "opened": None, "closed": 2017},
        {"plant": "new", "candidate": True, "closable": False, "opened": 2017, "closed": None}]
    assert s["builds"] == [{"option": "new-line", "plant": "new", "pool": "main", "year": 2017, "count": 1,
                            "added_capacity": pytest.approx(300.0), "capex": pytest.approx(2000.0)}]
    assert s["assignment_decisions"] == [{"plant": "new", "product": "car", "years": [2017]}]
    assert s["sourcing_decisions"] == [{"plant": "new", "product": "car", "option": "korean-engine", "years": [2017]}]
    json.dumps(s)  # as summary.json and the store keep it
    benders = fp.stochastic(folder / "set.yaml", method="benders", workers=0, mip_gap=0.0).plan.summary
    assert benders["method"] == "benders"
    for key in ("plant_decisions", "builds", "assignment_decisions", "sourcing_decisions"):
        assert benders[key] == s[key], key


def test_the_command_and_show_print_every_decision_made_now(folder: Path) -> None:
    printed = flat((folder / "printed.txt").read_text(encoding="utf-8"))
    for line in DECIDED_NOW:
        assert line in printed, line
    shown = invoke("show", "latest", "--store", str(folder / "runs.sqlite"))
    assert shown.exit_code == 0, shown.output
    for line in DECIDED_NOW:
        assert line in flat(shown.output), line


def test_summary_json_holds_them(folder: Path) -> None:
    out = folder / "exported"
    exported = invoke("export", "latest", "--store", str(folder / "runs.sqlite"), "--out", str(out))
    assert exported.exit_code == 0, exported.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [(d["plant"], d["opened"], d["closed"]) for d in summary["plant_decisions"]] == [
        ("old", None, 2017), ("new", 2017, None)]
    assert [(b["option"], b["year"], b["count"]) for b in summary["builds"]] == [("new-line", 2017, 1)]
    assert summary["assignment_decisions"] == [{"plant": "new", "product": "car", "years": [2017]}]
    assert summary["sourcing_decisions"] == [{"plant": "new", "product": "car", "option": "korean-engine",
                                              "years": [2017]}]


def test_the_reports_key_figures_and_decided_now_section_show_them(folder: Path) -> None:
    report = folder / "report.html"
    made = invoke("report", "latest", "--store", str(folder / "runs.sqlite"), "--out", str(report))
    assert made.exit_code == 0, made.output
    page = flat(report.read_text(encoding="utf-8"))
    for fact in ("<dt>plants opened (decided now)</dt><dd>new 2017</dd>",
                 "<dt>plants closed (decided now)</dt><dd>old 2017</dd>",
                 "<dt>capacity built (decided now)</dt><dd>1 build(s) of 1 option(s)</dd>",
                 "<dt>products assigned (decided now)</dt><dd>1</dd>",
                 "<dt>sourcing chosen (decided now)</dt><dd>1</dd>"):
        assert fact in page, fact
    now = page[page.index('id="now"'):page.index('id="regret"')]
    for cells in (["old", "close", "-", "2017", "2016"], ["new", "open", "2017", "-", "2017"],
                  ["new-line", "new", "main", "2017", "1", "300", "2.00k USD"], ["new", "car", "2017"],
                  ["new", "car", "korean-engine", "2017"]):
        row = "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        assert row in now.replace("<td class=\"num\">", "<td>"), row


def test_the_web_app_shows_them_first(folder: Path) -> None:
    with app_client(web_app(folder / "runs.sqlite")) as client:
        page = flat(client.get("/runs/1").text)
    decided_now = page.index("Plant decisions (decided now)")
    assert decided_now < page.index("Capacity built (builds)")  # before the tables of every future
    for heading in ("Capacity built (decided now)", "Products assigned (decided now)",
                    "Sourcing chosen (decided now)"):
        assert f"<summary>{heading} <span" in page, heading
    for cells in (["old", "close", "-", "2017", "2016"], ["new", "open", "2017", "-", "2017"],
                  ["new", "car", "korean-engine", "2017"]):
        assert "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>" in page, cells


def test_with_revise_from_only_the_decisions_before_it_are_decided_now(folder: Path) -> None:
    # From 2017 on each future decides for itself: nothing of 2017 is decided now, and a plant's 2017 decision is
    # "not before 2017".
    plan = fp.stochastic(folder / "set.yaml", revise_from=2017, mip_gap=0.0)
    s = plan.plan.summary
    assert [(d["opened"], d["closed"]) for d in s["plant_decisions"]] == [(None, None), (None, None)]
    assert (s["builds"], s["assignment_decisions"], s["sourcing_decisions"]) == ([], [], [])
    console = Console(record=True, width=200)
    print_stochastic(plan, "USD", console)
    text = flat(console.export_text())
    assert "Plant decisions (decided now, before 2017)" in text
    assert "│ old │ close │ - │ not before 2017 │ 2016 │" in text
    assert "Capacity built (decided now, before 2017)" in text
    assert "From 2017 on each future decides for itself" in text


def test_a_plan_stored_before_its_summary_held_them_prints_its_first_futures_builds(folder: Path) -> None:
    plan = fp.stochastic(folder / "set.yaml", mip_gap=0.0)
    old = {key: value for key, value in plan.plan.summary.items()
           if key not in ("builds", "plant_decisions", "assignment_decisions", "sourcing_decisions")}
    console = Console(record=True, width=200)
    print_stochastic(StochasticPlan.of(Plan(old, plan.plan.tables)), "USD", console)
    text = flat(console.export_text())
    assert "│ new-line │ new │ main │ 2017 │ 300 │ 2.00k USD │" in text
    assert "Plant decisions" not in text


def test_the_voltaro_set_shows_its_plant_decisions(tmp_path: Path) -> None:
    # The reproducer at one draw of each generator (4 futures): Stuttgart closes in 2027 and Wroclaw opens
    # in 2028, decided now, and Tangier is a candidate the plan opens.
    printed = invoke("stochastic", str(REPRO / "voltaro-futures.yaml"), "--n", "1", "--no-store")
    assert printed.exit_code == 0, printed.output
    text = flat(printed.output)
    assert "Plant decisions (decided now)" in text
    assert "│ stuttgart │ close │ - │ 2027 │ 2026 │" in text
    assert "│ wroclaw │ open │ 2028 │ - │ 2028-2035 │" in text
    assert "│ tangier │ open │" in text
