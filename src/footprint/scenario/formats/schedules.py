"""Import the general (MFN) rates of a public tariff schedule as a regime file.

Three publishers' layouts are read, as CSV, as an Excel workbook (.xlsx) and, for the US, as JSON:

- ``us-hts``: the US Harmonized Tariff Schedule as hts.usitc.gov exports it: columns "HTS Number", "Indent",
  "Description", "Unit of Quantity", "General Rate of Duty", "Special Rate of Duty", "Column 2 Rate of Duty",
  "Quota Quantity", "Additional Duties" (JSON: objects with htsno, indent, description, general, special,
  other, ...). The general rate is read; rows without a number (superior text) or without a rate (statistical
  suffixes, which take their line's rate) are passed over.
- ``uk-global``: the UK Global Tariff as the UK government publishes it: columns "commodity", "description",
  "cet_duty_rate", "ukgt_duty_rate", "change", ...; the ukgt_duty_rate is read.
- ``eu-cn``: the EU's TARIC extraction "Duties Import 01-99" (CIRCABC, monthly): columns "Goods code"
  (`8703231900 80`), "Origin code" or "Origin", "Meas. type code" or "Measure type", "Duty" (`10.000 %`), and
  "Start date", "End date"; the rows of measure 103 (third country duty) for origin 1011 (ERGA OMNES) are read.

Only ad valorem rates can be expressed ("2.5%", "Free", "10.000 %"): a specific or compound duty ("2.4¢/kg",
"25¢ each + 3.9%", "77.00 GBP/100kg"), or any other text, is left out with a warning naming its line. Trailing
`00` pairs of a code are dropped (8507.60.00 is all of 8507.60, not subdivided), every class is written dotted
(8703.23.19), and a line whose rate is that of the line above it is left out: under the class hierarchy it
adds nothing. Given classes of interest, only lines under or above them are kept, and where every line under a
class carries one ad valorem rate (none left out), that rate is written on the class itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.scenario.formats.excelio import open_workbook
from footprint.scenario.formats.sources import ScenarioError, read_bytes
from footprint.scenario.formats.yamlio import dump_yaml
from footprint.scenario.model.checks import Problem
from footprint.scenario.model.classes import hs_digits, overlap
from footprint.scenario.model.text import printable, short
from footprint.scenario.model.trade import ANY_ORIGIN

MAX_SCHEDULE_BYTES = 256 * 2**20
"""A whole schedule is tens of MiB at most (the US HTS as JSON about 30)."""
MOST_PLAUSIBLE = 10.0
"""An ad valorem rate above 1000% is no real schedule's: a misread number."""


@dataclass(frozen=True)
class Publisher:
    name: str
    """As a rate's source names it."""
    destination: str
    """Where its rates apply, by default."""
    rate_column: str
    """The column whose text is the rate, for messages."""


FORMATS = {
    "us-hts": Publisher("US Harmonized Tariff Schedule (USITC)", "US", "General Rate of Duty"),
    "uk-global": Publisher("UK Global Tariff (UK government)", "GB", "ukgt_duty_rate"),
    "eu-cn": Publisher("EU Common Customs Tariff, TARIC third country duty (European Commission)", "EU", "Duty"),
}


@dataclass(frozen=True)
class Line:
    """One rate of the schedule: its code's digits (trailing 00 pairs dropped) and where it was written."""

    digits: str
    code: str
    """As the file writes it."""
    rate: float
    text: str
    """The rate as written."""
    place: str
    """Where in the file: `line 17`, `entry 5` (JSON), `sheet Duties, row 3`."""
    description: str = ""


@dataclass
class Schedule:
    """The rates read from a schedule, and what could not be read, line by line."""

    lines: dict[str, Line] = field(default_factory=dict)
    left_out: list[tuple[str | None, str]] = field(default_factory=list)
    """Each row left out: its code's digits (None: no HS code) and why, naming the file and line."""
    rows: int = 0
    """Rows that carry a code and a rate, whether read or left out."""

    @property
    def warnings(self) -> list[str]:
        return [message for _, message in self.left_out]

    def warnings_for(self, classes: list[str] | None) -> list[str]:
        """The rows left out under or above ``classes`` (None: all), and those of no HS code."""
        wanted = None if classes is None else [hs_digits(c) or c for c in classes]
        return [message for digits, message in self.left_out
                if wanted is None or digits is None or any(overlap(digits, c) for c in wanted)]


