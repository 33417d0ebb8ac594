"""`footprint report`: one self-contained HTML file per plan, sweep, stochastic plan or comparison (issue 11, point
1), checked for what it says and, in headless Chromium, for what it draws and that no request leaves the page."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

import footprint as fp
from conftest import invoke, small_network_data, write_yaml
from footprint.plan.store import RunStore
from footprint.views.world import LAND, PLANT_COLOURS, centroids, top_lanes
from test_stochastic_plan import TWO_FUTURES, two_years, write_set
from test_sweep import ranged_network, set_files


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
        assert f'<section id="{section}">' in text
    assert 'id="lost"' not in text  # rogue-2012 serves all its demand: no lost sales section
    assert f"{round(plan.objective):,} USD" in text
    assert "busan-rogue-line" in text
    assert "Why rogue for us comes from where it does" in text  # explain's choices
    assert "FACTS.md 1: Nissan release 2010-10-06" in text  # an input with its source
    assert "https://" not in text.split("<script>")[0]  # nothing in the head asks for a file elsewhere
    assert len(text.encode()) < 15_000_000


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


# --- many plans -------------------------------------------------------------------------------------------------------


def test_the_report_of_a_sweep_and_of_a_tornado(tmp_path: Path) -> None:
    store = str(tmp_path / "runs.sqlite")
    with RunStore(store) as opened:
        outcome = fp.sweep(set_files(tmp_path, 2), workers=1, store=opened)
    made = invoke("report", str(outcome.sweep), "--store", store, "-o", str(tmp_path / "sweep.html"))
    assert made.exit_code == 0, made.output
    text = (tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert "NPV cost over the futures" in text
    assert "How often each decision is taken" in text
    assert f"{len(outcome.futures)} with a plan" in text
    write_yaml(tmp_path / "net.yaml", ranged_network())
    fp.sensitivity(tmp_path / "net.yaml", workers=1, store=store)
    made = invoke("report", "latest", "--store", store, "-o", str(tmp_path / "tornado.html"))
    assert made.exit_code == 0, made.output
    assert "Tornado: the objective with each input at its ends" in (tmp_path / "tornado.html").read_text("utf-8")


def test_the_report_of_a_stochastic_plan(tmp_path: Path) -> None:
    store = str(tmp_path / "runs.sqlite")
    stored = fp.stochastic(write_set(tmp_path, two_years(), TWO_FUTURES, revise_from=2021), store=store, mip_gap=0.0)
    made = invoke("report", str(stored.run), "--store", store, "-o", str(tmp_path / "stochastic.html"))
    assert made.exit_code == 0, made.output
    text = (tmp_path / "stochastic.html").read_text(encoding="utf-8")
    assert f"{round(stored.evpi):,} USD" in text
    assert "VSS (EEV - RP)" in text
    assert "value of waiting" in text
    assert "Regret table" in text
    assert "cheap" in text
    assert "dear" in text
    assert "dear revises" in text or "cheap revises" in text
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
    assert "Key figures side by side" in text
    assert "NPV by component" in text
    with RunStore(store) as opened:
        difference = opened.plan("latest").objective - opened.plan(1).objective
    assert f"{difference:+,.4g}" in text


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
    kept, left_out = top_lanes(flows, top=2)
    assert kept[["year", "plant", "market", "units"]].values.tolist() == [[1, "b", "m", 4.0], [1, "a", "m", 3.0],
                                                                          [2, "c", "m", 9.0]]
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
    plants = sum(_near(pixels, colour, 40) for _, colour in PLANT_COLOURS)
    between = int(((pixels[:, :, 0] > 200) & (pixels[:, :, 2] < 90) & (pixels[:, :, 1] < 190)).sum())
    assert max(plants, between) > 300  # the plants' markers, amber to red by utilization


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
