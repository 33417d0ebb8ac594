"""Accessors and rich displays that a higher layer registers on a lower class, as pandas' extension API does
(``pandas.api.extensions.register_dataframe_accessor``): a Plan lives below the views, yet ``plan.plot.map()``
draws it and a notebook shows it as a table.

The lower class declares the attribute (``plot = Accessor("plot")``) and its ``_repr_html_`` (``html_of(self)``);
the views register what they are (views/notebook.py), and ``footprint.api`` (what ``import footprint as fp``
loads) imports that module. Nothing here imports upward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REGISTERING_MODULE = "footprint.views.notebook"
"""The module that registers every accessor and display (footprint.api imports it)."""
HTML = "_repr_html_"
"""The name a rich display is registered under."""

_registered: dict[tuple[type, str], Callable[[Any], Any]] = {}


def register(cls: type, name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """A decorator registering ``maker`` as attribute ``name`` of ``cls`` (and its subclasses): ``obj.name`` is
    ``maker(obj)``. Registering a name again replaces the maker."""

    def decorator(maker: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _registered[(cls, name)] = maker
        return maker

    return decorator


def registered(cls: type, name: str) -> Callable[[Any], Any] | None:
    """The maker registered for ``name`` on ``cls`` or the nearest of its bases; None if none is."""
    return next((_registered[(base, name)] for base in cls.__mro__ if (base, name) in _registered), None)


class Accessor:
    """A class attribute (``plot = Accessor("plot")``) whose value on an instance is made by the accessor
    registered for that name; AttributeError saying what to import where none is."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type) -> Any:
        if obj is None:
            return self
        maker = registered(owner, self.name)
        if maker is None:
            raise AttributeError(f"{owner.__name__}.{self.name}: no accessor is registered; `import footprint.api` "
                                 f"(what `import footprint as fp` loads) or `import {REGISTERING_MODULE}` "
                                 "registers it")
        return maker(obj)


def html_of(obj: object) -> str | None:
    """``obj`` as HTML by the display registered for its class (Jupyter's ``_repr_html_``); None where none is, and
    Jupyter shows its text instead."""
    maker = registered(type(obj), HTML)
    return None if maker is None else str(maker(obj))


__all__ = ["HTML", "REGISTERING_MODULE", "Accessor", "html_of", "register", "registered"]