def read_schedule(path: Path, fmt: str, *, date: dt.date | None = None) -> Schedule:
    """Every ad valorem rate of the schedule in ``path`` (``fmt``: a key of FORMATS); ScenarioError for a file
    that is no such schedule (empty, binary, without the columns, no rate in it)."""
    name = printable(str(path))
    raw = read_bytes(path, "tariff schedule", MAX_SCHEDULE_BYTES)
    if fmt == "us-hts" and path.suffix.lower() == ".json":
        table = _json_rows(raw, name)
    elif path.suffix.lower() == ".xlsx":
        table = _sheet_rows(raw, name)
    else:
        table = _csv_rows(raw, name)
    schedule = Schedule()
    entries = {"us-hts": _hts_entries, "uk-global": _uk_entries, "eu-cn": _eu_entries}[fmt]
    for place, code, text, description in entries(table, name, date, schedule.left_out):
        schedule.rows += 1
        _add(schedule, name, place, code, text, description, fmt)
    if not schedule.lines:
        found = f"{schedule.rows:,} rows with a rate, none ad valorem" if schedule.rows else "no row with a rate"
        raise ScenarioError(name, [Problem((), f"no ad valorem rate read ({found}); is it a {fmt} schedule?")])
    return schedule


def _at(name: str, place: str) -> str:
    """A place in a file as messages give it: `FILE:17` for a line, `FILE, entry 5` for anything else."""
    return f"{name}:{place.removeprefix('line ')}" if place.startswith("line ") else f"{name}, {place}"


def _add(schedule: Schedule, name: str, place: str, code: str, text: str, description: str, fmt: str) -> None:
    where = _at(name, place)
    digits = _digits(code, fmt)
    if digits is None:
        schedule.left_out.append((None, f"{where}: {short(code)} is not an HS code; left out"))
        return
    rate, why = ad_valorem(text)
    if rate is None:
        schedule.left_out.append((digits, f"{where}: {code}: {short(text)} {why}; left out"))
        return
    line = Line(digits, code, rate, text.strip(), place, description)
    first = schedule.lines.setdefault(digits, line)
    if first is not line and first.rate != rate:
        schedule.left_out.append((digits, f"{where}: {code}: {short(text)} differs from the rate of the same code "
                                          f"at {first.place} ({short(first.text)}); that one is kept"))


def _digits(code: str, fmt: str) -> str | None:
    """The code's digits without trailing 00 pairs (not below a heading), None for no HS code. A UK or EU code
    of 7 or 9 digits lost its leading zero to a spreadsheet (0101210000 read as a number)."""
    digits = hs_digits(code.strip())
    if digits is None and fmt != "us-hts" and code.strip().isdigit() and len(code.strip()) in (7, 9):
        digits = hs_digits("0" + code.strip())
    if digits is None:
        return None
    while len(digits) > 4 and digits.endswith("00"):
        digits = digits[:-2]
    return digits


_MARKUP = re.compile(r"<[^>]*>")
_FOOTNOTE = re.compile(r"(?<=[%e])\s*(\d+/)+$")  # "2.5%1/", "Free1/": a footnote's number after the rate
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_SPECIFIC = re.compile(r"¢|\$|€|£|\b(EUR|GBP|USD)\b|/\s*\d*\s*(kg|t|l|hl|head|each|pcs|items?|doz|m2|m3)\b|"
                       r"\beach\b|\bper\b", re.IGNORECASE)


def ad_valorem(text: str) -> tuple[float | None, str]:
    """The ad valorem rate ``text`` states (0.025 for "2.5%", 0 for "Free"), or None and why it is not one."""
    clean = _FOOTNOTE.sub("", " ".join(_MARKUP.sub(" ", text).split()))
    if clean.lower() in ("free", "0"):
        return 0.0, ""
    whole = _PERCENT.fullmatch(clean)
    if whole is not None:
        rate = round(float(whole.group(1).replace(",", ".")) / 100, 10)  # "2.700 %" and "2.7%" are one rate
        if rate > MOST_PLAUSIBLE:
            return None, f"is above {MOST_PLAUSIBLE:.0%}, no ad valorem rate of a real schedule"
        return rate, ""
    if _SPECIFIC.search(clean):
        if _PERCENT.search(clean):
            return None, "is a compound duty (ad valorem and per quantity), not ad valorem alone"
        return None, "is a specific duty (per quantity), not ad valorem"
    return None, "is no rate footprint can read (expected a percentage or Free)"


# --- Reading rows --------------------------------------------------------------------------------------------


