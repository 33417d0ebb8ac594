"""`footprint import tariff-schedule`: public schedules (US HTS, UK Global Tariff, EU TARIC) read into regime files
whose rates a scenario takes, every rate with its line, what is not ad valorem left out line by line, and a bad
file one message naming it."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from conftest import capability, invoke, market, plant, product, write_yaml
from footprint.economics.checks import CHECKS
from footprint.economics.trade import duty_rates
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.schedules import ad_valorem, chosen_lines, dotted, read_schedule
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.model.trade import Tariff

SCHEDULES = Path(__file__).parent / "data" / "tariff-schedules"
HTS_CSV = SCHEDULES / "us-hts-2025-excerpt.csv"
HTS_JSON = SCHEDULES / "us-hts-2025-excerpt.json"
UKGT = SCHEDULES / "uk-global-tariff-2021-excerpt.csv"
TARIC = SCHEDULES / "taric-duties-import-excerpt.csv"


def rates_of(path: Path, fmt: str, classes: list[str] | None = None, **options: Any) -> dict[str, float]:
    lines, _ = chosen_lines(read_schedule(path, fmt, **options), classes)
    return {dotted(line.digits): line.rate for line in lines}


def imported(tmp_path: Path, *args: str, name: str = "regime.yaml") -> tuple[Any, dict[str, Any]]:
    result = invoke("import", "tariff-schedule", *args, "-o", str(tmp_path / name))
    data = yaml.safe_load((tmp_path / name).read_text(encoding="utf-8")) if result.exit_code == 0 else {}
    return result, data


@pytest.mark.parametrize(("text", "rate"), [
    ("2.5%", 0.025), ("Free", 0.0), ("free", 0.0), ("Free1/", 0.0), ("6.8%1/", 0.068), ("2.700 %", 0.027),
    ("10.000 % ", 0.1), ("0,5 %", 0.005), ("0.0%", 0.0), ("2.5% <u></u>", 0.025), ("350%", 3.5),
])
def test_ad_valorem_rates_are_read(text: str, rate: float) -> None:
    assert ad_valorem(text) == (pytest.approx(rate), "")


@pytest.mark.parametrize(("text", "why"), [
    ("2.4¢/kg", "a specific duty"), ("$1/head", "a specific duty"), ("93.10 EUR / 100 kg", "a specific duty"),
    ("25¢ each + 3.9%", "a compound duty"), ("10.00% + 77.00 GBP/100kg", "a compound duty"),
    ("12.800 % + 176.800 EUR / 100 kg", "a compound duty"), ("See 9903.88.15", "no rate footprint can read"),
    ("1e400%", "no rate footprint can read"), ("99999999999999999999%", "above 1000%"), ("", "no rate"),
])
def test_what_is_not_ad_valorem_says_why(text: str, why: str) -> None:
    rate, reason = ad_valorem(text)
    assert rate is None
    assert why in reason


def test_the_us_hts_csv_is_read_line_by_line_and_leaves_out_what_is_not_ad_valorem() -> None:
    schedule = read_schedule(HTS_CSV, "us-hts")
    assert schedule.rows == 18  # rows with a number and a general rate; superior text and suffixes have none
    assert schedule.warnings == [
        f"{HTS_CSV}:7: 0102.29.40: '1¢/kg' is a specific duty (per quantity), not ad valorem; left out",
        f"{HTS_CSV}:9: 8211.10.00.00: 'The rate of duty applicable... to the highest rate of duty' is no rate "
        "footprint can read (expected a percentage or Free); left out",
        f"{HTS_CSV}:15: 8211.91.20.00: '0.4¢ each + 6.4%' is a compound duty (ad valorem and per quantity), not ad "
        "valorem alone; left out",
    ]
    line = schedule.lines["87032301"]
    assert (line.code, line.rate, line.place) == ("8703.23.01", 0.025, "line 35")
    # The description runs from the heading down through the superior text to the line.
    assert line.description.startswith("Motor cars and other motor vehicles principally designed")
    assert line.description.endswith("with only spark-ignition internal combustion piston engines: Of a cylinder "
                                     "capacity exceeding 1,500 cc but not exceeding 3,000 cc")
    # 8703.80.00 is all of 8703.80 (00: not subdivided); every line is written dotted.
    assert rates_of(HTS_CSV, "us-hts")["8703.80"] == 0.025


def test_classes_of_interest_keep_their_lines_and_one_rate_where_the_lines_agree() -> None:
    lines, notes = chosen_lines(read_schedule(HTS_CSV, "us-hts"), ["8703", "8704.21", "8409.91", "8507.60"])
    assert {dotted(line.digits): line.rate for line in lines} == {
        "8703": 0.025,  # its 8 lines all 2.5%
        "8704.21": 0.25,  # its one line, 8704.21.01.00
        "8409.91.10": 0.0, "8409.91.30": 0.025, "8409.91.50": 0.025,  # 8409.91's lines differ: each kept
    }
    assert notes == [
        "8409.91: its lines carry 2 rates (0%, 2.5%): goods classed 8409.91 itself take none of them; class them "
        "by line, or give a rate on the class yourself",
        "8507.60: the file has no ad valorem rate for it or for a code above it",
    ]


def test_a_class_below_the_schedules_lines_keeps_the_line_above_it() -> None:
    assert rates_of(HTS_CSV, "us-hts", ["8703.23.01.20"]) == {"8703.23.01": 0.025}


def test_the_us_hts_json_gives_the_csvs_rates() -> None:
    schedule = read_schedule(HTS_JSON, "us-hts")
    assert schedule.warnings == [f"{HTS_JSON}, entry 5: 0102.29.40: '1¢/kg' is a specific duty (per quantity), not "
                                 "ad valorem; left out"]
    csv_rates = rates_of(HTS_CSV, "us-hts")
    assert rates_of(HTS_JSON, "us-hts") == {code: rate for code, rate in csv_rates.items()
                                            if code.startswith(("0102", "8703"))}


def test_the_uk_global_tariff_reads_the_ukgt_column() -> None:
    schedule = read_schedule(UKGT, "uk-global")
    assert schedule.warnings == [f"{UKGT}:3: 1022910: '10.00% + 77.00 GBP/100kg' is a compound duty (ad valorem and "
                                 "per quantity), not ad valorem alone; left out"]
    rates = rates_of(UKGT, "uk-global")
    assert rates["0101.21"] == 0.0  # 1012100: a spreadsheet had dropped the leading zero of 01012100
    assert rates["8507.60"] == pytest.approx(0.02)  # 85076000: UKGT 2%, not the CET's 2.7% beside it
    assert rates["8507.60.00.10"] == 0.0  # the civil-aircraft end use
    assert "8507.60.00.13" not in rates  # 2%, as the line above it: it adds nothing
    assert schedule.lines["8516900060"].place == "line 12"  # a description over nine lines: where it starts
    assert schedule.lines["87032210"].place == "line 21"
    assert rates_of(UKGT, "uk-global", ["8703.23"]) == {"8703.23": 0.1}


def test_the_eu_taric_extraction_reads_the_third_country_duty_erga_omnes() -> None:
    schedule = read_schedule(TARIC, "eu-cn")
    assert schedule.warnings == [f"{TARIC}:2: 0102291000: '10.200 % + 93.100 EUR / 100 kg' is a compound duty (ad "
                                 "valorem and per quantity), not ad valorem alone; left out"]
    assert schedule.rows == 14  # Korea's preference (measure 142) is not the MFN rate
    assert rates_of(TARIC, "eu-cn", ["8703.23", "8483.40", "8507.60", "8708.40"]) == {
        "8703.23": 0.1, "8483.40": pytest.approx(0.037), "8507.60": pytest.approx(0.027),
        "8708.40.20": pytest.approx(0.03), "8708.40.50": pytest.approx(0.045), "8708.40.91": pytest.approx(0.045),
        "8708.40.99": pytest.approx(0.035)}


def test_a_workbook_is_read_as_its_csv_is(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Duties"
    with TARIC.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(tmp_path / "duties.xlsx")
    schedule = read_schedule(tmp_path / "duties.xlsx", "eu-cn")
    assert rates_of(tmp_path / "duties.xlsx", "eu-cn") == rates_of(TARIC, "eu-cn")
    assert schedule.warnings[0].startswith(f"{tmp_path / 'duties.xlsx'}, sheet Duties, row 2: 0102291000:")


def test_eu_rows_are_those_in_force_on_the_date(tmp_path: Path) -> None:
    header = "Goods code,Start date,End date,Origin code,Meas. type code,Duty\n"
    rows = ("8703231900 80,01-01-2010,31-12-2016,1011,103,9.000 %\n"
            "8703231900 80,01-01-2017,,1011,103,10.000 %\n"
            "8703231900 80,01-01-2017,,1011,103,0.000 %\n".replace("1011,103,0.000", "1011,112,0.000"))
    path = tmp_path / "duties.csv"
    path.write_text(header + rows, encoding="utf-8")
    assert rates_of(path, "eu-cn", date=dt.date(2016, 6, 1)) == {"8703.23.19": 0.09}
    assert rates_of(path, "eu-cn", date=dt.date(2020, 1, 1)) == {"8703.23.19": 0.1}
    assert rates_of(path, "eu-cn") == {"8703.23.19": 0.1}  # no date: the rows that have not ended


def test_the_written_regime_is_taken_by_a_scenario_that_extends_it(tmp_path: Path) -> None:
    result, data = imported(tmp_path, str(TARIC), "--format", "eu-cn", "--classes", "8703.23,8708.40.20,8507.60",
                            "--date", "2021-01-01", "--source", "TARIC Duties Import 2021-01")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'regime.yaml'}: 3 tariffs into EU" in result.output
    assert [(t["product_class"], t["rate"]["value"]) for t in data["tariffs"]] == [
        ("8507.60", 0.027), ("8703.23", 0.1), ("8708.40.20", 0.03)]
    for entry in data["tariffs"]:
        tariff = Tariff.model_validate(entry)
        assert (tariff.origin, tariff.destination, tariff.from_date) == ("*", "EU", dt.date(2021, 1, 1))
    assert data["tariffs"][1]["rate"]["source"] == (
        "TARIC Duties Import 2021-01, line 10: 8703.23 (all 2 lines under it: 8703231900, 8703239000): Duty "
        "10.000 %")
    # A car of 8703.23.19 from Japan into Germany, and a gear box for assembly, under the imported rates.
    scenario = write_yaml(tmp_path / "scenario.yaml", {
        "extends": "regime.yaml", "name": "imported", "horizon": {"start": 2021, "end": 2021},
        "products": [product("car", "8703.23.19"), product("gearbox", "8708.40.20")],
        "plants": [plant("nagoya", country="JP", currency="USD", products=("car", "gearbox"))],
        "capabilities": [capability("nagoya", "car", local_cost=1.0), capability("nagoya", "gearbox", local_cost=1.0)],
        "markets": [{**market("de", 1.0, country="DE"), "demand": {"car": 1.0, "gearbox": 1.0}}],
        "default_freight": 0.0,
    })
    validated = invoke("validate", str(scenario))
    assert validated.exit_code == 0, validated.output
    assert "valid scenario 'imported'" in validated.output
    # The rates are the scenario's own: the one no product takes is warned of, at its line in the regime file.
    assert "1 warning" in validated.output
    assert (f"warning: {tmp_path / 'regime.yaml'}:15: tariffs[*/EU/8507.60/2021-01-01..].product_class: no product "
            "has class '8507.60' or a class under it") in validated.output
    rates = duty_rates(read_scenario(scenario, CHECKS).scenario)
    jp, de = rates.country["JP"], rates.country["DE"]
    assert rates.yearly_general[jp, de, rates.product_class["8703.23.19"], 0] == pytest.approx(0.1)
    assert rates.yearly_general[jp, de, rates.product_class["8708.40.20"], 0] == pytest.approx(0.03)


def test_given_classes_only_their_lines_left_out_are_warned_of(tmp_path: Path) -> None:
    result, data = imported(tmp_path, str(HTS_CSV), "--format", "us-hts", "--classes", "0102,8703")
    assert result.exit_code == 0, result.output
    assert f"warning: {HTS_CSV}:7: 0102.29.40" in result.output
    assert "8211" not in result.output  # a chapter not asked for
    assert "(18 rows with a rate, 3 left out, 1 of them under the classes asked for)" in result.output
    # 0102's ad valorem lines agree, but one of its lines is a specific duty: no rate is written on 0102 itself.
    assert [(t["product_class"], t["rate"]["value"]) for t in data["tariffs"]] == [("0102.29.20", 0.0),
                                                                                  ("8703", 0.025)]
    assert ("note: 0102: 1 of its lines left out (not ad valorem): its other lines are kept as they are, none "
            "written on the class itself") in " ".join(result.output.split())


def test_a_full_import_prints_each_line_left_out_and_keeps_them_in_the_files_count(tmp_path: Path) -> None:
    result, data = imported(tmp_path, str(HTS_CSV), "--format", "us-hts")
    assert result.exit_code == 0, result.output
    assert f"warning: {HTS_CSV}:7: 0102.29.40: '1¢/kg' is a specific duty" in result.output
    assert f"warning: {HTS_CSV}:15: 8211.91.20.00: '0.4¢ each + 6.4%' is a compound duty" in result.output
    text = (tmp_path / "regime.yaml").read_text(encoding="utf-8")
    assert text.startswith("# General (MFN) rates into US from the US Harmonized Tariff Schedule (USITC)")
    assert "# 18 rows with a rate read, 15 of them ad valorem, 3 left out" in text
    assert data["description"] == "General (MFN) rates into US from the US Harmonized Tariff Schedule (USITC)"
    assert all("from_date" not in t for t in data["tariffs"])  # no --date: always in force


@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is empty"),
    (b"   \n\n", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file (it holds binary data)"),
    (b"code,rate\n8703,2.5%\n", "no column 'hts number' or 'general rate of duty'; found 'code', 'rate'"),
    (b"HTS Number,General Rate of Duty\n", "no ad valorem rate read (no row with a rate)"),
    (b"HTS Number,General Rate of Duty\n8703.23.01,99999999999999999999%\n8703.24.01,2.4\xc2\xa2/kg\n",
     "no ad valorem rate read (2 rows with a rate, none ad valorem)"),
    (b'HTS Number,General Rate of Duty\n8703.23.01,"2.5%\n', "not a readable CSV file"),
])
def test_a_broken_schedule_is_one_message_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "hts.csv"
    path.write_bytes(content)
    result, _ = imported(tmp_path, str(path), "--format", "us-hts")
    assert result.exit_code == 1
    assert str(path) in result.output
    assert message in result.output
    assert not (tmp_path / "regime.yaml").exists()


def test_lines_that_cannot_be_read_are_warnings_when_others_can(tmp_path: Path) -> None:
    path = tmp_path / "hts.csv"
    path.write_text("HTS Number,General Rate of Duty\n8703.23.01,2.5%\n8703.24.01,1e999%\n87A3,2.5%\n"
                    "8704.21.01,99999999999999999999%\n", encoding="utf-8")
    result, data = imported(tmp_path, str(path), "--format", "us-hts")
    assert result.exit_code == 0, result.output
    assert [t["product_class"] for t in data["tariffs"]] == ["8703.23.01"]
    assert f"warning: {path}:3: 8703.24.01: '1e999%' is no rate footprint can read" in result.output
    assert f"warning: {path}:4: '87A3' is not an HS code; left out" in result.output
    assert f"warning: {path}:5: 8704.21.01: '99999999999999999999%' is above 1000%" in result.output


@pytest.mark.parametrize(("name", "content", "message"), [
    ("hts.json", b"{not json", "not valid JSON"),
    ("hts.json", b'{"htsno": "8703"}', "expected a list of HTS entries"),
    ("duties.xlsx", b"PK\x03\x04 not really a zip", "not an Excel workbook (.xlsx)"),
])
def test_a_broken_json_or_workbook_is_one_message(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result, _ = imported(tmp_path, str(path), "--format", "us-hts" if name.endswith(".json") else "eu-cn")
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize(("options", "message"), [
    (["--format", "wto"], "--format wto: expected one of us-hts, uk-global, eu-cn"),
    (["--format", "us-hts", "--classes", "8703,car"], "--classes: 'car' is not an HS code"),
    (["--format", "us-hts", "--classes", "870"], "--classes: '870' is not an HS code"),
    (["--format", "us-hts", "--date", "2025-13-01"], "--date 2025-13-01: expected a day as YYYY-MM-DD"),
    (["--format", "us-hts", "--destination", "XX"], "--destination XX:"),
])
def test_bad_options_are_messages(tmp_path: Path, options: list[str], message: str) -> None:
    result, _ = imported(tmp_path, str(HTS_CSV), *options)
    assert result.exit_code == 1
    assert message in result.output


def test_an_existing_regime_is_replaced_only_with_force_and_never_the_schedule_read(tmp_path: Path) -> None:
    (tmp_path / "regime.yaml").write_text("kept: true\n", encoding="utf-8")
    refused, _ = imported(tmp_path, str(HTS_CSV), "--format", "us-hts")
    assert refused.exit_code == 1
    assert "already exists; give --force to replace it" in refused.output
    assert (tmp_path / "regime.yaml").read_text(encoding="utf-8") == "kept: true\n"
    replaced, data = imported(tmp_path, str(HTS_CSV), "--format", "us-hts", "--force")
    assert replaced.exit_code == 0
    assert data["tariffs"]
    schedule = tmp_path / "schedule.yaml"
    schedule.write_bytes(HTS_CSV.read_bytes())
    itself = invoke("import", "tariff-schedule", str(schedule), "--format", "us-hts", "-o", str(schedule), "--force")
    assert itself.exit_code == 1
    assert "is the schedule being read" in itself.output
    assert schedule.read_bytes() == HTS_CSV.read_bytes()


def test_a_missing_schedule_is_a_message(tmp_path: Path) -> None:
    result, _ = imported(tmp_path, str(tmp_path / "none.csv"), "--format", "uk-global")
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_an_unreadable_output_folder_is_exit_code_4(tmp_path: Path) -> None:
    result = invoke("import", "tariff-schedule", str(HTS_CSV), "--format", "us-hts", "-o",
                    str(tmp_path / "missing" / "regime.yaml"))
    assert result.exit_code == 4
    assert "cannot write" in result.output


def test_read_schedule_raises_only_scenario_errors(tmp_path: Path) -> None:
    path = tmp_path / "folder.csv"
    path.mkdir()
    with pytest.raises(ScenarioError, match="a folder"):
        read_schedule(path, "uk-global")
