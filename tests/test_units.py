"""The unit algebra: 元+元 → 元, 元×% → 元, 元/元 → %, 元+% is an error."""

from __future__ import annotations

import pytest

from policydsl.types import (
    MONEY,
    MULTIPLE,
    NUMBER,
    POINTS,
    RATE,
    UNBOUNDED,
    ZERO,
    Type,
    UnitError,
    adjust,
    arithmetic,
    unify,
)

YEARS = Type("years")
PEOPLE = Type("count", "人")


@pytest.mark.parametrize(("op", "left", "right", "result"), [
    ("+", MONEY, MONEY, MONEY),
    ("-", MONEY, MONEY, MONEY),
    ("×", MONEY, RATE, MONEY),
    ("×", RATE, MONEY, MONEY),
    ("×", MONEY, MULTIPLE, MONEY),
    ("×", MONEY, PEOPLE, MONEY),
    ("÷", MONEY, MONEY, RATE),
    ("÷", MONEY, PEOPLE, MONEY),
    ("+", RATE, POINTS, RATE),
    ("×", RATE, RATE, RATE),
    ("-", RATE, RATE, RATE),
    ("+", YEARS, YEARS, YEARS),
    ("+", MONEY, ZERO, MONEY),
    ("×", NUMBER, MONEY, MONEY),
])
def test_defined(op: str, left: Type, right: Type, result: Type) -> None:
    assert arithmetic(op, left, right) == result


@pytest.mark.parametrize(("op", "left", "right", "hint"), [
    ("+", MONEY, RATE, "did you mean 元 × %?"),
    ("-", MONEY, NUMBER, "a bare number has no unit"),
    ("×", MONEY, MONEY, "multiply an amount"),
    ("+", MONEY, YEARS, "same unit"),
    ("÷", RATE, MONEY, "divide"),
])
def test_undefined(op: str, left: Type, right: Type, hint: str) -> None:
    with pytest.raises(UnitError) as err:
        arithmetic(op, left, right)
    assert hint in (err.value.hint or "")


def test_branches_unify() -> None:
    assert unify(MONEY, UNBOUNDED) == MONEY
    assert unify(ZERO, RATE) == RATE
    assert unify(Type("never", optional=True), MONEY) == Type("money", optional=True)
    with pytest.raises(UnitError):
        unify(MONEY, RATE)


def test_adjust() -> None:
    assert adjust("提高", RATE, POINTS) == ("add", RATE)       # 60% 提高 5 个百分点 = 65%
    assert adjust("降低", MONEY, RATE) == ("scale", MONEY)     # 起付线 降低 50%
    assert adjust("增加", MONEY, MONEY) == ("add", MONEY)      # 640 元 增加 30 元
    assert adjust("提高", Type("schedule"), POINTS) == ("add", Type("schedule"))
    with pytest.raises(UnitError):
        adjust("提高", MONEY, POINTS)


MONTHLY = Type("money", "月")


def test_money_per_month_is_kept_apart_from_money_per_year() -> None:
    assert str(MONTHLY) == "元/月"
    assert arithmetic("+", MONTHLY, MONTHLY) == MONTHLY
    assert arithmetic("×", MONTHLY, Type("months")) == MONEY  # 元/月 × 12 个月 = 元
    assert arithmetic("×", MONTHLY, RATE) == MONTHLY
    with pytest.raises(UnitError) as err:
        arithmetic("+", MONTHLY, MONEY)
    assert "元/月 × 12 个月" in (err.value.hint or "")


def test_money_per_month_in_a_policy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import check_source, codes

    notice = "低保标准每月800元，全年12个月。"
    ok = check_source(tmp_path, """条款 一 "低保" {
  引文 "低保标准每月800元，全年12个月"
  参数 月低保标准 = 800 元/月
  参数 年低保标准 = 月低保标准 × 12 个月
  核对 年低保标准 = 9600 元 自定 "x"
}""".replace(' 自定 "x"', ""), notice)
    assert codes(ok) == ["E302"]  # 9600 is not printed by the notice: only derived values are
    bad = check_source(tmp_path, """条款 一 "低保" {
  引文 "低保标准每月800元"
  参数 月低保标准 = 800 元／月
  输入 年收入: 元
  规则 差 = 年收入 - 月低保标准
}""", notice)
    assert codes(bad) == ["E201"]
