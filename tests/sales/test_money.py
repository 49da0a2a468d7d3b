"""Money: each line rounded half-up to the cent, totals the sum of rounded lines, conversion by date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sales.models import ExchangeRate
from sales.money import Rates, line_amounts, order_amounts, rates_on, round_money, sum_by_currency


def test_round_money_is_half_up_not_bankers():
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("0.135")) == Decimal("0.14")
    assert round_money(Decimal("2.5")) == Decimal("2.50")
    assert round_money(Decimal("-0.125")) == Decimal("-0.13")


def test_line_discount_is_rounded_before_subtracting():
    amounts = line_amounts(quantity=3, unit_price=Decimal("33.33"), discount_percent=Decimal("12.5"))
    assert amounts.gross == Decimal("99.99")
    assert amounts.discount == Decimal("12.50")  # 12.49875 rounds up
    assert amounts.total == Decimal("87.49")


def test_no_float_error_in_tenths():
    amounts = line_amounts(quantity=3, unit_price=Decimal("0.1"))
    assert amounts.total == Decimal("0.30")


def test_order_total_is_the_sum_of_rounded_lines():
    lines = [{"quantity": 1, "unit_price": Decimal("0.005"), "discount_percent": 0}] * 3
    totals = order_amounts(lines)
    # each line rounds to 0.01 first; rounding the exact sum (0.015) would give 0.02
    assert totals.total == Decimal("0.03")
    assert totals.gross == Decimal("0.03") and totals.discount == Decimal("0.00")


def test_full_discount_gives_zero():
    assert line_amounts(quantity=7, unit_price=Decimal("19.99"), discount_percent=100).total == Decimal("0.00")


@pytest.mark.django_db
def test_conversion_uses_the_latest_rate_on_or_before_the_day(settings):
    settings.BASE_CURRENCY = "CNY"
    day = date(2026, 3, 10)
    ExchangeRate.objects.create(currency="USD", date=day - timedelta(days=30), rate=Decimal("7.0"))
    ExchangeRate.objects.create(currency="USD", date=day - timedelta(days=1), rate=Decimal("7.25"))
    ExchangeRate.objects.create(currency="USD", date=day + timedelta(days=1), rate=Decimal("9"))
    rates = rates_on(day)
    assert rates.to_base(Decimal("10.01"), "USD") == Decimal("72.57")  # 72.5725 → 72.57
    assert rates.to_base(Decimal("5"), "CNY") == Decimal("5.00")
    assert rates.missing == set()


@pytest.mark.django_db
def test_missing_rate_is_reported_not_guessed():
    rates = rates_on(date(2026, 1, 1))
    assert rates.to_base(Decimal("100"), "EUR") == Decimal("0.00")
    assert rates.missing == {"EUR"}


def test_sums_by_currency_convert_each_row_then_add_by_key_a_field_or_a_function_of_the_row():
    rates = Rates(base="CNY", rates={"USD": Decimal("7.25")})
    rows = [
        {"month": 1, "stage": "a", "currency": "CNY", "amount": Decimal("10")},
        {"month": 1, "stage": "b", "currency": "USD", "amount": Decimal("0.005")},  # 0.03625 → 0.04
        {"month": 2, "stage": "a", "currency": "USD", "amount": None},
        {"month": 2, "stage": "a", "currency": "EUR", "amount": Decimal("5")},
    ]
    assert sum_by_currency(rows, rates, "month") == {1: Decimal("10.04"), 2: Decimal("0.00")}
    by_pair = sum_by_currency(rows, rates, key=lambda row: (row["month"], row["stage"]))
    assert by_pair == {(1, "a"): Decimal("10.00"), (1, "b"): Decimal("0.04"), (2, "a"): Decimal("0.00")}
    assert rates.missing == {"EUR"}
