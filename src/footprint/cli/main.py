"""The `footprint` command: the app with every command registered, and every failure an exit code and a
message, never a traceback."""

from __future__ import annotations

import os
import sys

import typer

from footprint.cli.app import DEFAULT_CASE, INTERNAL, INTERRUPTED, app, err, say
from footprint.cli.plan_commands import run

# Importing a family of commands registers them; `footprint --help` lists them in this order.
# isort: off
from footprint.cli import scenario_commands, futures_commands, store_commands  # noqa: F401
# isort: on


@app.callback(invoke_without_command=True)
def main_callback(context: typer.Context) -> None:
    """With no command: run the bundled case."""
    if context.invoked_subcommand is None:
        run(DEFAULT_CASE)


def _leave_abandoned_solves() -> None:
    """End the process at once if Ctrl-C left a HiGHS solve running (optimize/highs.py: it stops only at its next
    check): an exit that waited would wait for it, and one that ran the C++ runtime's exit handlers under it would
    abort the process."""
    highs = sys.modules.get("footprint.optimize.highs")
    if highs is not None and highs.solves_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)


def main() -> None:
    """The `footprint` command: the app, with every failure an exit code and a message, never a traceback."""
    try:
        app()
    except SystemExit as stop:
        if stop.code == INTERRUPTED:
            say(err, "interrupted")
            _leave_abandoned_solves()
        raise
    except MemoryError:
        say(err, "out of memory: the scenario is too large for this machine (try a smaller horizon or network)")
        sys.exit(INTERNAL)
    except Exception as error:  # a bug: say so in one line, and how to see where
        if os.environ.get("FOOTPRINT_TRACEBACK"):
            raise
        say(err, f"internal error: {type(error).__name__}: {error}. This is a bug in footprint; please "
                  "report it (set FOOTPRINT_TRACEBACK=1 to see where it happened).")
        sys.exit(INTERNAL)
