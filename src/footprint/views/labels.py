"""What every view calls a cost component and how it writes an amount: the terminal, the report and the web app
say the same."""

from __future__ import annotations

COMPONENT_LABELS = {"production_local": "local content", "production_imported": "imported content",
                    "sea_freight": "sea freight", "port_handling": "port handling", "land_freight": "land freight",
                    "sourcing_fixed": "sourcing (fixed)", "lost_sales": "lost sales",
                    "mode_fixed": "transport modes (fixed)"}
"""The cost components (a Plan's ``costs``, ``exposure`` and ``landed_cost`` tables) whose label is not their
name."""


COMPONENT_GROUPS = {"production": ("production_local", "production_imported", "sourcing", "sourcing_fixed"),
                    "purchases": ("purchases",),
                    "freight": ("freight", "sea_freight", "port_handling", "land_freight", "mode_fixed", "handling"),
                    "duty": ("duty",),
                    "fixed": ("fixed",), "capex": ("capex",),
                    "opening, closing, launch": ("opening", "closing", "launch"), "lost sales": ("lost_sales",),
                    "revenue": ("revenue",)}
"""The cost components in families, in order: a chart of costs draws a family as one series (more series than
a colour-blind-safe palette has colours cannot be told apart: nine families, the palette's nine colours), and its
table names each family. A distribution centre's handling counts with freight, as the terminal's landed cost
counts it."""
_GROUP = {component: group for group, components in COMPONENT_GROUPS.items() for component in components}


def component_label(component: object) -> str:
    """A cost component as every view names it: ``local content`` for ``production_local``."""
    return COMPONENT_LABELS.get(str(component), str(component))


def component_group(component: object) -> str:
    """The family of a cost component (COMPONENT_GROUPS); one not listed is a family of its own."""
    return _GROUP.get(str(component), component_label(component))


def per_unit(amount: float) -> str:
    """A cost per unit, as explain prints it: whole units of its currency, ``1,493`` (never ``-0``)."""
    return f"{round(float(amount)) + 0:,}"


def money(amount: float, currency: str = "") -> str:
    """An amount as every view writes it: ``19.93bn USD``, ``600.49M USD``, ``12.30k USD``, ``493.21 USD`` (never
    ``-0.00``); without a currency, the figure alone (``19.93bn``)."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:,.2f}{suffix} {currency}".rstrip()
    return f"{amount if round(amount, 2) else 0.0:,.2f} {currency}".rstrip()


__all__ = ["COMPONENT_GROUPS", "COMPONENT_LABELS", "component_group", "component_label", "money", "per_unit"]
