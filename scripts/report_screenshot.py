"""The screenshot of the report's first screen in the documentation (docs/report-rogue-2012.png): rogue-2012 solved
into a temporary run store, reported, and opened in Debian's Chromium (scripts/chromium.sh) at 1280 x 900.

    python scripts/report_screenshot.py            # writes docs/report-rogue-2012.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
FOOTPRINT = Path(sys.executable).parent / "footprint"
VIEWPORT = {"width": 1280, "height": 900}


def main() -> None:
    chromium = subprocess.run(["bash", str(REPO / "scripts" / "chromium.sh")], capture_output=True, text=True,
                              check=True).stdout.strip().splitlines()[-1]
    with tempfile.TemporaryDirectory() as folder:
        store, report = str(Path(folder) / "runs.sqlite"), Path(folder) / "report.html"
        subprocess.run([str(FOOTPRINT), "run", "rogue-2012", "--store", store], check=True, capture_output=True)
        subprocess.run([str(FOOTPRINT), "report", "latest", "--store", store, "-o", str(report)], check=True,
                       capture_output=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(report.as_uri())
            page.wait_for_selector("#map .scatterlayer .points path", state="attached", timeout=60_000)
            page.wait_for_timeout(500)  # the map's last traces
            page.screenshot(path=str(REPO / "docs" / "report-rogue-2012.png"))
            browser.close()
    print(f"wrote {REPO / 'docs' / 'report-rogue-2012.png'}")


if __name__ == "__main__":
    main()
