"""Types with units, and the unit algebra.

Every value of a policy has one of these types.  Numbers carry their kind (policydsl/units.py):
money (元, exact decimal; per 月 or per 年 when the notice says so), rates (stored as a
fraction: 80 % is 0.8), percentage points (only added to rates), multiples, years, months,
days, ages (周岁), counts (次, 人, 个, 种) and bare numbers.  The algebra below is what makes
`元 + %` an error while `元 × %` is money, and keeps a monthly amount from adding to a yearly
one: `元/月 × 12 个月` is 元.

Two literal kinds adapt to where they stand: zero (`取消`, `不设起付线`) and unbounded
(`无上限`, `不设封顶线`); both take the type of the other operand.  A `plural` type holds
one value per member of a list (`限额[病种]`); 最高, 次高 and 合计 make one value of it.
"""

from __future__ import annotations

import attrs

from .units import TYPE_WORDS, unit, unit_word

NUMERIC = frozenset({"money", "rate", "points", "multiple", "years", "months", "days", "age",
                     "count", "number"})
ADAPTIVE = frozenset({"zero", "unbounded"})
NAMES = {"number": "数", "date": "日期", "monthday": "月日", "bool": "是否", "schedule": "分段", "zero": "零",
         "unbounded": "无上限", "never": "错误"}


@attrs.frozen
class Type:
    kind: str
    arg: str = ""  # the enumeration of an enum or a list; a count's label; money's period
    optional: bool = False
    plural: bool = False  # one value per member of a list

    def __str__(self) -> str:
        if self.kind == "enum":
            text = self.arg
        elif self.kind == "list":
            text = f"一组 {self.arg}"
        elif self.kind in NAMES:
            text = NAMES[self.kind]
        else:
            text = unit_word(self.kind, period=self.arg, label=self.arg)
        if self.plural:
            text = f"各{text}"
        return f"{text} (可选)" if self.optional else text

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC or self.kind in ADAPTIVE

    @property
    def monthly(self) -> bool:
        return self.kind == "money" and self.arg == "月"

    def required(self) -> Type:
        return attrs.evolve(self, optional=False)

    def single(self) -> Type:
        return attrs.evolve(self, plural=False)


MONEY = Type("money")
MONEY_PER_MONTH = Type("money", "月")
MONEY_PER_YEAR = Type("money", "年")
RATE = Type("rate")
POINTS = Type("points")
MULTIPLE = Type("multiple")
MONTHS = Type("months")
YEARS = Type("years")
AGE = Type("age")
NUMBER = Type("number")
BOOL = Type("bool")
DATE = Type("date")
MONTHDAY = Type("monthday")  # a day of the year without its year: 9月15日
SCHEDULE = Type("schedule")
ZERO = Type("zero")
UNBOUNDED = Type("unbounded")
NEVER = Type("never")


def of_unit(word: str | None) -> Type:
    """The type of a number written with this unit word (None: a bare number)."""
    if word is None:
        return NUMBER
    if word in TYPE_WORDS:
        return Type(TYPE_WORDS[word])
    spelled = unit(word)
    if spelled.kind == "money":
        return Type("money", spelled.period)
    return Type(spelled.kind, spelled.label)


class UnitError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _plain(t: Type) -> Type:
    """An amount per year is an amount: 元/年 and 元 stand in the same places."""
    return Type("money", "", t.optional, t.plural) if t.kind == "money" and t.arg == "年" else t


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
    if _plain(a) == _plain(b):
        return _plain(a)
    if a.kind == b.kind == "count" and "" in (a.arg, b.arg):
        return a if a.arg else b  # 个数(…): a count of whatever is counted
    if {a.kind, b.kind} == {"rate", "multiple"}:
        return RATE
    if a.kind == b.kind == "money":
        raise UnitError(f"{a} and {b} cannot stand in the same place",
                        "an amount per month and one per year differ: 元/月 × 12 个月 is 元")
    raise UnitError(f"{a} and {b} cannot stand in the same place",
                    "every branch of 若/按 and every argument of 较小/较大 needs the same unit")


