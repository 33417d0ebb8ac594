"""ISO country and currency codes (pycountry) and customs union codes, as validated types."""

from __future__ import annotations

from typing import Annotated

import pycountry
from pydantic import AfterValidator

from footprint.scenario.model.unions import customs_unions


def iso_country_code(code: str) -> str:
    """The canonical (upper-case) ISO 3166 alpha-2 code."""
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        unions = customs_unions()
        hint = f" (a customs union such as {code.upper()} is not one country)" if code.upper() in unions else ""
        raise ValueError(f"expected an ISO 3166 two-letter country code{hint}, found {code!r}")
    return str(country.alpha_2)


def country_code(code: str) -> str:
    """The canonical (upper-case) ISO 3166 alpha-2 code, or the code of a customs union (EU)."""
    if code.upper() in customs_unions():
        return code.upper()
    try:
        return iso_country_code(code)
    except ValueError:
        unions = ", ".join(customs_unions())
        raise ValueError(f"expected an ISO 3166 two-letter country code or a customs union ({unions}), "
                         f"found {code!r}") from None


def currency_code(code: str) -> str:
    """The canonical (upper-case) ISO 4217 code."""
    currency = pycountry.currencies.get(alpha_3=code) if len(code) == 3 else None
    if currency is None:
        raise ValueError(f"expected an ISO 4217 three-letter currency code, found {code!r}")
    return str(currency.alpha_3)


Country = Annotated[str, AfterValidator(country_code)]
"""A country, or a customs union standing for its members."""
IsoCountry = Annotated[str, AfterValidator(iso_country_code)]
"""One country (a plant's, say): not a union."""
Currency = Annotated[str, AfterValidator(currency_code)]
