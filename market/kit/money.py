"""Money: an integer of minor units with an ISO 4217 currency. Never a float.

Formatting goes through Babel (CLDR data) so amounts read as users expect in each locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision

SUPPORTED_CURRENCIES = frozenset({"CNY", "USD", "EUR", "HKD"})


@dataclass(frozen=True, order=True)
class Money:
    currency: str
    minor: int

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units, never a float")
        if self.currency not in SUPPORTED_CURRENCIES:
            raise ValueError(f"unsupported currency {self.currency!r}")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "CNY") -> Money:
        """From a decimal amount in major units, e.g. ``Money.of("12.50")`` -> 1250 fen."""
        scale = 10 ** get_currency_precision(currency)
        value = Decimal(str(amount)) * scale
        if value != value.to_integral_value():
            raise ValueError(f"{amount} has more decimals than {currency} allows")
        return cls(currency, int(value))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.currency, self.minor + other.minor)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.currency, self.minor - other.minor)

    def as_decimal(self) -> Decimal:
        scale = Decimal(10) ** int(get_currency_precision(self.currency))
        return Decimal(self.minor) / scale

    def format(self, locale: str = "zh_CN") -> str:
        return str(format_currency(self.as_decimal(), self.currency, locale=_locale(locale)))


@lru_cache(maxsize=16)
def _locale(name: str) -> Locale:
    """Babel parses a locale name on every call otherwise (about half a millisecond each)."""
    return Locale.parse(name)
