"""Values as people read them: in messages, comments, tables and `eval` output.

One place, so that 640 元, 80%, 无上限 and money to the 分 look the same everywhere the
compiler prints them (generated modules carry their own copy, `_show`, to stay standalone).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from . import ir
from .types import MONEY, RATE, Type
from .units import unit_word


def show_value(value: ir.Value, typ: Type) -> str:
    """A value as a policy author writes it: 640 元, 80%, 1.5 倍, 2016-01-01, 是."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        if value.is_infinite():
            return "无上限"
        if typ.kind in ("rate", "points"):
            shown = format((value * 100).normalize(), "f")
            return f"{shown}%" if typ.kind == "rate" else f"{shown} 个百分点"
        word = unit_word(typ.kind, period=typ.arg, label=typ.arg)
        return format(value.normalize(), "f") + (f" {word}" if word else "")
    if isinstance(value, ir.EnumValue):
        return f"{value.enum}.{value.member}"
    if isinstance(value, tuple):
        return "分段 {" + "; ".join(f"至 {show_value(t.upper, MONEY)}: {show_value(t.rate, RATE)}"
                                   for t in value) + "}"
    if value is None:
        return "未给出"
    if isinstance(value, datetime.date) and typ.kind == "monthday":
        return f"{value.month}月{value.day}日"
    return str(value)


def money_text(amount: Decimal) -> str:
    """Two decimals, the way money is printed; more only if the amount has them (never cut)."""
    cents = amount.quantize(Decimal("0.01"))
    return format(cents if cents == amount else amount.normalize(), "f")


def slip_text(value: ir.Value, typ: Type) -> str:
    """A computed amount as a settlement slip prints it: 38.40 元, 30.00 元/月."""
    if typ.kind == "money" and isinstance(value, Decimal) and value.is_finite():
        return money_text(value) + " " + unit_word("money", period=typ.arg)
    return show_value(value, typ)
