"""The `footprint` command line: cases, run (with a results folder), schema, and failures as messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

import footprint.scenario.cases.bundled
from conftest import capability, invoke, market, plant, scenario_data, small_network_data, write_yaml
from footprint.economics.checks import CHECKS
from footprint.plan.plan import SUMMARY_FILE, TABLES
from footprint.plan.tables import solve
from footprint.scenario.formats.docs import SECTIONS, scenario_reference
from footprint.scenario.formats.files import load_scenario


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    return write_yaml(tmp_path / "small.yaml", small_network_data())


@pytest.fixture
def bundled(tmp_path, monkeypatch) -> Path:
    """A cases folder of our own in place of the package's: case ``demo`` with a variant, and ``rogue-2012``."""
    folder = tmp_path / "cases"
    demo = folder / "demo"
    demo.mkdir(parents=True)
    text = Path(write_yaml(tmp_path / "base.yaml", small_network_data())).read_text(encoding="utf-8")
    (demo / "scenario.yaml").write_text("# Demo: two plants, one option\n" + text, encoding="utf-8")
    (demo / "weak-won.yaml").write_text("# Demo with a weak won\nextends: scenario.yaml\nfx: {KRW: 1400}\n",
                                        encoding="utf-8")
    (folder / "rogue-2012").mkdir()
    (folder / "rogue-2012" / "scenario.yaml").write_text("# Stand-in for the default case\n" + text,
                                                         encoding="utf-8")
    (folder / "not-a-case").mkdir()  # no scenario.yaml: not listed
    monkeypatch.setattr(footprint.scenario.cases.bundled, "cases_folder", lambda: folder)
    return folder


def test_cases_lists_each_case_and_variant_with_its_description(bundled):
    result = invoke("cases")
    assert result.exit_code == 0
    lines = [flat(line) for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "demo Demo: two plants, one option",
        "demo/weak-won Demo with a weak won",
        "rogue-2012 Stand-in for the default case",
    ]


def test_run_a_bundled_case_and_variant_by_name(bundled, tmp_path):
    base = invoke("run", "demo", "--out", str(tmp_path / "base"))
    variant = invoke("run", "demo/weak-won", "--out", str(tmp_path / "variant"))
    assert base.exit_code == variant.exit_code == 0
    objective = {name: json.loads((tmp_path / name / SUMMARY_FILE).read_text())["objective"]
                 for name in ("base", "variant")}
    expected = solve(load_scenario(bundled / "demo" / "weak-won.yaml", CHECKS)).objective
    assert objective["variant"] == pytest.approx(expected)
    assert objective["variant"] < objective["base"]  # a weaker won makes Busan's cars cheaper


def test_no_command_runs_the_default_case(bundled):
    result = invoke()
    assert result.exit_code == 0
    assert "optimal" in result.output
    assert "busan-line" in result.output


