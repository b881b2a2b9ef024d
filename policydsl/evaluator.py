"""Compile-time evaluation of IR expressions.

Parameters, table rows and checks are computed here, once, when a policy is compiled; the
generated calculators then carry the results as constants.  The semantics are the ones the
Python backend generates (tests/test_semantics.py compares the two on the shipped policies).
"""

from __future__ import annotations

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
    """What a compile-time evaluation can see: parameter values, tables, enumerations."""

    params: Env
    tables: Mapping[str, ir.Table]
    enums: Mapping[str, ir.Enum]


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
        key = self.eval(e.key)
        assert isinstance(key, ir.EnumValue)
        return self.scope.tables[e.table].value_for(key.member).value

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
        raise AssertionError(e.func)


def compare(op: str, left: ir.Value, right: ir.Value) -> bool:
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