def _same_numeric(a: Type, b: Type) -> bool:
    try:
        _unify(a, b)
    except UnitError:
        return False
    return a.numeric and b.numeric


SCALARS = frozenset({"rate", "multiple", "number", "count"})
MEASURES = frozenset({"money", "years", "months", "days", "age", "count"})


def arithmetic(op: str, a: Type, b: Type) -> Type:
    """The type of `a op b`, or UnitError with a hint."""
    if a.plural or b.plural:
        raise UnitError(f"{a} {op} {b} is not defined",
                        "a value per member of a list: take 最高(…), 次高(…) or 合计(…) of it first")
    if op in "+-" and a.kind == "date" and b.kind in ("days", "months", "years"):
        return DATE
    if not (a.numeric and b.numeric):
        raise UnitError(f"{a} {op} {b} is not defined", "arithmetic needs numbers with units")
    if op in "+-":
        return _add(op, a, b)
    if op == "×":
        return _multiply(a, b)
    if op == "÷":
        return _divide(a, b)
    raise AssertionError(op)


def _add(op: str, a: Type, b: Type) -> Type:
    kinds = {a.kind, b.kind}
    if kinds == {"rate", "points"}:
        return RATE
    if a.kind == "date" and b.kind in ("days", "months", "years"):
        return DATE  # 缴费日期 + 3 个月: a date that many days or months later (or earlier)
    if kinds == {"age", "years"}:
        return AGE
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


def _multiply(a: Type, b: Type) -> Type:
    for x, y in ((a, b), (b, a)):
        if x.monthly and y.kind == "months":
            return MONEY  # 元/月 × 个月 = 元 (for the months counted)
        if x.kind == "money" and x.arg == "年" and y.kind == "years":
            return MONEY
    for x, y in ((a, b), (b, a)):
        if x.kind in ADAPTIVE:
            return y if y.kind not in ADAPTIVE else x
        if x.kind in MEASURES and y.kind in SCALARS - {x.kind}:
            return x
        if x.kind == "number":
            return y
    if a.kind in ("rate", "multiple") and b.kind in ("rate", "multiple"):
        return RATE if "rate" in (a.kind, b.kind) else MULTIPLE
    raise UnitError(f"{a} × {b} is not defined", "multiply an amount by a rate, a multiple or a count")


def _divide(a: Type, b: Type) -> Type:
    if a.kind in ADAPTIVE:
        return b if b.kind not in ADAPTIVE else a
    if a.kind == "money" and not a.monthly and b.kind == "months":
        return MONEY_PER_MONTH  # 年度限额 ÷ 12 个月: an amount per month
    if _same_numeric(a, b) and a.kind not in ("rate", "multiple", "number"):
        return RATE
    if b.kind in SCALARS and a.kind != "points":
        return a
    raise UnitError(f"{a} ÷ {b} is not defined", "divide an amount by an amount, a count or a rate")


def comparable(a: Type, b: Type) -> bool:
    if a.plural or b.plural:
        return False
    if a.kind == "enum" or b.kind == "enum":
        return a == b
    if a.kind == b.kind and a.kind in ("date", "monthday", "bool"):
        return True
    return _same_numeric(a, b)


def adjust(direction: str, base: Type, amount: Type) -> tuple[str, Type]:
    """`base 提高/降低 amount`: returns the mode ("add" or "scale") and the result type.

    With percentage points the amount is added to a rate (or to every rate of a schedule);
    with a rate the base is scaled (降低 50% halves it, 降低五成 too); with the base's own
    unit it is added (增加 30 元).
    """
    if amount.kind == "points" and base.kind in ("rate", "schedule"):
        return "add", base
    if amount.kind == "rate" and base.kind in MEASURES | {"rate"}:
        return "scale", base
    if base.numeric and _same_numeric(base, amount) and amount.kind != "rate":
        return "add", unify(base, amount)
    raise UnitError(f"{base} {direction} {amount} is not defined",
                    "提高/降低 take 个百分点 (added to a rate) or % (scaling an amount)")
