"""The `footprint` command line. It reads files, calls the library, and prints; nothing else.

Each command imports what it needs when it runs, so that `footprint --help` starts at once. Every failure is a
message and an exit code (see EXIT_CODES), never a traceback. Commands are grouped by family in their modules;
``main`` registers them all.
"""

from footprint.cli.app import EXIT_CODES, app
from footprint.cli.main import main

__all__ = ["EXIT_CODES", "app", "main"]
