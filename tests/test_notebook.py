"""A plan, a sweep, a stochastic plan and a tornado in a notebook (issue 18, point 4): their HTML displays hold the
decision figures of instances solved by hand, their plot accessors return the report's figures, the accessors say
what to import where the views are not loaded, every name is escaped, and the tutorial notebook runs."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import plotly.graph_objects as go
import pytest
from nbclient import NotebookClient

import footprint.views.notebook  # noqa: F401  (registers the displays and accessors, as footprint.api does)
from conftest import REPO, solved
from footprint.analysis.sensitivity import Bar, End, Tornado
from footprint.analysis.stochastic import StochasticPlan, stochastic_plan
from footprint.analysis.summary import sweep_summary
from footprint.analysis.sweep import SweepOutcome
from footprint.plan.decisions import Level
from footprint.plan.extensions import Accessor, html_of, register
from footprint.plan.plan import Plan
from footprint.scenario.sets.scenario_sets import Future
from footprint.views.labels import money
from test_breakeven import two_plants
from test_plant_decisions import growing
from test_stochastic import EXACT
from test_stochastic_plan import two_years
from test_sweep_summary import decisions, futures

BUILD_OR_NOT = [Future("cheap", 0.5, (("capabilities[1].local_cost", 1.0),)),
                Future("dear", 0.5, (("capabilities[1].local_cost", 2.5),))]
"""Line x (capex 300, online 2021) makes 2021's 100 cars at 1 or 2.5 instead of 5: it saves 100 in ``cheap`` and
loses 50 in ``dear``, 25 on average, so the plan builds it: RP = 300 + 500 + (100 + 250) / 2 = 975. Knowing the
future, ``dear`` would not build it: its own optimum 1,000, WS = (900 + 1,000) / 2 = 950, EVPI = 25. The mean future
(cars at 1.75) builds it too: EV = 975 = EEV, VSS = 0. Regret: 0 in cheap, 1,050 - 1,000 = 50 in dear."""


class Tables(HTMLParser):
    """The tables of an HTML text: caption -> rows of cell text (the header row first)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption or ""] = self._rows

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def tables_of(shown: object) -> dict[str, list[list[str]]]:
    text = html_of(shown)
    assert text is not None
    return Tables(text).tables


def column(rows: list[list[str]], name: str) -> dict[str, str]:
    """A two-or-more-column table as first cell -> the cell in column ``name``."""
    index = rows[0].index(name)
    return {row[0]: row[index] for row in rows[1:]}


@pytest.fixture(scope="module")
def opening() -> Plan:
    """``new`` opens in 2022 (test_plant_decisions.growing): production 1,560, fixed 900, opening 500."""
    return solved(growing(500.0))


@pytest.fixture(scope="module")
def building() -> Plan:
    """The line at ``away`` is built in 2020 (test_breakeven.two_plants): capex 1,000, 100 cars at 20."""
    return solved(two_plants(40.0))


@pytest.fixture(scope="module")
def stochastic() -> StochasticPlan:
    return stochastic_plan(two_years(), "two years", BUILD_OR_NOT, options=EXACT)


# --- the displays ----------------------------------------------------------------------------------------------------

def test_a_plan_shows_its_npv_by_family_and_the_plant_it_opens(opening: Plan) -> None:
    assert opening.objective == pytest.approx(2960.0)
    shown = tables_of(opening)
    facts = column(shown["Key figures"], "value")
    assert facts["NPV cost"] == money(opening.objective, "USD") == "2.96k USD"
    npv = column(shown["NPV by family of costs (USD)"], "NPV")
    # 60 cars at 10 in 2020-21, 240 at 4 from 2022; 300 a year open; 500 once: as the plan's costs table has them
    assert npv == {"production": "1.56k USD", "fixed": "900.00 USD", "opening, closing, launch": "500.00 USD",
                   "NPV cost (revenue negative)": "2.96k USD"}
    by_component = opening.costs.groupby("component")["discounted"].sum()
    assert npv["fixed"] == money(by_component["fixed"], "USD")
    assert shown["Plant decisions"][1][:3] == ["new", "open", "2022"]
    assert [row[0] for row in shown["Capacity built"]] == ["none"]


def test_a_plan_shows_what_it_builds(building: Plan) -> None:
    assert building.objective == pytest.approx(3000.0)
    shown = tables_of(building)
    assert shown["Capacity built"][1:] == [["away-line", "away", "main", "2020", "1", "100", "1.00k USD"]]
    npv = column(shown["NPV by family of costs (USD)"], "NPV")
    assert (npv["capex"], npv["production"]) == ("1.00k USD", "2.00k USD")
    assert column(shown["NPV by family of costs (USD)"], "share")["capex"] == "33.3%"
    assert "Plant decisions" not in shown


