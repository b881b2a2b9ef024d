"""The number reader: Chinese numerals, 万 and 亿, percentages in words, periods, dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policydsl.numbers import cn_to_int, int_to_cn, read_cn_literal, scan, scan_text


@given(st.integers(min_value=0, max_value=10**12))
def test_chinese_numerals_round_trip_through_integers(n: int) -> None:
    assert cn_to_int(int_to_cn(n)) == n


@pytest.mark.parametrize(("text", "value"), [
    ("十", 10), ("十二", 12), ("二十六", 26), ("一百零五", 105), ("一千零一十", 1010), ("两万", 20000),
    ("二〇二四", 2024), ("三万五千八百一十二", 35812), ("一亿零五", 100000005),
])
def test_chinese_numerals_as_notices_write_them(text: str, value: int) -> None:
    assert cn_to_int(text) == value


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(["万元", "元"]))
def test_wan_yuan_and_yuan_are_one_amount(n: int, word: str) -> None:
    """20万元 = 200000 元: an amount is read in 元 whichever way it is printed."""
    printed = f"限额为{n}{word}。"
    [quantity] = scan(scan_text(printed))
    assert quantity.kind == "money"
    assert quantity.value == Decimal(n) * (10_000 if word == "万元" else 1)


@given(st.integers(min_value=1, max_value=99))
def test_an_amount_with_a_thousands_separator(n: int) -> None:
    amount = n * 1000 + 812
    printed = f"为{amount // 1000},{amount % 1000:03d}元"
    assert [q.value for q in scan(scan_text(printed))] == [Decimal(amount)]


@pytest.mark.parametrize(("text", "number", "unit", "ordinal"), [
    ("五成", 5, "成", False), ("第二次", 2, "次", True), ("两个月", 2, "个月", False),
    ("千分之五", 5, "‰", False), ("百分之五十", 50, "%", False), ("三倍", 3, "倍", False),
    ("七十周岁", 70, "周岁", False),
])
def test_a_chinese_literal_of_a_policy(text: str, number: int, unit: str, ordinal: bool) -> None:
    literal = read_cn_literal(text)
    assert (literal.number, literal.unit, literal.ordinal) == (Decimal(number), unit, ordinal)


@pytest.mark.parametrize(("text", "kind", "value", "period"), [
    ("每人每月5元", "money", Decimal(5), "月"),
    ("每人每年60元", "money", Decimal(60), "年"),
    ("68元/人·年", "money", Decimal(68), "年"),
    ("30元/月", "money", Decimal(30), "月"),
    ("提高5个百分点", "points", Decimal("0.05"), ""),
    ("降低五成", "rate", Decimal("0.5"), ""),
    ("千分之五", "rate", Decimal("0.005"), ""),
    ("70周岁以上", "age", Decimal(70), ""),
    ("第二次及以上", "count", Decimal(2), ""),
    ("1.8万元", "money", Decimal(18000), ""),
])
def test_quantities_as_notices_print_them(text: str, kind: str, value: Decimal, period: str) -> None:
    [quantity] = scan(scan_text(text))
    assert (quantity.kind, quantity.value, quantity.period) == (kind, value, period)


def test_numbers_are_read_whole() -> None:
    """5% is never found inside 45%, nor 640 元 inside 1640元."""
    assert [q.value for q in scan(scan_text("不低于45%，1640元"))] == [Decimal("0.45"), Decimal(1640)]


def test_dates_of_a_sentence_share_its_year_and_a_bare_day_is_not_a_number() -> None:
    found = scan(scan_text("集中缴费期为2024年9月1日至12月31日。原则上于9月15日前拨付。"))
    assert [(q.kind, q.value) for q in found] == [
        ("date", datetime.date(2024, 9, 1)), ("date", datetime.date(2024, 12, 31)),
        ("monthday", datetime.date(2000, 9, 15))]
    assert [q.value for q in scan(scan_text("二〇二四年八月二十六日"))] == [datetime.date(2024, 8, 26)]
