"""What a Plan read back (from a results folder or the run store) must hold: each summary field and each table
column by its kind, checked before anything reads it, so that an edited or damaged file is a message naming
the field (or the column and row), never a crash nor a wrong figure further on.

Every column of every table is declared here once (COLUMNS), by kind: a name (any text or label), a year
(whole, within the plan's horizon), a count (whole, not negative), an amount (finite), a flag (true or
false), and a few that may be missing or unbounded where a plan legitimately has them so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype

NAME, NAME_OR_NONE, YEAR, COUNT, AMOUNT, AMOUNT_OR_NONE, BOUND, FLAG = (
    "name", "name_or_none", "year", "count", "amount", "amount_or_none", "bound", "flag")
COLUMNS: dict[str, str] = {
    **dict.fromkeys(("plant", "product", "market", "sourcing", "pool", "option", "component", "currency", "source",
                     "future", "name", "kind", "supplier", "facility", "origin", "destination", "site",
                     "agreement"), NAME),
    "year": YEAR,
    "mode": NAME_OR_NONE,  # none: no transport (a plant's own components), or a plan from before modes
    "transit_days": AMOUNT_OR_NONE,  # none: unknown
    **dict.fromkeys(("count", "iteration", "cuts", "feasibility_cuts", "committed", "revised"), COUNT),
    **dict.fromkeys(("units", "capacity", "used", "added_capacity", "capex", "demand", "served", "lost", "fixed_cost",
                     "amount", "discounted", "amount_in_currency", "per_unit", "rate", "probability", "npv",
                     "seconds", "value", "originating", "threshold", "duty_saved", "freight"), AMOUNT),
    **dict.fromkeys(("open", "opened", "closed", "assigned", "launched"), FLAG),
}
"""Each column's kind, by its name (a name means one thing in every table)."""
OWN_KINDS: dict[tuple[str, str], str] = {
    ("utilization", "share"): AMOUNT_OR_NONE,  # none where a pool has no capacity
    ("rvc", "rvc"): AMOUNT_OR_NONE,  # none where the units have no value
    ("regret", "own"): AMOUNT_OR_NONE, ("regret", "ev_plan"): AMOUNT_OR_NONE,  # none: no EV plan
    ("revisions", "option"): NAME_OR_NONE, ("revisions", "product"): NAME_OR_NONE,  # by the revision's kind
    ("revisions", "market"): NAME_OR_NONE,
    ("iterations", "lower"): BOUND, ("iterations", "upper"): BOUND, ("iterations", "gap"): BOUND,
}
"""Columns whose kind is their table's own."""
REVISION_KINDS = ("build", "opens", "closes", "assignment", "single_source")
YEARS = (1900, 2200)
"""The years a scenario may have (scenario/figures.py): a plan's, when its summary gives no horizon."""
_SHOWN = 60


class FieldError(ValueError):
    """A field of a Plan's summary, or a cell of one of its tables, that is not what it must be: ``table``,
    ``column`` and ``row`` (0-based, the table's) say where (no table: the summary), ``str()`` what is wrong."""

    def __init__(self, message: str, column: str | None = None, row: int | None = None,
                 table: str | None = None) -> None:
        super().__init__(message)
        self.table, self.column, self.row = table, column, row