def test_a_stochastic_plan_shows_its_measures_and_what_it_decides_now(stochastic: StochasticPlan) -> None:
    assert (stochastic.objective, stochastic.wait_and_see, stochastic.evpi, stochastic.vss) == pytest.approx(
        (975.0, 950.0, 25.0, 0.0))
    for shown in (stochastic, stochastic.plan):  # its stacked Plan shows as the stochastic plan
        tables = tables_of(shown)
        measures = column(tables["Measures (USD, NPV cost)"], "NPV cost")
        assert measures["RP, this plan's objective"] == "975.00 USD"
        assert measures["WS, each future's own optimum, on average"] == "950.00 USD"
        assert measures["EVPI = RP - WS, knowing the future"] == "25.00 USD"
        assert measures["VSS = EEV - RP, planning for the spread"] == "0.00 USD"
        built = tables["Capacity built (decided now)"]
        assert [row[:5] for row in built[1:]] == [["x-line", "x", "main", "2021", "1"]]
        regret = column(tables["Each future under the plan"], "regret")
        assert regret == {"cheap": "0.00 USD", "dear": "50.00 USD"}


def sweep_of_three() -> SweepOutcome:
    """Three futures: two build the line in 2021 (NPV 900 and 1,050), one never does (1,000)."""
    line = decisions(builds=(("x-line", 2021, 1),))
    frame = futures((0.25, 900.0, line), (0.25, 1050.0, line), (0.5, 1000.0, decisions()))
    return SweepOutcome(7, frame, 3, 0, 0, 1.5, "minimize_cost", "USD")


def test_a_sweep_shows_the_npv_spread_and_how_often_each_decision_is_taken() -> None:
    sweep = sweep_of_three()
    for shown in (sweep, sweep.summary()):
        tables = tables_of(shown)
        spread = column(tables["NPV cost over the 3 futures with a plan"], "NPV cost")
        assert spread["mean"] == "987.50 USD"  # 0.25 x 900 + 0.25 x 1,050 + 0.5 x 1,000
        assert (spread["lowest"], spread["highest"]) == ("900.00 USD", "1.05k USD")
        assert spread["percentile 50"] == "1.00k USD"
        taken = tables["How often each decision is taken (strategic level)"]
        assert taken[1:] == [["capacity built", "x-line", "2021 in 50%, never in 50%"]]
    assert "Sweep 7: 3 futures, 3 solved" in (html_of(sweep) or "")


def test_a_sweeps_summary_at_the_flows_level_says_where_its_lanes_are() -> None:
    with pytest.raises(ValueError, match=r"at the flows level read them with their flows: "
                                         r"sweep_summary\(RunStore\(store\)\.futures\(7, Level\.FLOWS\)"):
        sweep_of_three().summary("flows")


def test_a_sweep_whose_futures_agree_says_so() -> None:
    same = futures((0.5, 900.0, decisions()), (0.5, 1000.0, decisions()))
    tables = tables_of(sweep_summary(same, currency="USD"))
    assert "Every future with a plan takes the same decisions (strategic level)" in tables


def test_names_are_escaped(opening: Plan, building: Plan) -> None:
    """A scenario's name is free text; a plan's tables, read from a folder, may hold anything."""
    hostile = "<script>alert(1)</script>"
    summary = {**opening.summary, "scenario": hostile,
               "plant_decisions": [{**d, "plant": hostile} for d in opening.summary["plant_decisions"]]}
    tables = {name: opening.tables[name] for name in opening.tables}
    tables["plants"] = tables["plants"].assign(plant=tables["plants"]["plant"].replace("new", hostile))
    tables["builds"] = building.builds.assign(option=hostile)
    text = html_of(Plan(summary, tables))
    assert text is not None
    assert "<script>" not in text
    assert "alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    parsed = Tables(text).tables
    assert parsed["Plant decisions"][1][0] == hostile
    assert parsed["Capacity built"][1][0] == hostile
    assert column(parsed["Key figures"], "value")["scenario"] == hostile


def test_names_of_futures_and_options_are_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    line = decisions(builds=((hostile, 2021, 1),))
    sweep = SweepOutcome(1, futures((0.5, 900.0, line), (0.5, 1000.0, decisions())), 2, 0, 0, 1.0, currency=hostile)
    named = [Future(f"{hostile}{i}", 0.5, future.overrides) for i, future in enumerate(BUILD_OR_NOT)]
    stochastic = stochastic_plan(two_years(), hostile, named, options=EXACT)
    for shown in (sweep, stochastic):
        text = html_of(shown)
        assert text is not None
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
    regret = Tables(html_of(stochastic) or "").tables["Each future under the plan"]
    assert [row[0] for row in regret[1:]] == [f"{hostile}0", f"{hostile}1"]


