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


_EXPECTED = {
    "missing": "missing; this field is required",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


_KEY = "[key]"
"""What pydantic adds to the key path of a mapping's key that failed (``fx.EURO.[key]``)."""


def _of_a_key(error: Any) -> bool:
    loc = error["loc"]
    return len(loc) >= 2 and loc[-1] == _KEY and loc[-2] == error.get("input")


def pydantic_loc(error: Any) -> tuple[str | int, ...]:
    """The key path of one pydantic error as the user wrote it: a mapping's key that failed is named by itself
    (``fx.EURO``), without the marker pydantic adds after it."""
    loc = tuple(error["loc"])
    return loc[:-1] if _of_a_key(error) else loc


def pydantic_message(error: Any) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as footprint says it: what was expected, and
    a short excerpt of what was found (of a mapping's key: said to be the key)."""
    message = _message(error)
    return f"invalid key: {message}" if _of_a_key(error) else message


def _message(error: Any) -> str:
    kind = error["type"]
    found = error.get("input")
    context = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown field; check its spelling against `footprint schema`"
    if kind == "value_error":
        return str(context["error"])
    if kind == "string_pattern_mismatch":
        return f"expected a name of letters, digits, '_', '-' and '.', found {short(found)}"
    if kind == "too_short":
        least = context.get("min_length", 1)
        entries = "one entry" if least == 1 else f"{least} entries"
        return f"expected at least {entries}, found {context.get('actual_length', 0)}"
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        return expected if kind == "missing" else f"{expected}, found {short(found)}"
    message = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"expected {message}, found {short(found)}"
