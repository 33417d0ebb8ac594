"""Parameter paths: where in a scenario's plain data (as read from YAML, variants merged) a value goes.

- ``fx.KRW``: a flat rate for every year (a number), or a rate per year (a mapping of year to
  rate, given as the currency's ``path``), in place of whatever gave KRW its rates;
- ``SECTION[KEY].FIELD...``: ``[KEY]`` picks a list entry by its key (its ``id``: ``plants[busan]``; for
  entries without one, the fields that identify them: ``capabilities[busan/rogue]``, ``tariffs[*/US/8703]``,
  see ``keys``), else by its position from 0 (``tariffs[3]``), or a mapping's key (``demand[my.product]``,
  for keys with a dot); ``.FIELD`` a field or mapping key (``markets[us].demand.rogue``, ``capacity.2014``).
  A number or a figure takes a number (a figure keeps its source and assumption, and its low and
  high where the value lies within them); a per-year series takes it for every year; a name (text
  that is no number, or nothing) takes any value as it is, a number too (``regime: 2012`` names the
  regime 2012); any other value (a regime's name, a mapping, a list) replaces what is there;
- ``growth:PATH``: a per-year series (demand, say) that keeps its first horizon year and grows by
  the value each year after: year t gets ``first * (1 + value) ** (t - start)``.

Only the containers on the path are copied, so YAML anchors elsewhere stay shared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from footprint.scenario.formats.layout import Kind, Shape, fields_of
from footprint.scenario.formats.tabular import cell_value
from footprint.scenario.model.base import Horizon
from footprint.scenario.model.codes import currency_code
from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.figures import Growth, error_details, is_figure
from footprint.scenario.model.keys import KEY, NAME, entry_position, unknown_entry
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.text import short

GROWTH_PREFIX = "growth:"

_NAME, _KEY = NAME.pattern, KEY.pattern
_STEP = re.compile(rf"(?P<name>{_NAME})(?:\[(?P<key>{_KEY})\])?")
_PATH = re.compile(rf"{_NAME}(?:\[{_KEY}\])?(?:\.{_NAME}(?:\[{_KEY}\])?)*")
_EXAMPLES = ("e.g. fx.KRW, plants[busan].fixed_cost, capabilities[busan/rogue].local_cost, tariffs[*/US/8703].rate "
             "or growth:markets[us].demand.rogue")
MISSING = object()
"""Stands for a field the data leaves out (at its default)."""


class ParameterError(ValueError):
    """A parameter path that names nothing usable, or a value it cannot take."""


@dataclass(frozen=True)
class _Selector:
    text: str
    bracketed: bool
    """``[text]`` (a list entry or a mapping key) rather than ``.text`` (a field or mapping key)."""


@dataclass(frozen=True)
class Parameter:
    """A parsed parameter path: where in the scenario's data a trial value goes, and how."""

    path: str
    selectors: tuple[_Selector, ...]
    growth: bool
    fx_currency: str | None

    @classmethod
    def parse(cls, path: str) -> Parameter:
        growth = path.startswith(GROWTH_PREFIX)
        body = path.removeprefix(GROWTH_PREFIX)
        if not _PATH.fullmatch(body):
            raise ParameterError(f"{path}: not a parameter path; expected {_EXAMPLES}")
        selectors: list[_Selector] = []
        for step in _STEP.finditer(body):
            selectors.append(_Selector(step["name"], False))
            if step["key"] is not None:
                selectors.append(_Selector(step["key"], True))
        if selectors[0] != _Selector("fx", False):
            return cls(path, tuple(selectors), growth, None)
        if growth or len(selectors) != 2 or selectors[1].bracketed:
            raise ParameterError(f"{path}: an FX parameter is fx.CURRENCY alone, a flat rate for every year "
                                 "(no growth:, no further fields)")
        try:
            currency = currency_code(selectors[1].text.upper())
        except ValueError as err:
            raise ParameterError(f"{path}: {err}") from None
        return cls(path, tuple(selectors), growth, currency)

    @property
    def names_text(self) -> bool:
        """Whether the field this path names is text by its declaration (``regime``, a name, a product class)."""
        return self.fx_currency is None and not self.growth and _declared_kind(self.selectors) == "text"

    def typed(self, value: Any) -> Any:
        """``value`` as the field this path names takes it: a number as text where the declarations say the field
        is text (``regime: 2012`` names the regime 2012: never a number to average); anything else as it is."""
        return cell_value("text", value) if self.names_text else value

    def check(self, scenario: Scenario) -> None:
        """Refuse an FX parameter that could not change anything: the scenario has no amounts in it."""
        if self.fx_currency is None:
            return
        if self.fx_currency == scenario.currency:
            raise ParameterError(f"{self.path}: {self.fx_currency} is the reporting currency; its rate is 1")
        if self.fx_currency not in scenario.currencies():
            others = ", ".join(sorted(scenario.currencies() - {scenario.currency})) or "none"
            raise ParameterError(f"{self.path}: no amount in the scenario is in {self.fx_currency} "
                                 f"(other currencies: {others})")

    def apply(self, data: dict[str, Any], value: Any) -> dict[str, Any]:
        """A copy of ``data`` with the parameter at ``value``; ``data`` itself is left as it was.

        An FX parameter takes a number (a flat rate) or a mapping of year to rate (a path); growth
        takes a number; any other path a number, or a value that replaces what is there.
        """
        if self.fx_currency is not None:
            rates = {key: spec for key, spec in (data.get("fx") or {}).items()
                     if str(key).upper() != self.fx_currency}
            spec = {"path": value} if isinstance(value, dict) else value
            return {**data, "fx": {**rates, self.fx_currency: spec}}
        if self.growth:
            years = _horizon_years(data, self.path)
            return _replace_at(data, self.selectors, self.path, "", "", True,
                               lambda old, where: _grown(old, value, years, self.path, where))
        return _replace_at(data, self.selectors, self.path, "", "", True,
                           lambda old, where: _set(old, value, self.path, where))

    def read(self, data: dict[str, Any]) -> Any:
        """The value at the parameter's place in ``data`` as written there (for ``growth:``, the series it grows;
        for FX, the currency's entry under ``fx``), or MISSING where the data leave it out (at its default).
        ParameterError for a path that names nothing, as :meth:`apply` says it."""
        if self.fx_currency is not None:
            rates = data.get("fx") or {}
            return next((spec for key, spec in rates.items() if str(key).upper() == self.fx_currency), MISSING)
        found: list[Any] = []
        # The walk that sets the value, here to read it: the same entries and keys, the same messages.
        _replace_at(data, self.selectors, self.path, "", "", True, lambda old, where: found.append(old) or old)
        return found[0]


