"""Seeded fuzzing of the surfaces beyond scenario files: results folders damaged (`report`, `compare`), run stores
damaged (every command that reads one, and `run` storing into one), and the web app's requests (paths, ids,
headers, form fields). Whatever they hold, the answer is a message and an exit code (or an HTTP status below
500), never a traceback nor an internal error. The same cases on every run; no clock in them."""

from __future__ import annotations

import dataclasses
import json
import math
import random
import shutil
import sqlite3
import string
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import invoke, small_network_data, solved, write_yaml
from footprint.plan.store import RunStore, encode_tables, run_record
from results_damage import remanifest, rows_of, set_cell, set_summary
from test_stochastic import EXACT
from test_stochastic_plan import TWO_FUTURES, two_years
from web_helpers import BASE, app_client, form_token, web_app, yaml_bytes

VALUES: list[Any] = [math.nan, math.inf, -math.inf, "abc", "", None, True, False, -1, 0, 1e308, 10**30, [], {},
                     [2020], [2020, 2021], "2020", 2020.5, {"a": 1}, "\x00", "名", -0.0, 2**63, [[1, 2]]]
"""What a damaged summary field, or a stored field, may hold."""
TEXTS = ["abc", "", "nan", "inf", "-inf", "1e400", "-0", "2020.0", "2021", "True", "false", "99999999999999999999",
         "0x10", "  7 ", "名", "\u202e", "1,5", "NaN", "None", "-1", "0", "1e-300", '"', "'", "\\", "2020\n"]
"""What an edited table cell may hold."""
OUTCOMES = (0, 1)


def _value(rng: random.Random) -> Any:
    return rng.choice([*VALUES, rng.uniform(-1e9, 1e9), rng.randint(-10**6, 10**6), "".join(
        rng.choices(string.printable, k=rng.randint(0, 12)))])


def _text(rng: random.Random) -> str:
    return rng.choice([*TEXTS, str(rng.randint(-10**6, 10**6)), repr(rng.random()),
                       "".join(rng.choices(string.printable, k=rng.randint(0, 8)))])


def damage_folder(folder: Path, rng: random.Random) -> str:
    """One damage done to a results folder, as a person or a tool might; what it was."""
    tables = sorted(path.stem for path in folder.glob("*.csv"))
    kind = rng.choice(["summary", "summary", "cell", "cell", "cell", "column", "truncate", "parquet"])
    if kind == "summary":
        key = rng.choice([*json.loads((folder / "summary.json").read_text(encoding="utf-8")), "kind"])
        value = ... if rng.random() < 0.15 else _value(rng)
        set_summary(folder, key, value)
        return f"summary {key}={value!r}"
    table = rng.choice(tables)
    rows = rows_of(folder, table)
    if kind == "cell" and len(rows) > 1:
        column, row, text = rng.choice(rows[0]), rng.randrange(len(rows) - 1), _text(rng)
        set_cell(folder, table, column, row, text)
        return f"{table}.{column}[{row}]={text!r}"
    path = folder / f"{table}.csv"
    if kind == "column":
        text = path.read_text(encoding="utf-8").splitlines()
        header = text[0].split(",")
        header[rng.randrange(len(header))] = rng.choice(["", "year", "x", header[0]])
        path.write_text("\n".join([",".join(header), *text[1:]]) + "\n", encoding="utf-8")
    elif kind == "truncate":
        content = path.read_bytes()
        path.write_bytes(content[:rng.randrange(len(content) + 1)])
    else:
        parquet = folder / f"{table}.parquet"
        parquet.write_bytes(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))))
    if kind != "parquet":
        (folder / f"{table}.parquet").unlink(missing_ok=True)
    remanifest(folder)
    return f"{kind} {table}"


RESULT_CASES = 100


@pytest.mark.slow
def test_damaged_results_folders_get_a_message_never_a_crash(tmp_path: Path) -> None:
    from footprint.analysis.stochastic import stochastic_plan

    rng = random.Random(20261207)
    bases = [solved(small_network_data()).write(tmp_path / "plan"),
             stochastic_plan(two_years(), "two years", TWO_FUTURES, options=EXACT, revise_from=2021).plan.write(
                 tmp_path / "stochastic")]
    codes: Counter[int] = Counter()
    for case in range(RESULT_CASES):
        base = rng.choice(bases)
        folder = tmp_path / f"case{case}"
        shutil.copytree(base, folder)
        what = [damage_folder(folder, rng) for _ in range(rng.randint(1, 3))]
        command = rng.choice([["report", str(folder), "-o", str(tmp_path / "report.html")],
                              ["compare", str(base), str(folder)], ["compare", str(folder), str(base)]])
        result = invoke(*command)  # never a traceback nor an exception
        where = f"case {case} ({'; '.join(what)}), {command[0]}"
        assert result.exit_code in OUTCOMES, f"{where}: exit {result.exit_code}: {result.output[-600:]}"
        if result.exit_code:
            assert result.stderr.startswith(str(folder)), f"{where}: {result.stderr[:300]}"
        codes[result.exit_code] += 1
        shutil.rmtree(folder)
    assert codes[1] > RESULT_CASES / 3  # the damage reaches both sides: refused, and still read
    assert codes[0] > RESULT_CASES / 20