def shown(value: Any) -> str:
    """A value as a message quotes it: JSON where it is plain data, bounded."""
    try:
        text = json.dumps(value, allow_nan=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


# The summary: each field's check, by name; a check returns what is expected, or None when the value is so.

Check = Callable[[Any], str | None]


def _number(low: float = -math.inf, high: float = math.inf, *, infinite: bool = False, none: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if value is None and none:
            return None
        fine = (isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)
                and (infinite or math.isfinite(value)) and low <= value <= high)
        if fine:
            return None
        bounds = (f" from {low:g} to {high:g}" if math.isfinite(low) and math.isfinite(high) else
                  f" of at least {low:g}" if math.isfinite(low) else f" of at most {high:g}" if math.isfinite(high)
                  else "")
        return f"{'a' if infinite else 'a finite'} number{bounds}" + (" or null" if none else "")
    return check


def _whole(low: int = 0, high: float = math.inf, *, none: bool = False, what: str = "a whole number") -> Check:
    def check(value: Any) -> str | None:
        if value is None and none:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return None
        return what + ("" if high == math.inf else f" from {low} to {high:g}") + (" or null" if none else "")
    return check


def _text(*, none: bool = False, choices: tuple[str, ...] = ()) -> Check:
    def check(value: Any) -> str | None:
        if (value is None and none) or (isinstance(value, str) and (not choices or value in choices)):
            return None
        said = f"one of {', '.join(choices)}" if choices else "a text"
        return said + (" or null" if none else "")
    return check


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _list_of(item: Check, what: str) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, list) and all(item(each) is None for each in value):
            return None
        return f"a list of {what}"
    return check


def _record(fields: Mapping[str, Check], what: str) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, dict) and all(key in value and field(value[key]) is None for key, field in fields.items()):
            return None
        return what
    return check


def _mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) else "an object"


def _horizon(value: Any) -> str | None:
    years = _whole(*YEARS)
    if isinstance(value, list) and len(value) == 2 and all(years(y) is None for y in value) and value[0] <= value[1]:
        return None
    return f"[first year, last year], years from {YEARS[0]} to {YEARS[1]}"


def _futures(value: Any) -> str | None:
    probability = _number(0.0, 1.0)
    if isinstance(value, dict) and value and all(probability(p) is None for p in value.values()):
        return None
    return "an object of each future's probability (a number from 0 to 1)"


_PLANT_DECISION = _record({"plant": _text(), "candidate": _flag, "closable": _flag,
                           "opened": _whole(*YEARS, none=True), "closed": _whole(*YEARS, none=True)},
                          "a plant, whether it is a candidate and closable, and the years it opens and closes")
_SITE_DECISION = _record({"kind": _text(choices=("supplier", "facility")), "site": _text(), "candidate": _flag,
                          "closable": _flag, "opened": _whole(*YEARS, none=True), "closed": _whole(*YEARS, none=True)},
                         "a supplier or facility, whether it is a candidate and closable, and the years it opens and "
                         "closes")
_YEARS_DECIDED = _list_of(_whole(*YEARS), "years")


def _decided(*keys: str) -> Check:
    """A list of what a stochastic plan decides now: each a record of ``keys`` (names) and its years."""
    return _list_of(_record({**{key: _text() for key in keys}, "years": _YEARS_DECIDED},
                            f"{', '.join(keys)} and the years decided"), "decisions made now")


SUMMARY: dict[str, Check] = {
    "kind": _text(choices=("stochastic",)), "scenario": _text(), "status": _text(),
    "objective_sense": _text(choices=("minimize_cost", "maximize_profit")), "objective": _number(),
    "bound": _number(infinite=True, none=True), "gap": _number(0.0, infinite=True, none=True), "currency": _text(),
    "horizon": _horizon, "message": _text(none=True),
    **dict.fromkeys(("build_seconds", "solve_seconds", "load_seconds"), _number(0.0, none=True)),
    **dict.fromkeys(("variables", "integer_variables", "constraints", "iterations"), _whole()),
    "builds": _list_of(_mapping, "objects"), "plant_decisions": _list_of(_PLANT_DECISION, "plant decisions"),
    # a stochastic plan's
    "expected": _number(),
    **dict.fromkeys(("wait_and_see", "expected_value", "evpi", "expected_of_expected_value", "waiting", "vss"),
                    _number(none=True)),  # none: no plan (the mean future's), or not measured
    "unmeasured": _text(none=True), "notes": _list_of(_text(), "texts"),
    "risk_weight": _number(0.0), "alpha": _number(0.0, 1.0), "revise_from": _whole(*YEARS, none=True),
    "decisions": _list_of(_text(), "texts"), "solver": _mapping, "method": _text(), "futures": _futures,
    "assignment_decisions": _decided("plant", "product"), "sourcing_decisions": _decided("plant", "product", "option"),
    "single_source_decisions": _decided("plant", "product", "market"),
    "site_decisions": _list_of(_SITE_DECISION, "supplier and facility decisions"),
}
"""What each field of a Plan's summary must be, when it is there."""
REQUIRED = ("objective", "status", "currency")
STOCHASTIC_REQUIRED = (*REQUIRED, "expected", "wait_and_see", "expected_value", "expected_of_expected_value",
                       "waiting", "risk_weight", "alpha", "revise_from", "method", "futures")
