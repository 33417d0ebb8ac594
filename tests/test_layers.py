"""The package's layers: data flows one way (files -> Scenario -> network -> optimizer -> Plan -> analysis -> views),
so each module imports only from its own layer and those before it (docs/guide/layout.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "footprint"
LAYERS = ["scenario", "scenario.cases", "scenario.model", "scenario.formats", "scenario.sets", "economics",
          "optimize", "plan", "analysis", "views", "web", "api", "cli", "entry"]


def layer_of(module: str) -> int | None:
    name = module.removeprefix("footprint.")
    found = [i for i, layer in enumerate(LAYERS) if name == layer or name.startswith(layer + ".")]
    return found[-1] if found else None


def imported(tree: ast.AST) -> list[str]:
    """Every footprint module a module imports, at its top or inside a function."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("footprint"):
            names += [node.module] if node.module != "footprint" else [f"footprint.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.startswith("footprint")]
    return names


def test_every_module_has_a_layer_and_imports_only_downward() -> None:
    upward, unplaced = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        module = ".".join(("footprint", *(parts[:-1] if parts[-1] == "__init__" else parts)))
        own = layer_of(module)
        if own is None:
            if module != "footprint":
                unplaced.append(module)
            continue
        upward += [f"{module} imports {name}" for name in imported(ast.parse(path.read_text(encoding="utf-8")))
                   if (layer_of(name) or 0) > own]
    assert not unplaced, unplaced
    assert not upward, upward


def test_the_check_sees_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from footprint.views.report import x\nimport footprint.plan.plan\n")
    assert sorted(layer_of(name) for name in imported(tree)) == [LAYERS.index("plan"), LAYERS.index("views")]
    assert layer_of("footprint.scenario.model.trade") < layer_of("footprint.scenario.formats.files")
