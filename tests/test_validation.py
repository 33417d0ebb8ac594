"""`footprint validate` and scenario loading: every problem reported at once, by key path; never a traceback."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import small_network_data, write_yaml
from footprint.cli import app
from footprint.economics.checks import CHECKS
from footprint.scenario.formats.files import ScenarioError, load_scenario, scenario_from_data
from footprint.scenario.model.scenario import Scenario


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Run in tmp_path so that messages carry short relative file names."""
    monkeypatch.chdir(tmp_path)


def validate(path: str | Path) -> tuple[int, str]:
    """Exit code and output of `footprint validate PATH`; fails the test on any uncaught exception."""
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def flat(text: str) -> str:
    """Output with line wrapping undone (the terminal may wrap long messages)."""
    return " ".join(text.split())


def problems_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, "test", CHECKS)
    return [(p.path, p.message) for p in caught.value.problems]


def test_valid_file():
    write_yaml(Path("ok.yaml"), small_network_data())
    code, output = validate("ok.yaml")
    assert code == 0
    assert flat(output) == "ok.yaml: valid scenario 'test' (2 plants, 1 products, 2 markets, 2020-2021)"


def mutated(change: Callable[[dict], Any]) -> dict:
    data = copy.deepcopy(small_network_data())
    change(data)
    return data


# (change to the valid data, key path, what the message says was expected / found)
CASES: dict[str, tuple[Callable[[dict], Any], str, str]] = {
    "text for a number": (lambda d: d["plants"][0]["pools"][0].update(capacity="lots"),
                          "plants[detroit].pools[main].capacity", "expected a number, found 'lots'"),
    "text for a year": (lambda d: d["horizon"].update(start="soon"),
                        "horizon.start", "expected a year, found 'soon'"),
    "text for a flag": (lambda d: d["capabilities"][0].update(in_production="maybe"),
                        "capabilities[detroit/car].in_production", "expected true or false, found 'maybe'"),
    "mapping for a list": (lambda d: d.update(lanes={"plant": "detroit"}),
                           "lanes", "expected a list"),
    "lane to an undefined plant": (lambda d: d["lanes"][2].update(plant="ghost"),
                                   "lanes[ghost/us].plant", "unknown plant 'ghost'; known: busan, detroit"),
    "lane to an undefined market": (lambda d: d["lanes"][1].update(market="asia"),
                                    "lanes[detroit/asia].market", "unknown market 'asia'; known: eu, us"),
    "capability for an unknown product": (lambda d: d["capabilities"][1].update(product="truck"),
                                          "capabilities[busan/truck].product", "unknown product 'truck'; known: car"),
    "option for an unknown pool": (lambda d: d["options"][0].update(pool="paint"),
                                   "options[busan-line].pool", "unknown pool of plant 'busan' 'paint'; known: main"),
    "option for an unknown plant": (lambda d: d["options"][0].update(plant="kyushu"),
                                    "options[busan-line].plant", "unknown plant 'kyushu'"),
    "negative capacity": (lambda d: d["plants"][1]["pools"][0].update(capacity=-5),
                          "plants[busan].pools[main].capacity", "expected a number >= 0, found -5"),
    "negative capacity in one year": (lambda d: d["plants"][1]["pools"][0].update(capacity={2020: 5, 2021: -5}),
                                      "plants[busan].pools[main].capacity",
                                      "year 2021: expected a number >= 0, found -5"),
    "capacity missing a year": (lambda d: d["plants"][1]["pools"][0].update(capacity={2020: 5}),
                                "plants[busan].pools[main].capacity", "no capacity for 2021"),
    "currency without an FX rate": (lambda d: d["plants"][0].update(currency="EUR"),
                                    "plants[detroit].currency", "no FX rate for EUR: add fx.EUR"),
    "FX series missing a year": (lambda d: d.update(fx={"KRW": {2020: 1100.0}}),
                                 "fx.KRW", "no rate for 2021; expected one for every year 2020-2021"),
    "FX rate of zero": (lambda d: d.update(fx={"KRW": {2020: 1100.0, 2021: 0.0}}),
                        "fx.KRW", "year 2021: expected a rate >= 1e-15 (an exchange rate's inverse, what one unit is "
                                  "worth, is a number too: at most 1e+15), found 0"),
    "demand outside the horizon": (lambda d: d["markets"][0].update(demand={"car": {2020: 1, 2021: 1, 2025: 1}}),
                                   "markets[us].demand.car", "2025 outside the horizon 2020-2021"),
    "duplicate market id": (lambda d: d["markets"][1].update(id="us"),
                            "markets[1]", "duplicate market id 'us'; each must be unique"),
    "duplicate option id": (lambda d: d["options"].append(dict(d["options"][0])),
                            "options[1]", "duplicate option id 'busan-line'"),
    "duplicate capability": (lambda d: d["capabilities"].append(dict(d["capabilities"][0])),
                             "capabilities[2]", "duplicate plant and product ('detroit', 'car')"),
    "unknown field": (lambda d: d["plants"][0].update(colour="red"),
                      "plants[detroit].colour", "unknown field"),
    "unknown section": (lambda d: d.update(planst=[]), "planst", "unknown section"),
    "missing section": (lambda d: d.pop("markets"), "markets", "missing; this section is required"),
    "empty section": (lambda d: d.update(products=[]), "products", "expected at least one entry, found none"),
    "bad country code": (lambda d: d["plants"][1].update(country="XX"),
                         "plants[busan].country", "expected an ISO 3166 two-letter country code, found 'XX'"),
    "latitude out of range": (lambda d: d["plants"][0].update(location={"lat": 100, "lon": 0}),
                              "plants[detroit].location.lat", "expected less than or equal to 90, found 100"),
    "horizon backwards": (lambda d: d.update(horizon={"start": 2021, "end": 2020}),
                          "horizon", "end 2020 is before start 2021"),
    "unservable demand": (lambda d: d.update(lanes=[]),
                          "markets[us].demand.car", "no plant can build 'car' for 'us'"),
    "imported cost without currency": (lambda d: d["capabilities"][0].update(imported_cost=5.0),
                                       "capabilities[detroit/car]", "imported_cost > 0 needs an imported_currency"),
    # The reporting currency's own code is checked, not only the codes that need an FX rate.
    "bad reporting currency": (lambda d: d.update(currency="XYZ"),
                               "currency", "expected an ISO 4217 three-letter currency code, found 'XYZ'"),
    "negative FX rate": (lambda d: d.update(fx={"KRW": -5}), "fx.KRW", "expected a number >= 0, found -5"),
    "FX section not a mapping": (lambda d: d.update(fx=["KRW", 1100]), "fx", "expected a mapping"),
}


