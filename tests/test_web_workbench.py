"""The workbench's scenarios (issue 18, point 3): made from the template, a bundled case or an upload, edited a cell
at a time with each problem placed in its cell, varied by overrides, kept in the run store across restarts, and
run as jobs; in-process (TestClient) and in a real browser (Playwright on Debian's Chromium)."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from conftest import small_network_data
from footprint.economics.checks import CHECKS
from footprint.plan.store import RunStore
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario, read_source
from footprint.web.drafts import REST, check, check_variant, draft_of, template_draft
from footprint.web.jobs import DONE, FAILED, INTERRUPTED, INTERRUPTED_MESSAGE, RUNNING, Job, JobRequest, Jobs
from footprint.web.kept import Kept
from test_stochastic import FUTURES, three_lines
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
    status = finished(client, job.headers["location"])
    assert status["status"] == DONE, status
    assert "strong yen" in client.get(f"/runs/{status['run']}").text


def test_the_workbench_in_a_browser(browser: Any, tmp_path: Path) -> None:
    """Create a scenario from a bundled case, type a bad value into a cell and read the message beside it, fix it,
    save, make a variant that overrides a figure, run it and its base as jobs, find them among the jobs and the
    runs, compare the two and export the comparison's key figures."""
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
            page.goto(f"{address}/scenarios/1")  # the base scenario, run too
            page.click("#run")
            page.wait_for_selector("#result-link", timeout=120_000)
            page.goto(f"{address}/jobs")
            jobs = page.inner_text("#jobs")
            page.goto(f"{address}/runs")
            listed = page.inner_text("#runs")
            page.check("input[aria-label='side by side: run 1']")
            page.check("input[aria-label='side by side: run 2']")
            page.click("#side-by-side")
            page.wait_for_selector("#compared")
            headers = page.locator("#table-kpis th").all_inner_texts()
            with page.expect_download() as downloading:
                page.click("a[href^='/compare/tables/kpis.csv']")
            exported = tmp_path / downloading.value.suggested_filename
            downloading.value.save_as(exported)
        finally:
            page.close()
    assert said == "expected a number, found 'abc'"
    assert counted.startswith("1 problem")
    assert remaining == 0
    assert kept_value == "12"
    assert heading == "Variant 2: strong yen"
    assert run_heading == "Run 1: strong yen"
    assert "strong yen" in listed
    assert jobs.count("done") == 2
    assert headers == ["key figure", "A (run 1)", "B (run 2)", "B (run 2) - A (run 1)"]
    assert list(pd.read_csv(exported).columns) == headers


def test_jobs_are_kept_across_a_restart_and_one_interrupted_runs_again(store_path: Path) -> None:
    """A job is in the run store from the moment it is asked for; one left queued or running by an app that
    stopped is interrupted at the next start, and runs again from its page as it was asked for."""
    asked = JobRequest("run", "net", small_network_data(), "net.yaml")
    with RunStore(store_path) as store:  # an app that stopped while its job ran
        Kept(store).add_job({"id": "0123456789abcdef", "kind": "run", "name": "net", "request": asked.as_json(),
                             "status": RUNNING, "stage": "solving net", "done": 0, "total": 0, "failed": 0,
                             "message": "", "run": None, "seconds": 3})
    with app_client(web_app(store_path)) as client:
        shown = client.get("/jobs/0123456789abcdef/status").json()
        assert (shown["status"], shown["message"]) == (INTERRUPTED, INTERRUPTED_MESSAGE)
        assert "0123456789abcdef" in client.get("/jobs").text
        again = client.post("/jobs/0123456789abcdef/again", data={"csrf_token": form_token(client)},
                            follow_redirects=False)
        assert again.status_code == 303
        done = finished(client, again.headers["location"])
        assert done["status"] == DONE, done
        assert "net" in client.get(f"/runs/{done['run']}").text
    with app_client(web_app(store_path)) as restarted:  # the job done is still there, done
        assert restarted.get(f"{again.headers['location']}/status").json()["run"] == done["run"]


def test_jobs_run_at_once(store_path: Path) -> None:
    """Two jobs run at the same time: each waits for the other to have started (with one at a time, the first
    would wait forever; its timeout says so)."""
    store = RunStore(store_path)
    jobs = Jobs(Kept(store), at_once=2)
    started = [threading.Event(), threading.Event()]

    def work(mine: int) -> Any:
        def waiting(_: Job) -> int:
            started[mine].set()
            assert started[1 - mine].wait(timeout=60), "the other job did not start while this one ran"
            return mine + 1
        return waiting

    first = jobs.submit(JobRequest("run", "a", {}, "a"), work(0))
    second = jobs.submit(JobRequest("run", "b", {}, "b"), work(1))
    for job in (first, second):
        deadline = time.monotonic() + 60
        while job.status not in (DONE, FAILED):
            assert time.monotonic() < deadline
            time.sleep(0.01)
    jobs.stop()
    store.close()
    assert (first.status, first.run, second.status, second.run) == (DONE, 1, DONE, 2)