def _declared_kind(selectors: tuple[_Selector, ...]) -> Kind:
    """The declared kind of the field ``selectors`` name (``regime``: text; ``plants[busan].fixed_cost``: a number),
    a list entry or a mapping's value picked by its key; "any" where the declarations do not say."""
    shape = Shape("model", model=ScenarioFields)
    for selector in selectors:
        if shape.form == "model" and not selector.bracketed:
            assert shape.model is not None
            found = [inner for name, _, inner in fields_of(shape.model) if name == selector.text]
            if not found:
                return "any"
            shape = found[0]
        elif shape.form == "entities" and selector.bracketed:
            shape = Shape("model", model=shape.model)
        elif shape.form in ("dict", "entries") and shape.item is not None:
            shape = shape.item
        else:
            return "any"
    return shape.kind if shape.form == "scalar" else "any"


def apply_overrides(data: dict[str, Any], overrides: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A copy of ``data`` with each (path, value) applied in order; ParameterError for a path that names nothing."""
    for path, value in overrides:
        data = Parameter.parse(path).apply(data, value)
    return data


def _horizon_years(data: dict[str, Any], path: str) -> list[int]:
    try:
        return Horizon.model_validate(data.get("horizon")).years
    except ValidationError as err:
        raise ParameterError(f"{path}: growth needs the scenario's horizon: {error_details(err)}") from None


def _replace_at(node: Any, selectors: tuple[_Selector, ...], path: str, where: str, field: str, entity: bool,
                update: Callable[[Any, str], Any]) -> Any:
    """``node`` (the value of ``field``) with the target of ``selectors`` replaced by ``update(old, where)``,
    copying only the path.

    ``entity`` says ``node`` is the scenario or a list entry: a field it leaves out may be set
    (validation then refuses a misspelt one), where a missing mapping key is an error.
    """
    if not selectors:
        return update(node, where)
    selector, rest = selectors[0], selectors[1:]
    here = f"{where}[{selector.text}]" if selector.bracketed else f"{where}.{selector.text}".removeprefix(".")
    if isinstance(node, list) and selector.bracketed:
        position = entry_position(field, node, selector.text)
        if position is None:
            raise ParameterError(f"{path}: {unknown_entry(field, node, selector.text)}")
        copy = list(node)
        copy[position] = _replace_at(node[position], rest, path, here, field, True, update)
        return copy
    if isinstance(node, list):
        raise ParameterError(f"{path}: {where} is {_kind(node)}; pick one as {where}[key] or {where}[position]")
    if not isinstance(node, dict):
        raise ParameterError(f"{path}: {where} is {_kind(node)}; it has no {here.removeprefix(where)}")
    key = _key(node, selector.text)
    if key is None and entity and rest and not selector.bracketed:
        # A field the entity leaves out, holding a mapping: made afresh (validation refuses a misspelt name)
        return {**node, selector.text: _replace_at({}, rest, path, here, selector.text, True, update)}
    if key is None:
        if rest or not entity or selector.bracketed:
            keys = ", ".join(map(str, node)) or "nothing"
            raise ParameterError(f"{path}: {where or 'the scenario'} has no {selector.text!r} (it has: {keys})")
        return {**node, selector.text: update(MISSING, here)}
    return {**node, key: _replace_at(node[key], rest, path, here, str(key), False, update)}


def _key(mapping: dict[Any, Any], text: str) -> Any:
    """The key of ``mapping`` written as ``text`` (YAML reads year keys as numbers), or None."""
    if text in mapping:
        return text
    if text.isdigit() and int(text) in mapping:
        return int(text)
    return None


def _is_number(raw: Any) -> bool:
    if isinstance(raw, (int, float)):
        return not isinstance(raw, bool)
    if not isinstance(raw, str):
        return False
    try:
        float(raw.replace("_", ""))  # YAML 1.1 reads 160e6 as text; the scenario accepts it
    except ValueError:
        return False
    return True


def _is_name(raw: Any) -> bool:
    """Text that is no number: a name (a regime's, a country's)."""
    return isinstance(raw, str) and not _is_number(raw)



def _is_series(raw: Any) -> bool:
    return isinstance(raw, dict) and bool(raw) and all(str(key).isdigit() for key in raw)


def _with_value(old: Any, value: float | str) -> Any:
    """A number in place of ``old``: a figure keeps its provenance, and its range where it still holds."""
    if not is_figure(old):
        return value
    figure = {**old, "value": value}  # a number, or text that reads as one (validation says if it is not finite)
    low, high, number = old.get("low"), old.get("high"), float(str(value).replace("_", ""))
    if (low is not None and number < float(low)) or (high is not None and number > float(high)):
        figure.pop("low", None)
        figure.pop("high", None)
    return figure


def _set(old: Any, value: Any, path: str, where: str) -> Any:
    if not _is_number(value) or old is None or _is_name(old):
        return value  # a name in place of a name (regime: 2012 is the regime 2012): validation reads it
    if old is MISSING or _is_number(old) or is_figure(old):
        return _with_value(old, value)
    if _is_series(old):
        return {year: _with_value(entry, value) for year, entry in old.items()}
    raise ParameterError(f"{path}: {where} is {_kind(old)}, not a number, a figure or a per-year series")


def _grown(old: Any, rate: Any, years: list[int], path: str, where: str) -> dict[int, Any]:
    """A series from the first horizon year's value of ``old``, grown at ``rate`` a year."""
    if not _is_number(rate) or not math.isfinite(float(str(rate).replace("_", ""))):
        raise ParameterError(f"{path}: growth takes a yearly rate, a number (0.02 for 2% a year), found {short(rate)}")
    rate = float(str(rate).replace("_", ""))
    if old is MISSING:
        raise ParameterError(f"{path}: {where} is not given; growth needs its first year's value")
    if _is_series(old):
        entries = {year: old[key] for year in years if (key := _key(old, str(year))) is not None}
    elif _is_number(old) or is_figure(old):
        entries = dict.fromkeys(years, old)
    else:
        raise ParameterError(f"{path}: {where} is {_kind(old)}, not a number or a per-year series")
    if years[0] not in entries:
        raise ParameterError(f"{path}: {where} has no value for {years[0]}, the first horizon year")
    first = entries[years[0]]
    start = float(first["value"] if is_figure(first) else first)
    try:
        return {year: _with_value(entries.get(year), start * (1 + rate) ** (year - years[0])) for year in years}
    except OverflowError:
        raise ParameterError(f"{path}: growing {start:g} by {rate:g} a year gives numbers past any limit") from None


def numbers_of(raw: Any, years: list[int]) -> float | dict[int, float] | None:
    """What the model reads from a value as written: a number (plain, text or a figure's value); a per-year
    series as its number for each year it gives (a growth series ``{from, growth}`` for each of ``years``, the
    horizon's); None for anything else (a name, a list, a field left out)."""
    if _is_numeric(raw):
        return _number(raw)
    if isinstance(raw, dict) and ("from" in raw or "growth" in raw):
        try:
            return dict(zip(years, Growth.model_validate(raw).over(years), strict=True))
        except ValidationError:
            return None
    if _is_series(raw) and all(_is_numeric(entry) for entry in raw.values()):
        return {int(year): _number(entry) for year, entry in raw.items()}
    return None


def _is_numeric(raw: Any) -> bool:
    return _is_number(raw) or (is_figure(raw) and _is_number(raw["value"]))


def _number(raw: Any) -> float:
    value = raw["value"] if is_figure(raw) else raw
    return float(value.replace("_", "") if isinstance(value, str) else value)


def _kind(raw: Any) -> str:
    if isinstance(raw, dict):
        return f"a mapping of {', '.join(map(str, raw))}" if raw else "an empty mapping"
    if isinstance(raw, list):
        return f"a list of {len(raw)} entries"
    return "empty" if raw is None else f"{raw!r}"


__all__ = ["GROWTH_PREFIX", "MISSING", "Parameter", "ParameterError", "apply_overrides", "numbers_of"]
