"""Whether a calculator's arithmetic is exact without a special decimal context.

Python's decimal arithmetic rounds a result to 28 significant digits (the default context).
The generated calculators must never round silently, so their rules run in a context that
never rounds + − × — which costs a context switch per call.  Here the switch is proved
unnecessary when it is: every input is bounded (python_runtime: money below 10^13 with two
decimals, rates within 0–1 with eight, other numbers below 10^12 with eight), every constant
is known, so every intermediate value has a bounded size and number of decimals; if none can
need more than 28 significant digits, the default context computes every value exactly.  A
calculator that divides, prorates or recomputes (`当 … 为`) is not analysed: it keeps the
context.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

import attrs

from .. import ir

PRECISION = 28
ZERO = Decimal(0)


@attrs.frozen
class Bound:
    """A value no larger than `size` in magnitude, with at most `places` decimals; `signed`
    if it may be negative (inputs never are, so a − b of two inputs is no larger than either)."""

    size: Decimal
    places: int
    signed: bool = False

    @property
    def digits(self) -> int:
        """Significant digits the value may need."""
        whole = self.size.adjusted() + 1 if self.size >= 1 else 0
        return whole + self.places

    def widest(self, other: Bound) -> Bound:
        return Bound(max(self.size, other.size), max(self.places, other.places),
                     self.signed or other.signed)


NONE = Bound(ZERO, 0)  # not a number: a date, a member, a truth value
INPUTS = {"money": Bound(Decimal(10) ** 13, 2), "rate": Bound(Decimal(1), 8),
          "points": Bound(Decimal(1), 8), "count": Bound(Decimal(10) ** 12, 0)}
NUMBER = Bound(Decimal(10) ** 12, 8)
SCHEDULE = Bound(Decimal(10) ** 13, 8)  # its bounds are money, its rates fractions


class NotAnalysed(Exception):
    """The expression rounds on purpose (÷), or is beyond this analysis."""


def exact_without_context(policy: ir.Policy, calc: ir.Calculator) -> bool:
    """Whether every rule of the calculator computes exactly under 28 significant digits."""
    known: dict[str, Bound] = {}
    try:
        for name in calc.rules:
            known[name] = _Bounds(policy, known).of(policy.rule(name).expr)
    except NotAnalysed:
        return False
    return True


class _Bounds:
    def __init__(self, policy: ir.Policy, rules: Mapping[str, Bound]):
        self.policy = policy
        self.rules = rules

    def of(self, e: ir.Expr) -> Bound:
        bound = getattr(self, "_" + type(e).__name__)(e)
        assert isinstance(bound, Bound)
        if bound.digits > PRECISION:
            raise NotAnalysed(ir.describe(e))
        return bound

    def _Const(self, e: ir.Const) -> Bound:
        return value_bound(e.value)

    def _Ref(self, e: ir.Ref) -> Bound:
        if e.kind == "rule":
            return self.rules[e.name]
        if e.kind == "param":
            return value_bound(self.policy.param(e.name).value)
        if e.type.kind == "schedule":
            return SCHEDULE
        return INPUTS.get(e.type.kind, NUMBER) if e.type.numeric else NONE

    def _Lookup(self, e: ir.Lookup) -> Bound:
        for key in e.keys:
            self.of(key)
        return _widest([value_bound(row.value) for row in self.policy.table(e.table).rows])

    def _Binary(self, e: ir.Binary) -> Bound:
        left, right = self.of(e.left), self.of(e.right)
        places = max(left.places, right.places)
        if e.op == "-" and not (left.signed or right.signed):  # |a − b| ≤ max(a, b)
            return Bound(max(left.size, right.size), places, True)
        if e.op in "+-":
            return Bound(left.size + right.size, places, e.op == "-" or left.signed or right.signed)
        if e.op == "×":
            return Bound(left.size * right.size, left.places + right.places, left.signed or right.signed)
        raise NotAnalysed("÷")

    def _Adjust(self, e: ir.Adjust) -> Bound:
        base, amount = self.of(e.base), self.of(e.amount)
        if e.mode == "add":
            return Bound(base.size + amount.size, max(base.places, amount.places), True)
        factor = Decimal(1) + amount.size  # base × (1 ± amount)
        return Bound(base.size * factor, base.places + amount.places, base.signed or not e.up)

    def _Call(self, e: ir.Call) -> Bound:
        args = [self.of(a) for a in e.args]
        if e.func in ("min", "max", "clamp"):
            signed = all(a.signed for a in args) if e.func == "max" else any(a.signed for a in args)
            return attrs.evolve(_widest(args), signed=signed)
        if e.func == "round":  # half-up adds at most half a unit of the last place kept
            kept = e.args[1]
            assert isinstance(kept, ir.Const) and isinstance(kept.value, Decimal)
            return Bound(args[0].size + 1, int(kept.value), args[0].signed)
        if e.func == "progressive":  # Σ (high − low) × rate ≤ the amount (a rate counts ≤ 100 %)
            amount, schedule, deductible = args
            places = max(amount.places, deductible.places) + schedule.places
            part = Bound(amount.size + deductible.size, places)  # one tier's (high − low) × rate
            if part.digits > PRECISION:
                raise NotAnalysed("分段累计")
            return Bound(amount.size, places)
        if e.func in ("max_of", "second_of"):
            return args[0]
        if e.func == "sum_of":  # a list holds each member of its enumeration at most once
            members = len(self.policy.enum(_list_enum(e.args[0])).members)
            return Bound(args[0].size * members, args[0].places, args[0].signed)
        if e.func in ("count", "age", "months"):
            return Bound(Decimal(10) ** 4, 0)
        if e.func in ("given", "highest", "birthday", "next_month", "next_day", "year_start", "year_end"):
            return NONE
        raise NotAnalysed(e.func)  # prorate, ratio: they divide

    def _With(self, e: ir.With) -> Bound:
        raise NotAnalysed("当 … 为")

    def _Fail(self, e: ir.Fail) -> Bound:
        return NONE

    def _If(self, e: ir.If) -> Bound:
        self.of(e.cond)
        return self.of(e.then).widest(self.of(e.otherwise))

    def _Match(self, e: ir.Match) -> Bound:
        self.of(e.subject)
        return _widest([self.of(arm.value) for arm in e.arms])

    def _Compare(self, e: ir.Compare) -> Bound:
        self.of(e.left)
        self.of(e.right)
        return NONE

    def _Logic(self, e: ir.Logic) -> Bound:
        self.of(e.left)
        if e.right is not None:
            self.of(e.right)
        return NONE

    def _Coalesce(self, e: ir.Coalesce) -> Bound:
        return self.of(e.value).widest(self.of(e.default))


def _list_enum(e: ir.Expr) -> str:
    if isinstance(e, ir.Lookup) and e.keys[0].type.kind == "list":
        return e.keys[0].type.arg
    raise NotAnalysed(ir.describe(e))


def _widest(found: list[Bound]) -> Bound:
    result = NONE
    for bound in found:
        result = result.widest(bound)
    return result


def value_bound(value: ir.Value) -> Bound:
    if isinstance(value, bool) or value is None or isinstance(value, (ir.EnumValue, datetime.date)):
        return NONE
    if isinstance(value, Decimal):
        if not value.is_finite():
            return NONE  # 无上限 takes part only in comparisons and 较小/较大
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        return Bound(abs(value), max(-exponent, 0), value < 0)
    if isinstance(value, tuple):  # a schedule, or the values of a list
        return _widest([value_bound(t.rate if isinstance(t, ir.Tier) else t) for t in value]
                       + [value_bound(t.upper) for t in value if isinstance(t, ir.Tier)])
    raise NotAnalysed(repr(value))
