"""The bundled cases: scenario files shipped inside the package, runnable by name, and their scenario sets."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

CASE_FILE = "scenario.yaml"
DEFAULT_CASE = "rogue-2012"
SET_KIND = "scenario-set"
"""The ``kind`` of a scenario set file (``footprint.scenario.sets.scenario_sets``); a scenario has no kind."""
_SET_LINE = re.compile(rf"^kind:\s*(['\"]?){SET_KIND}\1\s*(#.*)?$", re.MULTILINE)


def cases_folder() -> Path:
    return Path(str(resources.files("footprint.scenario.cases")))


def is_set_file(path: Path) -> bool:
    """Whether a YAML file is a scenario set (says ``kind: scenario-set`` at its top level), without parsing it."""
    return bool(_SET_LINE.search(path.read_text(encoding="utf-8")))


def _case_folders() -> list[Path]:
    return sorted(p for p in cases_folder().iterdir() if (p / CASE_FILE).is_file())


def case_names() -> list[str]:
    """Every bundled case: ``NAME`` for a case's scenario, ``NAME/VARIANT`` for its variants."""
    names = []
    for folder in _case_folders():
        names.append(folder.name)
        names += [f"{folder.name}/{f.stem}" for f in sorted(folder.glob("*.yaml"))
                  if f.name != CASE_FILE and not is_set_file(f)]
    return names


def set_names() -> list[str]:
    """Every bundled scenario set, ``NAME/SET`` (a case's ``futures.yaml`` is ``NAME/futures``)."""
    return [f"{folder.name}/{f.stem}" for folder in _case_folders() for f in sorted(folder.glob("*.yaml"))
            if f.name != CASE_FILE and is_set_file(f)]


def _bundled(name: str, names: list[str]) -> Path | None:
    case, _, variant = name.partition("/")
    path = cases_folder() / case / (f"{variant}.yaml" if variant else CASE_FILE)
    return path if name in names and path.is_file() else None


def case_path(name: str) -> Path | None:
    """The file of bundled case ``name``, or None if there is no such case."""
    return _bundled(name, case_names())


def set_path(name: str) -> Path | None:
    """The file of bundled scenario set ``name``, or None if there is no such set."""
    return _bundled(name, set_names())


def case_description(name: str) -> str:
    path = case_path(name) or set_path(name)
    if path is None:
        return ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""
