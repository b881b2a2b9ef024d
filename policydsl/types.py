"""Types with units, and the unit algebra.

Every value of a policy has one of these types.  Numbers carry their unit: 元 (money, exact
decimal), % (a rate, stored as a fraction: 80 % is 0.8), 个百分点 (percentage points, only
added to rates), 倍 (a multiple), 年, 个月, 人/次 (counts) and bare numbers.  The algebra
below is what makes `元 + %` an error while `元 × %` is money.

Two literal kinds adapt to where they stand: `取消` (zero) and `无上限` (unbounded); both
take the type of the other operand.
"""

from __future__ import annotations

import attrs

NUMERIC = frozenset({"money", "rate", "points", "multiple", "years", "months", "count", "number"})
ADAPTIVE = frozenset({"zero", "unbounded"})

UNIT_KINDS = {
    "元": "money", "元/月": "money", "%": "rate", "个百分点": "points", "倍": "multiple", "年": "years",
    "个月": "months", "人": "count", "次": "count", "日期": "date", "是否": "bool",
    "分段": "schedule",
}


@attrs.frozen
class Type:
    kind: str
    arg: str = ""  # the enumeration of an enum or a list; the unit word of a count
    optional: bool = False

    def __str__(self) -> str:
        text = {
            "money": "元", "rate": "%", "points": "个百分点", "multiple": "倍", "years": "年",
            "months": "个月", "number": "数", "date": "日期", "bool": "是否", "schedule": "分段",
            "zero": "零", "unbounded": "无上限", "never": "错误",
        }.get(self.kind)
        if self.kind == "count" or (self.kind == "money" and self.arg):
            text = self.arg if self.kind == "count" else "元/月"
        elif self.kind == "enum":
            text = self.arg
        elif self.kind == "list":
            text = f"一组 {self.arg}"
        return f"{text} (可选)" if self.optional else str(text)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC or self.kind in ADAPTIVE

    def required(self) -> Type:
        return attrs.evolve(self, optional=False)


MONEY = Type("money")
RATE = Type("rate")
POINTS = Type("points")
MULTIPLE = Type("multiple")
NUMBER = Type("number")
BOOL = Type("bool")
DATE = Type("date")
SCHEDULE = Type("schedule")
ZERO = Type("zero")
UNBOUNDED = Type("unbounded")
NEVER = Type("never")


MONEY_PER_MONTH = Type("money", "月")


def of_unit(unit: str | None) -> Type:
    if unit is None:
        return NUMBER
    if unit == "元/月":
        return MONEY_PER_MONTH
    kind = UNIT_KINDS[unit]
    return Type(kind, unit if kind == "count" else "")


class UnitError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def unify(a: Type, b: Type) -> Type:
    """The common type of two branches (if/match arms, min/max arguments).

    One branch that may be missing (不适用, an optional input) makes the result optional.
    """
    if a.optional or b.optional:
        return attrs.evolve(_unify(a.required(), b.required()), optional=True)
    return _unify(a, b)


def _unify(a: Type, b: Type) -> Type:
    if a.kind == "never":
        return b
    if b.kind == "never" or a == b:
        return a
    if a.kind in ADAPTIVE and (b.numeric or b.kind == "schedule"):
        return b if b.kind not in ADAPTIVE else a
    if b.kind in ADAPTIVE and a.numeric:
        return a
    if {a.kind, b.kind} == {"rate", "multiple"}:
        return RATE
    raise UnitError(f"{a} and {b} cannot stand in the same place",
                    "every branch of 若/按 and every argument of 较小/较大 needs the same unit")


def _same_numeric(a: Type, b: Type) -> bool:
    try:
        _unify(a, b)
    except UnitError:
        return False
    return a.numeric and b.numeric


SCALARS = frozenset({"rate", "multiple", "number", "count"})


def arithmetic(op: str, a: Type, b: Type) -> Type:
    """The type of `a op b`, or UnitError with a hint."""
    if not (a.numeric and b.numeric):
        raise UnitError(f"{a} {op} {b} is not defined", "arithmetic needs numbers with units")
    if op in "+-":
        kinds = {a.kind, b.kind}
        if kinds == {"rate", "points"}:
            return RATE
        if _same_numeric(a, b):
            return unify(a, b)
        if "money" in kinds and "rate" in kinds:
            raise UnitError(f"{a} {op} {b} is not defined", f"did you mean {a} × {b}?")
        if "number" in kinds:
            raise UnitError(f"{a} {op} {b} is not defined",
                            "a bare number has no unit: write it with one (30 元, 5%)")
        if kinds == {"money"}:
            raise UnitError(f"{a} {op} {b} is not defined",
                            "an amount per month and one per year do not add: 元/月 × 12 个月 is 元")
        raise UnitError(f"{a} {op} {b} is not defined", "only amounts of the same unit add up")
    if op == "×":
        if {a, b} == {MONEY_PER_MONTH, Type("months")}:
            return MONEY  # 元/月 × 个月 = 元 (for the year)
        for x, y in ((a, b), (b, a)):
            if x.kind in ADAPTIVE:
                return y if y.kind not in ADAPTIVE else x
            if x.kind in ("money", "years", "months", "count") and y.kind in SCALARS - {x.kind}:
                return x
            if x.kind == "number":
                return y
        if a.kind in ("rate", "multiple") and b.kind in ("rate", "multiple"):
            return RATE if "rate" in (a.kind, b.kind) else MULTIPLE
        raise UnitError(f"{a} × {b} is not defined", "multiply an amount by a rate, a multiple or a count")
    if op == "÷":
        if a.kind in ADAPTIVE:
            return b if b.kind not in ADAPTIVE else a
        if _same_numeric(a, b) and a.kind not in ("rate", "multiple", "number"):
            return RATE
        if b.kind in SCALARS and a.kind != "points":
            return a
        raise UnitError(f"{a} ÷ {b} is not defined", "divide an amount by an amount, a count or a rate")
    raise AssertionError(op)


def comparable(a: Type, b: Type) -> bool:
    if a.kind in ("enum",) or b.kind in ("enum",):
        return a == b
    if a.kind == b.kind and a.kind in ("date", "bool"):
        return True
    return _same_numeric(a, b)


def adjust(direction: str, base: Type, amount: Type) -> tuple[str, Type]:
    """`base 提高/降低 amount`: returns the mode ("add" or "scale") and the result type.

    With percentage points the amount is added to a rate (or to every rate of a schedule);
    with a rate the base is scaled (降低 50% halves it); with the base's own unit it is
    added (增加 30 元).
    """
    if amount.kind == "points" and base.kind in ("rate", "schedule"):
        return "add", base
    if amount.kind == "rate" and base.kind in ("money", "count", "years", "months", "rate"):
        return "scale", base
    if base.numeric and _same_numeric(base, amount) and amount.kind != "rate":
        return "add", unify(base, amount)
    raise UnitError(f"{base} {direction} {amount} is not defined",
                    "提高/降低 take 个百分点 (added to a rate) or % (scaling an amount)")
