"""Money: Decimal arithmetic with explicit rounding, and conversion to the base currency.

Amounts are rounded half-up to the cent at each step a person would see (a line's gross amount, its
discount, its total), so the printed order adds up. Conversion uses the latest rate on or before a
day; a currency without a rate is reported as missing rather than silently counted as zero.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from .models import ExchangeRate

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    total: Decimal


def line_amounts(*, quantity, unit_price, discount_percent=0) -> LineAmounts:
    """Gross, discount and net of one line, each rounded to the cent."""
    gross = round_money(Decimal(quantity) * Decimal(unit_price))
    discount = round_money(gross * Decimal(discount_percent) / Decimal(100))
    return LineAmounts(gross=gross, discount=discount, total=gross - discount)


def order_amounts(lines) -> LineAmounts:
    """Sum of the rounded lines (never rounding the sum again, so lines and total agree)."""
    amounts = [line_amounts(**line) for line in lines]
    return LineAmounts(
        gross=sum((a.gross for a in amounts), ZERO),
        discount=sum((a.discount for a in amounts), ZERO),
        total=sum((a.total for a in amounts), ZERO),
    )


def base_currency() -> str:
    return settings.BASE_CURRENCY


@dataclass
class Rates:
    """Rates to the base currency valid on one day; remembers currencies it had no rate for."""

    base: str
    rates: dict[str, Decimal]
    missing: set[str] = field(default_factory=set)

    def to_base(self, amount, currency: str) -> Decimal:
        amount = Decimal(amount or 0)
        if currency == self.base:
            return round_money(amount)
        rate = self.rates.get(currency)
        if rate is None:
            self.missing.add(currency)
            return ZERO
        return round_money(amount * rate)


def rates_on(day: date | None = None) -> Rates:
    """The latest rate of every currency on or before ``day`` (today when not given), in one query."""

    day = day or timezone.localdate()
    rows = (
        ExchangeRate.objects.filter(date__lte=day)
        .order_by("currency", "-date")
        .distinct("currency")
        .values_list("currency", "rate")
    )
    return Rates(base=base_currency(), rates=dict(rows))


def sum_by_currency(rows, rates: Rates, key, amount="amount", currency="currency") -> dict:
    """Group rows of ``{key, currency, amount}`` (one per key and currency, as ``values(key, currency)``
    with an aggregate gives them) into ``{key: sum in the base currency}``, in the order the keys come.

    ``key`` names the row's key field, or is a function of the row (a key made of several fields). Each row is
    converted and rounded on its own, then added: the one way every sales total in mixed currencies is made."""
    key_of = key if callable(key) else (lambda row: row[key])
    found = defaultdict(lambda: ZERO)
    for row in rows:
        found[key_of(row)] += rates.to_base(row[amount] or 0, row[currency])
    return dict(found)
