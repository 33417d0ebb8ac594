"""Key paths name list entries by id, or by the fields that identify them, wherever footprint prints one (messages,
parameter paths, sensitivity inputs, futures, the report's inputs), and every such path reads back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import small_network_data, write_yaml
from footprint.analysis.inputs import input_figures
from footprint.cli import app
from footprint.economics.futures import expand
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_source
from footprint.scenario.formats.validation import display_path
from footprint.scenario.model.checks import Loc
from footprint.scenario.model.figures import is_figure
from footprint.scenario.model.keys import entry_names
from footprint.scenario.sets.parameters import Parameter, ParameterError
from footprint.scenario.sets.ranges import parameter_path
from footprint.scenario.sets.scenario_sets import read_set

REPRO = Path(__file__).parent / "repro"
TRIAL = 12_345.678


def flat(text: str) -> str:
    return " ".join(text.split())


def test_entries_without_an_id_are_named_by_the_fields_that_identify_them() -> None:
    assert entry_names("capabilities", [{"plant": "haiphong", "product": "heat-pump", "local_cost": 1.0},
                                        {"plant": "gyor", "product": "heat-pump"}]) == ["haiphong/heat-pump",
                                                                                        "gyor/heat-pump"]
    assert entry_names("lanes", [{"plant": "gyor", "market": "us", "freight": 1.0}]) == ["gyor/us"]
    assert entry_names("tariffs", [
        {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025},
        {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.25, "additional": True,
         "measure": "s232", "from_date": "2025-04-03"},
        {"origin": "KR", "destination": "US", "product_class": "8703", "rate": 0.1, "additional": True},
        {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.1, "year": 2019},
        {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.1, "from_year": 2020, "to_year": 2022},
    ]) == ["*/US/8703", "*/US/8703/s232/2025-04-03..", "KR/US/8703/additional", "JP/US/8703/2019",
           "JP/US/8703/2020..2022"]
    assert entry_names("rates", [{"product_class": "8703", "rate": 0.0, "to_year": 2015},
                                 {"origin": "KR", "product_class": "8703", "rate": 0.0}]) == ["*/*/8703/..2015",
                                                                                              "KR/*/8703"]
    assert entry_names("members", [{"country": "US"}, {"country": "MX", "from_date": "2020-07-01"}]) == ["US", "MX"]
    assert entry_names("plants", [{"id": "gyor"}, {"id": "tangier"}]) == ["gyor", "tangier"]


def test_an_entry_whose_key_is_not_its_alone_or_cannot_be_written_goes_by_its_position() -> None:
    same = {"plant": "gyor", "product": "heat-pump"}
    assert entry_names("capabilities", [same, dict(same), {"plant": "gyor", "product": "pack"}]) == [
        "0", "1", "gyor/pack"]
    assert entry_names("tariffs", [{"origin": "*", "destination": "US", "product_class": "87 03"}]) == ["0"]
    assert entry_names("plants", [{"id": "x y"}, {"id": "0"}]) == [None, "1"]  # position 0 is the id "0"


def _leaves(node: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Every number of a scenario's data, a figure counting as one (its value)."""
    if is_figure(node):
        yield loc
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*loc, index))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield loc


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _changed(old: Any, new: Any, loc: Loc = ()) -> list[Loc]:
    """Where ``new`` differs from ``old``."""
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        return [changed for key in old for changed in _changed(old[key], new[key], (*loc, key))]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [changed for index, pair in enumerate(zip(old, new, strict=True))
                for changed in _changed(*pair, (*loc, index))]
    return [] if old == new else [loc]


def _assert_sets_only(data: dict[str, Any], loc: Loc, changed: dict[str, Any]) -> None:
    """``changed`` is ``data`` with the number at ``loc`` (a figure's value) at TRIAL, and nothing else changed
    (a figure drops a range that no longer holds its value)."""
    assert _changed(data, changed)
    assert all(where[:len(loc)] == loc for where in _changed(data, changed)), loc
    value = _at(changed, loc)
    assert (value["value"] if isinstance(value, dict) else value) == TRIAL


def _round_trips(data: dict[str, Any]) -> int:
    """Each number's path, as messages print it and as inputs and futures do, is one path, and it sets that number
    and nothing else; so does the path by positions."""
    count = 0
    for loc in _leaves(data):
        if loc[0] == "fx":  # an FX parameter is a currency's rate alone (fx.KRW)
            continue
        path = parameter_path(data, loc)
        assert path is not None, loc
        assert display_path(loc, data) == path
        by_position = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc).replace(".[", "[")
        for written in (path, by_position):
            _assert_sets_only(data, loc, Parameter.parse(written).apply(data, TRIAL))
        count += 1
    return count


@pytest.mark.parametrize("source", [REPRO / "voltaro.yaml", case_path("rogue-2012"), case_path("rogue-2026"),
                                    Path(__file__).resolve().parents[1] / "docs" / "examples" / "powertrain.yaml"])
def test_every_path_footprint_prints_reads_back_to_its_number(source: Path) -> None:
    assert _round_trips(read_source(source).data) > 40


names = st.sampled_from(["gyor", "haiphong", "us", "1", "0", "a.b"])


@given(st.lists(st.tuples(names, names, st.sampled_from(["8418", "8703"]), st.booleans()), min_size=1, max_size=6))
def test_paths_of_entries_that_may_share_their_keys_read_back(entries: list[tuple[str, str, str, bool]]) -> None:
    data = {"capabilities": [{"plant": plant, "product": product, "local_cost": 1.0}
                             for plant, product, _, _ in entries],
            "tariffs": [{"origin": plant.upper(), "destination": "US", "product_class": product_class, "rate": 0.1,
                         "additional": additional} for plant, _, product_class, additional in entries]}
    assert _round_trips(data) == 2 * len(entries)