@pytest.mark.parametrize("case", CASES)
def test_validate_reports_key_path_and_what_was_expected(case):
    change, path, message = CASES[case]
    write_yaml(Path("bad.yaml"), mutated(change))
    code, output = validate("bad.yaml")
    assert code == 1
    assert flat(output).startswith("bad.yaml: ")
    assert f"{path}: {message}" in flat(output)


def test_several_problems_reported_at_once():
    def change(d: dict) -> None:
        d["plants"][0]["colour"] = "red"  # unknown field
        d["capabilities"][1]["product"] = "truck"  # unknown product
        d["fx"] = {"KRW": {2020: 1100.0}}  # missing 2021
        d["markets"][1]["demand"] = {"car": {2020: 5, 2030: 5}}  # outside the horizon
        d["lanes"][0]["freight"] = -1  # negative

    write_yaml(Path("bad.yaml"), mutated(change))
    code, output = validate("bad.yaml")
    assert code == 1
    text = flat(output)
    for expected in ("plants[detroit].colour: unknown field",
                     "capabilities[busan/truck].product: unknown product 'truck'",
                     "fx.KRW: no rate for 2021", "markets[eu].demand.car: 2030 outside the horizon",
                     "lanes[detroit/us].freight: expected a number >= 0, found -1"):
        assert expected in text
    assert text.startswith("bad.yaml: 5 problems")
    # An unknown product is reported once, not again as "no pool covers it".
    assert "has no pool covering product 'truck'" not in text


def test_every_section_problem_survives_another_section_problem():
    """A bad number in a plain top-level field is reported along with the problems of other sections."""
    data = mutated(lambda d: d.update(discount_rate=-0.1) or d["plants"][0].update(colour="red"))
    assert sorted(problems_of(data)) == [
        ("discount_rate", "expected a number >= 0, found -0.1"),
        ("plants[detroit].colour", "unknown field; check its spelling against `footprint schema`"),
    ]


def test_problem_paths_count_entries_that_failed_to_load():
    """capabilities[detroit/car] is broken; the unknown product is in the other capability, and must be reported
    there."""
    data = mutated(lambda d: d["capabilities"][0].update(local_cost="abc")
                   or d["capabilities"][1].update(product="truck"))
    problems = problems_of(data)
    assert ("capabilities[detroit/car].local_cost", "expected a number, found 'abc'") in problems
    assert ("capabilities[busan/truck].product", "unknown product 'truck'; known: car") in problems
    assert not any(path.startswith("capabilities[detroit/car]") and "truck" in message for path, message in problems)