def _text(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        raise ScenarioError(name, [Problem((), "not a text file (it holds binary data); expected a CSV file, "
                                               "an Excel workbook (.xlsx) or, for us-hts, JSON")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # a spreadsheet's export in Windows' encoding
    if not text.strip():
        raise ScenarioError(name, [Problem((), "file is empty; expected a tariff schedule")])
    return text


def _normal(name: Any) -> str:
    return " ".join(str(name if name is not None else "").split()).lower()


Rows = tuple[list[str], Iterator[tuple[str, dict[str, Any]]]]
"""A table's header (names in lower case, spaces collapsed) and each row after it as {header: value}, with where
it is (file and line, sheet and row, or entry)."""


def _csv_rows(raw: bytes, name: str) -> Rows:
    text = _text(raw, name)
    csv.field_size_limit(2**20)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), [])
    except csv.Error as err:
        raise _unreadable(name, err, 1) from None

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        columns = [_normal(cell) for cell in header]
        start = reader.line_num + 1
        try:
            for row in reader:
                line, start = start, reader.line_num + 1
                if any(cell.strip() for cell in row):
                    yield f"line {line}", dict(zip(columns, row, strict=False))
        except csv.Error as err:
            raise _unreadable(name, err, start) from None

    return [_normal(cell) for cell in header], rows()


def _unreadable(name: str, err: csv.Error, line: int) -> ScenarioError:
    return ScenarioError(name, [Problem((), f"not a readable CSV file ({short(str(err), 80)})",
                                        where=f"{name}:{line}")])


def _sheet_rows(raw: bytes, name: str) -> Rows:
    workbook = open_workbook(raw, name)
    try:
        sheet = workbook.worksheets[0]
        grid = [(number, row) for number, row in enumerate(sheet.iter_rows(values_only=True), 1)
                if any(cell is not None and str(cell).strip() for cell in row)]
    finally:
        workbook.close()
    header = [_normal(cell) for cell in grid[0][1]] if grid else []
    place = f"sheet {printable(sheet.title)}, row"
    return header, ((f"{place} {number}", dict(zip(header, row, strict=False))) for number, row in grid[1:])


def _json_rows(raw: bytes, name: str) -> Rows:
    try:
        entries = json.loads(_text(raw, name))
    except (json.JSONDecodeError, RecursionError) as err:
        where = f"{name}:{err.lineno}" if isinstance(err, json.JSONDecodeError) else name
        raise ScenarioError(name, [Problem((), "not valid JSON; expected the HTS's list of entries",
                                           where=where)]) from None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ScenarioError(name, [Problem((), "expected a list of HTS entries (objects with htsno, indent, "
                                               "description, general, ...)")])
    header = list(dict.fromkeys(_normal(key) for entry in entries[:1] for key in entry))
    return header, ((f"entry {number}", {_normal(key): value for key, value in entry.items()})
                    for number, entry in enumerate(entries, 1))


def _columns(header: Iterable[str], name: str, fmt: str, wanted: dict[str, tuple[str, ...]],
             optional: Iterable[str] = ()) -> dict[str, str]:
    """The column holding each wanted field (the first of its accepted names the header has); ScenarioError
    naming what is missing and what the header has."""
    have = list(header)
    if not have:
        raise ScenarioError(name, [Problem((), f"file is empty; expected a {fmt} schedule with a header row")])
    found = {what: next((n for n in names if n in have), "") for what, names in wanted.items()}
    missing = [names[0] for what, names in wanted.items() if not found[what] and what not in optional]
    if missing:
        columns = ", ".join(repr(h) for h in have[:12]) + (", ..." if len(have) > 12 else "")
        wanted_text = " or ".join(repr(m) for m in missing)
        raise ScenarioError(name, [Problem((), f"no column {wanted_text}; found {columns}; is this a {fmt} "
                                               "schedule?", where=f"{name}:1")])
    return found


def _cell(row: dict[str, Any], column: str) -> str:
    value = row.get(column) if column else None
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else str(int(value))
    return str(value) if not isinstance(value, (list, dict)) else ""


Entry = tuple[str, str, str, str]
"""Where, code as written, rate text, description."""
LeftOut = list[tuple[str | None, str]]


def _hts_entries(table: Rows, name: str, date: dt.date | None, left_out: LeftOut) -> Iterator[Entry]:
    header, rows = table
    col = _columns(header, name, "us-hts", {"code": ("hts number", "htsno"), "rate": ("general rate of duty",
                   "general"), "indent": ("indent",), "description": ("description",)},
                   optional=("indent", "description"))
    path: list[tuple[str, str]] = []  # (heading, description) of the rows above, by indent (superior text too)
    heading = ""
    for place, row in rows:
        description = " ".join(_MARKUP.sub("", _cell(row, col["description"])).split()).rstrip(":")
        indent = _cell(row, col["indent"])
        depth = int(indent) if indent.isdigit() and int(indent) < 20 else len(path)
        code, rate = _cell(row, col["code"]).strip(), _cell(row, col["rate"]).strip()
        heading = (hs_digits(code) or heading)[:4] if code else heading
        path[depth:] = [(heading, description)]
        if code and _MARKUP.sub("", rate).strip():
            # Only the rows above of the same heading describe it (an excerpt may lack its heading's row).
            yield place, code, rate, ": ".join(text for of, text in path if of == heading and text)


def _uk_entries(table: Rows, name: str, date: dt.date | None, left_out: LeftOut) -> Iterator[Entry]:
    header, rows = table
    col = _columns(header, name, "uk-global", {"code": ("commodity", "commodity code"),
                                                "rate": ("ukgt_duty_rate", "ukgt duty rate"),
                                                "description": ("description",)}, optional=("description",))
    for place, row in rows:
        code, rate = _cell(row, col["code"]).strip(), _rate_cell(row, col["rate"])
        if code and rate:
            yield place, code, rate, " ".join(_cell(row, col["description"]).split())


def _rate_cell(row: dict[str, Any], column: str) -> str:
    """A rate as text; a number (a workbook's percentage cell) is a share: 0.02 is 2%."""
    value = row.get(column)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value * 100:.6g}%"
    return _cell(row, column).strip()


