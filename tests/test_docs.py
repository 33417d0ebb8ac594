"""The documentation: the site builds strict (every link resolves, every page is there), its scenario reference is
the one the entity declarations generate, the public API has its docstrings, and the documents' links resolve."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import griffe
import pytest

import footprint
from footprint.scenario.formats.docs import END, SECTIONS, START, scenario_reference, with_reference

REPOSITORY = Path(__file__).resolve().parents[1]
FORMAT_PAGE = REPOSITORY / "docs" / "guide" / "scenario-format.md"


def test_the_format_page_takes_its_reference_from_the_declarations() -> None:
    """The page holds the markers and nothing between them: the site's hook fills them in at build time."""
    text = FORMAT_PAGE.read_text(encoding="utf-8")
    assert text.count(START) == 1
    assert text.count(END) == 1
    assert START + END in text, "the reference is generated when the site is built: leave nothing between the markers"
    assert scenario_reference() in with_reference(text)


def test_reference_documents_every_field() -> None:
    reference = scenario_reference()
    for _, model in SECTIONS:
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in reference
            assert field.description, f"{model.__name__}.{name} has no description"


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


# --- the public API's docstrings -----------------------------------------------------------------------------------

def _undocumented() -> list[str]:
    """Each name of ``footprint.__all__``, and each public method, property and field of its classes, without a
    docstring, as the API reference (mkdocstrings, through griffe) reads them from the source: a field's is the
    string below it."""
    api = griffe.load("footprint.api", search_paths=[str(REPOSITORY / "src")], resolve_aliases=True,
                      resolve_external=False)
    missing = []
    for name in footprint.__all__:
        documented = api[name].final_target if api[name].is_alias else api[name]
        if not documented.docstring:
            missing.append(f"{name} ({documented.path})")
        if not documented.is_class:
            continue
        for member_name, member in documented.members.items():
            member = member.final_target if member.is_alias else member
            if not member_name.startswith("_") and not member.docstring:
                missing.append(f"{name}.{member_name} ({member.relative_filepath}:{member.lineno})")
    return missing


def test_the_public_api_has_its_docstrings() -> None:
    missing = _undocumented()
    assert not missing, ("the API reference (docs/api.md) would show these without a word: give each a docstring:\n"
                         + "\n".join(missing))


def test_the_api_reference_documents_every_public_name() -> None:
    page = (REPOSITORY / "docs" / "api.md").read_text(encoding="utf-8")
    assert [name for name in footprint.__all__ if f"::: footprint.api.{name}\n" not in page] == []


# --- the site ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built strict: any warning (a broken link, a page missing from the nav or a nav entry without its
    page, an object the API reference cannot find) fails the build."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPOSITORY / "src"), os.environ.get("PYTHONPATH", "")]),
           "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                           cwd=REPOSITORY, env=env, capture_output=True, text=True)
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stdout}\n{built.stderr}"
    assert "WARNING" not in built.stderr, built.stderr
    return out


