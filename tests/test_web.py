"""The web app in-process (FastAPI's TestClient): pages, downloads, uploads good and bad, limits, the token."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

import footprint as fp
from conftest import REPO, invoke, small_network_data, write_yaml
from footprint.plan.store import Run, RunStore
from footprint.web.jobs import FAILED, Job, do
from footprint.web.runs import facts
from footprint.web.security import host_refusal
from footprint.web.tables import html_table
from footprint.web.uploads import Limits
from test_stochastic import FUTURES, three_lines
from web_helpers import app_client, csv_zip_bytes, form_token, web_app, workbook_bytes, yaml_bytes, zip_bytes


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "web.sqlite"


@pytest.fixture
def client(store_path: Path) -> Iterator[TestClient]:
    with app_client(web_app(store_path)) as opened:
        yield opened


def upload(client: TestClient, name: str, content: bytes) -> Any:
    return client.post("/upload", files={"file": (name, content)}, data={"csrf_token": form_token(client)},
                       follow_redirects=False)


def finished(client: TestClient, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"{job}/status").json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"{job} did not finish in 60 s")


def solved(client: TestClient, data: dict[str, Any], how: str = "run") -> dict[str, Any]:
    """Upload ``data``, start its run (or sweep), and wait for the job."""
    answer = upload(client, "net.yaml", yaml_bytes(data))
    assert answer.status_code == 303, answer.text
    started = client.post(f"{answer.headers['location']}/{how}", data={"csrf_token": form_token(client)},
                          follow_redirects=False)
    assert started.status_code == 303
    return finished(client, started.headers["location"])


def variant() -> dict[str, Any]:
    """The small network with room in Detroit and Busan's line dearer than it is worth: a plan that builds
    nothing."""
    data = small_network_data()
    data["plants"][0]["pools"][0]["capacity"] = 300.0
    data["options"][0]["capex"] = 1e9
    return data


def test_upload_run_show_download_and_compare(client: TestClient, store_path: Path) -> None:
    first, second = solved(client, small_network_data()), solved(client, variant())
    assert first["status"] == second["status"] == "done", (first, second)
    with RunStore(store_path) as store:
        plan = store.plan(first["run"])
    page = client.get(f"/runs/{first['run']}")
    assert page.status_code == 200
    assert "busan-line" in page.text
    assert "NPV cost" in page.text
    csv = client.get(f"/runs/{first['run']}/tables/flows.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    downloaded = pd.read_csv(io.StringIO(csv.text))
    assert list(downloaded.columns) == list(plan.flows.columns)
    assert downloaded["units"].sum() == pytest.approx(plan.flows["units"].sum())
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/runs/{first['run']}/tables/builds.xlsx").content))
    assert sheet.sheetnames == ["builds"]
    assert sheet["builds"]["A2"].value == "busan-line"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/runs/{first['run']}/plan.xlsx").content))
    assert workbook.sheetnames[:3] == ["summary", "flows", "production"]
    missing = client.get(f"/runs/{first['run']}/tables/secrets.csv")
    assert missing.status_code == 404
    assert "its tables are flows" in missing.text
    compared = client.get(f"/compare?a={first['run']}&b={second['run']}")
    assert compared.status_code == 200
    assert "Key figures" in compared.text
    assert "busan-line" in compared.text
    assert "No differences" not in compared.text
    same = client.get(f"/compare?a={first['run']}&b={first['run']}")
    assert "No differences" in same.text
    report = client.get(f"/runs/{first['run']}/report")  # the report `footprint report RUN` writes
    assert report.status_code == 200
    for section in ('id="map"', 'id="capacity"', 'id="landed"', 'id="costs"', 'id="inputs"'):
        assert section in report.text, section
    assert "busan-line" in report.text
    drawn = client.get(f"/compare/report?a={first['run']}&b={second['run']}")
    assert drawn.status_code == 200
    assert 'id="decisions"' in drawn.text
    assert "busan-line" in drawn.text


def test_years_and_ids_are_not_amounts_and_compare_shows_readable_headers(client: TestClient) -> None:
    """Issue 16: run and compare pages wrote years as 2,020, and compare pages showed the Comparison's column
    names (year_a, discounted_b, from_plant ...) where the terminal shows readable headers."""
    first, second = solved(client, small_network_data())["run"], solved(client, variant())["run"]
    amount_like_year = re.compile(r">\s*2,02\d\s*<")
    page = client.get(f"/runs/{first}").text
    assert not amount_like_year.search(page)
    builds = page[page.index('id="table-builds"'):]
    assert re.search(r"<td>busan-line</td>.*?<td>2020</td>", builds, re.S)  # its year, left as a label
    costs = page[page.index('id="table-costs"'):]
    assert "local content" in costs
    assert "production_local" not in costs  # the component as every view names it
    compared = client.get(f"/compare?a={first}&b={second}").text
    assert not amount_like_year.search(compared)
    for raw in ("year_a", "year_b", "count_a", "discounted_a", "amount_difference", "from_plant", "to_sourcing",
                "amount_in_currency", "production_local", ">kpi<"):
        assert raw not in compared, raw
    headers = {name: re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table.split("</thead>")[0])
               for name, table in re.findall(r'id="table-(\w+)">(.*?)</table>', compared, re.S)}
    a, b = f"A (run {first})", f"B (run {second})"
    assert headers["kpis"] == ["key figure", a, b, f"{b} - {a}"]
    assert headers["builds"] == ["option", "plant", "pool", a, b, "change"]
    assert headers["flows"] == ["product", "market", "from", "to", "years", "units/yr", "total units"]
    assert headers["costs"][:3] == ["component", f"NPV {a}", f"NPV {b}"]
    builds = compared[compared.index('id="table-builds"'):]
    assert re.search(rf"<td>busan-line</td>.*?<td>2020</td>.*?<td>-</td>.*?<td>only in {re.escape(a)}</td>",
                     builds, re.S)
    shown = dict(facts(Run("run", "x", "{}", "h", {}, "optimal", id=12_345, sweep=1_001), None))
    assert (shown["id"], shown["sweep"]) == ("12345", "1001")


def test_a_multi_tier_run_shows_its_tiers_tables_map_and_flow_diagram(client: TestClient, store_path: Path) -> None:
    """Issue 17, point 6: a run of many tiers shows its purchases, transfers, distribution and sites with readable
    headers, its map and its flow diagram (plotly.js from the app itself), and offers every table as a download; a
    run of one tier looks as it did."""
    data = yaml.safe_load((REPO / "docs" / "examples" / "powertrain.yaml").read_text(encoding="utf-8"))
    run = solved(client, data)
    assert run["status"] == "done", run
    with RunStore(store_path) as store:
        plan = store.plan(run["run"])
    page = client.get(f"/runs/{run['run']}").text
    headers = {name: re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table.split("</thead>")[0])
               for name, table in re.findall(r'id="table-(\w+)">(.*?)</table>', page, re.S)}
    assert headers["supplies"] == ["supplier", "part", "plant", "year", "mode", "units"]
    assert headers["transfers"] == ["from plant", "part", "to plant", "year", "mode", "units"]
    assert headers["inbound"] == ["plant", "product", "distribution centre", "year", "mode", "units"]
    assert headers["deliveries"] == ["distribution centre", "product", "market", "year", "mode", "units"]
    assert headers["modes"] == ["origin", "destination", "mode", "year", "units", "transit days", "freight",
                                "fixed cost"]
    assert headers["sites"] == ["kind", "site", "year", "open", "opens this year", "closed from this year"]
    assert "single_sources" not in headers  # none in this plan: not shown
    supplies = page[page.index('id="table-supplies"'):]
    assert re.search(r"<td>nagoya-cvt</td>\s*<td>cvt</td>\s*<td>busan</td>\s*<td>2026</td>\s*<td>sea</td>\s*"
                     r'<td class="num">80,000</td>', supplies)
    assert "Purchases from suppliers (supplies)" in page
    for section in ('<section id="map">', '<section id="flow">', '<script src="/plotly.js"></script>'):
        assert section in page, section
    assert "distribution centres (diamonds)" in page  # the map's note says what it draws
    script = client.get("/plotly.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "plotly.js" in script.text[:2000]
    for table in ("supplies", "transfers", "inbound", "deliveries", "modes", "sites", "claims", "rvc"):
        assert f"/runs/{run['run']}/tables/{table}.csv" in page, table
    downloaded = pd.read_csv(io.StringIO(client.get(f"/runs/{run['run']}/tables/transfers.csv").text))
    assert downloaded["units"].sum() == pytest.approx(plan.tables["transfers"]["units"].sum())
    plain = client.get(f"/runs/{solved(client, small_network_data())['run']}").text
    for absent in ('id="map"', 'id="flow"', "/plotly.js", 'id="table-supplies"'):
        assert absent not in plain, absent


def test_shares_of_the_rules_of_origin_read_as_percentages() -> None:
    rvc = pd.DataFrame({"plant": ["busan"], "product": ["rogue"], "agreement": ["korus"], "year": [2014],
                        "units": [120_000.0], "value": [20_000.0], "originating": [7_400.0], "rvc": [0.37],
                        "threshold": [0.35], "duty_saved": [30_000_000.0]})
    table = html_table("rvc", rvc, title="Regional value content")
    assert table.columns == ("plant", "product", "agreement", "year", "units claimed", "value per unit",
                             "originating per unit", "regional value content", "threshold", "duty saved")
    assert table.rows == (("busan", "rogue", "korus", "2014", "120,000", "20,000", "7,400", "37.0%", "35.0%",
                           "30,000,000"),)


def test_a_failed_job_shows_its_message_and_the_app_serves_on(client: TestClient) -> None:
    data = small_network_data()
    data["plants"][0]["pools"][0]["capacity"] = 1.0
    data["options"] = []
    state = solved(client, data)
    assert state["status"] == FAILED
    assert "infeasible" in state["message"]
    assert state["run"] is None
    assert client.get("/runs").status_code == 200
    assert solved(client, small_network_data())["status"] == "done"


def test_a_job_that_breaks_is_failed_with_its_reason_not_raised() -> None:
    job = Job("j", "run", "x")

    def broken(_: Job) -> int:
        raise RuntimeError("boom")

    do(job, broken)
    assert job.snapshot()["status"] == FAILED
    assert "internal error: RuntimeError: boom" in job.message


def test_a_sweep_of_the_ranged_inputs_is_stored_with_its_futures(client: TestClient, store_path: Path) -> None:
    data = small_network_data()
    data["fx"] = {"KRW": {"value": 1100.0, "low": 800.0, "high": 1400.0}}
    page = client.get(upload(client, "net.yaml", yaml_bytes(data)).headers["location"])
    assert "Sweep its 1 ranged input (3 futures)" in page.text
    state = solved(client, data, "sweep")
    assert (state["status"], state["done"], state["total"]) == ("done", 3, 3), state
    sweep = client.get(f"/runs/{state['run']}")
    assert sweep.status_code == 200
    assert "fx.KRW@low" in sweep.text
    assert "fx.KRW@high" in sweep.text
    assert 'id="table-tornado"' in sweep.text  # a sweep of the ranged inputs is summed up as its tornado
    # Its tables download (issue 16: a sweep had none): every one in a workbook, or one at a time.
    assert f'href="/runs/{state["run"]}/sweep.xlsx"' in sweep.text
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/runs/{state['run']}/sweep.xlsx").content))
    assert workbook.sheetnames[:3] == ["summary", "futures", "flows"]
    futures = pd.read_csv(io.StringIO(client.get(f"/runs/{state['run']}/tables/futures.csv").text))
    assert sorted(futures["name"]) == ["base", "fx.KRW@high", "fx.KRW@low"]
    flows = pd.read_csv(io.StringIO(client.get(f"/runs/{state['run']}/tables/flows.csv").text))
    assert set(flows["future"]) == {"base", "fx.KRW@high", "fx.KRW@low"}
    with RunStore(store_path) as store:
        base = store.plan(f"{state['run']}/base")
    assert flows.loc[flows["future"] == "base", "units"].sum() == pytest.approx(base.flows["units"].sum())
    assert client.get(f"/runs/{state['run']}/tables/secrets.csv").status_code == 404
    plain = solved(client, small_network_data())["run"]
    refused = client.get(f"/runs/{plain}/sweep.xlsx")
    assert (refused.status_code, "not a sweep" in refused.text) == (404, True)


def test_runs_page_pages_and_searches(client: TestClient, store_path: Path) -> None:
    first = solved(client, small_network_data())["run"]
    with RunStore(store_path) as store:
        run = store.get(first)
        tables = dict(_encoded(store, first).items())
        for number in range(55):
            store.save_run(type(run)("run", f"copy-{number:02d}", run.scenario, run.scenario_hash, run.settings,
                                     run.status, summary=run.summary), tables)
    page = client.get("/runs")
    assert page.text.count('href="/runs/') // 2 == 50
    assert 'id="older"' in page.text
    assert "copy-54" in page.text
    assert "copy-04" not in page.text
    older = client.get("/runs?page=2")
    assert "copy-04" in older.text
    assert 'id="older"' not in older.text
    found = client.get("/runs?search=COPY-1")
    assert found.text.count('href="/runs/') // 2 == 10
    assert "No runs whose name contains" in client.get("/runs?search=nothing").text
    assert client.get("/runs?page=0").status_code == 400


def _encoded(store: RunStore, run_id: int) -> dict[str, bytes]:
    from footprint.plan.store import encode_tables

    return encode_tables(store.plan(run_id))


@pytest.mark.parametrize("how", ["yaml", "excel", "csv"])
def test_each_upload_format_validates(client: TestClient, tmp_path: Path, how: str) -> None:
    data = small_network_data()
    content = {"yaml": lambda: yaml_bytes(data), "excel": lambda: workbook_bytes(data, tmp_path),
               "csv": lambda: csv_zip_bytes(data, tmp_path)}[how]()
    answer = upload(client, {"yaml": "net.yml", "excel": "net.xlsx", "csv": "net.zip"}[how], content)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert "valid scenario" in page.text
    assert "2 plants, 1 products, 2 markets, 2020-2021" in page.text


def test_warnings_show_in_place(client: TestClient) -> None:
    data = small_network_data()
    data["tariffs"][0]["rate"] = 25  # meant as 25%
    page = client.get(upload(client, "net.yaml", yaml_bytes(data)).headers["location"])
    assert "severity-warning" in page.text
    assert "net.yaml:" in page.text
    assert "rate" in page.text


def _bad_uploads(tmp_path: Path) -> dict[str, tuple[str, bytes, str]]:
    nested = zip_bytes({"net/plants.csv": b"id\n", "net/inner.zip": zip_bytes({"a.csv": b"x"})})
    disguised = zip_bytes({"plants.csv": zip_bytes({"a.csv": b"x"})})
    return {
        "unknown type": ("net.exe", b"MZ...", "not a scenario upload"),
        "not YAML": ("net.yaml", b"name: [unclosed\n", "not valid YAML"),
        "binary as YAML": ("net.yaml", b"\x00\x01\x02binary", "binary data"),
        "invalid scenario": ("net.yaml", b"name: x\nplants: 3\n", "expected a list, found 3"),
        "extends a file": ("net.yaml", b"extends: /etc/passwd\nname: x\n", "cannot extend another file"),
        "a scenario set": ("set.yaml", b"kind: scenario-set\nbase: net.yaml\n", "a scenario set"),
        "empty": ("net.yaml", b"   \n", "the upload is empty"),
        "text as a workbook": ("net.xlsx", b"name: x\n", "not an Excel workbook"),
        "a zip as a workbook": ("net.xlsx", zip_bytes({"a.csv": b"x"}), "not an Excel workbook"),
        "not a zip": ("net.zip", b"plain text", "not a zip archive"),
        "a path out": ("net.zip", zip_bytes({"../plants.csv": b"id\n"}), "a path with '..'"),
        "an absolute path": ("net.zip", zip_bytes({"/etc/plants.csv": b"id\n"}), "an absolute path"),
        "a nested archive": ("net.zip", nested, "an archive inside the archive"),
        "a disguised archive": ("net.zip", disguised, "an archive inside the archive"),
        "a stray file": ("net.zip", zip_bytes({"run.sh": b"rm -rf /"}), "not a file of a CSV folder"),
        "two folders": ("net.zip", zip_bytes({"a/plants.csv": b"id\n", "b/markets.csv": b"id\n"}),
                        "more than one folder"),
        "a bad CSV folder": ("net.zip", zip_bytes({"plants.csv": b"id\n"}), "has no scenario.yaml"),
    }


def test_each_bad_upload_shows_its_messages(client: TestClient, tmp_path: Path) -> None:
    for case, (name, content, message) in _bad_uploads(tmp_path).items():
        answer = upload(client, name, content)
        assert answer.status_code == 422, (case, answer.status_code)
        assert message in answer.text.replace("&#39;", "'"), (case, answer.text[-1500:])
        assert 'id="problems"' in answer.text, case
    assert client.get("/runs").status_code == 200
    assert upload(client, "net.yaml", yaml_bytes(small_network_data())).status_code == 303


def test_no_file_is_a_message(client: TestClient) -> None:
    answer = client.post("/upload", data={"other": "x", "csrf_token": form_token(client)})
    assert answer.status_code == 400
    assert "no file was sent" in answer.text


def test_upload_limits(store_path: Path) -> None:
    limits = Limits(max_upload=20_000, max_unpacked=50_000, max_members=3)
    with app_client(web_app(store_path, limits=limits)) as client:
        over = upload(client, "net.yaml", b"#" * 30_000)  # beyond the limit, within the form's slack
        assert over.status_code == 422
        assert "larger than" in over.text
        far_over = upload(client, "net.yaml", b"#" * (limits.max_upload + (2 << 20)))
        assert far_over.status_code == 413
        assert "larger than" in far_over.text
        bomb = zip_bytes({"plants.csv": b"0" * 60_000})
        assert len(bomb) < limits.max_upload
        answer = upload(client, "net.zip", bomb)
        assert answer.status_code == 422
        assert "unpacks to more than" in answer.text
        many = upload(client, "net.zip", zip_bytes({f"t{i}.csv": b"id\n" for i in range(4)}))
        assert many.status_code == 422
        assert "at most 3" in many.text
        chunked = client.post("/upload", content=iter([b"--x\r\n"]), headers={"content-type": "multipart/form-data"})
        assert chunked.status_code == 411
        assert client.get("/runs").status_code == 200


def test_pages_escape_what_they_show(client: TestClient) -> None:
    data = small_network_data()
    data["name"] = "<script>alert(1)</script>"
    page = client.get(upload(client, "<b>net</b>.yaml", yaml_bytes(data)).headers["location"])
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<b>net</b>" not in page.text


def test_unknown_pages_and_runs_are_messages(client: TestClient) -> None:
    for path, status, said in (("/runs/12345", 404, "no run"), ("/nowhere", 404, "no such page"),
                               ("/jobs/abc", 404, "no job"), ("/uploads/abc", 404, "no upload"),
                               ("/runs/abc", 400, "a bad request"), ("/compare?a=1&b=2", 404, "no run")):
        answer = client.get(path)
        assert (answer.status_code, said in answer.text) == (status, True), (path, answer.text[-400:])
        assert "Traceback" not in answer.text
    assert client.get("/runs").headers["x-frame-options"] == "DENY"


def test_the_token_is_needed_on_every_request(store_path: Path) -> None:
    with app_client(web_app(store_path, token="s3cret-token")) as client:
        assert client.get("/runs").status_code == 401
        assert client.get("/runs", headers={"X-Footprint-Token": "wrong"}).status_code == 401
        assert client.post("/upload", files={"file": ("a.yaml", b"x")}).status_code == 401
        assert client.get("/runs", headers={"X-Footprint-Token": "s3cret-token"}).status_code == 200
        assert client.get("/runs", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert client.get("/runs?token=wrong").status_code == 401
        login = client.get("/runs?search=x&token=s3cret-token", follow_redirects=False)
        assert login.status_code == 303
        assert login.headers["location"] == "/runs?search=x"
        assert "footprint_token" in login.headers["set-cookie"]
        assert "HttpOnly" in login.headers["set-cookie"]
        assert client.get("/runs").status_code == 200  # the cookie carries it now


def test_any_host_but_localhost_needs_a_token(tmp_path: Path) -> None:
    assert host_refusal("127.0.0.1", None) is None
    assert host_refusal("0.0.0.0", "t") is None
    assert "needs a token" in (host_refusal("0.0.0.0", None) or "")
    result = invoke("serve", "--host", "0.0.0.0", "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 1
    assert "needs a token" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert invoke("serve", "--token", " ").exit_code == 1


def test_a_store_that_cannot_be_opened_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "bad.sqlite").write_text("not a database")
    result = invoke("serve", "--store", str(tmp_path / "bad.sqlite"))
    assert result.exit_code == 1
    assert "bad.sqlite" in result.output


def test_zip_members_are_written_only_under_their_own_names(tmp_path: Path) -> None:
    """A valid zip's members land in the temporary folder by base name: nothing is written beside it."""
    from footprint.web.uploads import read_upload

    content = csv_zip_bytes(small_network_data(), tmp_path)
    loaded = read_upload("deep/dir/net.zip", io.BytesIO(content), Limits())
    assert loaded.source == "net.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert all(name.startswith("net/") for name in archive.namelist())


def test_stochastic_plans_are_listed_by_their_kind_and_reported(client: TestClient, store_path: Path,
                                                                 tmp_path: Path) -> None:
    write_yaml(tmp_path / "lines.yaml", three_lines())
    write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml",
        "futures": [{"name": "a-cheap", "probability": 0.5, "set": dict(FUTURES[0])},
                    {"name": "b-cheap", "probability": 0.5, "set": dict(FUTURES[1])}]})
    plan = fp.stochastic(tmp_path / "set.yaml", store=store_path, name="three lines, two futures")
    solved(client, small_network_data())  # and a plain run beside it
    stochastic = client.get("/runs?kind=stochastic").text
    assert "three lines, two futures" in stochastic
    assert "stochastic plans" in stochastic  # the filter's name
    assert "three lines, two futures" not in client.get("/runs?kind=run").text
    report = client.get(f"/runs/{plan.run}/report")
    assert report.status_code == 200
    assert "EVPI (RP - WS)" in report.text
    assert "a-cheap" in report.text
