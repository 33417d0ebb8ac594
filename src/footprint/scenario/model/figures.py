"""Numbers that may carry a source and a low/high range, and per-year series of them.

Any number in a scenario may be written plainly (``17000``) or as a figure
(``{value: 17000, low: 15500, high: 18500, source: "...", assumption: "..."}``).
Plain numbers stay plain floats so that large tables load fast and round-trip
exactly; a figure keeps its provenance for reports and sensitivity ranges (a figure
that gives nothing but its value is a plain number).

A per-year series (demand, capacity, price, penalty) is one number for every year, a number
per year (``{2012: 142000, 2013: ...}``), or a start and a growth rate (``{from: 120000,
growth: 0.05}``: 120000 in the horizon's first year, x1.05 each year after).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    model_validator,
)

from footprint.scenario.model.text import pydantic_loc, pydantic_message, short

MAX_MAGNITUDE = 1e15
"""The largest number a scenario may hold: far above any real amount (1e15 is US$1bn in Vietnamese
dong a million times over), and below what the solver takes as infinite or refuses in its matrix."""
LARGEST = f"{MAX_MAGNITUDE:.0e}".replace("e+", "e")
"""MAX_MAGNITUDE as messages write it: 1e15."""


def _not_bool(raw: Any) -> Any:
    """YAML reads true/false as booleans, which Python would take as 1 and 0: refuse them as numbers."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, found {str(raw).lower()}")
    return raw


def _real(raw: Any) -> float:
    """A finite float of at most MAX_MAGNITUDE, from a number or a number written as text (not a boolean)."""
    if type(raw) is float and -MAX_MAGNITUDE <= raw <= MAX_MAGNITUDE:  # most numbers of a large file: at once
        return raw
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, found {str(raw).lower()}")
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:
            raise ValueError(f"expected a number, found one too large ({short(raw)})") from None
    elif isinstance(raw, str):
        # YAML 1.1 reads 160e6 (no dot) as text; accept it as the number it is.
        try:
            number = float(raw.replace("_", ""))
        except ValueError:
            raise ValueError(f"expected a number, found {short(raw)}") from None
    else:
        raise ValueError(f"expected a number, found {short(raw)}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, found {short(raw)}")
    if abs(number) > MAX_MAGNITUDE:
        raise ValueError(f"expected a number of at most {LARGEST} in size (the largest a scenario may hold), "
                         f"found {number:g}")
    return number


Real = Annotated[float, PlainValidator(_real)]
"""A plain finite number (no figure), such as a latitude or a solver setting."""
NotBool = BeforeValidator(_not_bool)
"""For an int or float field with bounds: refuses true/false before the bounds are checked."""


class Figure(BaseModel):
    """A number with its provenance: where it comes from, and how sure we are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Real = Field(description="The value used.")
    low: Real | None = Field(None, description="Low end of the plausible range.")
    high: Real | None = Field(None, description="High end of the plausible range.")
    source: str | None = Field(None, description="Where the value comes from.")
    assumption: str | None = Field(
        None, description="Reasoning, when the value is an assumption rather than a sourced fact."
    )

    @model_validator(mode="after")
    def _value_within_range(self) -> Figure:
        if self.low is not None and self.value < self.low:
            raise ValueError(f"value {self.value:g} is below its low {self.low:g}")
        if self.high is not None and self.value > self.high:
            raise ValueError(f"value {self.value:g} is above its high {self.high:g}")
        return self


def is_figure(raw: Any) -> bool:
    """Whether plain data is a figure written with its provenance (``{value: 2400, source: ...}``): a mapping
    with a value and only a Figure's fields, not an entity that has a ``value`` field (a component's)."""
    return isinstance(raw, dict) and "value" in raw and set(raw) <= set(Figure.model_fields)


Num = float | Figure


def value_of(number: Num) -> float:
    """The plain value of a number or a figure."""
    return number.value if isinstance(number, Figure) else float(number)


def error_details(err: ValidationError) -> str:
    """A pydantic error's problems on one line: ``loc: message; ...``."""
    return "; ".join(
        (".".join(str(part) for part in pydantic_loc(error)) + ": " if pydantic_loc(error) else "")
        + pydantic_message(error)
        for error in err.errors()
    )


def _number(raw: Any) -> Num:
    if isinstance(raw, Figure):
        return raw
    if isinstance(raw, dict):
        if set(raw) == {"value"}:  # no provenance: a plain number (as a table writes it)
            return _number(raw["value"])
        try:
            return Figure.model_validate(raw)
        except ValidationError as err:
            details = error_details(err)
            raise ValueError(f"expected a figure {{value, low, high, source, assumption}}: {details}") from None
    return _real(raw)


def number_text(number: float) -> str:
    """A number for a message: the shorter of its 6 significant digits and its exact shortest form (5e-324, not
    4.94066e-324)."""
    return min(f"{number:g}", repr(number), key=len)


def _bounded(check: Callable[[float], bool], expected: str) -> Callable[[Any], Num]:
    def parse(raw: Any) -> Num:
        number = _real(raw) if type(raw) in (int, float) else _number(raw)
        if not check(value_of(number)):
            raise ValueError(f"expected a number {expected}, found {number_text(value_of(number))}")
        return number

    return parse


