"""The README's scenario reference is the one the entity declarations generate."""

from __future__ import annotations

from pathlib import Path

from footprint.scenario.docs import SECTIONS, scenario_reference, with_reference

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_scenario_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert scenario_reference() in text
    assert with_reference(text) == text, "regenerate: footprint.scenario.docs.with_reference(README)"


def test_reference_documents_every_field() -> None:
    reference = scenario_reference()
    for _, model in SECTIONS:
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in reference
            assert field.description, f"{model.__name__}.{name} has no description"
