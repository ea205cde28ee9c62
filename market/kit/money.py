"""Money: an integer of minor units with an ISO 4217 currency. Never a float.

Shown to people by ``market.kit.formatting.format_money`` (Babel/CLDR), the one money formatter.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision

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