THIRD_COUNTRY_DUTY = "103"
ERGA_OMNES = "1011"


def _eu_entries(table: Rows, name: str, date: dt.date | None, left_out: LeftOut) -> Iterator[Entry]:
    header, rows = table
    col = _columns(header, name, "eu-cn", {
        "code": ("goods code",), "rate": ("duty",), "measure": ("meas. type code", "measure type code"),
        "measure_name": ("measure type",), "origin": ("origin code",), "origin_name": ("origin",),
        "additional": ("add code", "additional code"), "start": ("start date",), "end": ("end date",)},
        optional=("measure", "measure_name", "origin", "origin_name", "additional", "start", "end"))
    if not (col["measure"] or col["measure_name"]) or not (col["origin"] or col["origin_name"]):
        raise ScenarioError(name, [Problem((), "no column 'Meas. type code' or 'Measure type', or none "
                                               "'Origin code' or 'Origin'; is this TARIC's Duties Import file?",
                                           where=f"{name}:1")])
    for place, row in rows:
        measure = _cell(row, col["measure"]).strip()
        origin = _cell(row, col["origin"]).strip()
        if (measure != THIRD_COUNTRY_DUTY if measure else
                _normal(_cell(row, col["measure_name"])) != "third country duty"):
            continue
        if origin != ERGA_OMNES if origin else _normal(_cell(row, col["origin_name"])) != "erga omnes":
            continue
        code = (_cell(row, col["code"]).split() or [""])[0]
        start, end = _day(row.get(col["start"]) if col["start"] else None), _day(
            row.get(col["end"]) if col["end"] else None)
        if (date is not None and ((start is not None and start > date) or (end is not None and end < date))) or (
                date is None and end is not None):
            continue  # not in force on the date (no date: ended)
        additional = _cell(row, col["additional"]).strip()
        if additional:
            left_out.append((hs_digits(code), f"{_at(name, place)}: {code}: the duty applies to goods of additional "
                                              f"code {short(additional)} only; left out"))
            continue
        yield place, code, _rate_cell(row, col["rate"]), ""


