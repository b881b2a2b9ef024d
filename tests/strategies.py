"""Random calculator inputs, derived from the IR: hypothesis strategies for one call of a
scalar calculator, and numpy-drawn populations of rows for the batch calculators.

Both follow the input's type (元, %, 人, 年, 日期, 是否, a member, a list of members, a 分段), so
a new policy needs no edit here.  Amounts in a row share one order of magnitude (a row is one
person: a 低保 standard of 800 元 beside costs of 2 M 元 breaks every bound), are often round
(1000 元 steps hit thresholds exactly) and often end in 5 分 (× 70 % lands on half a 分, where
rounding is decided).  A small share of values is bad on purpose (negative, unknown member, not
a number, missing, a member given twice in a list), so that both calculators are also compared
on what they refuse.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
from hypothesis import strategies as st

from policydsl import ir
from policydsl.evaluator import EvalError, NotConstant, Scope, evaluate
from policydsl.types import Type

NUMBER_KINDS = ("money", "rate", "points", "multiple", "years", "months", "days", "age", "count",
                "number")
BAD_TEXT = ("abc", "", "1,000", "NaN", "Infinity")


# ---------------------------------------------------------------- one call (hypothesis)
def money_text() -> st.SearchStrategy[str]:
    """An amount in 元 with at most two decimals, as decimal text."""
    magnitudes = st.integers(0, 9).flatmap(lambda k: st.integers(0, 10 ** (k + 2)))
    return magnitudes.map(lambda units: format(Decimal(units).scaleb(-2), "f"))


def rate_text() -> st.SearchStrategy[str]:
    """A rate between 0 and 100 %, at most six decimals, often a round one."""
    round_rates = st.sampled_from(["0", "0.5", "0.6", "0.65", "0.7", "0.75", "0.8", "0.9", "0.95", "1"])
    fine = st.integers(0, 10**6).map(lambda units: format(Decimal(units).scaleb(-6), "f"))
    return st.one_of(round_rates, fine)


def tiers() -> st.SearchStrategy[list[dict[str, str | None]]]:
    """A 分段: 1–4 ascending tiers, the last open, rates mostly at or above 60 %."""
    def build(uppers: list[int], rates: list[str]) -> list[dict[str, str | None]]:
        bounds = sorted(set(uppers))
        return [{"上限": format(Decimal(u).scaleb(-2), "f") if i < len(bounds) else None,
                 "比例": rate} for i, (u, rate) in enumerate(zip([*bounds, 0], rates, strict=False))]
    rates = st.sampled_from(["0.6", "0.65", "0.7", "0.75", "0.8", "0.85", "0.9", "0.95", "0.612345"])
    return st.integers(0, 3).flatmap(lambda k: st.builds(
        build, st.lists(st.integers(1, 10**9), min_size=k, max_size=k, unique=True),
        st.lists(rates, min_size=k + 1, max_size=k + 1)))


def value(policy: ir.Policy, typ: Type) -> st.SearchStrategy[Any]:
    """One valid input of a type, in a form the scalar calculator takes."""
    kind = typ.kind
    if kind == "money":
        base: st.SearchStrategy[Any] = money_text()
    elif kind in ("rate", "points"):
        base = rate_text()
    elif kind == "count":
        base = st.integers(0, 10**6).map(str)
    elif kind in NUMBER_KINDS:
        base = st.integers(0, 100 * 10**6).map(lambda u: format(Decimal(u).scaleb(-6), "f"))
    elif kind == "bool":
        base = st.booleans()
    elif kind == "date":
        base = st.dates(datetime.date(1990, 1, 1), datetime.date(2035, 12, 31)).map(str)
    elif kind == "enum":
        base = st.sampled_from(policy.enum(typ.arg).members)
    elif kind == "list":  # each member at most once (one given twice is refused)
        base = st.lists(st.sampled_from(policy.enum(typ.arg).members), min_size=1, max_size=3,
                        unique=True)
    elif kind == "schedule":
        base = tiers()
    else:
        raise NotImplementedError(f"no strategy for inputs of type {typ}")
    return st.one_of(st.none(), base) if typ.optional else base


def call_inputs(policy: ir.Policy, calc: ir.Calculator) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for one call of a scalar calculator (inputs with a default may be left
    out)."""
    required = {n: value(policy, policy.input(n).type) for n in calc.inputs
                if policy.input(n).default is None}
    optional = {n: value(policy, policy.input(n).type) for n in calc.inputs
                if policy.input(n).default is not None}
    return st.fixed_dictionaries(required, optional=optional)


# ---------------------------------------------------------------- populations (numpy)
@attrs.define
class Population:
    """Rows for a batch calculator and the same rows as scalar calls."""

    count: int
    columns: dict[str, list[Any]]  # input → one value per row, as the scalar calculator takes it
    constants: dict[str, Any]  # input → one value for every row (a keyword of both calls)

    def call(self, row: int) -> dict[str, Any]:
        """The keyword arguments of the scalar call for one row."""
        return {**self.constants, **{name: values[row] for name, values in self.columns.items()}}