def hand_tornado() -> Tornado:
    """Demand moves the NPV from 900 to 1,200 and builds the line at its high; a cost has no plan at its low."""
    return Tornado(1000.0, "USD", Level.STRATEGIC, (
        Bar("demand", End((80.0,), 900.0, "optimal", ""), End((120.0,), 1200.0, "optimal", "+x-line 2021")),
        Bar("cost", End((0.5,), None, "infeasible", "no plan: a test"), End((2.0,), 1010.0, "optimal", ""))), 3)


def test_a_tornado_shows_each_inputs_ends() -> None:
    rows = tables_of(hand_tornado())[
        "Sensitivity: NPV at each input's low and high (base 1.00k USD; 2 inputs, largest swing first)"]
    assert rows[1] == ["demand", "80", "900.00 USD", "120", "1.20k USD", "300.00 USD", "same", "+x-line 2021"]
    assert rows[2][:3] == ["cost", "0.5", "no plan"]
    assert rows[2][6] == "no plan (1)"
    assert "(1) cost at its low: no plan: a test" in (html_of(hand_tornado()) or "")


# --- the figures -----------------------------------------------------------------------------------------------------

def test_the_map_names_every_plant_and_market(opening: Plan) -> None:
    figure = opening.plot.map()
    assert isinstance(figure, go.Figure)
    plants = [trace for trace in figure.data if trace.name == "plants"]
    assert plants, [trace.name for trace in figure.data]
    hovers = " ".join(text for trace in plants for text in trace.hovertext)
    assert "plant old" in hovers
    assert "plant new" in hovers
    assert any(trace.name == "markets" for trace in figure.data)


def test_a_plan_read_back_needs_its_scenario_for_the_map(opening: Plan, tmp_path: Path) -> None:
    read = Plan.read(opening.write(tmp_path / "plan"))
    with pytest.raises(ValueError, match=r"does not know where its sites are .*plan\.plot\.map\(fp\.load"):
        read.plot.map()
    assert isinstance(read.plot.map(opening.scenario), go.Figure)


def test_the_cost_bars_add_up_to_the_plans_costs(opening: Plan, building: Plan) -> None:
    for plan in (opening, building):
        figure = plan.plot.costs()
        drawn = sum(float(np.sum(trace.y)) for trace in figure.data)
        assert drawn == pytest.approx(float(plan.costs["amount"].sum()))
        by_year = {}
        for trace in figure.data:
            for year, value in zip(trace.x, trace.y, strict=True):
                by_year[int(year)] = by_year.get(int(year), 0.0) + float(value)
        assert by_year == pytest.approx(plan.costs.groupby("year")["amount"].sum().to_dict())
    assert {trace.name for trace in opening.plot.costs().data} >= {"production", "fixed", "opening, closing, launch"}


def test_the_utilization_heatmap_is_the_plans_shares(opening: Plan) -> None:
    figure = opening.plot.utilization()
    (heatmap,) = figure.data
    assert isinstance(heatmap, go.Heatmap)
    shares = opening.utilization.set_index(["plant", "year"])["share"]
    rows = list(heatmap.y)
    for (plant, year), share in shares.items():
        cell = heatmap.z[rows.index(f"{plant} / main")][list(heatmap.x).index(str(year))]
        assert (cell == pytest.approx(share)) or (np.isnan(cell) and np.isnan(share))


def test_the_sweeps_decisions_are_its_shares_by_year() -> None:
    sweep = sweep_of_three()
    for figure in (sweep.plot.decisions(), sweep.summary().plot.decisions()):
        (bars,) = figure.data
        assert list(bars.y) == ["build x-line 2021"]
        assert list(bars.x) == pytest.approx([0.5])


def test_the_sweeps_npv_is_its_futures_weighted() -> None:
    sweep = sweep_of_three()
    figure = sweep.plot.npv()
    (bars,) = figure.data
    # 900 and 1,050 at 1/4 each, 1,000 at 1/2, each in a bin of its own
    assert sorted(float(y) for y in bars.y if y) == pytest.approx([0.25, 0.25, 0.5])
    half = float(bars.width[0]) / 2
    assert (min(bars.x) - half, max(bars.x) + half) == pytest.approx((900.0, 1050.0))  # from the lowest to the highest
    marks = sorted(shape.x0 for shape in figure.layout.shapes)
    assert marks == pytest.approx([900.0, 987.5, 1050.0])  # p5, mean, p95
    with pytest.raises(ValueError, match="a SweepSummary keeps the NPV's statistics"):
        sweep.summary().plot.npv()


