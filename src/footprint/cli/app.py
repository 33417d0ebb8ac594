"""The command line's frame: the Typer app, its exit codes, its consoles, and how a command says things and fails."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.text import Text

DEFAULT_CASE = "rogue-2012"


EXIT_CODES = {
    0: "done (a plan stopped by its time limit counts: it is labelled so)",
    1: "the input is invalid: the scenario (every problem is listed), a parameter, a market or product name, "
       "a run store or a run in it",
    2: "the command line itself is wrong (an unknown option, a missing argument)",
    3: "no plan: infeasible, unbounded, or none found in the time allowed (the reason is printed)",
    4: "the results could not be written (disk full, read-only, permission, --out naming a file; `report --figures` "
       "with no Chromium or Chrome to draw them)",
    70: "an internal error (a bug: please report it; FOOTPRINT_TRACEBACK=1 shows where)",
    130: "interrupted (Ctrl-C); run writes the best plan found so far, labelled interrupted",
}


INVALID, NO_PLAN, NOT_WRITTEN, INTERNAL, INTERRUPTED = 1, 3, 4, 70, 130


_EXIT_HELP = "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) + "."


app = typer.Typer(
    help="Plan a manufacturing footprint: which plant builds what for which market, and which capacity to add. "
         + _EXIT_HELP,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


import_app = typer.Typer(help="Turn files of other formats into scenarios.", no_args_is_help=True)


app.add_typer(import_app, name="import")


class Output(Console):
    """stdout, where a closed pipe (`footprint run | head -1`) stops the printing but not the command."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)  # let the interpreter's final flush go nowhere
        os.dup2(devnull, sys.stdout.fileno())


# Piped output (a file, CI) gets room for a horizon of years instead of rich's default 80 columns. No emoji codes:
# a value with :x: in it is printed as written (the views escape rich markup in every value they print).
out = Output(emoji=False) if Console().is_terminal else Output(width=160, emoji=False)


err = Console(stderr=True, emoji=False)


def printable_text(text: str) -> str:
    from footprint.scenario.model.text import printable

    return printable(text)


def fail(message: str, code: int = INVALID) -> typer.Exit:
    say(err, message)
    return typer.Exit(code)


def say(console: Console, message: str) -> None:
    console.print(printable_text(message), markup=False, highlight=False, soft_wrap=True)


@contextmanager
def stage(what: str) -> Iterator[None]:
    """A spinner on stderr for work that takes more than a second (none for what ends sooner)."""
    status = err.status(Text(printable_text(what)), spinner="dots")  # a path as written, never read as markup
    started = threading.Event()

    def start() -> None:
        started.set()
        status.start()

    timer = threading.Timer(1.0, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if started.is_set():
            status.stop()