@attrs.define
class Plan:
    """How to draw a population: which inputs are constants (and their values), the seed, and
    how often a value is bad."""

    constants: dict[str, Any]
    seed: int
    bad_share: float


def plans(policy: ir.Policy, calc: ir.Calculator) -> st.SearchStrategy[Plan]:
    """Plans: every 分段 is a constant; any other input is a constant one time in three."""
    def constant(name: str) -> st.SearchStrategy[Any]:
        strategy = value(policy, policy.input(name).type)
        if policy.input(name).type.kind == "schedule":
            return strategy
        return st.one_of(st.just(_COLUMN), strategy, st.just(_COLUMN))
    return st.builds(
        lambda constants, seed, bad: Plan({k: v for k, v in constants.items() if v is not _COLUMN},
                                          seed, bad),
        st.fixed_dictionaries({n: constant(n) for n in calc.inputs}),
        st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.001, 0.01, 0.05]))


_COLUMN = object()  # marks an input drawn per row


def default_plan(policy: ir.Policy, calc: ir.Calculator, seed: int, bad_share: float) -> Plan:
    """Every input a column, but a 分段 (a constant of 3 tiers)."""
    schedule = [{"上限": "20000", "比例": "0.6"}, {"上限": "100000", "比例": "0.7"},
                {"上限": None, "比例": "0.8"}]
    return Plan({n: schedule for n in calc.inputs if policy.input(n).type.kind == "schedule"},
                seed, bad_share)


def population(policy: ir.Policy, calc: ir.Calculator, count: int, plan: Plan) -> Population:
    rng = np.random.default_rng(plan.seed)
    magnitude = rng.integers(0, 8, count)  # one order of magnitude of money per row
    columns: dict[str, list[Any]] = {}
    for name in sorted(calc.inputs, key=lambda n: _reads_inputs(policy.input(n))):
        if name in plan.constants:
            continue
        typ = policy.input(name).type
        draw = DRAWS.get(typ.kind)
        if draw is None:
            raise NotImplementedError(f"no population for inputs of type {typ}")
        values = draw(rng, count, magnitude, policy, typ)
        if policy.input(name).requirements and typ.kind in NUMBER_KINDS:
            values = within_bounds(rng, policy, policy.input(name), values,
                                   lambda row: {**plan.constants,
                                                **{k: v[row] for k, v in columns.items()}})
        if typ.optional:
            absent = rng.random(count) < 0.2
            values = [None if a else v for v, a in zip(values, absent, strict=True)]
        columns[name] = values
    for name, values in columns.items():
        columns[name] = spoil(rng, values, policy.input(name).type, plan.bad_share)
    return Population(count, {n: columns[n] for n in calc.inputs if n in columns},
                      dict(plan.constants))


def _reads_inputs(inp: ir.Input) -> bool:
    """Whether an input's bounds read other inputs (then it is drawn after them)."""
    return any(ir.refs(req.bound, ("input",)) for req in inp.requirements)


SCALES = {"money": 2, "count": 0}


def within_bounds(rng: np.random.Generator, policy: ir.Policy, inp: ir.Input, values: list[Any],
                  row_inputs: Callable[[int], dict[str, Any]]) -> list[Any]:
    """Nine values in ten moved inside the bounds the notice sets (要求 不低于 …, 不高于 …),
    each row's bounds computed from its other inputs."""
    scope = Scope.of(policy)
    scale = SCALES.get(inp.type.kind, 6)
    quantum = Decimal(1).scaleb(-scale)
    hard = [req for req in inp.requirements if not req.soft]
    constant = {id(req): _bound(req, scope, {}) for req in hard if not ir.refs(req.bound, ("input",))}
    moved = list(values)
    for row in range(len(values)):
        if rng.random() >= 0.9:
            continue
        inputs = row_inputs(row)
        low, high = Decimal(0), None
        for req in hard:
            bound = constant.get(id(req), None) if id(req) in constant else _bound(req, scope, {
                k: Decimal(v) for k, v in inputs.items() if isinstance(v, str) and _is_number(v)})
            if bound is None:
                continue
            if req.op in (">=", ">"):
                low = max(low, bound + (quantum if req.op == ">" else 0))
            elif req.op in ("<=", "<"):
                limit = bound - (quantum if req.op == "<" else 0)
                high = limit if high is None else min(high, limit)
        if high is None:
            high = low * 2 + (1 if inp.type.kind != "rate" else 0)
        if inp.type.kind in ("rate", "points"):
            high = min(high, Decimal(1))
        if high < low:
            continue
        picked = low + (high - low) * Decimal(str(rng.random()))
        picked = picked.quantize(quantum, rounding="ROUND_CEILING")
        moved[row] = format(min(max(picked, low.quantize(quantum, rounding="ROUND_CEILING")),
                                high), "f")
    return moved


