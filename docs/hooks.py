"""mkdocs hooks (mkdocs.yml `hooks:`): the pages the site builds from the repository rather than from docs/.

- the home page is the README, and the cases' pages are their READMEs (and rogue-2012's facts), read at build time;
- the scenario-format page gets its reference generated from the entity declarations, as `footprint schema` does;
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
    source = PUBLISHED.get(page.file.src_uri, DOCS / page.file.src_uri)
    return _LINK.sub(lambda link: link[1] + site_link(link[2], source, page.file.src_uri) + link[3], markdown)


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