def _ranged_scenario(client: TestClient, token: str) -> str:
    """A small network with a ranged KRW rate, uploaded and kept as a workbench scenario: its page's address."""
    data = small_network_data()
    data["fx"] = {"KRW": {"value": 1100.0, "low": 800.0, "high": 1400.0}}
    uploaded = client.post("/upload", files={"file": ("ranged.yaml", yaml_bytes(data))}, data={"csrf_token": token},
                           follow_redirects=False)
    return client.post(f"{uploaded.headers['location']}/keep", data={"csrf_token": token},
                       follow_redirects=False).headers["location"]


def test_a_scenario_set_sweeps_as_a_job(client: TestClient) -> None:
    """The sweep of a scenario set typed on a scenario's page: its futures made by the set's generators, each
    solved and stored under the sweep; a set that is not one is refused, saying why."""
    token = form_token(client)
    scenario = _ranged_scenario(client, token)
    job = client.post(f"{scenario}/jobs", data={"csrf_token": token, "kind": "sweep",
                                                "set": "generate:\n  ranges: {n: 3}\nseed: 7\n"},
                      follow_redirects=False)
    done = finished(client, job.headers["location"])
    assert done["status"] == DONE, done
    assert (done["done"], done["total"]) == (3, 3)
    sweep = client.get(f"/runs/{done['run']}").text
    assert sweep.count('<a href="/runs/') >= 3
    refused = client.post(f"{scenario}/jobs", data={"csrf_token": token, "kind": "sweep", "set": "- 1\n"})
    assert refused.status_code == 400
    assert "not a mapping" in refused.text


