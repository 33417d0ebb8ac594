"""The workbench's scenarios (issue 18, point 3): made from the template, a bundled case or an upload, edited a cell
at a time with each problem placed in its cell, varied by overrides, kept in the run store across restarts, and
run as jobs; in-process (TestClient) and in a real browser (Playwright on Debian's Chromium)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from conftest import small_network_data
from footprint.economics.checks import CHECKS
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario, read_source
from footprint.web.drafts import REST, check, check_variant, draft_of, template_draft
from web_helpers import app_client, form_token, serving, web_app, yaml_bytes


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "workbench.sqlite"


@pytest.fixture
def client(store_path: Path) -> Iterator[TestClient]:
    with app_client(web_app(store_path)) as opened:
        yield opened


def created(client: TestClient, start: str, name: str = "") -> str:
    """A new scenario of the workbench from ``start`` (template or a case): its page's path."""
    answer = client.post("/scenarios", data={"csrf_token": form_token(client), "name": name, "start": start},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def column_of(page: str, table: str, row: int, column: str) -> int:
    """The index of ``column`` in ``table`` as the editor names its inputs."""
    found = re.search(rf'name="{table}:{row}:(\d+)" value="[^"]*" aria-label="{table} row {row + 2} {column}"', page)
    assert found is not None, (table, row, column)
    return int(found[1])


def test_a_case_as_a_draft_reads_back_as_the_same_scenario() -> None:
    """The editor's tables are the workbook's layout: the bundled case laid out as text cells and read back is
    the scenario `footprint validate` reads from its YAML file."""
    checked = check("rogue-2012", draft_of(read_source(case_path("rogue-2012")).data))
    assert checked.loaded is not None, checked.problems
    assert checked.loaded.scenario == read_scenario(case_path("rogue-2012"), CHECKS).scenario


def test_a_bad_cell_is_placed_in_its_table_row_and_column() -> None:
    grids = draft_of(small_network_data())
    plants = grids["plants"]
    plants.rows[0][plants.header.index("fixed_cost")] = "abc"
    checked = check("net", grids)
    assert checked.loaded is None
    [problem] = checked.problems
    assert (problem.table, problem.row, problem.column) == ("plants", 0, "fixed_cost")
    assert problem.message == "expected a number, found 'abc'"
    assert problem.path == "plants[detroit].fixed_cost"


def test_the_template_asks_for_its_sections() -> None:
    checked = check("new", template_draft())
    assert checked.loaded is None
    assert [row[0] for row in template_draft()[REST].rows][:3] == ["name", "description", "currency"]
    assert {"products: missing; this section is required", "plants: missing; this section is required"} <= {
        f"{problem.path}: {problem.message}" for problem in checked.problems}


def test_a_variant_overrides_figures_and_its_problems_stand_beside_the_override() -> None:
    base = draft_of(small_network_data())
    varied = check_variant("dear", base, [("plants[detroit].fixed_cost", "2500000")])
    assert varied.loaded is not None
    assert varied.loaded.scenario.name == "dear"
    assert varied.loaded.scenario.plants[0].fixed_cost == 2_500_000
    assert check("net", base).loaded.scenario.plants[0].fixed_cost != 2_500_000  # the base is untouched
    nowhere = check_variant("dear", base, [("fx.KRW", "1100"), ("plants[nowhere].fixed_cost", "1")])
    [problem] = nowhere.problems
    assert (problem.table, problem.row, problem.column) == ("overrides", 1, "value")
    assert "nowhere" in problem.message
    bad = check_variant("dear", base, [("plants[detroit].fixed_cost", "-5")])
    assert bad.loaded is None
    assert [(p.table, p.row) for p in bad.problems if p.severity == "error"] == [("overrides", 0)]


def test_a_cell_edited_is_saved_validated_and_kept_across_a_restart(client: TestClient, store_path: Path) -> None:
    scenario = created(client, "rogue-2012", "mine")
    page = client.get(scenario).text
    assert re.search(r'id="validity"[^>]*>Valid', page)
    column = column_of(page, "plants", 0, "fixed_cost")
    token = form_token(client)
    bad = client.post(f"{scenario}/cell", data={"csrf_token": token, "table": "plants", "row": 0, "column": column,
                                                "value": "abc"}).json()
    assert bad["valid"] is False
    assert bad["problems"] == [{"message": "expected a number, found 'abc'", "severity": "error",
                                "path": "plants[kyushu].fixed_cost", "table": "plants", "row": 0,
                                "column": "fixed_cost"}]
    refused = client.post(f"{scenario}/cell", data={"table": "plants", "row": 0, "column": column, "value": "1"})
    assert refused.status_code == 403  # no form token: another site's page cannot edit a scenario
    with app_client(web_app(store_path)) as restarted:  # a new app over the same store: nothing typed is lost
        page = restarted.get(scenario).text
        assert re.search(rf'name="plants:0:{column}" value="abc"', page)
        assert "expected a number, found &#39;abc&#39;" in page
        assert "mine" in restarted.get("/scenarios").text


def test_an_uploaded_scenario_is_kept_and_its_variant_downloads_with_its_overrides(client: TestClient) -> None:
    token = form_token(client)
    uploaded = client.post("/upload", files={"file": ("net.yaml", yaml_bytes(small_network_data()))},
                           data={"csrf_token": token}, follow_redirects=False)
    kept = client.post(f"{uploaded.headers['location']}/keep", data={"csrf_token": token}, follow_redirects=False)
    assert kept.status_code == 303
    scenario = kept.headers["location"]
    variant = client.post(f"{scenario}/variant", data={"csrf_token": token, "name": "dear detroit"},
                          follow_redirects=False).headers["location"]
    saved = client.post(variant, data={"csrf_token": token, "path:0": "plants[detroit].fixed_cost",
                                       "value:0": "2500000", "path:1": "", "value:1": ""})
    assert re.search(r'id="validity"[^>]*>Valid · saved', saved.text)
    downloaded = yaml.safe_load(client.get(f"{variant}/scenario.yaml").text)
    assert downloaded["name"] == "dear detroit"
    assert downloaded["plants"][0]["fixed_cost"] == 2_500_000
    assert "variant of" in client.get("/scenarios").text


def test_a_variant_runs_as_a_job(client: TestClient) -> None:
    token = form_token(client)
    scenario = created(client, "rogue-2012")
    variant = client.post(f"{scenario}/variant", data={"csrf_token": token, "name": "strong yen"},
                          follow_redirects=False).headers["location"]
    client.post(variant, data={"csrf_token": token, "path:0": "fx.JPY", "value:0": "60"})
    job = client.post(f"{variant}/jobs", data={"csrf_token": token, "kind": "run"}, follow_redirects=False)
    assert job.status_code == 303
    deadline = time.monotonic() + 120
    while (status := client.get(f"{job.headers['location']}/status").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status["status"] == "done", status
    assert "strong yen" in client.get(f"/runs/{status['run']}").text


def test_the_workbench_in_a_browser(browser: Any, tmp_path: Path) -> None:
    """Create a scenario from a bundled case, type a bad value into a cell and read the message beside it, fix it,
    save, make a variant that overrides a figure, run it as a job and find it among the runs."""
    with serving(web_app(tmp_path / "browser.sqlite")) as address:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{address}/scenarios")
            page.fill("input[aria-label=\"new scenario's name\"]", "mine")
            page.select_option("select[aria-label='start from']", "rogue-2012")
            page.click("#create")
            page.wait_for_selector("#validity.good")
            cell = "input[aria-label='plants row 2 fixed_cost']"
            page.click("#grid-plants summary")  # its tables are folded, the scenario's fields open
            page.fill(cell, "abc")
            page.press(cell, "Tab")  # leaving the cell saves and validates it
            message = page.locator(f"td:has({cell}) .cell-problem")
            message.wait_for()
            said = message.inner_text()
            counted = page.inner_text("#validity")
            page.fill(cell, "12")
            page.press(cell, "Tab")
            page.wait_for_selector("#validity.good")
            remaining = page.locator(".cell-problem").count()
            page.click("#save")
            page.wait_for_selector("#validity.good")
            kept_value = page.input_value(cell)
            page.fill("input[aria-label=\"variant's name\"]", "strong yen")
            page.click("#make-variant")
            page.wait_for_selector("#overrides")
            heading = page.inner_text("h1")
            page.fill("input[aria-label='override 1 path']", "fx.JPY")
            page.fill("input[aria-label='override 1 value']", "60")
            page.click("#save")
            page.wait_for_selector("#validity.good")
            page.click("#run")
            page.wait_for_selector("#result-link", timeout=120_000)
            page.click("#result-link")
            run_heading = page.inner_text("h1")
            page.goto(f"{address}/runs")
            listed = page.inner_text("#runs")
        finally:
            page.close()
    assert said == "expected a number, found 'abc'"
    assert counted.startswith("1 problem")
    assert remaining == 0
    assert kept_value == "12"
    assert heading == "Variant 2: strong yen"
    assert run_heading == "Run 1: strong yen"
    assert "strong yen" in listed
