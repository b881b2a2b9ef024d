"""Compile-time evaluation of IR expressions.

Parameters, table rows and checks are computed here, once, when a policy is compiled; the
generated calculators then carry the results as constants.  The semantics are the ones the
Python backend generates (tests/test_semantics.py compares the two on the shipped policies).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

from . import ir

INFINITY = Decimal("Infinity")
ONE = Decimal(1)
ZERO = Decimal(0)


class NotConstant(Exception):
    """The expression reads an input or a rule: its value is known only at run time."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class EvalError(Exception):
    """The expression fails (错误(…), division by zero): the message says why."""


Env = Mapping[str, ir.Value]


@attrs.frozen
class Scope:
    """What an evaluation can see: parameter values, tables, enumerations, and the rules (to
    compute `R 当 X 为 E` again)."""

    params: Env
    tables: Mapping[str, ir.Table]
    enums: Mapping[str, ir.Enum]
    rules: Mapping[str, ir.Rule] = attrs.field(factory=dict)

    @classmethod
    def of(cls, policy: ir.Policy) -> Scope:
        return cls({p.name: p.value for p in policy.params}, {t.name: t for t in policy.tables},
                   {e.name: e for e in policy.enums}, {r.name: r for r in policy.rules})


def evaluate(expr: ir.Expr, scope: Scope, inputs: Env | None = None) -> ir.Value:
    return _Evaluator(scope, inputs or {}).eval(expr)


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def progressive(amount: Decimal, tiers: tuple[ir.Tier, ...], deductible: Decimal) -> Decimal:
    """Pay each tier's rate on the part of `amount` inside the tier and above `deductible`.

    A rate above 100 % counts as 100 %: a tier never pays more than its part.
    """
    total = ZERO
    lower = ZERO
    for tier in tiers:
        low = max(lower, deductible)
        high = min(amount, tier.upper)
        if high > low:
            total += (high - low) * min(tier.rate, ONE)
        lower = tier.upper
        if lower >= amount:
            break
    return total


