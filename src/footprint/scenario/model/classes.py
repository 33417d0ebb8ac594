"""Product classes for tariffs: HS codes form a hierarchy, any other class matches only itself.

An HS code is written as digits, with dots or spaces where a schedule puts them: `87` (chapter), `8703`
(heading), `8703.23` or `870323` (subheading), `8703.23.01` or `8703 23 19` (a national tariff line). Dots and
spaces are only layout: `8703.23` and `870323` are one class. A code covers itself and every longer code that
begins with its digits, so a rate on `87` applies to goods of `8703.23` unless a more specific rate is given.
A class that is not such a code (`car`, `heat-pump`, or digits of an odd number such as `870`) covers only the
class written the same way.

Anything with a product class (a product today; components and suppliers' parts later) is matched to the rates
through ``covering``, once per scenario.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_HS_DIGITS = re.compile(r"(\d\d){1,7}")
"""An HS code's digits: a chapter's two, a heading's four, a subheading's six, a national line's eight or ten
(twelve or fourteen in a few countries). Other lengths are no level of the system (870 is a typo for 8703 or
8708, not a code above both), so such a class matches only itself."""
_LAYOUT = re.compile(r"[.\s]")


def hs_digits(product_class: str) -> str | None:
    """The digits of an HS code (`8703.23` -> `870323`), or None for a class that is not one."""
    if not product_class or not product_class[0].isdigit() or not product_class[-1].isdigit():
        return None  # `.87`, `87.`: not a code as a schedule writes one
    digits = _LAYOUT.sub("", product_class)
    return digits if _HS_DIGITS.fullmatch(digits) else None


def broken_code(product_class: str) -> bool:
    """Whether a class is written as a code but has an odd number of digits (`870`, `8703.2`): no level of the
    system, so it matches only itself; often a typo, or a spreadsheet's number that lost a trailing 0."""
    digits = _LAYOUT.sub("", product_class)
    return (len(digits) >= 3 and len(digits) % 2 == 1 and digits.isdigit() and product_class[0].isdigit()
            and product_class[-1].isdigit())


def class_key(product_class: str) -> str:
    """The form in which classes are compared: an HS code's digits, any other class as written."""
    digits = hs_digits(product_class)
    return product_class if digits is None else digits


def covers(rate_class: str, product_class: str) -> bool:
    """Whether a rate on ``rate_class`` applies to goods of ``product_class`` (absent a more specific rate)."""
    rate, goods = hs_digits(rate_class), hs_digits(product_class)
    if rate is None or goods is None:
        return rate_class == product_class
    return goods.startswith(rate)


def overlap(first: str, second: str) -> bool:
    """Whether some goods fall under both classes (one covers the other)."""
    return covers(first, second) or covers(second, first)


def specificity(product_class: str) -> int:
    """How narrowly a class names goods: an HS code's number of digits; a class that is no code, more than any."""
    digits = hs_digits(product_class)
    return 99 if digits is None else len(digits)


def covering(rate_classes: Iterable[str], classes: Iterable[str]) -> dict[str, list[str]]:
    """For each of ``rate_classes``, the ``classes`` (of products, and of anything else that has one) it covers,
    in the order given."""
    goods = [(product_class, hs_digits(product_class)) for product_class in dict.fromkeys(classes)]
    found = {}
    for rate_class in dict.fromkeys(rate_classes):
        rate = hs_digits(rate_class)
        found[rate_class] = [product_class for product_class, digits in goods
                             if (product_class == rate_class if rate is None or digits is None
                                 else digits.startswith(rate))]
    return found


def covers_any(rate_class: str, classes: Iterable[str]) -> bool:
    return any(covers(rate_class, product_class) for product_class in classes)


__all__ = ["broken_code", "class_key", "covering", "covers", "covers_any", "hs_digits", "overlap", "specificity"]