def _bound(req: ir.Requirement, scope: Scope, inputs: dict[str, Decimal]) -> Decimal | None:
    try:
        value = evaluate(req.bound, scope, inputs)
    except (EvalError, NotConstant):
        return None
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False


def units_text(units: np.ndarray[Any, Any], scale: int) -> list[str]:
    """Whole units of 10**-scale as decimal text, trailing zeros kept ("1200.50")."""
    return [format(Decimal(int(u)).scaleb(-scale), "f") for u in units]


def draw_money(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
               policy: ir.Policy, typ: Type) -> list[Any]:
    top = 10 ** (magnitude + 4)  # up to 10**(m+2) 元, in 分
    units = (rng.random(count) * top).astype(np.int64)
    style = rng.random(count)
    units = np.where(style < 0.3, units // 100_000 * 100_000, units)  # round thousands
    units = np.where((style >= 0.3) & (style < 0.5), units // 10 * 10 + 5, units)  # …5 分
    units = np.where(style > 0.97, 0, units)
    return units_text(units, 2)


def draw_rate(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
              policy: ir.Policy, typ: Type) -> list[Any]:
    round_rates = np.array([0, 500_000, 600_000, 700_000, 750_000, 800_000, 900_000, 1_000_000])
    units = np.where(rng.random(count) < 0.6, rng.choice(round_rates, count),
                     rng.integers(0, 10**6 + 1, count))
    return units_text(units, 6)


def draw_count(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
               policy: ir.Policy, typ: Type) -> list[Any]:
    return [str(int(v)) for v in rng.integers(0, 10 ** (magnitude % 4 + 1), count)]


def draw_number(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
                policy: ir.Policy, typ: Type) -> list[Any]:
    units = rng.integers(0, 60, count) * 10**6 + np.where(rng.random(count) < 0.5, 0,
                                                          rng.integers(0, 10**6, count))
    return units_text(units, 6)


def draw_bool(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
              policy: ir.Policy, typ: Type) -> list[Any]:
    return [bool(b) for b in rng.random(count) < 0.7]


def draw_date(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
              policy: ir.Policy, typ: Type) -> list[Any]:
    start = datetime.date(1990, 1, 1).toordinal()
    return [datetime.date.fromordinal(start + int(d)).isoformat()
            for d in rng.integers(0, 45 * 365, count)]


def draw_member(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
                policy: ir.Policy, typ: Type) -> list[Any]:
    members = policy.enum(typ.arg).members
    return [members[i] for i in rng.integers(0, len(members), count)]


def draw_members(rng: np.random.Generator, count: int, magnitude: np.ndarray[Any, Any],
                 policy: ir.Policy, typ: Type) -> list[Any]:
    """1–3 members, each once; one list in 50 gives its first member again, which both
    calculators must refuse."""
    members = policy.enum(typ.arg).members
    most = min(3, len(members))
    sizes = rng.integers(1, most + 1, count)
    picks = np.argsort(rng.random((count, len(members))), axis=1)[:, :most]  # distinct, random
    lists = [[members[i] for i in picks[row, :sizes[row]]] for row in range(count)]
    for row in np.flatnonzero(rng.random(count) < 0.02).tolist():
        lists[row].append(lists[row][0])
    return lists


Draw = Callable[[np.random.Generator, int, np.ndarray[Any, Any], ir.Policy, Type], list[Any]]
DRAWS: dict[str, Draw] = {
    "money": draw_money, "rate": draw_rate, "points": draw_rate, "count": draw_count,
    "multiple": draw_number, "years": draw_number, "months": draw_number, "days": draw_number,
    "age": draw_number, "number": draw_number,
    "bool": draw_bool, "date": draw_date, "enum": draw_member, "list": draw_members,
}


def spoil(rng: np.random.Generator, values: list[Any], typ: Type, share: float) -> list[Any]:
    """A share of the values made bad, as messy data is: negative, unknown, not a number,
    missing, a rate above 100 %, an empty list."""
    if share == 0:
        return values
    bad = np.flatnonzero(rng.random(len(values)) < share)
    for row in bad.tolist():
        values[row] = bad_value(rng, values[row], typ)
    return values


def bad_value(rng: np.random.Generator, good: Any, typ: Type) -> Any:
    kind = typ.kind
    choice = int(rng.integers(0, 3))
    if choice == 0 and not typ.optional:
        return None
    if kind in NUMBER_KINDS:
        if choice == 1:
            return "-" + str(good or "1") if not str(good or "").startswith("-") else "-1"
        if kind in ("rate", "points"):
            return "1.5"
        return BAD_TEXT[int(rng.integers(0, len(BAD_TEXT)))]
    if kind == "enum":
        return "不存在的成员"
    if kind == "list":
        return [] if choice == 1 else ["不存在的成员"]
    if kind == "date":
        return "2023-02-30"
    return None