STORE_CASES = 80
COLUMNS = ("kind", "name", "created", "version", "scenario_hash", "overrides", "settings", "settings_hash", "key",
           "sweep", "probability", "status", "objective", "bound", "gap", "currency", "build_seconds",
           "solve_seconds", "message", "decisions", "summary")
JSON_TEXTS = ['{}', '[]', 'null', '{"futures": 3}', '{"futures": [["a", null, "k"]]}', '{"kind": "stochastic"}',
              '{"builds": [], "assignments": [], "plants": []}', '[["a", 1]]', '{"objective": 1}', '{"', '\x00']


def _stored(folder: Path) -> Path:
    """A store with a run of the small network, and a sweep of two futures (one failed)."""
    path = folder / "base.sqlite"
    plan = solved(small_network_data())
    record = run_record(plan, name="small", data=small_network_data(), settings={})
    with RunStore(path) as store:
        store.save_run(record, encode_tables(plan))
        future = dataclasses.replace(record, kind="future", name="f0", overrides=(("x", 1),))
        failed = run_record(None, name="f1", data={}, settings={}, kind="future", message="infeasible")
        sweep, _ = store.start_sweep("sw", {}, {}, [("f0", 0.5, future.key), ("f1", 0.5, failed.key)])
        store.save_run(dataclasses.replace(future, sweep=sweep, probability=0.5), encode_tables(plan))
        store.save_run(dataclasses.replace(failed, sweep=sweep, probability=0.5), {})
    return path


def damage_store(path: Path, rng: random.Random) -> str:
    """One damage done to a store as something other than footprint might; what it was."""
    choice = rng.choice(["column", "column", "column", "json", "table", "scenario", "meta"])
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA ignore_check_constraints = ON")
        row = rng.randint(1, 4)
        if choice in ("column", "json"):
            column = rng.choice(COLUMNS)
            value = rng.choice(JSON_TEXTS) if choice == "json" else _value(rng)
            value = value if isinstance(value, str | int | float) and not isinstance(value, bool) else str(value)
            value = value if not isinstance(value, int) or abs(value) < 2**63 else float(value)
            try:
                connection.execute(f"UPDATE footprint_runs SET {column} = ? WHERE id = ?", (value, row))
            except sqlite3.IntegrityError:
                return f"{column} of run {row} kept (the database refuses {value!r})"
            return f"{column} of run {row} = {value!r}"
        if choice == "table":
            data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
            connection.execute("UPDATE footprint_tables SET data = ? WHERE run = ? AND name = ?",
                               (data, row, rng.choice(["flows", "costs", "builds", "plants"])))
            return f"a table of run {row}"
        if choice == "scenario":
            connection.execute("UPDATE footprint_scenarios SET content = ?", (rng.choice(JSON_TEXTS),))
            return "the scenarios"
        connection.execute("UPDATE footprint_meta SET value = ?", (str(_value(rng)),))
        return "the schema version"


@pytest.mark.slow
def test_damaged_stores_get_a_message_never_a_crash(tmp_path: Path) -> None:
    rng = random.Random(20261208)
    base = _stored(tmp_path)
    scenario = str(write_yaml(tmp_path / "small.yaml", small_network_data()))
    codes: Counter[int] = Counter()
    for case in range(STORE_CASES):
        path = tmp_path / f"case{case}.sqlite"
        shutil.copyfile(base, path)
        what = [damage_store(path, rng) for _ in range(rng.randint(1, 2))]
        ref = rng.choice(["1", "2", "3", "4", "latest", "small", "sw", "sw/f0", "sw/f1"])
        commands = [["runs"], ["runs", "--kind", "future"], ["show", ref], ["export", ref, "-o",
                    str(tmp_path / "out")], ["report", ref, "-o", str(tmp_path / "r.html"), "--no-explain"],
                    ["compare", ref, "1"], ["sweep-summary", "sw"], ["run", scenario]]
        for command in rng.sample(commands, 2):
            result = invoke(*command, "--store", str(path))  # never a traceback nor an exception
            where = f"case {case} ({'; '.join(what)}), {' '.join(command)}"
            assert result.exit_code in (0, 1, 3), f"{where}: exit {result.exit_code}: {result.output[-600:]}"
            if command[0] == "run":
                assert result.exit_code == 0, f"{where}: {result.output[-600:]}"  # never a lost plan
                assert result.stdout.startswith("test: optimal"), where
            codes[result.exit_code] += 1
        path.unlink()
    assert codes[1] > STORE_CASES / 5
    assert codes[0] > STORE_CASES / 5