"""The fields a Plan's summary must have (a stochastic plan's, what its views read)."""


def summary_problem(summary: Any) -> str | None:
    """What is wrong with a Plan's summary read back (not an object, a field missing, or one not what it must
    be: its name, what it must be and what it is), or None."""
    if not isinstance(summary, dict):
        return f"expected an object of the plan's figures, found {shown(summary)}"
    required = STOCHASTIC_REQUIRED if summary.get("kind") == "stochastic" else REQUIRED
    for key in required:
        if key not in summary:
            return f"{key} is missing"
    for key, check in SUMMARY.items():
        if key in summary:
            expected = check(summary[key])
            if expected is not None:
                return f"{key}: expected {expected}, found {shown(summary[key])}"
    return None


# The tables: each column checked whole (no loop over rows), and given its type where it was read as another.

@dataclass(frozen=True)
class _Column:
    kind: str
    years: tuple[int, int]

    def expected(self) -> str:
        return {NAME: "a name", NAME_OR_NONE: "a name or nothing", YEAR: f"a year from {self.years[0]} to "
                f"{self.years[1]}", COUNT: "a whole number, not negative", AMOUNT: "a finite number",
                AMOUNT_OR_NONE: "a finite number or nothing", BOUND: "a number", FLAG: "True or False"}[self.kind]