class _Evaluator:
    def __init__(self, scope: Scope, inputs: Env):
        self.scope = scope
        self.inputs = inputs

    def eval(self, expr: ir.Expr) -> ir.Value:
        method: Callable[[ir.Expr], ir.Value] = getattr(self, "_" + type(expr).__name__)
        return method(expr)

    def _Const(self, e: ir.Const) -> ir.Value:
        return e.value

    def _Ref(self, e: ir.Ref) -> ir.Value:
        if e.kind == "param" and e.name in self.scope.params:
            return self.scope.params[e.name]
        if e.name in self.inputs:
            return self.inputs[e.name]
        raise NotConstant(e.name)

    def _Lookup(self, e: ir.Lookup) -> ir.Value:
        keys = [self.eval(k) for k in e.keys]
        table = self.scope.tables[e.table]
        if isinstance(keys[0], tuple):  # a list: one value per member
            return tuple(self._row(table, (v.member,)) for v in keys[0])
        members = tuple(k.member for k in keys if isinstance(k, ir.EnumValue))
        return self._row(table, members)

    def _row(self, table: ir.Table, members: tuple[str, ...]) -> ir.Value:
        try:
            return table.value_for(*members).value
        except KeyError:
            raise EvalError(f"{table.name}[{', '.join(members)}] is read before its row") from None

    def _With(self, e: ir.With) -> ir.Value:
        """R 当 X 为 E: the rules from X up to R computed again, with X taken to be E."""
        env = {**self.inputs, e.name: self.eval(e.replacement)}
        inner = _Evaluator(self.scope, env)
        for name in e.chain:
            env[name] = inner.eval(self.scope.rules[name].expr)
        assert isinstance(e.value, ir.Ref)
        return env[e.value.name]

    def _Fail(self, e: ir.Fail) -> ir.Value:
        raise EvalError(e.message)

    def _If(self, e: ir.If) -> ir.Value:
        return self.eval(e.then) if self.eval(e.cond) else self.eval(e.otherwise)

    def _Match(self, e: ir.Match) -> ir.Value:
        subject = self.eval(e.subject)
        assert isinstance(subject, ir.EnumValue)
        for arm in e.arms:
            if subject.member in arm.members:
                return self.eval(arm.value)
        raise AssertionError("match is complete")

    def _Binary(self, e: ir.Binary) -> ir.Value:
        left, right = self.eval(e.left), self.eval(e.right)
        if isinstance(left, datetime.date):  # 日期 + 3 个月
            assert isinstance(right, Decimal)
            return shift_date(left, right if e.op == "+" else -right, e.right.type.kind)
        assert isinstance(left, Decimal) and isinstance(right, Decimal)
        try:
            if e.op == "+":
                return left + right
            if e.op == "-":
                return left - right
            if e.op == "×":
                return left * right
            return left / right
        except (InvalidOperation, ZeroDivisionError) as err:
            if e.op == "÷" and right == 0:
                raise EvalError(f"{left} ÷ {right}: division by zero") from err
            raise EvalError(f"{left} {e.op} {right} is not a number") from err

    def _Compare(self, e: ir.Compare) -> ir.Value:
        left, right = self.eval(e.left), self.eval(e.right)
        return compare(e.op, left, right)

    def _Logic(self, e: ir.Logic) -> ir.Value:
        if e.op == "not":
            return not self.eval(e.left)
        left = self.eval(e.left)
        if e.op == "and":
            return bool(left) and bool(self.eval(e.right))  # type: ignore[arg-type]
        return bool(left) or bool(self.eval(e.right))  # type: ignore[arg-type]

    def _Coalesce(self, e: ir.Coalesce) -> ir.Value:
        value = self.eval(e.value)
        return self.eval(e.default) if value is None else value

    def _Adjust(self, e: ir.Adjust) -> ir.Value:
        base, amount = self.eval(e.base), self.eval(e.amount)
        assert isinstance(amount, Decimal)
        signed = amount if e.up else -amount
        if isinstance(base, tuple):  # a schedule: every tier's rate
            return tuple(ir.Tier(t.upper, t.rate + signed) for t in base)
        assert isinstance(base, Decimal)
        return base + signed if e.mode == "add" else base * (ONE + signed)

    def _Call(self, e: ir.Call) -> ir.Value:
        if e.func == "given":
            return self.eval(e.args[0]) is not None
        args = [self.eval(a) for a in e.args]
        if e.func == "min":
            return min(args)  # type: ignore[type-var]
        if e.func == "max":
            return max(args)  # type: ignore[type-var]
        if e.func == "clamp":
            value, low, high = args
            return min(max(value, low), high)  # type: ignore[type-var]
        if e.func == "round":
            value, places = args
            assert isinstance(value, Decimal) and isinstance(places, Decimal)
            if value.is_infinite():
                raise EvalError("无上限 cannot be rounded")
            return round_half_up(value, int(places))
        if e.func == "highest":
            values: tuple[ir.EnumValue, ...] = args[0]  # type: ignore[assignment]
            return highest(values, self.scope.enums[e.type.arg].members)
        if e.func == "progressive":
            amount, tiers, deductible = args
            return progressive(amount, tiers, deductible)  # type: ignore[arg-type]
        return LIST_AND_DATE_FUNCTIONS[e.func](*args)


def compare(op: str, left: ir.Value, right: ir.Value) -> bool:
    if op == "contains":
        return right in left  # type: ignore[operator]
    if op == "about":
        assert isinstance(left, Decimal) and isinstance(right, Decimal)
        return about(left, right)
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def highest(values: tuple[ir.EnumValue, ...], order: tuple[str, ...]) -> ir.EnumValue:
    """就高不就低: the member written first in its enumeration wins."""
    if not values:
        raise EvalError("the list is empty")
    return min(values, key=lambda v: order.index(v.member))