def finished(client: TestClient, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while (status := client.get(f"{job}/status").json())["status"] not in (DONE, FAILED, INTERRUPTED):
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    return status


def solved_variants(client: TestClient, capacities: list[float]) -> list[int]:
    """The small network with Detroit's line at each capacity, run as jobs: their run ids."""
    token = form_token(client)
    ids = []
    for capacity in capacities:
        data = small_network_data()
        data["plants"][0]["pools"][0]["capacity"] = capacity
        data["name"] = f"detroit-{capacity:g}"
        uploaded = client.post("/upload", files={"file": ("net.yaml", yaml_bytes(data))}, data={"csrf_token": token},
                               follow_redirects=False)
        job = client.post(f"{uploaded.headers['location']}/run", data={"csrf_token": token}, follow_redirects=False)
        done = finished(client, job.headers["location"])
        assert done["status"] == DONE, done
        ids.append(done["run"])
    return ids


def test_any_number_of_runs_side_by_side_and_every_table_a_download(client: TestClient) -> None:
    runs = solved_variants(client, [100.0, 300.0, 150.0])
    query = "&".join(f"run={run}" for run in runs)
    page = client.get(f"/compare?{query}").text
    assert "3 runs side by side, each against run 1" in page
    tables = dict(re.findall(r'id="table-(\w+)">(.*?)</table>', page, re.S))
    assert set(tables) == {"kpis", "builds", "plants"}
    headers = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", tables["kpis"].split("</thead>")[0])
    assert headers == ["key figure", "run 1", "run 2", "run 3"]
    shown_rows = re.findall(r"<tr>(.*?)</tr>", tables["kpis"].split("<tbody>")[1], re.S)
    downloaded = pd.read_csv(io.StringIO(client.get(f"/compare/tables/kpis.csv?{query}").text))
    assert list(downloaded.columns) == headers
    assert len(downloaded) == len(shown_rows)
    status = downloaded.set_index("key figure").loc["status"]
    assert list(status) == ["optimal"] * 3
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/compare/tables/builds.xlsx?{query}").content))
    assert [cell.value for cell in workbook.active[1]][-3:] == ["run 1", "run 2", "run 3"]
    two = client.get(f"/compare?a={runs[0]}&b={runs[1]}").text  # two runs: every table of the comparison
    assert "B (run 2) (detroit-300) against A (run 1) (detroit-100)" in two
    assert f"/compare/tables/flows.csv?run={runs[0]}&amp;run={runs[1]}" in two
    listed = pd.read_csv(io.StringIO(client.get("/runs.csv").text))
    assert sorted(listed["id"]) == runs == [1, 2, 3]
    assert client.get(f"/compare/tables/nothing.csv?{query}").status_code == 400


def test_a_stochastic_plan_of_a_scenario_set_is_a_job(client: TestClient) -> None:
    """One plan for two futures (a cheap in one, b in the other), as `footprint stochastic` makes it: the job
    stores it, and its page shows what it decides now (line c, good in both)."""
    token = form_token(client)
    uploaded = client.post("/upload", files={"file": ("lines.yaml", yaml_bytes(three_lines()))},
                           data={"csrf_token": token}, follow_redirects=False)
    scenario = client.post(f"{uploaded.headers['location']}/keep", data={"csrf_token": token},
                           follow_redirects=False).headers["location"]
    futures = yaml.safe_dump({"futures": [{"name": "a-cheap", "probability": 0.5, "set": dict(FUTURES[0])},
                                          {"name": "b-cheap", "probability": 0.5, "set": dict(FUTURES[1])}]})
    job = client.post(f"{scenario}/jobs", data={"csrf_token": token, "kind": "stochastic", "set": futures},
                      follow_redirects=False)
    done = finished(client, job.headers["location"])
    assert done["status"] == DONE, done
    page = client.get(f"/runs/{done['run']}").text
    assert "stochastic" in page
    assert "c-line" in page
    bad = client.post(f"{scenario}/jobs", data={"csrf_token": token, "kind": "stochastic",
                                                "set": "futures: [{name: x, probability: 0.3}]\n"},
                      follow_redirects=False)
    failed = finished(client, bad.headers["location"])
    assert failed["status"] == FAILED
    assert "footprint stochastic failed (exit code" in failed["message"]
    assert "probabilit" in failed["message"]


def test_cells_saved_at_once_are_all_kept(client: TestClient) -> None:
    """Cells left one after the other send their saves at once: each is read, changed and saved under one lock,
    so none overwrites another's."""
    scenario = created(client, "rogue-2012")
    page = client.get(scenario).text
    token = form_token(client)
    rows = len(re.findall(r'aria-label="lanes row \d+ origin"', page))
    column = column_of(page, "lanes", 0, "origin")

    def save(row: int) -> int:
        return client.post(f"{scenario}/cell", data={"csrf_token": token, "table": "lanes", "row": row,
                                                     "column": column, "value": f"edited-{row}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(save, range(rows))) == {200}
    saved = client.get(scenario).text
    assert rows == 16
    assert all(f'name="lanes:{row}:{column}" value="edited-{row}"' in saved for row in range(rows))


def test_a_scenario_set_built_field_by_field(client: TestClient) -> None:
    """The set's generators from the page's fields (no YAML): its ranges sampled 3 times, with a seed; fields left
    empty are not used, and a set with no generator is refused, saying why."""
    token = form_token(client)
    scenario = _ranged_scenario(client, token)
    fields = {"csrf_token": token, "kind": "sweep", "built": "true", "ranges_n": "3", "distribution": "pert",
              "fx_currencies": "", "fx_base_year": "", "fx_n": "", "regimes": "", "combine": "product", "n": "",
              "seed": "7"}
    job = client.post(f"{scenario}/jobs", data=fields, follow_redirects=False)
    assert job.status_code == 303, job.text
    done = finished(client, job.headers["location"])
    assert done["status"] == DONE, done
    assert (done["done"], done["total"]) == (3, 3)
    empty = client.post(f"{scenario}/jobs", data={**fields, "ranges_n": ""})
    assert empty.status_code == 400
    assert "the scenario set has no futures" in empty.text
    no_year = client.post(f"{scenario}/jobs", data={**fields, "fx_currencies": "KRW"})
    assert "give the base year" in no_year.text


def test_a_scenario_set_built_and_swept_in_a_browser(browser: Any, tmp_path: Path) -> None:
    """Upload a scenario with a ranged figure, keep it, build a set of 3 samples of its ranges on its page, sweep
    it as a job and open the sweep it stored."""
    data = small_network_data()
    data["fx"] = {"KRW": {"value": 1100.0, "low": 800.0, "high": 1400.0}}
    scenario = tmp_path / "ranged.yaml"
    scenario.write_bytes(yaml_bytes(data))
    with serving(web_app(tmp_path / "browser.sqlite")) as address:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{address}/upload")
            page.set_input_files("input[name=file]", str(scenario))
            page.click("#validate")
            page.click("#keep")
            page.wait_for_selector("#validity.good")
            page.click("#sweep-set summary")
            page.fill("input[aria-label='ranges samples']", "3")
            page.click("#sweep")
            page.wait_for_selector("#result-link", timeout=120_000)
            counted = page.inner_text("#count")
            page.click("#result-link")
            futures = page.locator("#futures tbody tr").count()
            heading = page.inner_text("h1")
        finally:
            page.close()
    assert counted == "3 of 3"
    assert futures == 3
    assert heading.endswith("test futures")
