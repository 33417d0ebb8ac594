"""An empty scenario to fill in, generated from the declarations: a workbook or a CSV folder.

Every table with its columns, each described (header comments and the notes sheet in a workbook,
``notes.csv`` in a folder), drop-down lists in a workbook for columns that name an entity of another
sheet; the fields no table holds as a ``scenario`` sheet of empty values, or a ``scenario.yaml``
with the required fields to fill in and the optional ones commented out at their defaults.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from footprint.scenario.formats.files import target_format, write_source
from footprint.scenario.formats.layout import fields_of, rest_fields
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.formats.yamlio import dump_yaml
from footprint.scenario.model.checks import Problem
from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.text import printable

FX_EXAMPLE = {"KRW": 1127.1, "JPY": {2012: 79.8, 2013: 97.6}, "EUR": "ecb"}


def write_template(path: str | Path, *, years: Sequence[int] = (), overwrite: bool = False) -> Path:
    """Write an empty scenario template to ``path``: an Excel workbook if it ends in ``.xlsx``, else a CSV
    folder. ``years`` adds a column per year to the per-year series (capacity, demand, price, penalty).
    Written atomically; ScenarioError if ``path`` exists (unless ``overwrite``) or names a YAML file."""
    path = Path(path)
    kind = target_format(path)
    if kind == "yaml":
        raise ScenarioError(printable(str(path)), [Problem((), "a template is a workbook (.xlsx) or a folder of "
                                                               "CSV files; a YAML scenario starts from a case "
                                                               "(`footprint cases`)")])
    rest = rest_yaml_template() if kind == "csv" else None
    return write_source({}, path, overwrite=overwrite, years=years, rest_text=rest)


def rest_yaml_template() -> str:
    """``scenario.yaml`` for a CSV template: each field with its meaning; the required ones to fill in, the
    optional ones commented out at their defaults."""
    shapes = {name: (info, shape) for name, info, shape in fields_of(ScenarioFields)}
    lines = ["# The scenario's fields that no table holds; the tables are the CSV files beside this file, and",
             "# notes.csv describes each column. Fill in the required fields; uncomment optional ones to set them."]
    for name in rest_fields():
        info, shape = shapes[name]
        lines.extend(_field_lines(name, info, shape.model if shape.form == "model" else None, "",
                                  commented=not info.is_required()))
    return "\n".join(lines) + "\n"


def _field_lines(name: str, info: Any, model: type[BaseModel] | None, indent: str, *,
                 commented: bool) -> Iterator[str]:
    mark = "# " if commented else ""
    meaning = ("required: " if info.is_required() else "") + (info.description or "")
    if name == "fx":
        yield f"{indent}# {name}:  # {meaning}"
        yield from (f"{indent}#   {line}" for line in dump_yaml(FX_EXAMPLE).splitlines())
        return
    if model is not None:
        yield f"{mark}{indent}{name}:  # {meaning}"
        for inner, inner_info, inner_shape in fields_of(model):
            yield from _field_lines(inner, inner_info, inner_shape.model if inner_shape.form == "model" else None,
                                    indent + "  ", commented=commented or not inner_info.is_required())
        return
    default = info.get_default(call_default_factory=True)
    if info.is_required() or default is PydanticUndefined or isinstance(default, BaseModel):
        value = ""
    else:
        value = dump_yaml(default).strip().removesuffix("...").strip()
        value = "" if value in ("null", "{}") else value
    yield f"{mark}{indent}{name}: {value}".rstrip() + f"  # {meaning}"


__all__ = ["rest_yaml_template", "write_template"]
