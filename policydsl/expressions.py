"""Resolve and type one expression: AST expression → typed IR expression.

Errors are reported through a callback and the faulty part becomes an `ir.Fail` of type
`never`, which fits anywhere, so one mistake gives one message rather than a cascade.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

import attrs

from . import ast, ir
from .diagnostics import Diagnostic, Span, did_you_mean
from .types import (
    AGE,
    BOOL,
    DATE,
    MONEY,
    MONTHDAY,
    MONTHS,
    MULTIPLE,
    NEVER,
    NUMBER,
    RATE,
    SCHEDULE,
    UNBOUNDED,
    ZERO,
    Type,
    UnitError,
    adjust,
    arithmetic,
    comparable,
    of_unit,
    unify,
)
from .words import FUNCTIONS, VALUE_WORDS, convention_op

INFINITY = Decimal("Infinity")
OVER_MEMBERS = frozenset({"max_of", "second_of", "sum_of"})  # functions of one value per member
MEANINGS: dict[str, tuple[ir.Value, Type]] = {
    "full": (Decimal(1), RATE), "half": (Decimal("0.5"), RATE), "zero": (Decimal(0), ZERO),
    "unbounded": (INFINITY, UNBOUNDED),
    "not_applicable": (None, Type("never", optional=True)), "yes": (True, BOOL), "no": (False, BOOL),
}


class Names(Protocol):
    """What an expression can refer to (implemented by checker.state.PolicyState)."""

    enums: dict[str, ir.Enum]

    def reference(self, name: str, span: Span) -> ir.Expr | None: ...

    def table_type(self, name: str) -> tuple[tuple[str, ...], Type] | None: ...

    def base_value(self, alias: str, name: str) -> ir.Const | None: ...

    def known_names(self) -> list[str]: ...

    def includes(self, word: str) -> bool: ...

    def text_of(self, span: Span) -> str: ...

    def recomputed(self, rule: str, name: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        ...


Report = Callable[[Diagnostic], None]


def _given_name(cond: ast.Expr) -> str | None:
    """The input that `已给出(x)` tests, so that the 则 branch may use x as present."""
    if isinstance(cond, ast.Call) and cond.func == "已给出" and len(cond.args) == 1:
        arg = cond.args[0]
        return arg.name if isinstance(arg, ast.Name) else None
    return None


Bound = tuple[Decimal, str]  # a bracket's bound in 元, and as the author wrote it


def _joint(previous: tuple[Bound, bool] | None, low: Bound | None, included: bool) -> str | None:
    """What is wrong where a bracket meets the one before it, if anything."""
    if previous is None or low is None:
        return None
    (upper, upper_text), upper_included = previous
    if low[0] != upper:
        kind = "a gap" if low[0] > upper else "an overlap"
        return f"{kind}: the bracket before ends at {upper_text}, this one starts at {low[1]}"
    if upper_included and included:
        return f"an overlap: {upper_text} belongs to both brackets"
    if not upper_included and not included:
        return f"a gap: an amount of exactly {upper_text} belongs to neither bracket"
    return None


def _compare_hint(left: Type, right: Type) -> str | None:
    if "number" in (left.kind, right.kind):
        return "a bare number has no unit: write it with one (2 次, 第二次, 30 元, 5%)"
    if left.kind == right.kind == "money":
        return "an amount per month and one per year differ: 元/月 × 12 个月 is 元"
    return None


class ExprChecker:
    def __init__(self, names: Names, report: Report):
        self.names = names
        self.report = report
        self.narrowed: set[str] = set()  # optional inputs known to be given (若 已给出(x) 则 …)
        self.bound: dict[str, ir.Const] = {}  # 核对 每个 级 属于 医院等级: 级 is each member

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> ir.Fail:
        self.report(Diagnostic(code, message, span, hint))
        return ir.Fail("", NEVER)  # an empty message marks the error's placeholder

    def check(self, e: ast.Expr) -> ir.Expr:
        method: Callable[[ast.Expr], ir.Expr] = getattr(self, "_" + type(e).__name__)
        return method(e)

    # ------------------------------------------------------------ leaves
    def _Number(self, e: ast.Number) -> ir.Expr:
        return ir.Const(e.value, of_unit(e.unit), e.text)

    def _DateLit(self, e: ast.DateLit) -> ir.Expr:
        return ir.Const(e.value, MONTHDAY if e.yearless else DATE, e.text)

    def _Word(self, e: ast.Word) -> ir.Expr:
        value, typ = MEANINGS[VALUE_WORDS[e.word].meaning]
        return ir.Const(value, typ, e.word)

    def _Name(self, e: ast.Name) -> ir.Expr:
        if e.name in self.bound:
            return self.bound[e.name]
        ref = self.names.reference(e.name, e.span)
        if isinstance(ref, ir.Ref) and ref.name in self.narrowed:
            return ir.Ref(ref.kind, ref.name, ref.type.required())
        if ref is not None:
            return ref
        owners = [en for en in self.names.enums.values() if e.name in en.members]
        if len(owners) == 1:
            return ir.Const(ir.EnumValue(owners[0].name, e.name), Type("enum", owners[0].name),
                            f"{owners[0].name}.{e.name}")
        if e.name in self.names.enums:
            return self.error("E202", f"{e.name} is an enumeration, not a value", e.span,
                              f"name one member, e.g. {e.name}.{self.names.enums[e.name].members[0]}")
        return self.error("E101", f"unknown name {e.name}", e.span,
                          did_you_mean(e.name, self.names.known_names()))

    def _Member(self, e: ast.Member) -> ir.Expr:
        enum = self.names.enums.get(e.owner)
        if enum is not None:
            if e.name not in enum.members:
                return self.error("E103", f"{e.owner} has no member {e.name}", e.span,
                                  did_you_mean(e.name, enum.members)
                                  or "members: " + "、".join(enum.members))
            return ir.Const(ir.EnumValue(enum.name, e.name), Type("enum", enum.name),
                            f"{e.owner}.{e.name}")
        base = self.names.base_value(e.owner, e.name)
        if base is not None:
            return base
        return self.error("E101", f"unknown name {e.owner}.{e.name}", e.span,
                          did_you_mean(e.owner, list(self.names.enums)))

    def _Fail(self, e: ast.Fail) -> ir.Expr:
        return ir.Fail(e.message, NEVER)

    # ------------------------------------------------------------ structure
    def _Lookup(self, e: ast.Lookup) -> ir.Expr:
        keys = tuple(self.check(k) for k in e.keys)
        found = self.names.table_type(e.table)
        if found is None:
            return self.error("E101", f"unknown table {e.table}", e.span,
                              did_you_mean(e.table, self.names.known_names()))
        enums, value_type = found
        if len(keys) != len(enums):
            return self.error("E206", f"table {e.table} is keyed by " + "、".join(enums) +
                              f": give {len(enums)} key(s), not {len(keys)}", e.span,
                              f"{e.table}[" + ", ".join(enums) + "]")
        plural = False
        for key, enum, node in zip(keys, enums, e.keys, strict=True):
            if key.type.kind == "never":
                continue
            if key.type.required() == Type("list", enum) and len(keys) == 1:
                self.require_present(key, node.span)
                plural = True  # one value per member of the list
            elif key.type != Type("enum", enum):
                return self.error("E202", f"table {e.table} is keyed by {enum}, not by {key.type}",
                                  node.span)
        return ir.Lookup(e.table, keys, attrs.evolve(value_type, plural=plural))

    def _With(self, e: ast.With) -> ir.Expr:
        value = self.check(e.value)
        replacement = self.check(e.replacement)
        if not (isinstance(value, ir.Ref) and value.kind == "rule"):
            return self.error("E202", "当 … 为 … recomputes a rule: write the rule's name before 当",
                              e.value.span)
        target = self.names.reference(e.name, e.span)
        if not isinstance(target, ir.Ref) or target.kind not in ("rule", "input"):
            return self.error("E101", f"{e.name} is not a rule or an input of this policy", e.span,
                              did_you_mean(e.name, self.names.known_names()))
        if NEVER not in (target.type, replacement.type) and \
                not comparable(target.type.required(), replacement.type.required()):
            return self.error("E201", f"{e.name} is {target.type}; it cannot be {replacement.type}",
                              e.replacement.span)
        chain, reads = self.names.recomputed(value.name, e.name)
        if not chain:
            return self.error("E202", f"{value.name} does not depend on {e.name}", e.span,
                              "当 X 为 … changes only the rules computed from X")
        return ir.With(value, e.name, replacement, chain, reads, value.type)

    def _If(self, e: ast.If) -> ir.Expr:
        cond = self.expect_bool(e.cond)
        given = _given_name(e.cond)
        narrowed_before = set(self.narrowed)
        if given:
            self.narrowed.add(given)
        then = self.check(e.then)
        self.narrowed = narrowed_before
        otherwise = self.check(e.otherwise)
        return ir.If(cond, then, otherwise, self.unify(then.type, otherwise.type, e.span))

    def _Match(self, e: ast.Match) -> ir.Expr:
        subject = self.check(e.subject)
        if subject.type.kind == "never":
            return subject
        if subject.type.kind != "enum" or subject.type.optional:
            return self.error("E202", f"按 needs an enumeration value, not {subject.type}",
                              e.subject.span)
        enum = self.names.enums[subject.type.arg]
        seen: set[str] = set()
        arms: list[ir.Arm] = []
        result: Type = NEVER
        for arm in e.arms:
            value = self.check(arm.value)
            result = self.unify(result, value.type, arm.value.span)
            members: list[str] = []
            for pattern in arm.patterns:
                if pattern is None:
                    members += [m for m in enum.members if m not in seen and m not in members]
                elif pattern not in enum.members:
                    self.error("E103", f"{enum.name} has no member {pattern}", arm.span,
                               did_you_mean(pattern, enum.members))
                elif pattern in seen or pattern in members:
                    self.error("E102", f"{pattern} has two arms", arm.span)
                else:
                    members.append(pattern)
            seen.update(members)
            if members:
                arms.append(ir.Arm(tuple(members), value))
        missing = [m for m in enum.members if m not in seen]
        if missing:
            return self.error("E203", f"按 {enum.name} has no arm for " + "、".join(missing), e.span,
                              "add an arm for each, or a 其他 arm")
        return ir.Match(subject, enum.name, tuple(arms), result)

    def _Brackets(self, e: ast.Brackets) -> ir.Expr:
        """A schedule written in the policy.  Each bound is a number written out, except that
        the first may name the deductible (`起付线 以上 至 5万元（含）`: 分段累计 then takes the
        deductible).  Adjacent bounds must meet, and exactly one side may include the amount
        on the boundary: 以上 includes it or not by the notice's 约定, （含）/（不含） say so."""
        tiers: list[ir.Tier] = []
        previous: tuple[Bound, bool] | None = None  # the last upper bound, and whether included
        for index, row in enumerate(e.rows):
            rate = self.check(row.rate)
            if not (isinstance(rate, ir.Const) and isinstance(rate.value, Decimal)):
                return self.error("E207", "the rate of a bracket is a number written out", row.rate.span)
            if rate.type.kind not in ("rate", "zero"):
                self.error("E201", f"a bracket pays a rate (%), not {rate.type}", row.rate.span)
            low = None if index == 0 and self._names_deductible(row.low.value) else self._bound(row.low)
            high = self._bound(row.high) if row.high is not None else (INFINITY, "无上限")
            if isinstance(low, ir.Fail) or isinstance(high, ir.Fail):
                return ir.Fail("", NEVER)
            low_included = row.low.included if row.low.included is not None else (
                self.names.includes("以上") if row.low.above else True)
            high_included = row.high.included if row.high is not None and row.high.included is not None \
                else False
            problem = _joint(previous, low, low_included)
            if problem:
                return self.error("E204", problem, row.span, "each bracket starts where the one before "
                                  "it ends, and the boundary belongs to one of them: mark it （含） "
                                  "on one side as the notice does, or declare the notice's own "
                                  "definition of 以上 (约定 以上 不含本数)")
            if low is not None and index == 0 and low[0] > 0:
                tiers.append(ir.Tier(low[0], Decimal(0)))  # below the first bracket nothing is paid
            if low is not None and high[0] <= low[0]:
                return self.error("E204", f"the bracket {low[1]} 至 {high[1]} is empty or reversed",
                                  row.span)
            tiers.append(ir.Tier(high[0], rate.value))
            previous = (high, high_included)
        return ir.Const(tuple(tiers), SCHEDULE, "分段")

    def _names_deductible(self, e: ast.Expr) -> bool:
        """A first bound that names a value (起付线): the schedule starts at the deductible."""
        if not isinstance(e, ast.Name):
            return False
        if e.name not in self.names.known_names():
            self.error("E101", f"unknown name {e.name}", e.span,
                       did_you_mean(e.name, self.names.known_names()))
        return True

    def _bound(self, bound: ast.Bound) -> Bound | ir.Fail:
        value = self.check(bound.value)
        if not (isinstance(value, ir.Const) and isinstance(value.value, Decimal)):
            return self.error("E207", "the bounds of 分段 are amounts written out (or, for the first, "
                              "the name of the deductible)", bound.span)
        if value.type.kind not in ("money", "zero", "unbounded"):
            return self.error("E201", f"a bracket's bound is an amount in 元, not {value.type}",
                              bound.span)
        return value.value, value.text

    # ------------------------------------------------------------ operators
    def per_member(self, parts: list[tuple[ir.Expr, ast.Expr]], what: str) -> ir.Expr | None:
        """An error when a part is one value per member of a list (限额[病种]) where `what`
        takes one value; None when every part is single."""
        for expr, node in parts:
            if expr.type.plural:
                return self.error("E202", f"{self.names.text_of(node.span)} is one value per member "
                                  f"of a list, and {what} takes one value", node.span,
                                  "take 最高(…), 次高(…) or 合计(…) of it first")
        return None

    def _Binary(self, e: ast.Binary) -> ir.Expr:
        left, right = self.check(e.left), self.check(e.right)
        failed = self.per_member([(left, e.left), (right, e.right)], e.op)
        if failed is not None:
            return failed
        if NEVER in (left.type, right.type):
            return ir.Binary(e.op, left, right, NEVER)
        self.require_present(left, e.left.span)
        self.require_present(right, e.right.span)
        try:
            result = arithmetic(e.op, left.type.required(), right.type.required())
        except UnitError as err:
            return self.error("E201", err.message, e.span, err.hint)
        return ir.Binary(e.op, left, right, result)

    def _Negate(self, e: ast.Negate) -> ir.Expr:
        operand = self.check(e.operand)
        failed = self.per_member([(operand, e.operand)], "-")
        if failed is not None:
            return failed
        if not operand.type.numeric and operand.type != NEVER:
            return self.error("E202", f"cannot negate {operand.type}", e.span)
        return ir.Binary("-", ir.Const(Decimal(0), ZERO, "0"), operand, operand.type)

    def _Compare(self, e: ast.Compare) -> ir.Expr:
        left, right = self.check(e.left), self.check(e.right)
        op = e.op or convention_op(e.convention or "", self.names.includes(e.convention or ""))
        if op == "contains":
            return self._contains(e, left, right)
        failed = self.per_member([(left, e.left), (right, e.right)], "a comparison")
        if failed is not None:
            return failed
        if op == "about" and NEVER not in (left.type, right.type) and not right.type.numeric:
            return self.error("E202", f"约为 compares numbers, not {right.type}", e.span)
        if NEVER not in (left.type, right.type):
            self.require_present(left, e.left.span)
            self.require_present(right, e.right.span)
            if not comparable(left.type.required(), right.type.required()):
                return self.error("E201", f"cannot compare {left.type} with {right.type}", e.span,
                                  _compare_hint(left.type, right.type))
            if op not in ("==", "!=") and left.type.kind in ("enum", "bool", "list"):
                return self.error("E202", f"{left.type} values have no order", e.span)
        return ir.Compare(op, left, right, BOOL)

    def _contains(self, e: ast.Compare, left: ir.Expr, right: ir.Expr) -> ir.Expr:
        """`病种 包含 高血压`: whether a list holds a member."""
        if NEVER in (left.type, right.type):
            return ir.Compare("contains", left, right, BOOL)
        if left.type.kind != "list" or right.type != Type("enum", left.type.arg):
            return self.error("E202", f"包含 asks whether a list holds a member: {left.type} 包含 "
                              f"{right.type} does not", e.span, "for example 病种 包含 高血压")
        self.require_present(left, e.left.span)
        return ir.Compare("contains", left, right, BOOL)

    def _Logic(self, e: ast.Logic) -> ir.Expr:
        op = "and" if e.op == "且" else "or"
        return ir.Logic(op, self.expect_bool(e.left), self.expect_bool(e.right), BOOL)

    def _Not(self, e: ast.Not) -> ir.Expr:
        return ir.Logic("not", self.expect_bool(e.operand), None, BOOL)

    def _Coalesce(self, e: ast.Coalesce) -> ir.Expr:
        value, default = self.check(e.value), self.check(e.default)
        if value.type != NEVER and not value.type.optional:
            self.error("E202", "缺省为 needs a value that may be missing (an input marked 可选)",
                       e.value.span)
        return ir.Coalesce(value, default, self.unify(value.type.required(), default.type, e.span))

    def _Adjust(self, e: ast.Adjust) -> ir.Expr:
        base, amount = self.check(e.base), self.check(e.amount)
        up = e.word in ("提高", "增加")  # 降低, 减少 and 减半 lower
        failed = self.per_member([(base, e.base), (amount, e.amount)], e.word)
        if failed is not None:
            return failed
        if NEVER in (base.type, amount.type):
            return ir.Adjust(up, "add", base, amount, e.word, NEVER)
        self.require_present(base, e.base.span)
        try:
            mode, result = adjust(e.word, base.type.required(), amount.type)
        except UnitError as err:
            return self.error("E201", err.message, e.span, err.hint)
        return ir.Adjust(up, mode, base, amount, e.word, result)

    def _Call(self, e: ast.Call) -> ir.Expr:
        known = FUNCTIONS.get(e.func)
        if known is None:
            return self.error("E101", f"unknown function {e.func}", e.span,
                              did_you_mean(e.func, FUNCTIONS) or "functions: " + "、".join(FUNCTIONS))
        func, arity = known.name, known.arity
        args = [self.check(a) for a in e.args]
        if not arity[0] <= len(args) <= arity[1]:
            return self.error("E206", f"{e.func} takes {arity[0]}" +
                              (f" to {arity[1]}" if arity[1] != arity[0] else "") +
                              f" arguments, not {len(args)}", e.span)
        if func == "given":
            if args[0].type != NEVER and not args[0].type.optional:
                self.error("E202", "已给出 asks about an input marked 可选", e.args[0].span)
            return ir.Call(func, tuple(args), BOOL)
        for arg, node in zip(args, e.args, strict=True):
            self.require_present(arg, node.span)
        if func not in OVER_MEMBERS:
            failed = self.per_member(list(zip(args, e.args, strict=True)), e.func)
            if failed is not None:
                return failed
        typed: Callable[[ast.Call, list[ir.Expr]], ir.Expr] = getattr(self, "_call_" + func)
        return typed(e, args)

    def _call_min(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        result: Type = NEVER
        for arg, node in zip(args, e.args, strict=True):
            if not arg.type.numeric and arg.type not in (NEVER, DATE):
                return self.error("E202", f"{e.func} compares numbers, not {arg.type}", node.span)
            result = self.unify(result, arg.type, node.span)
        return ir.Call("min" if e.func == "较小" else "max", tuple(args), result)

    _call_max = _call_min

    def _call_clamp(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        result: Type = NEVER
        for arg, node in zip(args, e.args, strict=True):
            result = self.unify(result, arg.type, node.span)
        return ir.Call("clamp", tuple(args), result)

    def _call_round(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        value = args[0]
        if len(args) == 1:
            if value.type.kind != "money" and value.type != NEVER:
                return self.error("E206", f"四舍五入 of {value.type} needs the number of decimal places",
                                  e.span, "四舍五入(x, 2) keeps two decimals; money alone rounds to the 分")
            places: ir.Expr = ir.Const(Decimal(2), NUMBER, "2")
        else:
            places = args[1]
            if not (isinstance(places, ir.Const) and places.type == NUMBER
                    and isinstance(places.value, Decimal) and places.value == int(places.value)
                    and 0 <= places.value <= 10):
                return self.error("E202", "the decimal places of 四舍五入 are a whole number from 0 to 10",
                                  e.args[1].span)
        if not value.type.numeric and value.type != NEVER:
            return self.error("E202", f"cannot round {value.type}", e.args[0].span)
        return ir.Call("round", (value, places), value.type)

    def _call_highest(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        arg = args[0]
        if arg.type.kind != "list":
            if arg.type == NEVER:
                return arg
            return self.error("E202", f"就高不就低 picks from a list (一组 …), not {arg.type}", e.span)
        return ir.Call("highest", (arg,), Type("enum", arg.type.arg))

    def _call_progressive(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        want = (MONEY, SCHEDULE, MONEY)
        for arg, node, kind in zip(args, e.args, want, strict=True):
            if arg.type.kind not in (kind.kind, "never", "zero"):
                return self.error("E202", f"分段累计 takes (元, 分段, 元); this is {arg.type}", node.span)
        return ir.Call("progressive", tuple(args), MONEY)

    # ------------------------------------------------------------ lists
    def _call_count(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        arg = args[0]
        if arg.type.kind not in ("list", "never"):
            return self.error("E202", f"个数 counts the members of a list (一组 …), not {arg.type}",
                              e.span)
        return ir.Call("count", (arg,), Type("count"))  # compares with 两种, 3 个, 2 次

    def _call_max_of(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        arg = args[0]
        if arg.type.kind == "never":
            return arg
        if not arg.type.plural or not arg.type.numeric:
            return self.error("E202", f"{e.func} takes the values of a table over a list, "
                              f"such as 限额[病种]; this is {arg.type}", e.span)
        return ir.Call(FUNCTIONS[e.func].name, (arg,), arg.type.single())

    _call_second_of = _call_sum_of = _call_max_of

    # ------------------------------------------------------------ dates and ages
    def _call_age(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        for arg, node in zip(args, e.args, strict=True):
            if arg.type.kind not in ("date", "never"):
                return self.error("E202", f"周岁 takes (出生日期, 日期), not {arg.type}", node.span)
        return ir.Call("age", tuple(args), AGE)

    def _call_birthday(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        born, age = args
        if born.type.kind not in ("date", "never") or age.type.kind not in ("age", "never"):
            return self.error("E202", "年满日期 takes (出生日期, 70 周岁)", e.span)
        return ir.Call("birthday", tuple(args), DATE)

    def _call_next_month(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        if args[0].type.kind not in ("date", "never"):
            return self.error("E202", f"次月 takes a date, not {args[0].type}", e.span)
        return ir.Call("next_month", tuple(args), DATE)

    def _call_prorate(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        amount, months = args
        if amount.type.kind not in ("money", "never") or amount.type.monthly or \
                months.type.kind not in ("months", "never"):
            return self.error("E202", "按月折算 takes (an amount for the year, a number of 个月)", e.span,
                              "按月折算(年度支付限额, 享受待遇月数) is 年度支付限额 × 享受待遇月数 ÷ 12")
        return ir.Call("prorate", tuple(args), MONEY)

    def _call_ratio(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        """倍数(总体限额, 人均收入): an amount as a multiple of another (shown as 6 倍, not 600%)."""
        numerator, denominator = args
        if NEVER in (numerator.type, denominator.type):
            return ir.Call("ratio", tuple(args), MULTIPLE)
        if not (numerator.type.numeric and comparable(numerator.type, denominator.type)):
            return self.error("E201", f"倍数 compares two amounts of one unit, not {numerator.type} "
                              f"and {denominator.type}", e.span)
        return ir.Call("ratio", tuple(args), MULTIPLE)

    def _call_next_day(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        if args[0].type.kind not in ("date", "never"):
            return self.error("E202", f"{e.func} takes a date, not {args[0].type}", e.span)
        return ir.Call(FUNCTIONS[e.func].name, tuple(args), DATE)

    _call_year_start = _call_year_end = _call_next_day

    def _call_month_day(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        if args[0].type.kind not in ("date", "never"):
            return self.error("E202", f"月日 takes a date, not {args[0].type}", e.span,
                              "月日(缴费日期) 不早于 9月1日: the day of the year of a date")
        return ir.Call("month_day", tuple(args), MONTHDAY)

    def _call_in_year(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        day, date = args
        if day.type.kind not in ("monthday", "never") or date.type.kind not in ("date", "never"):
            return self.error("E202", "当年 takes (a day of the year, a date)", e.span,
                              "当年(9月15日, 结算日期): 9月15日 of the year of 结算日期")
        return ir.Call("in_year", tuple(args), DATE)

    def _call_months(self, e: ast.Call, args: list[ir.Expr]) -> ir.Expr:
        for arg, node in zip(args, e.args, strict=True):
            if arg.type.kind not in ("date", "never"):
                return self.error("E202", f"月数 takes (起, 止) dates, not {arg.type}", node.span)
        return ir.Call("months", tuple(args), MONTHS)

    # ------------------------------------------------------------ helpers
    def expect_bool(self, e: ast.Expr) -> ir.Expr:
        result = self.check(e)
        if result.type not in (BOOL, NEVER):
            return self.error("E202", f"a condition must be 是/否, not {result.type}", e.span)
        return result

    def unify(self, a: Type, b: Type, span: Span) -> Type:
        try:
            return unify(a, b)
        except UnitError as err:
            self.error("E201", err.message, span, err.hint)
            return NEVER

    def require_present(self, e: ir.Expr, span: Span) -> None:
        if e.type.optional:
            name = e.name if isinstance(e, ir.Ref) else "this value"
            self.error("E205", f"{name} may be missing here", span,
                       f"write `{name} 缺省为 …`, or test 已给出({name}) first")