def _day(value: Any) -> dt.date | None:
    """A TARIC date: a workbook's date, or text DD-MM-YYYY, DD/MM/YYYY or YYYY-MM-DD; None if empty or unread."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for layout in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


# --- Choosing the lines and writing the regime ----------------------------------------------------------------


def dotted(digits: str) -> str:
    """An HS code as schedules print it: 87, 8703, 8703.23, 8703.23.19, 8703.23.19.90."""
    return digits[:4] + "".join(f".{digits[i:i + 2]}" for i in range(4, len(digits), 2))


def _above(lines: dict[str, Line], digits: str) -> Line | None:
    """The line of the longest code strictly above ``digits``."""
    for length in range(len(digits) - 2, 1, -2):
        if digits[:length] in lines:
            return lines[digits[:length]]
    return None


def chosen_lines(schedule: Schedule, classes: list[str] | None) -> tuple[list[Line], list[str]]:
    """The lines to write, and notes on the classes asked for (None: every line). A line whose rate is that of
    the line above it is left out: under the hierarchy it changes nothing."""
    lines = schedule.lines
    notes: list[str] = []
    if classes is not None:
        chosen: dict[str, Line] = {}
        for wanted in classes:
            digits = hs_digits(wanted) or wanted
            under = {d: line for d, line in lines.items() if d.startswith(digits)}
            above = _above(lines, digits) if digits not in lines else None
            rates = sorted({line.rate for line in under.values()})
            skipped = sum(1 for code, _ in schedule.left_out if code is not None and code.startswith(digits))
            if skipped:
                notes.append(f"{wanted}: {skipped} of its lines left out (not ad valorem): its other lines are kept "
                             "as they are, none written on the class itself")
            if len(rates) == 1 and digits not in under and not skipped:
                codes = [under[d].code for d in sorted(under)]
                listed = ", ".join(codes) if len(codes) <= 4 else f"{', '.join(codes[:3])}, ..., {codes[-1]}"
                first = under[min(under)]
                chosen[digits] = Line(digits, dotted(digits), rates[0], first.text, first.place,
                                      f"{'its line' if len(codes) == 1 else f'all {len(codes)} lines under it'}: "
                                      f"{listed}")
                continue
            chosen.update(under)
            if above is not None:
                chosen[above.digits] = above
            if not under and above is None:
                notes.append(f"{wanted}: the file has no ad valorem rate for it or for a code above it")
            elif len(rates) > 1 and digits not in under and not skipped:
                listed = ", ".join(f"{100 * rate:.4g}%" for rate in rates)
                taken = "none of them" if above is None else f"the rate of {above.code}"
                notes.append(f"{wanted}: its lines carry {len(rates)} rates ({listed}): goods classed {wanted} "
                             f"itself take {taken}; class them by line, or give a rate on the class yourself")
        lines = chosen
    kept = {d: line for d, line in lines.items() if (above := _above(lines, d)) is None or above.rate != line.rate}
    return [kept[d] for d in sorted(kept)], notes


def _tail(description: str, limit: int = 200) -> str:
    """A description as a source quotes it: its end (the most specific part) where it is long."""
    text = printable(" ".join(description.split()))
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


def regime_data(lines: list[Line], fmt: str, destination: str, source: str, date: dt.date | None) -> dict[str, Any]:
    """A regime file's data: the lines as any-origin (MFN) tariffs into ``destination``, each with its source."""
    publisher = FORMATS[fmt]
    since = f" in force from {date.isoformat()}" if date is not None else ""
    tariffs = []
    for line in lines:
        about = f" ({_tail(line.description)})" if line.description else ""
        entry: dict[str, Any] = {"origin": ANY_ORIGIN, "destination": destination,
                                 "product_class": dotted(line.digits)}
        if date is not None:
            entry["from_date"] = dt.date(date.year, date.month, date.day)  # one object each: no YAML alias
        entry["rate"] = {"value": line.rate, "source": f"{source}, {line.place}: {line.code}{about}: "
                                                       f"{publisher.rate_column} {line.text}"}
        tariffs.append(entry)
    return {"description": f"General (MFN) rates into {destination} from the {publisher.name}{since}",
            "tariffs": tariffs}


def regime_file(schedule: Schedule, lines: list[Line], notes: list[str], *, fmt: str, destination: str,
                source: str, date: dt.date | None, read_from: str, written_to: str,
                classes: list[str] | None) -> str:
    """The regime file's text: a comment that says where it comes from and what was left out, then its data."""
    data = regime_data(lines, fmt, destination, source, date)
    scope = ", ".join([fmt, *([f"classes {', '.join(classes)}"] if classes else []),
                       *([f"in force from {date.isoformat()}"] if date else [])])
    header = [*textwrap.wrap(f"{data['description']}: the regime `footprint import tariff-schedule` read from "
                             f"{read_from} ({scope}).", 110),
              "Every figure carries its source: the schedule's file and the line the rate is on. Origin * is the",
              "general (MFN) rate; preferences, additional duties and agreements are not in it. A scenario takes",
              f"these rates with `extends: {written_to}` (its own tariffs, if it gives any, replace the list).",
              "",
              f"{schedule.rows:,} rows with a rate read, {len(schedule.lines):,} of them ad valorem, "
              f"{len(schedule.left_out):,} left out (not ad valorem, or no HS code; "
              f"{len(schedule.warnings_for(classes)):,} of them under the classes); {len(lines):,} tariffs written.",
              *(wrapped for note in notes for wrapped in textwrap.wrap(f"Note: {note}", 110))]
    return "".join(f"# {line}\n" if line else "#\n" for line in header) + "\n" + dump_yaml(data)


__all__ = ["FORMATS", "Line", "Schedule", "ad_valorem", "chosen_lines", "dotted", "read_schedule", "regime_data",
           "regime_file"]