def dump_number(number: Any) -> Any:
    if isinstance(number, Figure):
        return number.model_dump(exclude_none=True)
    if isinstance(number, Growth):
        return number.model_dump(by_alias=True, exclude_none=True)
    if isinstance(number, dict):
        return {year: dump_number(value) for year, value in number.items()}
    return number


_DUMP = PlainSerializer(dump_number)
AnyNumber = Annotated[Num, PlainValidator(_number), _DUMP]
NonNegative = Annotated[Num, PlainValidator(_bounded(lambda v: v >= 0, ">= 0")), _DUMP]
Positive = Annotated[Num, PlainValidator(_bounded(lambda v: v > 0, "> 0")), _DUMP]
Fraction = Annotated[Num, PlainValidator(_bounded(lambda v: 0 <= v <= 1, "from 0 to 1")), _DUMP]
"""A share, 0 to 1 (0.35 = 35%)."""
MIN_RATE = 1 / MAX_MAGNITUDE
RATE_EXPECTED = f">= {MIN_RATE:g} (an exchange rate's inverse, what one unit is worth, is a number too: at most " \
                f"{MAX_MAGNITUDE:g})"
Rate = Annotated[Num, PlainValidator(_bounded(lambda v: v >= MIN_RATE, RATE_EXPECTED)), _DUMP]
"""An exchange rate: units of a currency per unit of another, from 1e-15 to 1e15 (never one that divides to
infinity)."""

FIRST_YEAR, LAST_YEAR = 1900, 2200
"""The years a scenario may name: wider than any planning horizon or history it draws on."""


def _year(raw: Any) -> int:
    """A year from FIRST_YEAR to LAST_YEAR, written as a number or as text (a mapping's key)."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a year, found {str(raw).lower()}")
    try:
        year = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"expected a year, found {short(raw)}") from None
    if year != raw and str(year) != str(raw).strip():
        raise ValueError(f"expected a whole year, found {short(raw)}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, found {year}")
    return year


Year = Annotated[int, PlainValidator(_year)]


def parse_series(raw: Any) -> Num | dict[int, Num]:
    """One number (>= 0), or a mapping of years to numbers (>= 0)."""
    parse = _bounded(lambda v: v >= 0, ">= 0")
    if isinstance(raw, dict) and "value" not in raw:
        series: dict[int, Num] = {}
        for key, number in raw.items():
            year = _year(key)
            try:
                series[year] = parse(number)
            except ValueError as err:
                raise ValueError(f"year {year}: {err}") from None
        return series
    if isinstance(raw, dict) and len(raw) > 1 and all(_is_year(key) for key in raw if key != "value"):
        raise ValueError("give one value for every year or a value per year, not both")
    return parse(raw)


def _is_year(key: Any) -> bool:
    return isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit())


class Growth(BaseModel):
    """A series by its start and yearly growth: ``{from: 120000, growth: 0.05}``.

    ``from`` is the value in the horizon's first year unless ``from_year`` names another year;
    year t gets ``from * (1 + growth) ** (t - from_year)`` (before from_year too, at the same rate).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: NonNegative = Field(alias="from", description="The value in from_year (default: the horizon's first "
                               "year).")
    growth: Annotated[Num, PlainValidator(_bounded(lambda v: v > -1, "> -1")), _DUMP] = Field(
        description="Yearly growth (0.05 = +5% a year; negative for a decline).")
    from_year: Year | None = Field(None, description="The year of `from` (default: the horizon's first year).")

    def over(self, years: Sequence[int]) -> list[float]:
        """The value in each of ``years``, the horizon's years (its first is where ``from`` applies by default)."""
        if not years:
            return []
        base = self.from_year if self.from_year is not None else years[0]
        start, factor = value_of(self.start), 1.0 + value_of(self.growth)
        return [start * factor ** (year - base) for year in years]


Series = Num | dict[int, Num] | Growth


def parse_year_series(raw: Any) -> Series:
    """A per-year series: a number, a number per year, or a start and growth (``{from: ..., growth: ...}``)."""
    if isinstance(raw, Growth):
        return raw
    if isinstance(raw, dict) and ("from" in raw or "growth" in raw):
        try:
            return Growth.model_validate(raw)
        except ValidationError as err:
            raise ValueError(f"expected a growth series {{from, growth, from_year}}: {error_details(err)}") from None
    return parse_series(raw)


YearSeries = Annotated[Series, PlainValidator(parse_year_series), _DUMP]
"""One number (>= 0) for every year, a number per year (``{2012: 142000, 2013: ...}``), or a start and
growth (``{from: 120000, growth: 0.05}``)."""


def series_value(series: Num | dict[int, Num], year: int) -> float | None:
    """The value for one year, or None where a per-year series has no entry (not for growth series: see
    :func:`year_values`)."""
    if isinstance(series, dict):
        number = series.get(year)
        return None if number is None else value_of(number)
    return value_of(series)


def year_values(series: Series, years: Sequence[int]) -> list[float | None]:
    """The value in each of ``years``, the horizon's years (a growth series starts at the first unless it
    names its from_year); None where a per-year series has no entry."""
    if isinstance(series, Growth):
        return list(series.over(years))
    return [series_value(series, year) for year in years]
