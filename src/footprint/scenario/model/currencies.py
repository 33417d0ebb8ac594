"""Exchange rates: a number, a number per year, the ECB history, or a rule (hold, path, peg)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    model_validator,
)

from footprint.scenario.model.base import Entity
from footprint.scenario.model.codes import Currency
from footprint.scenario.model.figures import (
    MIN_RATE,
    RATE_EXPECTED,
    Num,
    Rate,
    Year,
    dump_number,
    error_details,
    number_text,
    parse_series,
    value_of,
)


class FxRule(Entity):
    """Rates by rule instead of by number: ECB history, a hold, a path, or a peg."""

    history: Literal["ecb"] | None = Field(
        "ecb", description="Past years: annual means of the ECB daily reference rates (offline)."
    )
    hold_after: Year | None = Field(
        None, description="Years after this one repeat its rate (what a planner knew in that year)."
    )
    future: Literal["hold_last", "mean_last_5"] = Field(
        "hold_last", description="Years past the data: repeat the last year, or the mean of the last five."
    )
    path: dict[Year, Rate] = Field(
        default_factory=dict, description="Given rates for given years; they override everything else."
    )
    peg: Currency | None = Field(None, description="Pegged to this currency ...")
    rate: Rate | None = Field(None, description="... at this many units per unit of it.")

    @model_validator(mode="after")
    def _peg_has_rate(self) -> FxRule:
        if (self.peg is None) != (self.rate is None):
            raise ValueError("a peg needs both peg (the currency) and rate")
        return self


RULE_KEYS = set(FxRule.model_fields)


def _fx_spec(raw: Any) -> Any:
    if isinstance(raw, FxRule):
        return raw
    if raw == "ecb":
        return FxRule()
    if isinstance(raw, dict) and raw and set(raw) <= RULE_KEYS and "value" not in raw:
        try:
            return FxRule.model_validate(raw)
        except ValidationError as err:
            raise ValueError(f"expected an FX rule: {error_details(err)}") from None
    series = parse_series(raw)
    for year, rate in (series.items() if isinstance(series, dict) else [(None, series)]):
        if not value_of(rate) >= MIN_RATE:
            where = "" if year is None else f"year {year}: "
            raise ValueError(f"{where}expected a rate {RATE_EXPECTED}, found {number_text(value_of(rate))}")
    return series


def _dump_spec(spec: Any) -> Any:
    if isinstance(spec, FxRule):
        return spec.model_dump(exclude_defaults=True) or "ecb"
    return dump_number(spec)


FxSpec = Annotated[Num | dict[int, Num] | FxRule, PlainValidator(_fx_spec), PlainSerializer(_dump_spec)]
"""A currency's rates: a number, a number per year, ``ecb``, or an FxRule."""


def _rule_shorthand(raw: Any) -> Any:
    return FxRule() if raw == "ecb" else raw



FxDefault = Annotated[FxRule, BeforeValidator(_rule_shorthand)]
"""The rule for currencies not listed (``ecb`` is short for the ECB history)."""