def test_the_inputs_and_the_sampled_figures_are_named_by_key() -> None:
    data = read_source(REPRO / "voltaro.yaml").data
    assert "capabilities[haiphong/heat-pump].local_cost" in set(input_figures(data)["input"])
    futures = expand(read_set(REPRO / "voltaro-futures.yaml"))
    sampled = {path for future in futures for path, _ in future.overrides}
    assert "capabilities[haiphong/heat-pump].local_cost" in sampled
    assert not any("capabilities[" in path and "/" not in path for path in sampled)


def test_a_suppliers_offer_is_named_by_its_component() -> None:
    """A supplier's offer goes by its component, and a component's plain value is no figure with provenance (an
    entity with a ``value`` field is not a figure)."""
    data = read_source(Path(__file__).resolve().parents[1] / "docs" / "examples" / "powertrain.yaml").data
    data["suppliers"][0]["supplies"][0]["price"] = {"value": 2600, "low": 2400, "high": 3000, "source": "quote"}
    assert input_figures(data)["input"].tolist() == ["suppliers[aichi-engines].supplies[engine].price"]
    by_index = Parameter.parse("suppliers[0].supplies[0].price").apply(data, 3000.0)
    assert Parameter.parse("suppliers[aichi-engines].supplies[engine].price").apply(data, 3000.0) == by_index != data


def test_an_index_path_and_a_key_path_set_the_same_number() -> None:
    data = read_source(REPRO / "voltaro.yaml").data
    by_index = Parameter.parse("tariffs[8].rate").apply(data, 0.46)
    by_key = Parameter.parse("tariffs[VN/US/8418/reciprocal/2025-08-07..].rate").apply(data, 0.46)
    assert by_index == by_key != data


def _set_file(folder: Path, body: str) -> Path:
    write_yaml(folder / "base.yaml", small_network_data())
    path = folder / "set.yaml"
    path.write_text(f"kind: scenario-set\nbase: base.yaml\n{body}", encoding="utf-8")
    return path


def test_a_set_file_takes_key_paths(tmp_path: Path) -> None:
    data = small_network_data()
    data["capabilities"][1]["local_cost"] = {"value": 11_000.0, "low": 9_000.0, "high": 13_000.0}
    write_yaml(tmp_path / "base.yaml", data)
    (tmp_path / "set.yaml").write_text(
        "kind: scenario-set\nbase: base.yaml\nset: {'lanes[busan/us].freight': 3.0}\n"
        "futures:\n  - {name: dear, probability: 1, set: {'capabilities[detroit/car].local_cost': 40.0,"
        " 'tariffs[*/US/8703].rate': 0.1}}\n"
        "generate:\n  ranges: {paths: ['capabilities[busan/car].local_cost'], n: 3}\n", encoding="utf-8")
    scenario_set = read_set(tmp_path / "set.yaml")
    assert scenario_set.base.data["lanes"][2]["freight"] == 3.0
    futures = expand(scenario_set)
    assert len(futures) == 3
    for future in futures:
        changed = future.apply(scenario_set.base.data)
        assert changed["capabilities"][0]["local_cost"] == 40.0
        assert changed["tariffs"][0]["rate"] == 0.1
        assert 9_000.0 <= changed["capabilities"][1]["local_cost"]["value"] <= 13_000.0


def test_an_unknown_key_in_a_set_file_is_a_message_with_the_close_matches(tmp_path: Path) -> None:
    path = _set_file(tmp_path, "futures:\n  - {name: a, probability: 1, set: "
                               "{'capabilities[detriot/car].local_cost': 40}}\n")
    result = CliRunner().invoke(app, ["futures", str(path)])
    assert result.exit_code == 1
    assert ("set.yaml:4: futures[0].set['capabilities[detriot/car].local_cost']: no capabilities entry 'detriot/car'; "
            "did you mean detroit/car?") in flat(result.output)


def test_breakeven_takes_a_key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_yaml(Path("net.yaml"), small_network_data())
    by_key = CliRunner().invoke(app, ["breakeven", "net.yaml", "--param", "capabilities[detroit/car].local_cost",
                                      "--range", "0", "100"])
    by_index = CliRunner().invoke(app, ["breakeven", "net.yaml", "--param", "capabilities[0].local_cost",
                                        "--range", "0", "100"])
    assert by_key.exit_code == by_index.exit_code == 0, by_key.output
    assert by_key.stdout.splitlines()[0] == ("capabilities[detroit/car].local_cost from 0.00 (LO) to 100.00 (HI): no "
                                            "change of decision (strategic level) between LO and HI (2 solves)")
    assert by_index.stdout.splitlines()[0] == by_key.stdout.splitlines()[0].replace("[detroit/car]", "[0]")
    plans = [re.findall(r"[\d,.]+ USD|busan-line \d+", result.stdout) for result in (by_key, by_index)]
    assert plans[0] == plans[1]  # the same plans at both ends
    assert plans[0]


def test_a_key_that_names_several_entries_asks_for_the_position() -> None:
    same = {"plant": "gyor", "product": "heat-pump", "local_cost": 1.0}
    with pytest.raises(ParameterError, match=r"'gyor/heat-pump' names 2 capabilities entries \(at positions 0, 1\); "
                                             "give the position"):
        Parameter.parse("capabilities[gyor/heat-pump].local_cost").apply({"capabilities": [same, dict(same)]}, 2.0)
