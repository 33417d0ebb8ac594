"""mkdocs hooks (mkdocs.yml `hooks:`): the pages the site builds from the repository rather than from docs/.

- the nav's entries for pages still to come from other work (the tutorial notebook, ...) are left out until they are
  in docs/;
- the home page is the README, and the cases' pages are their READMEs (and rogue-2012's facts), read at build time;
- the scenario-format page gets its reference generated from the entity declarations, as `footprint schema` does;
- a list that follows a paragraph's line with no blank line between is a list, as on GitHub (Python-Markdown would
  read it as more of the paragraph);
- the docstrings' Sphinx roles (:class:`Plan`) are shown as the code they name, as the API reference renders
  docstrings as Markdown;
- a pipe escaped in a table cell's code (GitHub shows it unescaped) shows as a pipe: Python-Markdown keeps the
  backslash in code;
- a notebook's page keeps no script that would fetch from elsewhere (nbconvert's MathJax and Mermaid loaders from a
  CDN): the site reads offline;
- a link written for the repository (the README's `docs/guide/commands.md`, a guide page's
  `../../src/footprint/scenario/cases/rogue-2012/README.md`) is pointed at the page the site makes of its target,
  so each document reads the same on the site and in the repository.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from footprint.scenario.formats.docs import with_reference

REPOSITORY = Path(__file__).resolve().parents[1]
DOCS = REPOSITORY / "docs"
CASES = REPOSITORY / "src" / "footprint" / "scenario" / "cases"
PUBLISHED = {
    "index.md": REPOSITORY / "README.md",
    "cases/rogue-2012.md": CASES / "rogue-2012" / "README.md",
    "cases/rogue-2012-facts.md": CASES / "rogue-2012" / "FACTS.md",
    "cases/rogue-2026.md": CASES / "rogue-2026" / "README.md",
}
"""The site's pages whose text is a file of the repository outside docs/, by the page's path in the site."""
REFERENCE_PAGE = "guide/scenario-format.md"

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|exc):(?=<code>)")
"""A Sphinx role before the code it names, as mkdocstrings renders ``:class:`Plan```."""
_FETCHING_SCRIPT = re.compile(r'<script src="(?:https?:)?//[^"]*">\s*</script>|<script src="">\s*</script>|'
                              r'<script[^>]*>(?:(?!</script>).)*?import\("https?://(?:(?!</script>).)*</script>',
                              re.DOTALL)
"""nbconvert's loaders: MathJax by its URL (none given: the empty one), Mermaid's module imported from a CDN."""
_CELL = re.compile(r"<td[^>]*>.*?</td>", re.DOTALL)
"""A table cell of a rendered page."""
_LIST_ITEM = re.compile(r"(?:[-*+]|1\.) ")
"""A line that starts a list, where GitHub lets one interrupt a paragraph."""
_LINK = re.compile(r"(\]\()([^)\s#]+)([^)]*\))")
"""A Markdown link or image: its target up to any #fragment or title."""


def on_files(files: Files, config: Any) -> Files:
    """Add the pages whose text lives elsewhere in the repository."""
    for page, source in PUBLISHED.items():
        files.append(File.generated(config, page, content=source.read_text(encoding="utf-8")))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """The reference generated into its page, and links to the repository's files pointed at the site's pages."""
    if page.file.src_uri == REFERENCE_PAGE:
        markdown = with_reference(markdown)
    markdown = lists_apart(markdown)
    source = PUBLISHED.get(page.file.src_uri, DOCS / page.file.src_uri)
    return _LINK.sub(lambda link: link[1] + site_link(link[2], source, page.file.src_uri) + link[3], markdown)


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """The docstrings' roles left out of the API reference's text; a table cell's escaped pipes as pipes; a
    notebook's loaders of scripts from elsewhere left out of its page."""
    if page.file.src_uri.endswith(".ipynb"):
        html = _FETCHING_SCRIPT.sub("", html)
    html = _CELL.sub(lambda cell: cell[0].replace("\\|", "|"), html)
    return _ROLE.sub("", html)


def lists_apart(markdown: str) -> str:
    """``markdown`` with a blank line before each list that starts right under a paragraph's line (not in a list
    already, nor in a code block)."""
    lines, fenced, paragraph = [], False, False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced, paragraph = not fenced, False
        elif not fenced:
            if paragraph and _LIST_ITEM.match(line):
                lines.append("")
            if not line.strip() or _LIST_ITEM.match(line):  # a list's own lines go on until a blank line
                paragraph = False
            elif not line.startswith((" ", "\t", "|", "#", ">")) and not (lines and _in_list(lines)):
                paragraph = True
        lines.append(line)
    return "\n".join(lines)


def _in_list(lines: list[str]) -> bool:
    """Whether the lines so far end inside a list: a list item with no blank line after it."""
    for line in reversed(lines):
        if not line.strip():
            return False
        if _LIST_ITEM.match(line):
            return True
    return False


def site_link(target: str, source: Path, page: str) -> str:
    """``target``, a link in the file ``source``, as a link from the site's ``page``: a file of docs/ or a published
    file by its place in the site; anything else (a web address, a file the site does not have) as written."""
    if "://" in target or target.startswith("mailto:"):
        return target
    linked = (source.parent / target).resolve()
    published = {path: page for page, path in PUBLISHED.items()}
    if linked in published:
        in_site = published[linked]
    elif linked.is_relative_to(DOCS):
        in_site = linked.relative_to(DOCS).as_posix()
    else:
        return target
    return Path(os.path.relpath(in_site, Path(page).parent.as_posix())).as_posix()
