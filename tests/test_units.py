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