def test_a_number_where_a_figure_or_number_belongs_gives_one_plain_message():
    problems = problems_of(mutated(lambda d: d.update(discount_rate=[1])))
    assert problems == [("discount_rate", "expected a number, found [1]")]


def test_duplicate_yaml_keys():
    Path("dup.yaml").write_text(yaml.safe_dump(small_network_data(), sort_keys=False)
                                + "name: again\n", encoding="utf-8")
    code, output = validate("dup.yaml")
    assert code == 1
    assert "not valid YAML: found the key 'name' twice" in flat(output)
    line = len(Path("dup.yaml").read_text(encoding="utf-8").splitlines())
    assert f"dup.yaml:{line}: column 1" in flat(output)


def test_duplicate_keys_in_a_nested_mapping():
    Path("dup.yaml").write_text("name: a\nhorizon:\n  start: 2020\n  start: 2021\n", encoding="utf-8")
    code, output = validate("dup.yaml")
    assert code == 1
    assert "dup.yaml:4: column 3: not valid YAML: found the key 'start' twice" in flat(output)


# --- files that are not scenarios: one clear message, never a traceback ------------------------

NOT_SCENARIOS: dict[str, tuple[bytes | None, str]] = {
    "empty": (b"", "file is empty; expected a YAML scenario"),
    "blank": (b"  \n\n\t\n", "file is empty; expected a YAML scenario"),
    "binary": (bytes(range(256)) * 4, "not a text file (it holds binary data); expected YAML"),
    "not utf-8": ("name: café\n".encode("latin-1"), "not UTF-8 text (byte 9); expected YAML"),
    "invalid syntax": (b"name: [a, b\nhorizon: x\n", "file.yaml:2: column 8: not valid YAML"),
    "tab indentation": (b"name: a\nhorizon:\n\tstart: 2020\n", "not valid YAML"),
    "list at top level": (b"- a\n- b\n", "expected a mapping of scenario sections"),
    "scalar at top level": (b"42\n", "expected a mapping of scenario sections"),
    "text at top level": (b"hello\n", "expected a mapping of scenario sections"),
    "null document": (b"~\n", "expected a mapping of scenario sections"),
}


@pytest.mark.parametrize("case", NOT_SCENARIOS)
def test_not_a_scenario_file(case):
    content, message = NOT_SCENARIOS[case]
    Path("file.yaml").write_bytes(content)
    code, output = validate("file.yaml")
    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert flat(lines[0]) == "file.yaml: 1 problem"
    assert message in flat(output)


def test_missing_file():
    code, output = validate("missing.yaml")
    assert code == 1
    assert flat(output) == "missing.yaml: 1 problem no such file"


def test_directory():
    """A folder is a CSV scenario; an empty one lacks the file that holds its name and horizon."""
    Path("folder").mkdir()
    code, output = validate("folder")
    assert code == 1
    assert flat(output) == ("folder: 1 problem a folder is read as CSV files, and this one has no scenario.yaml "
                            "(the name, horizon and the fields no table holds); `footprint template --csv DIR` "
                            "writes a template")


def test_messages_are_printed_one_per_line_unwrapped():
    """Each problem is one line of output, whatever its length (no wrapping at the terminal's width)."""
    data = mutated(lambda d: d["capabilities"][1].update(product="truck"))
    write_yaml(Path("bad.yaml"), data)
    code, output = validate("bad.yaml")
    assert code == 1
    lines = output.splitlines()
    with pytest.raises(ScenarioError) as caught:
        load_scenario("bad.yaml", CHECKS)
    for problem in caught.value.problems:
        assert f"  {problem}" in lines


# Inputs found to escape as other exceptions; each must be a ScenarioError (and so a message in the CLI).
ESCAPES: dict[str, bytes] = {
    "sequence as a mapping key": b"{[1, 2]: 3}\n",
    "explicit sequence key": b"? [a, b]\n: 1\n",
    "mapping as a mapping key": b"{{a: 1}: 2}\n",
    "infinite year": yaml.safe_dump(mutated(lambda d: d["markets"][0].update(demand={"car": {math.inf: 5}}))
                                    ).encode(),
    "integer too large for a float": yaml.safe_dump(
        mutated(lambda d: d["plants"][0].update(fixed_cost=10**400))).encode(),
    "negative FX rate": yaml.safe_dump(mutated(lambda d: d.update(fx={"KRW": -5}))).encode(),
}


@pytest.mark.parametrize("case", ESCAPES)
def test_input_that_escaped_as_another_exception(case):
    Path("file.yaml").write_bytes(ESCAPES[case])
    with pytest.raises(ScenarioError):
        load_scenario("file.yaml", CHECKS)
    code, _ = validate("file.yaml")
    assert code == 1


