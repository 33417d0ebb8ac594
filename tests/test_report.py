"""`footprint report`: one self-contained HTML file per plan, sweep, stochastic plan or comparison (issue 11, point
1), checked for what it says and, in headless Chromium, for what it draws and that no request leaves the page."""

from __future__ import annotations

import itertools
import re
import struct
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from rich.console import Console

import footprint as fp
from conftest import REPO, environment, invoke, small_network_data, write_yaml
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore
from footprint.views.console import print_costs
from footprint.views.labels import component_label, money
from footprint.views.page import PAGE_ROWS, Page, Section, Table, drawn
from footprint.views.report import plan_facts, plan_page
from footprint.views.report_of import stored_sweep
from footprint.views.world import LAND, NODE_STYLES, centroids, tier_lanes, top_lanes
from footprint.web.tables import html_table
from test_plant_decisions import peaks, solved
from test_stochastic_plan import TWO_FUTURES, two_years, write_set
from test_sweep import ranged_network, set_files
from web_helpers import app_client, web_app


@pytest.fixture(scope="module")
def rogue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """rogue-2012 solved into a store, and its report: (report, store, results folder)."""
    folder = tmp_path_factory.mktemp("rogue")
    store = str(folder / "runs.sqlite")
    ran = invoke("run", "rogue-2012", "--store", store, "--out", str(folder / "results"))
    assert ran.exit_code == 0, ran.output
    made = invoke("report", "latest", "--store", store, "-o", str(folder / "report.html"))
    assert made.exit_code == 0, made.output
    return folder / "report.html", store, folder / "results"


def _png_pixels(data: bytes) -> np.ndarray:
    """The RGB pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's screenshots are)."""
    position, chunks, width, height, channels = 8, [], 0, 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            assert colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, 1 + width * channels)
    pixels = np.zeros((height, width * channels), dtype=np.int32)
    previous = np.zeros(width * channels, dtype=np.int32)
    for row in range(height):
        kind, line = raw[row, 0], raw[row, 1:].astype(np.int32)
        if kind in (0, 2):
            out = (line + (previous if kind == 2 else 0)) % 256
        else:  # Sub, Average, Paeth depend on the pixel to the left: one pixel at a time
            out = np.zeros_like(line)
            for i in range(len(line)):
                left = out[i - channels] if i >= channels else 0
                up, corner = previous[i], previous[i - channels] if i >= channels else 0
                if kind == 1:
                    guess = left
                elif kind == 3:
                    guess = (left + up) // 2
                else:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                out[i] = (line[i] + guess) % 256
        pixels[row], previous = out, out
    return pixels.reshape(height, width, channels)[:, :, :3]


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


def _near(pixels: np.ndarray, colour: str, tolerance: int = 12) -> int:
    return int((np.abs(pixels - _rgb(colour)).max(axis=2) <= tolerance).sum())