def test_the_site_builds_strict_with_every_page(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Quick start" in home
    assert 'href="guide/commands.html"' in home
    for page in ("guide/commands.html", "guide/model.html", "cases/rogue-2012.html", "cases/rogue-2026.html",
                 "cases/rogue-2012-facts.html", "gallery.html", "api.html"):
        assert (site / page).is_file(), page
    commands = (site / "guide" / "commands.html").read_text(encoding="utf-8")
    assert "[--level strategic|assignments|flows]" in commands  # a table cell's escaped pipes, as GitHub shows them
    assert [page.name for page in site.rglob("*.html") if "\\|" in page.read_text(encoding="utf-8")] == []
    unread_lists = [page.name for page in site.rglob("*.html") if re.search(
        r"<p>(?:(?!</p>).)*\n(?:[-*+]|1\.) ", page.read_text(encoding="utf-8"), re.DOTALL)]
    assert unread_lists == []  # a list right under a paragraph's line is a list, as on GitHub
    assert "<ul>" in (site / "guide" / "output.html").read_text(encoding="utf-8")
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    for image in re.findall(r'<img[^>]* src="([^"]+)"', gallery):
        assert (site / image).is_file(), image
    assert 'src="report-rogue-2012.png"' in gallery
    assert 'src="app.png"' in gallery


def test_every_picture_in_docs_is_shown_on_a_page(site: Path) -> None:
    """A screenshot or figure put in docs/ is in the gallery (or on another page), not only in the repository."""
    shown = {(page.parent / source).resolve() for page in site.rglob("*.html")
             for source in re.findall(r'<img[^>]* src="([^"]+)"', page.read_text(encoding="utf-8"))}
    pictures = [path.relative_to(REPOSITORY / "docs") for path in (REPOSITORY / "docs").rglob("*")
                if path.suffix.lower() in {".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp"}]
    assert pictures
    assert [str(path) for path in pictures if (site / path).resolve() not in shown] == [], \
        "show each in docs/gallery.md (with what command draws it)"


def test_the_site_has_the_generated_scenario_reference(site: Path) -> None:
    page = (site / "guide" / "scenario-format.html").read_text(encoding="utf-8")
    for title, model in SECTIONS:
        assert f">{title}<" in page.replace("&gt;", ">"), title
        for name, field in model.model_fields.items():
            assert f"<code>{field.alias or name}</code>" in page, f"{title}: {name}"


def test_the_site_has_the_api_reference(site: Path) -> None:
    page = (site / "api.html").read_text(encoding="utf-8")
    assert [name for name in footprint.__all__ if f'id="footprint.api.{name}"' not in page] == []


def test_the_site_needs_no_network(site: Path) -> None:
    """No web fonts, scripts (loaded or imported), stylesheets or images from elsewhere: the site reads offline."""
    external = re.compile(r'<(?:script|img|iframe)[^>]* src="(?:https?:)?//|<link[^>]* href="(?:https?:)?//[^"]*"'
                          r'|import\("(?:https?:)?//|@import url\(|fonts\.googleapis|fonts\.gstatic')
    found = [f"{page.relative_to(site)}: {match.group(0)}" for page in site.rglob("*.html")
             for match in external.finditer(page.read_text(encoding="utf-8"))]
    assert not found, found


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("site_hooks", REPOSITORY / "docs" / "hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_links_written_for_the_repository_lead_to_the_sites_pages() -> None:
    hooks = _hooks()
    readme, guide = REPOSITORY / "README.md", REPOSITORY / "docs" / "guide" / "tour.md"
    assert hooks.site_link("docs/guide/commands.md", readme, "index.md") == "guide/commands.md"
    assert hooks.site_link("docs/app.png", readme, "index.md") == "app.png"
    assert hooks.site_link("src/footprint/scenario/cases/rogue-2026/README.md", readme, "index.md") == \
        "cases/rogue-2026.md"
    assert hooks.site_link("../../src/footprint/scenario/cases/rogue-2012/FACTS.md", guide, "guide/tour.md") == \
        "../cases/rogue-2012-facts.md"
    assert hooks.site_link("../app.png", guide, "guide/tour.md") == "../app.png"
    assert hooks.site_link("https://example.org/x.md", guide, "guide/tour.md") == "https://example.org/x.md"
    assert hooks.site_link("../../pyproject.toml", guide, "guide/tour.md") == "../../pyproject.toml"  # strict flags it


def test_a_list_under_a_paragraph_is_set_apart_as_github_reads_it() -> None:
    lists_apart = _hooks().lists_apart
    assert lists_apart("How to read the output:\n- the first line\n- the rest") == \
        "How to read the output:\n\n- the first line\n- the rest"
    assert lists_apart("Steps:\n1. one\n2. two") == "Steps:\n\n1. one\n2. two"
    for unchanged in ("text\n\n- a", "- a\nits line, lazily\n- b", "```text\nx\n- y\n```", "# Title\n- a",
                      "| a |\n- b", "a\n  - nested"):
        assert lists_apart(unchanged) == unchanged
