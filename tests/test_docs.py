"""The README's scenario reference is the one the entity declarations generate."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from footprint.scenario.formats.docs import SECTIONS, scenario_reference, with_reference

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_scenario_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert scenario_reference() in text
    assert with_reference(text) == text, "regenerate: footprint.scenario.formats.docs.with_reference(README)"


def test_reference_documents_every_field() -> None:
    reference = scenario_reference()
    for _, model in SECTIONS:
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in reference
            assert field.description, f"{model.__name__}.{name} has no description"


REPOSITORY = README.parent
_LINK = re.compile(r"\]\(([^)\s#]+)[^)]*\)")
"""A Markdown link's target."""
_NAMED_FILE = re.compile(r"`([^`\s]+\.md)`")
"""A Markdown file named in code type: `../other/README.md`."""


def _documents() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.md"], cwd=REPOSITORY, capture_output=True, text=True, check=True)
    return [REPOSITORY / name for name in listed.stdout.split()]


def test_every_file_a_document_links_to_or_names_is_in_the_repository() -> None:
    """Links and named Markdown files resolve from the document's folder or from the repository's root."""
    missing = []
    for document in _documents():
        text = document.read_text(encoding="utf-8")
        for target in [*_LINK.findall(text), *_NAMED_FILE.findall(text)]:
            if "://" in target or target.startswith("mailto:"):
                continue
            if not ((document.parent / target).exists() or (REPOSITORY / target).exists()):
                missing.append(f"{document.relative_to(REPOSITORY)}: {target}")
    assert _documents()
    assert not missing, missing