APP_CASES = 300
HOSTS = ["127.0.0.1", "localhost:8000", "[::1]", "evil.example", "", "a b", "127.0.0.1:99999", "名"]
IDS = ["1", "2", "0", "-1", str(2**63), str(2**64), "9" * 30, "²", "١", "1e3", "abc", "%00", "..", "%2e%2e", "1.5",
       "\u202e", "%ff", "x" * 300]


def _request(rng: random.Random, token: str) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    """A request as a browser, a script or another site might send: method, path, headers, body."""
    page = rng.choice(["run", "report", "table", "workbook", "runs", "compare", "compare-report", "upload",
                       "uploaded", "job", "junk"])
    one, two = (rng.choice(["1", "1", "2", *IDS]) for _ in range(2))
    path = {"run": f"/runs/{one}", "report": f"/runs/{one}/report", "workbook": f"/runs/{one}/plan.xlsx",
            "table": f"/runs/{one}/tables/{rng.choice(['flows', 'costs', two])}.{rng.choice(['csv', 'xlsx', two])}",
            "runs": f"/runs?search={rng.choice(IDS)}&kind={rng.choice(['run', 'sweep', 'x', ''])}&page={two}",
            "compare": f"/compare?a={one}&b={two}", "compare-report": f"/compare/report?a={one}&b={two}",
            "upload": "/upload", "uploaded": f"/uploads/{one}" + rng.choice(["", "/run", "/sweep"]),
            "job": f"/jobs/{one}" + rng.choice(["", "/status"]),
            "junk": "/" + "".join(rng.choices(string.ascii_letters + string.digits + "%/._~-", k=rng.randint(0, 20)))
            }[page]
    posted = page in ("upload", "uploaded")
    method = rng.choice(["POST"] * (6 if posted else 1) + ["GET"] * (2 if posted else 8) + ["HEAD", "PUT", "DELETE",
                                                                                          "OPTIONS"])
    headers = {}
    if rng.random() < 0.3:
        headers["host"] = rng.choice(HOSTS)
    if rng.random() < 0.4:
        headers["origin"] = rng.choice([BASE, "null", "http://evil.example", "http://127.0.0.1:1", "x"])
    if rng.random() < 0.3:
        headers["sec-fetch-site"] = rng.choice(["same-origin", "cross-site", "same-site", "none", "?"])
    if rng.random() < 0.2:
        headers["cookie"] = rng.choice(["footprint_session=x", "footprint_session=" + "A" * 43, "a=b; c", "=;="])
    body: dict[str, Any] = {}
    if method != "GET" and rng.random() < 0.8:
        field = rng.choice([token, "", "0" * 64, "x"])
        shape = rng.choice(["form", "file", "raw"])
        if shape == "form":
            body["data"] = {"csrf_token": field, rng.choice(["file", "a"]): rng.choice(IDS)}
        elif shape == "file":
            content = rng.choice([yaml_bytes(small_network_data()), bytes(rng.getrandbits(8) for _ in range(40)),
                                  b"PK\x03\x04" + bytes(20), b"name: [", b""])
            name = rng.choice(["net.yaml", "net.xlsx", "net.zip", "net.exe", "", "../../x.yaml", "名.yml"])
            body["files"] = {"file": (name, content)}
            body["data"] = {"csrf_token": field}
        else:
            body["content"] = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
            headers["content-type"] = rng.choice(["multipart/form-data", "application/x-www-form-urlencoded",
                                                  "multipart/form-data; boundary=x", "text/plain"])
    return method, path, headers, body


@pytest.mark.slow
def test_requests_to_the_app_get_an_answer_never_a_crash(tmp_path: Path) -> None:
    rng = random.Random(20261209)
    store = tmp_path / "web.sqlite"
    plan = solved(small_network_data())
    with RunStore(store) as opened:
        opened.save_run(run_record(plan, name="small", data=small_network_data(), settings={}), encode_tables(plan))
    statuses: Counter[int] = Counter()
    with app_client(web_app(store)) as client:
        token = form_token(client)
        for case in range(APP_CASES):
            method, path, headers, body = _request(rng, token)
            try:
                answer = client.request(method, path, headers=headers, follow_redirects=False, **body)
            except (httpx.InvalidURL, UnicodeEncodeError):  # a request no client can send
                continue
            where = f"case {case}: {method} {path} {headers} {str(body)[:200]}"
            assert answer.status_code < 500, f"{where}: {answer.status_code}: {answer.text[-600:]}"
            assert "Traceback" not in answer.text, where
            assert "internal error" not in answer.text, where
            statuses[answer.status_code] += 1
    assert statuses[200] + statuses[303] > APP_CASES / 20, statuses  # the requests reach both sides
    assert sum(statuses[code] for code in (400, 403, 404, 405, 422)) > APP_CASES / 4, statuses