def about(value: Decimal, printed: Decimal) -> bool:
    """约为: `value` rounded (half-up) at the last non-zero digit of `printed` is `printed`:
    17906 约为 18000 (to the thousand), 3581.2 约为 3600 (to the hundred)."""
    if printed == 0 or not printed.is_finite():
        return value == printed
    place = printed.normalize().as_tuple().exponent
    assert isinstance(place, int)
    return value.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_UP) == printed


# ---------------------------------------------------------------- lists, dates and ages
def count(values: tuple[object, ...]) -> Decimal:
    return Decimal(len(values))


def max_of(values: tuple[Decimal, ...]) -> Decimal:
    return max(values, default=ZERO)


def second_of(values: tuple[Decimal, ...]) -> Decimal:
    """次高: the second highest value (a tie counts twice); 0 with fewer than two."""
    ordered = sorted(values, reverse=True)
    return ordered[1] if len(ordered) > 1 else ZERO


def sum_of(values: tuple[Decimal, ...]) -> Decimal:
    return sum(values, ZERO)


def age(born: datetime.date, on: datetime.date) -> Decimal:
    """周岁: full years of age on a date (the birthday itself counts)."""
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return Decimal(max(years, 0))


def birthday(born: datetime.date, years: Decimal) -> datetime.date:
    """The day `years` of age are reached; born on 29 February, 1 March in other years."""
    year = born.year + int(years)
    try:
        return born.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def next_month(day: datetime.date) -> datetime.date:
    """次月: the first day of the month after."""
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months(start: datetime.date, end: datetime.date) -> Decimal:
    """月数: calendar months from start's month to end's, both counted; 0 if start is later."""
    return Decimal(max((end.year - start.year) * 12 + end.month - start.month + 1, 0))


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    """倍数: numerator ÷ denominator, to 28 significant digits."""
    if denominator == 0:
        raise EvalError(f"{numerator} ÷ {denominator}: division by zero")
    return numerator / denominator


def next_day(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=1)


def year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 1, 1)


def year_end(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 12, 31)


def month_day(day: datetime.date) -> datetime.date:
    """月日: the day of the year, in the leap year days of the year are kept in (2000)."""
    return datetime.date(2000, day.month, day.day)


def in_year(day: datetime.date, date: datetime.date) -> datetime.date:
    """当年: a day of the year in the date's year; 2月29日 is 2月28日 in a common year."""
    try:
        return datetime.date(date.year, day.month, day.day)
    except ValueError:  # 2月29日 in a common year
        return datetime.date(date.year, 2, 28)


def shift_date(day: datetime.date, amount: Decimal, kind: str) -> datetime.date:
    """A date `amount` days, months or years later (earlier if negative); a day past the end
    of a month is its last day (1 月 31 日 + 1 个月 is 2 月 28 or 29 日)."""
    if kind == "days":
        return day + datetime.timedelta(days=int(amount))
    months = int(amount) * (12 if kind == "years" else 1)
    year, index = divmod(day.year * 12 + day.month - 1 + months, 12)  # index 0 is January
    last_day = (next_month(datetime.date(year, index + 1, 1)) - datetime.timedelta(days=1)).day
    return datetime.date(year, index + 1, min(day.day, last_day))


def prorate(amount: Decimal, months: Decimal) -> Decimal:
    """按月折算: a year's amount for the months counted (× months ÷ 12, exact to 28 digits)."""
    return amount * months / 12


LIST_AND_DATE_FUNCTIONS: dict[str, Callable[..., ir.Value]] = {
    "count": count, "max_of": max_of, "second_of": second_of, "sum_of": sum_of, "age": age,
    "birthday": birthday, "next_month": next_month, "months": months, "prorate": prorate,
    "next_day": next_day, "year_start": year_start, "year_end": year_end, "ratio": ratio,
    "month_day": month_day, "in_year": in_year,
}
