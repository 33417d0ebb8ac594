"""The `footprint` command's entry point: the command line is imported here, so that Ctrl-C while it loads (a
fraction of a second) ends the command as Ctrl-C does later, with "interrupted" and exit code 130, not a
traceback."""

from __future__ import annotations

import sys

INTERRUPTED = 130


def main() -> None:
    try:
        from footprint.cli import main as command_line
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(INTERRUPTED)
    command_line()