def text_names(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (the Plan's table ``table``) with each name column held as plain Python objects given pandas' text
    type, when every value is a text (an empty column too), or a text or nothing in a column that may name nothing
    (a transport mode): the type such a column has when read back from a store (Arrow's strings), so that a plan
    and the same plan read back have the same types. Categories, and columns holding other values (a label read
    as a number), are left as they are."""
    def texts(column: str) -> bool:
        kind = OWN_KINDS.get((table, column), COLUMNS.get(column))
        if frame[column].dtype != object or kind not in (NAME, NAME_OR_NONE):
            return False
        return bool(frame[column].map(lambda value: isinstance(value, str) or (kind == NAME_OR_NONE and value is None))
                    .all())

    text = [column for column in frame.columns if texts(str(column))]
    return frame.astype(dict.fromkeys(text, "str")) if text else frame


def checked_table(table: str, frame: pd.DataFrame, horizon: tuple[int, int] | None = None) -> pd.DataFrame:
    """``frame`` (the Plan's table ``table``) with each column checked by its kind and, where it was read as
    another type (a CSV edited by hand), given its own; FieldError naming the column and the first bad row.
    Years must lie within ``horizon`` (else within YEARS)."""
    changed: dict[str, pd.Series] = {}
    for column in frame.columns:
        kind = OWN_KINDS.get((table, str(column)), COLUMNS.get(str(column)))
        if kind is None:
            continue
        converted = _checked_column(frame[column], _Column(kind, horizon or YEARS), str(column))
        if converted is not None:
            changed[str(column)] = converted
    if table == "revisions" and len(frame):
        _first(~frame["kind"].astype(str).isin(REVISION_KINDS), frame["kind"], "kind",
               f"one of {', '.join(REVISION_KINDS)}")
    return text_names(table, frame.assign(**changed) if changed else frame)


def _checked_column(series: pd.Series, column: _Column, name: str) -> pd.Series | None:
    """The column checked; the same column with its own type where it had another, else None."""
    kind = column.kind
    if kind in (NAME, NAME_OR_NONE):
        bad = series.isna() if kind == NAME else pd.Series(False, index=series.index)
        if series.dtype == object:  # a name is a text or a label read as a number, nothing else
            bad |= ~series.map(lambda v: v is None or (isinstance(v, str | int | float | np.number)
                               and not isinstance(v, bool))).astype(bool)
        _first(bad, series, name, column.expected())
        return None
    if kind == FLAG:
        if is_bool_dtype(series) and not series.isna().any():
            return None
        flags = series.map(_FLAGS.get if series.dtype == object else lambda v: v if isinstance(v, bool) else None)
        _first(flags.isna(), series, name, column.expected())
        return flags.astype(bool)
    numbers = series if is_numeric_dtype(series) and not is_bool_dtype(series) else \
        pd.to_numeric(series.where(~series.map(lambda v: isinstance(v, bool))), errors="coerce")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(values)
    bad = missing & series.notna().to_numpy()  # not a number
    if kind not in (AMOUNT_OR_NONE, BOUND):
        bad |= missing
    if kind != BOUND:
        bad |= np.isinf(values)
    if kind in (YEAR, COUNT):
        with np.errstate(invalid="ignore"):
            bad |= ~missing & (np.mod(values, 1) != 0)
        low, high = column.years if kind == YEAR else (0, math.inf)
        bad |= ~missing & ((values < low) | (values > high))
    _first(pd.Series(bad, index=series.index), series, name, column.expected())
    if kind in (YEAR, COUNT):
        return None if is_integer_dtype(series) else pd.Series(values.astype(np.int64), index=series.index)
    return None if numbers is series else numbers.astype(float)


_FLAGS = {True: True, False: False, "True": True, "False": False, "true": True, "false": False}


def _first(bad: pd.Series, series: pd.Series, name: str, expected: str) -> None:
    """FieldError for the first row of ``bad``, if any."""
    rows = np.flatnonzero(bad.to_numpy(dtype=bool))
    if len(rows):
        value = series.iloc[rows[0]]
        found = "nothing" if _missing(value) else shown(value.item() if hasattr(value, "item") else value)
        raise FieldError(f"expected {expected}, found {found}", name, int(rows[0]))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def checked_plan(summary: Any, tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables of a Plan read back, each checked (:func:`checked_table`) after its summary
    (:func:`summary_problem`), and a stochastic plan's futures the same in both; FieldError for the first
    thing wrong."""
    problem = summary_problem(summary)
    if problem is not None:
        raise FieldError(problem)
    horizon = summary.get("horizon")
    checked = {}
    for name, frame in tables.items():
        try:
            checked[name] = checked_table(name, frame, None if horizon is None else (horizon[0], horizon[1]))
        except FieldError as error:
            error.table = name
            raise
    if summary.get("kind") == "stochastic" and "name" in checked.get("regret", {}):  # else its columns are wrong,
        _check_futures(list(summary["futures"]), checked)  # which the Plan says
    return checked


def _check_futures(futures: list[str], tables: Mapping[str, pd.DataFrame]) -> None:
    """The regret table's names are the summary's futures, in order, and every other table's rows are theirs."""
    names = [str(name) for name in tables["regret"]["name"]]
    if names != futures:
        raise FieldError(f"its futures are {shown(names)}, the summary's {shown(futures)}", "name", table="regret")
    for table, frame in tables.items():
        if "future" in frame.columns:
            strange = np.flatnonzero(~frame["future"].astype(str).isin(futures).to_numpy())
            if len(strange):
                raise FieldError(f"future {shown(str(frame['future'].iloc[strange[0]]))} is none of the summary's "
                                 "futures", "future", int(strange[0]), table)


__all__ = ["COLUMNS", "SUMMARY", "FieldError", "checked_plan", "checked_table", "shown", "summary_problem",
           "text_names"]
