"""ISO country and currency codes (pycountry), as validated types."""

from __future__ import annotations

from typing import Annotated

import pycountry
from pydantic import AfterValidator

CUSTOMS_UNIONS = {"EU": "European Union (customs union)"}


def country_code(code: str) -> str:
    """The canonical (upper-case) ISO 3166 alpha-2 code, or EU."""
    if code.upper() in CUSTOMS_UNIONS:
        return code.upper()
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise ValueError(f"expected an ISO 3166 two-letter country code (or EU), found {code!r}")
    return str(country.alpha_2)


def currency_code(code: str) -> str:
    """The canonical (upper-case) ISO 4217 code."""
    currency = pycountry.currencies.get(alpha_3=code) if len(code) == 3 else None
    if currency is None:
        raise ValueError(f"expected an ISO 4217 three-letter currency code, found {code!r}")
    return str(currency.alpha_3)


Country = Annotated[str, AfterValidator(country_code)]
Currency = Annotated[str, AfterValidator(currency_code)]
