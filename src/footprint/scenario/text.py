"""Text for messages: short excerpts of any value, and control characters made visible."""

from __future__ import annotations

import reprlib
from typing import Any

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 6
_SHORT.maxlevel = 3


def short(value: Any, limit: int = 60) -> str:
    """A short excerpt of a value for a message: bounded whatever the value holds (an alias bomb, a huge
    text), control characters escaped."""
    text = printable(_SHORT.repr(value))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape sequences among them) written as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else ascii(ch)[1:-1] for ch in text)