def _open_offline(browser: Any, report: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    page.wait_for_selector("#map .main-svg", timeout=30_000)
    return page, requests, errors


# --- what the report says -------------------------------------------------------------------------------------------


def test_the_report_of_a_plan_has_its_sections_and_numbers(rogue: tuple[Path, str, Path]) -> None:
    report, _, results = rogue
    text = report.read_text(encoding="utf-8")
    plan = fp.read_plan(results)
    for section in ("map", "capacity", "landed", "costs", "inputs"):
        assert f'<section id="{section}"' in text
    assert 'id="lost"' not in text  # rogue-2012 serves all its demand: no lost sales section
    assert f"<dd>{money(plan.objective, 'USD')}</dd>" in text  # as `run` prints it
    assert "busan-rogue-line" in text
    assert "Why rogue for us comes from where it does" in text  # explain's choices
    assert "FACTS.md 1: Nissan release 2010-10-06" in text  # an input with its source
    assert "https://" not in text.split("<script>")[0]  # nothing in the head asks for a file elsewhere
    assert len(text.encode()) < 15_000_000


def test_the_key_figures_count_every_build() -> None:
    """Voltaro builds four options, some several times (issue 16: the report said 4 builds where there are 10);
    an option built in two years counts in each."""
    plan = fp.solve(fp.load(REPO / "tests" / "repro" / "voltaro.yaml"))
    assert (plan.builds["count"] > 1).any()  # the case has builds of count > 1: the defect shows on it
    count, options = int(plan.builds["count"].sum()), plan.builds["option"].nunique()
    assert count > len(plan.builds)
    assert dict(plan_facts(plan))["capacity built"] == f"{count} builds of {options} options"
    builds = pd.DataFrame({"option": ["a", "a", "b"], "plant": "p", "pool": "q", "year": [2027, 2030, 2027],
                           "count": [2, 1, 1], "added_capacity": 1.0, "capex": 1.0})
    twice = Plan(plan.summary, {**plan.tables, "builds": builds})
    assert dict(plan_facts(twice))["capacity built"] == "4 builds of 2 options"
    none = Plan(plan.summary, {**plan.tables, "builds": builds.head(0)})
    assert dict(plan_facts(none))["capacity built"] == "none"


def test_names_are_escaped_and_a_results_folder_says_its_scenario_is_unknown(tmp_path: Path) -> None:
    data = small_network_data()
    data["name"] = '<script>alert("x")</script> & co'
    data["discount_rate"] = {"value": 0.1, "source": "<img src=x onerror=alert(1)>"}
    write_yaml(tmp_path / "net.yaml", data)
    made = invoke("report", str(tmp_path / "net.yaml"), "-o", str(tmp_path / "net.html"))
    assert made.exit_code == 0, made.output
    text = (tmp_path / "net.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert escape('<script>alert("x")</script> & co') in text
    assert escape("<img src=x onerror=alert(1)>") in text
    assert "Not on the map (no location, port or country shape): market eu" in text  # a customs union
    ran = invoke("run", str(tmp_path / "net.yaml"), "--out", str(tmp_path / "out"), "--no-store")
    assert ran.exit_code == 0, ran.output
    folder = invoke("report", str(tmp_path / "out"), "-o", str(tmp_path / "folder.html"))
    assert folder.exit_code == 0, folder.output
    assert "The scenario is not known" in (tmp_path / "folder.html").read_text(encoding="utf-8")


def test_bad_references_are_one_line_and_exit_code_1(tmp_path: Path, rogue: tuple[Path, str, Path]) -> None:
    _, store, _ = rogue
    (tmp_path / "empty").mkdir()
    for args in (["no-such-run", "--store", store], [str(tmp_path / "empty")],
                 ["latest", "--compare", "--store", store]):
        result = invoke("report", *args, "-o", str(tmp_path / "x.html"))
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "x.html").exists()


# --- the first screen: the decision ------------------------------------------------------------------------------


def _section(text: str, section: str) -> str:
    """The HTML of one section of a report."""
    return text[text.index(f'<section id="{section}"'):].split("</section>", 1)[0]


def _rows(html: str) -> list[list[str]]:
    """The body rows of the first table in ``html``, as the cells' text."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _decided(plan: Plan) -> list[tuple[int, str, str]]:
    """(year, decision, what) of every build and every plant, supplier and facility opened or closed, read from the
    Plan's tables."""
    found = [(int(row.year), "build", str(row.option)) for row in plan.builds.itertuples()]
    for name, kind in (("plants", None), ("sites", "kind")):
        table = plan.tables[name]
        for flag, verb in (("opened", "open"), ("closed", "close")):
            for row in table[table[flag].astype(bool)].to_dict("records"):
                found.append((int(row["year"]), f"{verb} {row[kind] if kind else 'plant'}",
                              str(row["site" if kind else "plant"])))
    return sorted(found)


def test_the_report_opens_on_the_decisions_of_the_plan(rogue: tuple[Path, str, Path]) -> None:
    """rogue-2012 builds a line at Busan and opens two suppliers (nissan-decherd, rsm-engines): the first section
    lists exactly these, by year, with where they are; the NPV's families add up to the NPV."""
    report, _, results = rogue
    text = report.read_text(encoding="utf-8")
    plan = fp.read_plan(results)
    assert text.index('<section id="facts"') < text.index('<section id="decision"') < text.index('<section id="map"')
    decision = _section(text, "decision")
    rows = _rows(decision)
    expected = _decided(plan)
    assert {"build", "open supplier"} <= {what for _, what, _ in expected}  # the case has both kinds
    assert sorted((int(year), what, name) for year, what, name, _, _ in rows) == expected
    build = next(row for row in rows if row[1] == "build")
    assert build[3] == "busan (KR)"
    assert f"capex {money(float(plan.builds['capex'].iloc[0]), 'USD')}" in build[4]
    made_of = _rows(decision[decision.index("What the NPV is made of"):])
    assert made_of[-1] == ["total", money(plan.objective, "USD"), ""]
    assert sum(float(row[2].rstrip("%")) for row in made_of[:-1] if row[2] != "-") == pytest.approx(100, abs=0.1)


def test_plants_opened_and_closed_are_decisions_on_the_first_screen() -> None:
    """A plant that opens in 2021 and closes in 2024 (test_plant_decisions.peaks): both on the first screen, in
    order; a plan that decides nothing says so instead of an empty table."""
    plan = solved(peaks({2020: 10.0, 2021: 100.0, 2022: 100.0, 2023: 100.0, 2024: 10.0}))
    text = plan_page(plan).html()
    rows = _rows(_section(text, "decision"))
    assert [row[:3] for row in rows] == [["2021", "open plant", "temp"], ["2024", "close plant", "temp"]]
    assert _decided(plan) == [(2021, "open plant", "temp"), (2024, "close plant", "temp")]
    calm = solved(peaks({2020: 10.0, 2021: 10.0}))
    assert _decided(calm) == []
    decision = _section(plan_page(calm).html(), "decision")
    assert "The plan builds no capacity and opens or closes no plant" in decision
    assert "What to build, open and close" not in decision


def test_the_tables_below_the_decision_are_collapsed_and_names_escaped() -> None:
    """Every table outside the first screen is in a closed <details> (its rows counted in the summary), a long one
    is paged; cells and figure names from user input are escaped or made safe file names."""
    hostile = '<script>alert("x")</script>'
    long = Table("Long", ["n"], [[str(n)] for n in range(40)])
    page = Page(f"Plan: {hostile}", [("scenario", hostile)], [
        Section("decision", "The decision", tables=[Table("What", ["what"], [[hostile]], open=True)], brief=True),
        Section("inputs", "Inputs", tables=[long, Table("Short", ["n"], [["1"]])])])
    text = page.html()
    assert "<script>alert" not in text
    assert str(escape(hostile)) in _section(text, "decision")
    inputs = _section(text, "inputs")
    assert inputs.count("<details>") == inputs.count("<table") == 2
    assert "<details open" not in text
    assert "Long <span class=\"count\">(40 rows)</span>" in inputs
    assert f'class="paged" data-page="{PAGE_ROWS}"' in inputs
    assert inputs.count('class="paged"') == 1  # one row is not paged
    assert drawn("landed rogue../../x busan", None).name == "landed-rogue-x-busan"  # type: ignore[arg-type]


# --- many plans -------------------------------------------------------------------------------------------------------


def test_the_report_of_a_sweep_and_of_a_tornado(tmp_path: Path) -> None:
    store = str(tmp_path / "runs.sqlite")
    with RunStore(store) as opened:
        outcome = fp.sweep(set_files(tmp_path, 2), workers=1, store=opened)
    made = invoke("report", str(outcome.sweep), "--store", store, "-o", str(tmp_path / "sweep.html"))
    assert made.exit_code == 0, made.output
    text = (tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert "NPV cost over the futures" in text
    assert f"{len(outcome.futures)} with a plan" in text
    # it leads with how often each decision is taken, by year, and the NPV's spread
    assert text.index('<section id="facts"') < text.index('<section id="decision"') < text.index('<section id="npv"')
    decision = _section(text, "decision")
    assert "How often each decision is taken" in decision
    with RunStore(store) as opened:
        summary = stored_sweep(opened, opened.get(str(outcome.sweep))).summary
    assert len(summary.builds) + len(summary.plants) > 0  # the sweep's futures decide differently
    for option, group in summary.builds.groupby("option"):
        taken = group[group["year"].notna()]
        text_of = ", ".join(f"{int(r.year)}" + (f" x{r.count}" if r.count > 1 else "") + f" in {r.probability:.0%}"
                            for r in taken.itertuples())
        assert f"<td>capacity built: {option}</td><td>{text_of}" in decision
    low, high = summary.npv["p5"], summary.npv["p95"]
    assert f"<dd>{money(low, 'USD')} to {money(high, 'USD')}</dd>" in _section(text, "facts")
    write_yaml(tmp_path / "net.yaml", ranged_network())
    fp.sensitivity(tmp_path / "net.yaml", workers=1, store=store)
    made = invoke("report", "latest", "--store", store, "-o", str(tmp_path / "tornado.html"))
    assert made.exit_code == 0, made.output
    assert "Tornado: the objective with each input at its ends" in (tmp_path / "tornado.html").read_text("utf-8")


def test_a_sensitivity_sweep_is_summed_up_as_its_tornado_everywhere(tmp_path: Path) -> None:
    """sweep-summary, the report and the app's sweep page show a sensitivity sweep's tornado (ranked swings, where
    the decisions change), not the mean, percentiles and CVaR of its one-at-a-time ends as if they were futures
    of a distribution (issue 16)."""
    store = str(tmp_path / "runs.sqlite")
    write_yaml(tmp_path / "net.yaml", ranged_network())
    tornado = fp.sensitivity(tmp_path / "net.yaml", workers=1, store=store)
    ranked = [bar.path for bar in tornado.bars]
    detroit = next(bar for bar in tornado.bars if bar.path == "capabilities[detroit/car].local_cost")
    assert detroit.low.change  # an end where the decisions change: each place must say how

    def distribution_free(text: str) -> None:
        for statistic in ("CVaR", "percentile", "standard deviation", "over the futures"):
            assert statistic not in text, statistic

    printed = invoke("sweep-summary", str(tornado.sweep), "--store", store)
    assert printed.exit_code == 0, printed.output
    text = " ".join(printed.output.split())
    distribution_free(text)
    assert [text.index(path) for path in ranked] == sorted(text.index(path) for path in ranked)  # largest first
    assert detroit.low.change.split(",")[0] in text
    made = invoke("report", str(tornado.sweep), "--store", store, "-o", str(tmp_path / "tornado.html"))
    assert made.exit_code == 0, made.output
    html = (tmp_path / "tornado.html").read_text(encoding="utf-8").split('<div class="figure"')
    report = html[0] + "".join(part.split("</script>", 1)[-1] for part in html[1:])  # the text, not the charts' data
    distribution_free(report)
    assert "Tornado: the objective with each input at its ends" in html[1]
    rows = report[report.index("largest swing first"):]
    assert [rows.index(f"<td>{escape(path)}</td>") for path in ranked] == sorted(
        rows.index(f"<td>{escape(path)}</td>") for path in ranked)
    assert str(escape(detroit.low.change)) in report
    with app_client(web_app(tmp_path / "runs.sqlite")) as client:
        page = client.get(f"/runs/{tornado.sweep}")
    assert page.status_code == 200
    distribution_free(page.text)
    table = page.text[page.text.index('id="table-tornado"'):]
    assert [table.index(f">{escape(path)}<") for path in ranked] == sorted(
        table.index(f">{escape(path)}<") for path in ranked)
    assert str(escape(detroit.low.change)) in table


def test_the_report_of_a_stochastic_plan(tmp_path: Path) -> None:
    store = str(tmp_path / "runs.sqlite")
    stored = fp.stochastic(write_set(tmp_path, two_years(), TWO_FUTURES, revise_from=2021), store=store, mip_gap=0.0)
    made = invoke("report", str(stored.run), "--store", store, "-o", str(tmp_path / "stochastic.html"))
    assert made.exit_code == 0, made.output
    text = (tmp_path / "stochastic.html").read_text(encoding="utf-8")
    assert money(stored.evpi, "USD") in text
    assert "VSS (EEV - RP)" in text
    assert "value of waiting" in text
    assert "Regret table" in text
    assert "cheap" in text
    assert "dear" in text
    assert "dear revises" in text or "cheap revises" in text
    # it leads with what is decided now, then how often the futures take each decision: one of the two futures
    # (half the probability) builds x-line in 2021, the other never does; the NPV's spread is the futures' NPVs
    order = [text.index(f'<section id="{name}"') for name in ("facts", "now", "decision", "regret", "map")]
    assert order == sorted(order)
    builds = stored.plan.tables["builds"]
    probabilities = stored.plan.probabilities
    built = {str(future): probabilities[future] for future in builds.loc[builds["option"] == "x-line", "future"]}
    assert built
    assert sum(built.values()) == pytest.approx(0.5)
    assert "<td>capacity built: x-line</td><td>2021 in 50%, never in 50%</td>" in _section(text, "decision")
    npv = stored.futures["npv"]
    assert f"<dd>{money(npv.min(), 'USD')} to {money(npv.max(), 'USD')}</dd>" in _section(text, "facts")
    # The base scenario is stored beside the set: its places draw the first future's map, its figures the inputs.
    assert "Plants (circles) sized by capacity" in text
    assert "plants and markets cannot be placed" not in text
    assert "Warnings of validation" in text


def test_the_compare_report_draws_the_differences(tmp_path: Path, rogue: tuple[Path, str, Path]) -> None:
    _, store, _ = rogue
    other = invoke("run", "rogue-2012/strong-won", "--store", store)
    assert other.exit_code == 0, other.output
    made = invoke("report", "1", "latest", "--compare", "--store", store, "-o", str(tmp_path / "compare.html"))
    assert made.exit_code == 0, made.output
    text = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "What changed and what it is worth" in text
    assert "NPV by component" in text
    with RunStore(store) as opened:
        a, b = opened.plan(1), opened.plan("latest")
    difference = b.objective - a.objective
    worth = f"{'+' if difference > 0 else ''}{money(difference, 'USD')}"
    assert f"<dt>NPV cost, B - A</dt><dd>{worth}</dd>" in _section(text, "facts")  # what the change is worth
    changed = _section(text, "decisions")  # first, open: the key figures and the decisions that differ
    assert text.index('<section id="decisions"') < text.index('<section id="costs"')
    assert worth in changed  # as `compare` prints it
    differ = fp.compare(a, b)
    assert len(differ.builds) + len(differ.plants) > 0  # strong-won changes what rogue-2012 builds or opens
    shown = changed.split("<details>")[0]
    assert all(f"<td>{name}</td>" in shown for name in [*differ.builds["option"], *differ.plants["plant"]])


# --- the map's parts ------------------------------------------------------------------------------------------------


def test_centroids_fall_inside_their_countries() -> None:
    found = centroids()
    lat, lon = found["FRA"]  # the largest polygon's: not pulled towards French Guiana
    assert 43 < lat < 49
    assert -1 < lon < 6
    lat, lon = found["USA"]
    assert 30 < lat < 48
    assert -110 < lon < -85


def test_the_map_keeps_the_largest_lanes_of_each_year() -> None:
    flows = pd.DataFrame({"plant": ["a", "a", "b", "b", "c"], "product": ["x", "y", "x", "x", "x"],
                          "market": ["m", "m", "m", "n", "m"], "year": [1, 1, 1, 1, 2], "sourcing": "own",
                          "units": [1.0, 2.0, 4.0, 0.5, 9.0]})
    kept, left_out = top_lanes(tier_lanes({"flows": flows}), top=2)
    assert kept[["year", "origin", "destination", "units"]].values.tolist() == [
        [1, "b", "m", 4.0], [1, "a", "m", 3.0], [2, "c", "m", 9.0]]
    assert kept["carries"].tolist() == ["4 x", "1 x, 2 y", "9 x"]  # what each lane carries, products apart
    assert left_out.to_dict() == {1: 1, 2: 0}


# --- in a browser -----------------------------------------------------------------------------------------------------


def test_the_report_opens_offline_and_its_map_draws(browser: Any, rogue: tuple[Path, str, Path]) -> None:
    report, _, _ = rogue
    page, requests, errors = _open_offline(browser, report)
    try:
        # drawn when the countries' fill and the markers are in the page (not after a time that a busy machine
        # may need more of)
        page.wait_for_selector("#map .scatterlayer .fills path", state="attached", timeout=30_000)
        page.wait_for_selector("#map .scatterlayer .points path", state="attached", timeout=30_000)
        pixels = _png_pixels(page.locator("#map .js-plotly-plot").screenshot())
    finally:
        page.close()
    assert requests == [report.as_uri()]
    assert errors == []
    assert _near(pixels, LAND) > 20_000  # the countries' fill
    assert _near(pixels, NODE_STYLES["plant"].colour, 30) > 300  # the plants' markers


@pytest.mark.parametrize("case", ["rogue-2012", "rogue-2026"])
def test_both_bundled_cases_reports_open_offline(browser: Any, tmp_path: Path, case: str) -> None:
    store = str(tmp_path / "runs.sqlite")
    assert invoke("run", case, "--store", store).exit_code == 0
    made = invoke("report", "latest", "--store", store, "-o", str(tmp_path / f"{case}.html"))
    assert made.exit_code == 0, made.output
    page, requests, errors = _open_offline(browser, tmp_path / f"{case}.html")
    try:
        charts = page.locator(".js-plotly-plot").count()
    finally:
        page.close()
    assert requests == [(tmp_path / f"{case}.html").as_uri()]
    assert errors == []
    assert charts >= 8


FIRST_SCREEN = {"width": 1280, "height": 900}
"""A laptop's window: the report's first screen."""


def test_the_decision_fills_the_first_screen_and_the_page_is_short(browser: Any,
                                                                   rogue: tuple[Path, str, Path]) -> None:
    """Measured in Chromium at 1280 x 900: the key figures and the decision end on the first screen, the whole page
    is under 8,000 px (13,485 px before the decision led and the tables were collapsed), every table below is
    collapsed, and a long one shows PAGE_ROWS rows at a time, its next page at a click."""
    report, _, _ = rogue
    page = browser.new_page(viewport=FIRST_SCREEN)
    try:
        page.goto(report.as_uri())
        page.wait_for_selector("#map .main-svg", timeout=30_000)
        decision = page.locator("#decision").bounding_box()
        height = page.evaluate("document.documentElement.scrollHeight")
        shown = page.evaluate("""() => Array.from(document.querySelectorAll('table'))
            .filter(t => t.checkVisibility()).map(t => t.closest('section').id)""")
        long = page.locator("details", has_text="Figures with their sources and ranges")
        long.locator("summary").click()
        rows = long.locator("tbody tr")
        visible = lambda: [row.inner_text() for row in rows.all() if row.is_visible()]  # noqa: E731
        first = visible()
        long.get_by_role("button", name="next").click()
        second = visible()
        total = rows.count()
    finally:
        page.close()
    assert decision["y"] + decision["height"] <= FIRST_SCREEN["height"]
    assert height < 8_000, height
    assert set(shown) == {"decision"}
    assert total > 2 * PAGE_ROWS
    assert len(first) == len(second) == PAGE_ROWS
    assert not set(first) & set(second)


def _pdf_pages(data: bytes) -> int:
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


def test_the_report_prints_as_a_short_brief(browser: Any, rogue: tuple[Path, str, Path]) -> None:
    """Printed to PDF (A4), the report is a few pages: the key figures, the decision, the map and the costs; no
    navigation, no collapsed table, no section of detail (the PDF's outline lists the headings it prints)."""
    report, _, results = rogue
    plan = fp.read_plan(results)
    page = browser.new_page(viewport=FIRST_SCREEN)
    try:
        page.goto(report.as_uri())
        page.wait_for_selector("#map .main-svg", timeout=30_000)
        page.emulate_media(media="print")
        page.wait_for_function("Array.from(document.querySelectorAll('section.brief .js-plotly-plot'))"
                               ".every(p => p._fullLayout.width <= 700)", timeout=30_000)  # redrawn for the page
        printed = page.evaluate("""() => Array.from(document.querySelectorAll('nav, details, section, #decision td'))
            .filter(e => e.checkVisibility()).map(e => e.id || e.tagName.toLowerCase() + ':' + e.textContent)""")
        widths = page.evaluate("Array.from(document.querySelectorAll('section.brief .js-plotly-plot'))"
                               ".map(p => p._fullLayout.width)")
        pdf = page.pdf(format="A4", outline=True, tagged=True)
    finally:
        page.close()
    assert [e for e in printed if not e.startswith("td:")] == ["facts", "decision", "map", "costs"]
    for year, what, name in _decided(plan):
        assert {f"td:{year}", f"td:{what}", f"td:{name}"} <= set(printed)
    assert widths
    assert all(width <= 700 for width in widths)  # the page's width, not the window's
    assert pdf.startswith(b"%PDF")
    assert 1 <= _pdf_pages(pdf) <= 4
    titles = re.findall(rb"/Title \(([^)]*)\)", pdf)
    assert b"The decision" in titles
    assert b"Map" in titles
    assert b"Inputs" not in titles
    assert b"Landed cost" not in titles


# --- the figures for slides -------------------------------------------------------------------------------------------


def test_every_figure_is_written_as_svg_and_png(tmp_path: Path) -> None:
    """`report --figures DIR`: one SVG (XML, an <svg> root) and one PNG (its magic bytes) per figure of the report,
    named as the page names them (map, costs, ...), and nothing else."""
    write_yaml(tmp_path / "net.yaml", small_network_data())
    made = invoke("report", str(tmp_path / "net.yaml"), "-o", str(tmp_path / "net.html"), "--figures",
                  str(tmp_path / "figures"))
    assert made.exit_code == 0, made.output
    names = re.findall(r'<div class="figure" data-name="([^"]+)">', (tmp_path / "net.html").read_text("utf-8"))
    assert {"map", "costs", "utilization", "production"} <= set(names)
    assert len(set(names)) == len(names)
    assert sorted(path.name for path in (tmp_path / "figures").iterdir()) == sorted(
        f"{name}.{kind}" for name in names for kind in ("svg", "png"))
    for name in names:
        assert (tmp_path / "figures" / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        root = ElementTree.parse(tmp_path / "figures" / f"{name}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    drawn_map = (tmp_path / "figures" / "map.svg").read_text(encoding="utf-8")
    assert "slider" not in drawn_map  # a picture has no slider: the year it shows is written in its corner
    assert ">year 2020<" in drawn_map
    assert f"{len(names)} figures written to" in " ".join(made.output.split())


def test_figures_without_a_browser_say_what_to_install(tmp_path: Path) -> None:
    """No browser where BROWSER_PATH points: one message naming what to install, exit code 4 (not written), no
    traceback; the HTML report is written all the same."""
    write_yaml(tmp_path / "net.yaml", small_network_data())
    with environment("BROWSER_PATH", str(tmp_path / "no-chromium")):
        made = invoke("report", str(tmp_path / "net.yaml"), "-o", str(tmp_path / "net.html"), "--figures",
                      str(tmp_path / "figures"))
    assert made.exit_code == 4, made.output
    said = " ".join(made.output.split())
    assert f"no browser at BROWSER_PATH={tmp_path / 'no-chromium'}" in said
    assert "sudo apt-get install chromium" in said
    assert (tmp_path / "net.html").is_file()
    assert not list((tmp_path / "figures").glob("*.*"))


# --- what the charts draw (issue 16): labels whole, one colour-blind-safe palette, amounts as the tables write them ---

MACHADO = {  # Machado, Oliveira and Fernandes (2009): full protanopia, deuteranopia and tritanopia, on linear RGB
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
MONEY = re.compile(r"-?[\d,]+\.\d\d(bn|M|k)?")
"""An amount as every view writes it (views/labels.py money), without its currency."""


def _lab(colour: str, vision: str) -> np.ndarray:
    """CIELAB (D65) of a CSS colour (#rrggbb or rgb(r, g, b)) as seen with ``vision``."""
    if colour.startswith("#"):
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    else:
        rgb = np.array([float(part) for part in re.findall(r"[\d.]+", colour)[:3]]) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    r, g, b = np.clip(MACHADO[vision] @ linear, 0, 1)
    xyz = np.array([(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
                    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


CHARTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  const colours = gd._fullData.flatMap(t => t.type === 'waterfall'
      ? [t.increasing.marker.color, t.decreasing.marker.color, t.totals.marker.color]
      : t.type === 'bar' ? [t.marker.color]
      : t.type === 'scatter' && t.marker && Array.isArray(t.marker.color) && typeof t.marker.color[0] === 'string'
        ? [...new Set(t.marker.color)] : []);
  const box = gd.querySelector('.main-svg').getBoundingClientRect();
  const labels = Array.from(gd.querySelectorAll('.xtick text')).map(e => {
    const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
  const ticks = axis => Array.from(gd.querySelectorAll('.' + axis + 'tick text')).map(e => e.textContent);
  const title = axis => (gd._fullLayout[axis + 'axis'].title || {}).text || '';
  return {section: gd.closest('section').id, title: (gd._fullLayout.title || {}).text || '', colours,
          names: gd._fullData.filter(t => t.type === 'bar' && t.showlegend !== false).map(t => t.name),
          svg: [box.left, box.top, box.right, box.bottom], labels,
          axes: [[title('x'), ticks('x')], [title('y'), ticks('y')]], range: gd._fullLayout.xaxis.range,
          data: gd._fullData.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}))};
})"""


def _charts(browser: Any, report: Path, width: int = 1280) -> list[dict[str, Any]]:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    try:
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(300)
        return list(page.evaluate(CHARTS))
    finally:
        page.close()


@pytest.fixture(scope="module")
def voltaro(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Plan]:
    """The voltaro repro (issue 16) solved into a store and reported: (report, its plan)."""
    folder = tmp_path_factory.mktemp("voltaro")
    store = str(folder / "runs.sqlite")
    ran = invoke("run", str(REPO / "tests" / "repro" / "voltaro.yaml"), "--store", store)
    assert ran.exit_code == 0, ran.output
    made = invoke("report", "latest", "--store", store, "-o", str(folder / "report.html"))
    assert made.exit_code == 0, made.output
    with RunStore(store) as opened:
        return folder / "report.html", opened.plan("latest")


@pytest.mark.parametrize("width", [1280, 900])
def test_the_waterfalls_labels_are_drawn_whole(browser: Any, voltaro: tuple[Path, Plan], width: int) -> None:
    """Each part's label under its bar inside the chart, none on another (issue 16: they were cut off)."""
    waterfalls = [chart for chart in _charts(browser, voltaro[0], width) if chart["section"] == "landed"]
    assert len(waterfalls) == 6
    assert max(len(chart["labels"]) for chart in waterfalls) >= 6  # a lane with sea freight, port handling ...
    for chart in waterfalls:
        left, top, right, bottom = chart["svg"]
        for label in chart["labels"]:
            assert left - 1 <= label[0], (chart["title"], label, chart["svg"])
            assert label[2] <= right + 1, (chart["title"], label, chart["svg"])
            assert top - 1 <= label[1], (chart["title"], label, chart["svg"])
            assert label[3] <= bottom + 1, (chart["title"], label, chart["svg"])
        ordered = sorted(chart["labels"])
        assert all(a[2] <= b[0] + 1 for a, b in itertools.pairwise(ordered)), chart["title"]


def test_every_chart_tells_its_series_apart_with_any_colour_vision(browser: Any, voltaro: tuple[Path, Plan]) -> None:
    """One colour-blind-safe palette (Tol's muted): in every chart, each series its own colour, any two at least 12
    apart (CIELAB) with normal vision and with each colour blindness simulated (issue 16: near-identical colours);
    and the costs chart's series are the families its table names (no "other" where the table says "launch")."""
    charts = [chart for chart in _charts(browser, voltaro[0]) if chart["section"] != "map"]
    assert len(charts) >= 9
    for chart in charts:
        colours = chart["colours"]
        assert len({_lab(c, "normal").round(3).tobytes() for c in colours}) == len(colours), chart["title"]
        for vision in MACHADO:
            for a, b in itertools.combinations(colours, 2):
                assert np.linalg.norm(_lab(a, vision) - _lab(b, vision)) >= 12, (chart["title"], vision, a, b)
    costs = next(chart for chart in charts if chart["title"].startswith("Costs by component"))
    text = voltaro[0].read_text(encoding="utf-8")
    table = text[text.index("Costs by component over the horizon"):].split("</table>")[0]
    families = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", table)
    assert set(costs["names"]) == {str(escape(family)) for family, _ in families}
    assert "other" not in costs["names"]
    assert ("opening, closing, launch", "launch") in families  # launch: its name in the table, its family in the chart
    plan = voltaro[1]
    spent = plan.costs.groupby("component", observed=True)["amount"].sum()
    assert sorted(component for _, component in families) == sorted(
        component_label(c) for c, amount in spent.items() if amount)


def test_amounts_read_as_the_tables_write_them(browser: Any, voltaro: tuple[Path, Plan]) -> None:
    """Axes of amounts written as the tables and the terminal write amounts (19.93bn, 600.49M), costs per unit in
    whole units, never with SI prefixes (4.00G) beside tables of whole numbers (issue 16: two styles)."""
    report, plan = voltaro
    seen = set()
    for chart in _charts(browser, report):
        for title, ticks in chart["axes"]:
            pattern = {"USD": MONEY, "USD per unit": re.compile(r"-?[\d,]+"), "units": re.compile(r"[\d,]+")}.get(title)
            if pattern is not None and ticks:
                seen.add(title)
                assert all(pattern.fullmatch(tick) for tick in ticks), (chart["title"], ticks)
    assert seen == {"USD", "USD per unit", "units"}
    text = report.read_text(encoding="utf-8")
    assert f"<dd>{money(plan.objective, 'USD')}</dd>" in text
    table = text[text.index("Costs by component over the horizon"):].split("</table>")[0]
    amounts = re.findall(r"<td>([^<]*USD)</td>", table)
    assert len(amounts) >= 20
    assert all(MONEY.fullmatch(amount.removesuffix(" USD")) for amount in amounts), amounts


def test_the_regret_chart_draws_the_regret(browser: Any, tmp_path: Path) -> None:
    """Each future's regret under the plan and under the mean future's plan (NPV cost minus its own optimum), on an
    axis from 0 to about the largest (issue 16: bars of the NPV cost from 0, where regrets could not be seen)."""
    store = str(tmp_path / "runs.sqlite")
    stored = fp.stochastic(write_set(tmp_path, two_years(), TWO_FUTURES), store=store, mip_gap=0.0)
    made = invoke("report", str(stored.run), "--store", store, "-o", str(tmp_path / "stochastic.html"))
    assert made.exit_code == 0, made.output
    chart = next(chart for chart in _charts(browser, tmp_path / "stochastic.html") if chart["section"] == "regret")
    futures = stored.futures.set_index("name")
    regrets = {trace["name"]: dict(zip(trace["y"], trace["x"], strict=True)) for trace in chart["data"]}
    assert set(regrets) == {"this plan", "the mean future's plan"}
    for name, row in futures.iterrows():
        assert regrets["this plan"][name] == pytest.approx(row["npv"] - row["own"])
        assert regrets["the mean future's plan"][name] == pytest.approx(row["ev_plan"] - row["own"])
    largest = max(value for values in regrets.values() for value in values.values())
    assert 0 < largest < 0.5 * futures["own"].min()  # small beside the NPV: drawn alone, they can be seen
    low, high = chart["range"]
    assert low <= 0 < largest <= high < 2 * largest


def test_cost_components_have_one_name_everywhere(voltaro: tuple[Path, Plan]) -> None:
    """The terminal, the report and the app name each cost component alike (issue 16: `production_local` in
    one place, `production (local)` in another, `other` in a legend)."""
    report, plan = voltaro
    spent = [str(c) for c, amount in plan.costs.groupby("component", observed=True)["amount"].sum().items() if amount]
    names = [component_label(c) for c in spent]
    assert {"local content", "imported content", "lost sales", "launch"} <= set(names)
    console = Console(width=200, record=True)
    print_costs(plan, console)
    printed = re.findall(r"│ ([a-z ()]+?) +│", console.export_text())
    assert sorted(printed) == sorted(names)
    table = report.read_text(encoding="utf-8").split("Costs by component over the horizon")[1].split("</table>")[0]
    assert sorted(re.findall(r"<tr><td>.*?</td><td>(.*?)</td>", table)) == sorted(names)
    shown = html_table("costs", plan.costs)
    assert {row[shown.columns.index("component")] for row in shown.rows} == {
        component_label(c) for c in plan.costs["component"]}
