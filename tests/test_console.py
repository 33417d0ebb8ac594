"""What `footprint run` prints: lost sales when demand goes unserved, the exchange rates used and where each
came from, revenue beside costs when maximizing profit, and the rows left out only where they are written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conftest import capability, lane, market, plant, scenario_data, small_network_data, write_yaml
from footprint.cli import EXIT_CODES, app
from footprint.views.console import _money


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, " ".join(result.output.split())


def test_lost_sales_are_shown_when_demand_goes_unserved(tmp_path):
    """60 units of capacity against 100 of demand, a lost sale at 5 a unit: 40 lost, 40% of the demand."""
    path = write_yaml(tmp_path / "short.yaml", scenario_data(
        plants=[plant("p", 60.0)], capabilities=[capability("p", local_cost=1.0)],
        markets=[market("m", 100.0, lost_sale_penalty={"car": 5.0})]))
    code, output = run(str(path))
    assert code == 0
    assert "Lost sales, units per year (40.0% of all demand unserved)" in output
    assert "│ car │ m │ 40 │" in output


def test_no_lost_sales_table_when_all_demand_is_served(tmp_path):
    code, output = run(str(write_yaml(tmp_path / "ok.yaml", small_network_data())))
    assert code == 0
    assert "Lost sales" not in output


def test_the_exchange_rates_used_and_where_each_came_from():
    """rogue-2012 holds the 2012 ECB means of the yen and the won for every year after 2012."""
    code, output = run("rogue-2012")
    assert code == 0
    assert "Exchange rates used (units per USD)" in output
    assert "│ JPY │ 79.75 │" in output
    assert "ECB mean 2012; ECB mean 2012, held 2013-2019" in output


def test_given_rates_are_labelled_given(tmp_path):
    code, output = run(str(write_yaml(tmp_path / "ok.yaml", small_network_data())))
    assert code == 0
    assert "│ KRW │ 1,100.0 │ 1,100.0 │ given 2020-2021 │" in output


def test_revenue_by_currency_when_maximizing_profit(tmp_path):
    """10 cars sold at 1,200 EUR in a euro market, made at 500 USD: revenue appears beside the costs."""
    path = write_yaml(tmp_path / "profit.yaml", scenario_data(
        objective="maximize_profit", fx={"EUR": 0.8},
        plants=[plant("p")], capabilities=[capability("p", local_cost=500.0)],
        markets=[market("m", 10.0, country="DE", currency="EUR", price={"car": 1200.0})]))
    code, output = run(str(path))
    assert code == 0
    assert "Costs and revenue by currency over the horizon" in output
    assert "revenue in USD" in output
    # 10 x 1,200 EUR = 12,000 EUR = 15,000 USD at 0.8 EUR per USD
    assert "15.00k USD │ 12.00k EUR" in output


def many_lanes() -> dict:
    """41 markets, each supplied by its own plant: 41 rows of supply, one more than the console shows."""
    return scenario_data(
        plants=[plant(f"p{i}") for i in range(41)],
        capabilities=[capability(f"p{i}", local_cost=1.0) for i in range(41)],
        markets=[market(f"m{i}", 10.0) for i in range(41)],
        lanes=[lane(f"p{i}", f"m{i}", 1.0) for i in range(41)], default_freight=None)


def test_rows_left_out_are_said_to_be_in_the_results_only_when_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_yaml(Path("wide.yaml"), many_lanes())
    code, output = run(str(path))
    assert code == 0
    assert "1 more rows: write them all with --out" in output
    assert "results folder" not in output
    code, output = run(str(path), "--out", "results")
    assert code == 0
    assert "1 more rows in results" in output


def test_the_summary_says_how_long_loading_building_and_solving_took(tmp_path):
    code, output = run(str(write_yaml(tmp_path / "ok.yaml", small_network_data())))
    assert code == 0
    assert "loaded in" in output
    assert "built in" in output
    assert "solved in" in output


def test_help_documents_every_exit_code():
    result = CliRunner().invoke(app, ["--help"])
    text = " ".join(result.output.split())
    for code in EXIT_CODES:
        assert f"{code} " in text
    assert "130 interrupted (Ctrl-C)" in text


def test_the_guide_documents_every_exit_code():
    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "commands.md").read_text(encoding="utf-8")
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in guide


def test_amounts_that_round_to_zero_print_as_zero_never_minus_zero() -> None:
    assert [_money(a, "USD") for a in (-1e-6, -0.004, -0.006, 1234.5, -2e9)] == [
        "0.00 USD", "0.00 USD", "-0.01 USD", "1.23k USD", "-2.00bn USD"]