def test_the_regret_bars_are_each_futures_regret(stochastic: StochasticPlan) -> None:
    figure = stochastic.plot.regret()
    series = {trace.name: dict(zip(trace.y, trace.x, strict=True)) for trace in figure.data}
    assert series["this plan"] == pytest.approx({"cheap": 0.0, "dear": 50.0})
    assert series["the mean future's plan"] == pytest.approx({"cheap": 0.0, "dear": 50.0})


def test_the_tornado_bars_start_at_the_base() -> None:
    low, high = hand_tornado().plot.bars().data
    assert (low.name, high.name) == ("at low", "at high")
    assert list(low.y) == list(high.y) == ["demand", "cost"]
    assert low.base == 1000.0
    assert low.x[0] == pytest.approx(-100.0)
    assert np.isnan(low.x[1])  # no plan: no bar
    assert list(high.x) == pytest.approx([200.0, 10.0])


def test_a_stochastic_plan_draws_its_expected_plan(stochastic: StochasticPlan) -> None:
    figure = stochastic.plot.costs()
    expected = 0.5 * 900.0 + 0.5 * 1050.0  # no discounting: the futures' costs, weighted
    assert sum(float(np.sum(trace.y)) for trace in figure.data) == pytest.approx(expected)
    assert isinstance(stochastic.plot.map(), go.Figure)
    assert stochastic.plan.plot.costs().to_dict() == figure.to_dict()


# --- the accessors ---------------------------------------------------------------------------------------------------

def test_an_accessor_nobody_registered_says_what_to_import() -> None:
    class Thing:
        plot = Accessor("plot")

    with pytest.raises(AttributeError, match=r"Thing\.plot: no accessor is registered; `import footprint\.api`"):
        Thing().plot  # noqa: B018
    assert html_of(Thing()) is None  # Jupyter then shows its text
    assert isinstance(Thing.plot, Accessor)

    class Other(Thing):
        pass

    register(Thing, "plot")(lambda thing: ("drawn", thing))
    other = Other()
    assert other.plot == ("drawn", other)  # a subclass finds its base's accessor


def test_a_plan_without_the_views_loaded_says_what_to_import() -> None:
    """In a process that imports the Plan but not footprint.api or the views."""
    script = ("from footprint.plan.plan import Plan\n"
              "plan = Plan.__new__(Plan)\n"
              "assert plan._repr_html_() is None\n"
              "try:\n    plan.plot\nexcept AttributeError as error:\n    print(error)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == ("Plan.plot: no accessor is registered; `import footprint.api` (what `import "
                                   "footprint as fp` loads) or `import footprint.views.notebook` registers it")


def test_import_footprint_registers_them() -> None:
    script = ("import footprint as fp\nfrom footprint.plan.plan import Plan\nfp.Plan\n"
              "print(type(Plan.__new__(Plan).__class__.plot).__name__, fp.Plan is Plan)\n"
              "from footprint.plan.extensions import registered\nprint(registered(Plan, 'plot').__name__)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.split() == ["Accessor", "True", "PlanPlot"]


# --- the tutorial ----------------------------------------------------------------------------------------------------

TUTORIAL = REPO / "docs" / "tutorial.ipynb"


def test_the_tutorial_is_stored_without_outputs() -> None:
    """No stale numbers in the repository: the notebook's figures are those it makes when run."""
    notebook = nbformat.read(TUTORIAL, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.slow
def test_the_tutorial_runs_from_load_to_stochastic_plan(tmp_path: Path) -> None:
    """Every cell of docs/tutorial.ipynb runs without an error (in a working directory of its own), each plot cell
    draws a plotly figure and each object shows its table."""
    notebook = nbformat.read(TUTORIAL, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = {cell.source.splitlines()[-1]: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    html = {line: "".join(output["data"].get("text/html", "") for output in outputs if "data" in output)
            for line, outputs in shown.items()}
    assert "busan-rogue-line" in html["plan"]
    assert "How often each decision is taken" in html["sweep"]
    assert "EVPI = RP - WS" in html["stochastic"]
    assert "Sensitivity: NPV at each input" in html["tornado"]
    plots = [line for line in shown if ".plot." in line]
    assert len(plots) == 8
    for line in plots:
        assert any("application/vnd.plotly.v1+json" in output.get("data", {}) for output in shown[line]), line
