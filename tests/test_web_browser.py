"""The web app in a real browser (headless Chromium): upload -> validate -> run -> the run -> compare, a bad
upload's messages, the token off localhost, and the pages of other sites: a form posted from another origin
and a name rebound to this machine's address are refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from conftest import CHROMIUM_ARGS, REPO, small_network_data, write_yaml
from footprint.plan.store import RunStore
from footprint.scenario.cases.bundled import case_path
from web_helpers import serving, web_app

FOOTPRINT = Path(sys.executable).parent / "footprint"


@pytest.fixture
def app_address(tmp_path: Path) -> Iterator[str]:
    with serving(web_app(tmp_path / "browser.sqlite")) as address:
        yield address


def run_uploaded(page: Any, address: str, path: Path) -> str:
    """Upload ``path``, run it and follow the job to its run: the run page's heading."""
    page.goto(f"{address}/upload")
    page.set_input_files("input[name=file]", str(path))
    page.click("#validate")
    page.wait_for_selector("#valid")
    page.click("#run")
    page.wait_for_selector("#result-link", timeout=60_000)
    page.click("#result-link")
    return page.inner_text("h1")


def test_upload_validate_run_show_and_compare(browser: Any, app_address: str, tmp_path: Path) -> None:
    data = small_network_data()
    first = write_yaml(tmp_path / "net.yaml", data)
    data["plants"][0]["pools"][0]["capacity"] = 300.0
    data["options"][0]["capex"] = 1e9
    data["name"] = "roomy"
    second = write_yaml(tmp_path / "roomy.yaml", data)
    page = browser.new_page()
    try:
        assert run_uploaded(page, app_address, first) == "Run 1: test"
        assert "busan-line" in page.inner_text("#table-builds")
        assert "NPV cost" in page.inner_text("#summary")
        assert run_uploaded(page, app_address, second) == "Run 2: roomy"
        page.goto(f"{app_address}/runs")
        assert "roomy" in page.inner_text("#runs")
        page.check("input[aria-label='A: run 1']")
        page.check("input[aria-label='B: run 2']")
        page.click("#compare")
        page.wait_for_selector("#compared")
        assert "B (run 2) (roomy) against A (run 1) (test)" in page.inner_text("#compared")
        assert "busan-line" in page.inner_text("#table-builds")
        page.click("#drawn")  # the comparison drawn, as `footprint report A B --compare` writes it
        page.wait_for_selector("#decisions")
        assert "busan-line" in page.inner_text("#decisions")
        page.goto(f"{app_address}/runs/1")
        page.click("text=Report")  # the run's report, its map drawn from the inline shapes
        page.wait_for_selector("#map .main-svg", timeout=30_000)
        assert "Capacity and production" in page.inner_text("#capacity")
        page.goto(f"{app_address}/runs")
        page.fill("input[aria-label=search]", "roo")
        page.click("#search")
        assert page.locator("#runs tbody tr").count() == 1
    finally:
        page.close()