def test_run_writes_every_table_and_the_summary(scenario_file, tmp_path):
    out = tmp_path / "results"
    result = invoke("run", str(scenario_file), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Plan written to" in flat(result.output)
    plan = solve(load_scenario(scenario_file, CHECKS))
    for name, columns in TABLES.items():
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == columns
        assert len(rows) - 1 == len(plan.tables[name])
        parquet = pd.read_parquet(out / f"{name}.parquet")
        assert tuple(parquet.columns) == columns
        assert len(parquet) == len(plan.tables[name])
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert {"status", "objective", "currency", "gap", "builds"} <= set(summary)
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(plan.objective)
    assert summary["currency"] == "USD"
    assert summary["gap"] == pytest.approx(0.0, abs=1e-4)
    assert summary["builds"]
    for build, expected in zip(summary["builds"], plan.builds.to_dict(orient="records"), strict=True):
        assert {"option", "plant", "year", "count", "added_capacity", "capex"} <= set(build)
        assert build["option"] == expected["option"]
        assert build["plant"] == expected["plant"]
        assert build["year"] == expected["year"]
        assert build["added_capacity"] == pytest.approx(expected["added_capacity"])
        assert build["capex"] == pytest.approx(expected["capex"])
    # busan-line: 110,000 KRW at 1100 KRW/USD, online from the first year
    assert summary["builds"][0] == {"option": "busan-line", "plant": "busan", "pool": "main", "year": 2020, "count": 1,
                                    "added_capacity": 200.0, "capex": pytest.approx(100.0)}


def test_run_prints_the_plan(scenario_file):
    result = invoke("run", str(scenario_file))
    assert result.exit_code == 0
    text = flat(result.output)
    assert "optimal" in text
    assert "Capacity built" in text
    assert "busan-line" in text
    assert "Utilization" in text
    assert "Costs over the horizon (USD)" in text


def test_run_with_solver_options(scenario_file, tmp_path):
    out = tmp_path / "results"
    result = invoke("run", str(scenario_file), "--time-limit", "30", "--mip-gap", "0", "--threads", "1",
                    "--out", str(out))
    assert result.exit_code == 0
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["objective"] == pytest.approx(solve(load_scenario(scenario_file, CHECKS)).objective)


def test_run_an_invalid_scenario_is_a_message(tmp_path):
    data = small_network_data()
    data["lanes"][0]["plant"] = "ghost"
    path = write_yaml(tmp_path / "bad.yaml", data)
    result = invoke("run", str(path))
    assert result.exit_code == 1
    assert "lanes[ghost/us].plant: unknown plant 'ghost'" in flat(result.output)


def test_run_an_infeasible_scenario_is_a_message(tmp_path):
    path = write_yaml(tmp_path / "short.yaml", scenario_data(
        plants=[plant("p", 60.0)], capabilities=[capability("p")], markets=[market("m", 100.0)]))
    out = tmp_path / "results"
    result = invoke("run", str(path), "--out", str(out))
    assert result.exit_code == 3
    assert "car in m, 2020: 40 units cannot be supplied" in flat(result.output)
    assert not out.exists()


def test_run_a_missing_file_is_a_message(tmp_path):
    result = invoke("run", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_schema_prints_a_table_for_every_section():
    result = invoke("schema")
    assert result.exit_code == 0
    text = result.output
    for title, model in SECTIONS:
        assert f"#### {title}" in text
        section = text.split(f"#### {title}", 1)[1].split("####", 1)[0]
        assert "| field | default | meaning |" in section
        for name, field in model.model_fields.items():
            assert f"| `{field.alias or name}` |" in section


def test_schema_output_is_the_markdown_reference_unwrapped():
    """`footprint schema > reference.md` gives the reference as is: no table row broken over two lines."""
    result = invoke("schema")
    assert result.output.splitlines() == scenario_reference().splitlines()
    for line in result.output.splitlines():
        assert not line or line.startswith("#### ") or (line.startswith("|") and line.endswith("|")), line


def test_help_lists_the_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("run", "validate", "cases", "schema", "import"):
        assert command in result.output


def test_regimes_lists_each_shipped_regime():
    result = invoke("regimes")
    assert result.exit_code == 0
    names = [flat(line).split(" ")[0] for line in result.output.splitlines() if line.strip()]
    assert names == ["2012", "2025-deals", "2025-s232"]


def test_template_convert_and_a_plan_workbook_from_the_command_line(tmp_path, scenario_file):
    """template writes an empty workbook or CSV folder; convert turns a scenario into each form and back, every
    form solving to the same plan; run --out FILE.xlsx writes the Plan as one workbook."""
    result = invoke("template", "--excel", str(tmp_path / "empty.xlsx"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "empty.xlsx").is_file()
    result = invoke("template", "--csv", str(tmp_path / "empty"), "--years", "2026", "2030")
    assert result.exit_code == 0, result.output
    assert "2030" in (tmp_path / "empty" / "demand.csv").read_text(encoding="utf-8").splitlines()[0]
    assert invoke("template", "--csv", str(tmp_path / "empty")).exit_code == 1  # there already
    assert invoke("template", "--excel", str(tmp_path / "x.csv")).exit_code == 1
    objectives = {}
    for target in ("net.xlsx", "net", "back.yaml"):
        source = {"net.xlsx": scenario_file, "net": tmp_path / "net.xlsx", "back.yaml": tmp_path / "net"}[target]
        result = invoke("convert", str(source), str(tmp_path / target))
        assert result.exit_code == 0, result.output
        out = tmp_path / f"plan-{target}.xlsx"
        result = invoke("run", str(tmp_path / target), "--out", str(out))
        assert result.exit_code == 0, result.output
        objectives[target] = json_free_objective(out)
    assert len({round(value, 6) for value in objectives.values()}) == 1
    assert invoke("convert", str(scenario_file), str(scenario_file)).exit_code == 1  # never over an input


def json_free_objective(workbook: Path) -> float:
    summary = pd.read_excel(workbook, sheet_name="summary")
    return float(summary.set_index("field").loc["objective", "value"])


def test_run_out_refuses_to_replace_a_workbook_it_did_not_write(tmp_path, scenario_file):
    mine = tmp_path / "budget.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(mine, index=False)
    before = mine.read_bytes()
    result = invoke("run", str(scenario_file), "--out", str(mine))
    assert result.exit_code == 4
    assert "exists and is not a plan workbook" in flat(result.output)
    assert mine.read_bytes() == before
    assert invoke("run", str(scenario_file), "--out", str(tmp_path / "plan.xlsx")).exit_code == 0
    assert invoke("run", str(scenario_file), "--out", str(tmp_path / "plan.xlsx")).exit_code == 0  # its own: replaced


def test_sensitivity_says_the_scenario_s_warnings_as_every_command_does(tmp_path):
    data = small_network_data()
    data["tariffs"][0]["rate"] = 25.0
    data["fx"] = {"KRW": {"value": 1100.0, "low": 500.0, "high": 1600.0}}
    path = write_yaml(tmp_path / "net.yaml", data)
    result = invoke("sensitivity", str(path), "--workers", "1", "--store", str(tmp_path / "runs.sqlite"))
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert f"warning: {path}:" in text
    assert "tariffs[*/US/8703].rate: a rate of 25 is 2500%" in text
    assert "ScenarioWarning" not in text
