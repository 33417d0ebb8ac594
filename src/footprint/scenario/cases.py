"""The bundled cases: scenario files shipped inside the package, runnable by name."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CASE_FILE = "scenario.yaml"
DEFAULT_CASE = "rogue-2012"


def cases_folder() -> Path:
    return Path(str(resources.files("footprint.scenario") / "cases"))


def case_names() -> list[str]:
    """Every bundled case: ``NAME`` for a case's scenario, ``NAME/VARIANT`` for its variants."""
    names = []
    for folder in sorted(p for p in cases_folder().iterdir() if (p / CASE_FILE).is_file()):
        names.append(folder.name)
        names += [f"{folder.name}/{f.stem}" for f in sorted(folder.glob("*.yaml")) if f.name != CASE_FILE]
    return names


def case_path(name: str) -> Path | None:
    """The file of bundled case ``name``, or None if there is no such case."""
    case, _, variant = name.partition("/")
    path = cases_folder() / case / (f"{variant}.yaml" if variant else CASE_FILE)
    return path if name in case_names() and path.is_file() else None


def case_description(name: str) -> str:
    path = case_path(name)
    if path is None:
        return ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""