def test_a_multi_tier_run_draws_its_map_and_flow_diagram(browser: Any, app_address: str) -> None:
    """A run of many tiers draws its map (every kind of node) and its Sankey on its page, with plotly.js from the app
    (its Content-Security-Policy allows nothing else), and no error in the console."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        assert run_uploaded(page, app_address, REPO / "docs" / "examples" / "powertrain.yaml") == "Run 1: powertrain"
        page.wait_for_selector("#map .scatterlayer .points path", state="attached", timeout=30_000)
        page.wait_for_selector("#flow .sankey .sankey-link", state="attached", timeout=30_000)
        legend = page.locator("#map .legendtext").evaluate_all("texts => texts.map(text => text.textContent)")
        links = page.locator("#flow .sankey-link").count()
        nodes = page.locator("#flow .sankey-node").count()
        assert "cvt" in page.text_content("#table-supplies")
    finally:
        page.close()
    assert errors == []
    assert {"suppliers", "plants", "distribution centres", "markets", "supplier → plant", "plant → plant",
            "plant → distribution centre", "distribution centre → market", "plant → market"} <= set(legend)
    # 2026: 3 purchases, 2 transfers of engines, 1 lane each in and out of Nashville, Busan's 2 to markets; nodes: 2
    # suppliers (aichi-engines sells nothing), ulsan's components, smyrna's and busan's products, the DC, 2 markets
    assert (links, nodes) == (9, 8)


def test_a_sweep_shows_its_tornado_and_downloads_its_tables(browser: Any, app_address: str, tmp_path: Path) -> None:
    """A sweep of an upload's ranged inputs: its page shows the tornado (not a distribution) and downloads every
    future's tables in one workbook (issue 16: a sweep had no download)."""
    data = small_network_data()
    data["fx"] = {"KRW": {"value": 1100.0, "low": 800.0, "high": 1400.0}}
    path = write_yaml(tmp_path / "ranged.yaml", data)
    page = browser.new_page()
    try:
        page.goto(f"{app_address}/upload")
        page.set_input_files("input[name=file]", str(path))
        page.click("#validate")
        page.wait_for_selector("#valid")
        page.click("#sweep")
        page.wait_for_selector("#result-link", timeout=120_000)
        page.click("#result-link")
        page.wait_for_selector("#table-tornado")
        assert "fx.KRW" in page.inner_text("#table-tornado")
        assert "CVaR" not in page.inner_text("main")
        with page.expect_download() as downloading:
            page.click("#download-sweep")
        saved = tmp_path / downloading.value.suggested_filename
        downloading.value.save_as(saved)
    finally:
        page.close()
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert workbook.sheetnames[:3] == ["summary", "futures", "flows"]
    names = [row[1] for row in workbook["futures"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["base", "fx.KRW@high", "fx.KRW@low"]


def test_a_bad_upload_shows_its_messages(browser: Any, app_address: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: {start: 2020, end: 2020}\nplants: 3\n", encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(f"{app_address}/upload")
        page.set_input_files("input[name=file]", str(bad))
        page.click("#validate")
        page.wait_for_selector("#problems")
        problems = page.inner_text("#problems")
        assert "bad.yaml:3" in problems
        assert "expected a list, found 3" in problems
        assert "problem" in page.inner_text("#invalid")
        page.goto(f"{app_address}/runs")  # the app serves on
        assert "Runs and sweeps" in page.inner_text("h1")
    finally:
        page.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served_off_localhost(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`footprint serve --host 0.0.0.0 --token T` in a process of its own: its address and token."""
    port, token = _free_port(), "a-long-random-token"
    process = subprocess.Popen([str(FOOTPRINT), "serve", "--host", "0.0.0.0", "--port", str(port), "--token", token,
                                "--store", str(tmp_path / "shared.sqlite")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "FOOTPRINT_TOKEN": ""})
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{address}/runs", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    said = process.stderr.read() if process.stderr else ""
                    raise AssertionError(f"footprint serve did not start: {said}") from None
                time.sleep(0.1)
        yield address, token
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_off_localhost_the_token_is_required(browser: Any, served_off_localhost: tuple[str, str]) -> None:
    address, token = served_off_localhost
    assert httpx.get(f"{address}/runs").status_code == 401
    assert httpx.get(f"{address}/upload", headers={"X-Footprint-Token": "wrong"}).status_code == 401
    assert httpx.get(f"{address}/runs", headers={"X-Footprint-Token": token}).status_code == 200
    page = browser.new_page()
    try:
        assert page.goto(f"{address}/runs").status == 401
        assert "needs its token" in page.inner_text("body")
        page.goto(f"{address}/runs?token={token}")
        assert page.url == f"{address}/runs"
        assert "Runs and sweeps" in page.inner_text("h1")
        assert page.goto(f"{address}/upload").status == 200  # the cookie carries the token
    finally:
        page.close()


EVIL = "http://evil.example"
"""Another site: its pages are made up by Playwright (page.route), their requests go to the app for real."""


def test_a_form_of_another_site_is_refused(browser: Any, app_address: str, tmp_path: Path) -> None:
    """A page of another site that posts a scenario to the app, and a run of an upload it learnt the id of:
    Chromium sends their Origin and Sec-Fetch-Site, and the app refuses both (its own form works, above)."""
    scenario = write_yaml(tmp_path / "net.yaml", small_network_data())
    page = browser.new_page()
    try:
        page.goto(f"{app_address}/upload")  # a session of the app's own, as a user who has it open
        page.set_input_files("input[name=file]", str(scenario))
        page.click("#validate")
        page.wait_for_selector("#valid")
        upload = page.url
        forms = (f'<form id="upload" method="post" action="{app_address}/upload" enctype="multipart/form-data">'
                 '<input type="file" name="file"><input name="csrf_token" value="guessed"></form>'
                 f'<form id="run" method="post" action="{upload}/run"></form>')
        page.route(f"{EVIL}/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                             body=f"<html><body>{forms}</body></html>"))
        for form in ("upload", "run"):
            page.goto(f"{EVIL}/")
            if form == "upload":
                page.set_input_files("input[name=file]", str(scenario))
            with page.expect_navigation():
                page.evaluate(f"document.getElementById('{form}').submit()")
            assert page.url.startswith(app_address), page.url
            said = page.inner_text("body")
            assert said.startswith("403: a request from another origin ('http://evil.example')"), said
        page.goto(upload)  # the app itself: its upload is there, never run
        assert page.inner_text("#valid").startswith("net.yaml: valid scenario")
    finally:
        page.close()
    with RunStore(tmp_path / "browser.sqlite") as store:  # the app's (app_address's tmp_path is this test's)
        assert store.runs().empty


def test_a_name_rebound_to_this_machine_is_refused(browser: Any, chromium: str, app_address: str) -> None:
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 asks the app for its plans
    as a page of its own site; Chromium sends Host: evil.example, and the app answers none of it."""
    port = app_address.rsplit(":", 1)[1]
    rebound = browser.browser_type.launch(executable_path=chromium, headless=True, args=[
        *CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
    try:
        page = rebound.new_page()
        answer = page.goto(f"http://evil.example:{port}/runs")
        assert answer is not None
        assert answer.status == 400
        assert "does not serve the host 'evil.example:" in page.inner_text("body")
        status = page.evaluate("fetch('/runs/1').then(r => r.status)")
        assert status == 400
        own = page.goto(f"{app_address}/runs")  # the same app by its own name
        assert own is not None
        assert own.status == 200
    finally:
        rebound.close()


def test_a_run_page_is_compact_and_styled(browser: Any, app_address: str, tmp_path: Path) -> None:
    """Issue 18: a run's page was 13,400 px tall (every key table drawn in full, unstyled). Now its tables are
    folded (the first open), headed by readable labels with their numbers right-aligned, under the app's one
    stylesheet and its navigation."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        run_uploaded(page, app_address, case_path("rogue-2012"))
        page.wait_for_selector("#map .main-svg", timeout=30_000)
        height = page.evaluate("document.documentElement.scrollHeight")
        style = page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
        current = page.inner_text("header.top a[aria-current=page]")
        headers = page.locator("#table-utilization th").all_text_contents()
        aligned = page.evaluate("getComputedStyle(document.querySelector('#table-utilization td.num')).textAlign")
        opened = [page.locator(f"#details-{name}").get_attribute("open") for name in ("builds", "utilization")]
        page.click("#details-utilization summary")
        shown = page.locator("#table-utilization").is_visible()
    finally:
        page.close()
    assert height < 3_000, height  # 17,679 px before: the map, the summary and one table open
    assert style == "rgb(29, 53, 87)"  # the stylesheet the app serves (its CSP allows no other)
    assert current == "Runs"
    assert headers == ["plant", "pool", "year", "capacity", "capacity used", "utilization"]
    assert aligned == "right"
    assert opened == ["", None]
    assert shown