def test_deeply_nested_yaml_is_a_message_not_a_crash(tmp_path):
    """A 100 kB file of nested brackets; run in a child process, since it could take the interpreter down."""
    Path("deep.yaml").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "from footprint.cli import app; app()", "validate", "deep.yaml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, f"exit code {result.returncode}: {result.stderr[-300:]}"
    assert "Traceback" not in result.stderr
    assert flat(result.stderr).startswith("deep.yaml: 1 problem")


# --- property tests: only ScenarioError, whatever the input -------------------------------------


def only_scenario_error(load: Callable[[], Scenario]) -> None:
    """``load`` either succeeds or raises ScenarioError with at least one problem; anything else fails the test."""
    problems = None
    try:
        load()
    except ScenarioError as error:
        problems = error.problems
    if problems is not None:
        assert problems
        assert all(isinstance(problem.path, str) and problem.message for problem in problems)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_property_arbitrary_bytes_only_scenario_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("bytes") / "file.yaml"
    path.write_bytes(content)
    only_scenario_error(lambda: load_scenario(path, CHECKS))


YAML_TOKENS = [*"{}[]:,-?&*!|>'\"#%@ \n\t.~0123456789abcenxyz_",
               "name", "horizon", "start", "end", "plants", "products", "fx", "null", "true", "2020", "1e400",
               ".inf", "!!binary", "!!python/object", "&a", "*a", "<<", "---", "...", "\u2028", "\x85", "\ufeff"]
YAMLISH = st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join)


@settings(max_examples=400)
@given(YAMLISH)
def test_property_yamlish_text_only_scenario_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("text") / "file.yaml"
    path.write_text(text, encoding="utf-8")
    only_scenario_error(lambda: load_scenario(path, CHECKS))


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8) | st.integers(1890, 2210), children, max_size=4),
    max_leaves=12,
)


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path inside nested dicts and lists."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, (*prefix, index))
    return found


VALID = small_network_data()
VALID_PATHS = [path for path in paths_of(VALID) if path]


@st.composite
def damaged_scenarios(draw: st.DrawFn) -> Any:
    """The valid scenario with one to three places (a section, an entry, a field) replaced by arbitrary data."""
    data = copy.deepcopy(VALID)
    for path in draw(st.lists(st.sampled_from(VALID_PATHS), min_size=1, max_size=3)):
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = draw(JSON_LIKE)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this place
    return data


@settings(max_examples=300)
@given(JSON_LIKE | st.dictionaries(st.sampled_from(list(Scenario.model_fields)), JSON_LIKE))
def test_property_arbitrary_data_only_scenario_error(data):
    only_scenario_error(lambda: scenario_from_data(data, "<scenario>", CHECKS))


@settings(max_examples=400)
@given(damaged_scenarios())
def test_property_damaged_scenario_only_scenario_error(data):
    only_scenario_error(lambda: scenario_from_data(data, "<scenario>", CHECKS))


@pytest.mark.parametrize(("change", "path", "message"), [
    (lambda d: d["fx"].update(EURO=0.9),
     "fx.EURO", "invalid key: expected an ISO 4217 three-letter currency code, found 'EURO'"),
    (lambda d: d["capabilities"][0].update(content={"XX": 0.5}),
     "capabilities[detroit/car].content.XX", "invalid key: expected an ISO 3166 two-letter country code"),
    (lambda d: d["markets"][0]["demand"].update({"a car": 5.0}),
     "markets[us].demand['a car']", "invalid key: expected a name of letters, digits, '_', '-' and '.', found 'a car'"),
    (lambda d: d["fx"].update(KRW={"path": {"20x6": 1100.0}}),
     "fx.KRW", "expected an FX rule: path.20x6: invalid key: expected a year, found '20x6'"),
])
def test_a_mapping_key_that_fails_is_named_as_written(change, path, message):
    """The key path ends at the key itself, as the file writes it (not pydantic's fx.EURO['[key]'])."""
    problems = problems_of(mutated(change))
    assert [p for p, m in problems if m.startswith(message)] == [path], problems
    assert not any("[key]" in p or "[key]" in m for p, m in problems)


def test_the_reproducer_of_a_garbled_key_path_names_fx_euro_on_its_line():
    code, output = validate(Path(__file__).parent / "repro" / "fx-key-message.yaml")
    assert code == 1
    assert "fx-key-message.yaml:13: fx.EURO: invalid key: expected an ISO 4217 three-letter currency code, found " \
           "'EURO'" in flat(output)
