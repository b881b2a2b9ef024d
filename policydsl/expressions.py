"""Resolve and type one expression: AST expression → typed IR expression.

Errors are reported through a callback and the faulty part becomes an `ir.Fail` of type
`never`, which fits anywhere, so one mistake gives one message rather than a cascade.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from . import ast, ir
from .diagnostics import Diagnostic, Span, did_you_mean
from .types import (
    BOOL,
    DATE,
    MONEY,
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

INFINITY = Decimal("Infinity")
WORDS: dict[str, ir.Const] = {
    "全额": ir.Const(Decimal(1), RATE, "全额"),
    "取消": ir.Const(Decimal(0), ZERO, "取消"),
    "无上限": ir.Const(INFINITY, UNBOUNDED, "无上限"),
    "不适用": ir.Const(None, Type("never", optional=True), "不适用"),
    "是": ir.Const(True, BOOL, "是"),
    "否": ir.Const(False, BOOL, "否"),
}
FUNCTIONS = {
    "较小": "min", "较大": "max", "限定": "clamp", "四舍五入": "round",
    "就高不就低": "highest", "已给出": "given", "分段累计": "progressive",
}


class Names(Protocol):
    """What an expression can refer to (implemented by checker.PolicyChecker)."""

    enums: dict[str, ir.Enum]

    def reference(self, name: str, span: Span) -> ir.Expr | None: ...

    def table_type(self, name: str) -> tuple[str, Type] | None: ...

    def base_value(self, alias: str, name: str) -> ir.Const | None: ...

    def known_names(self) -> list[str]: ...


Report = Callable[[Diagnostic], None]


def _given_name(cond: ast.Expr) -> str | None:
    """The input that `已给出(x)` tests, so that the 则 branch may use x as present."""
    if isinstance(cond, ast.Call) and cond.func == "已给出" and len(cond.args) == 1:
        arg = cond.args[0]
        return arg.name if isinstance(arg, ast.Name) else None
    return None


class ExprChecker:
    def __init__(self, names: Names, report: Report):
        self.names = names
        self.report = report
        self.narrowed: set[str] = set()  # optional inputs known to be given (若 已给出(x) 则 …)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> ir.Fail:
        self.report(Diagnostic(code, message, span, hint))
        return ir.Fail("", NEVER)  # an empty message marks the error's placeholder

    def check(self, e: ast.Expr) -> ir.Expr:
        method: Callable[[ast.Expr], ir.Expr] = getattr(self, "_" + type(e).__name__)
        return method(e)

    # ------------------------------------------------------------ leaves
    def _Number(self, e: ast.Number) -> ir.Expr:
        value = e.value / 100 if e.unit in ("%", "个百分点") else e.value
        text = f"{e.text} {e.unit}" if e.unit and e.unit != "%" else f"{e.text}{e.unit or ''}"
        return ir.Const(value, of_unit(e.unit), text)

    def _DateLit(self, e: ast.DateLit) -> ir.Expr:
        return ir.Const(e.value, DATE, e.text)

    def _Word(self, e: ast.Word) -> ir.Expr:
        return WORDS[e.word]

    def _Name(self, e: ast.Name) -> ir.Expr:
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
        key = self.check(e.key)
        found = self.names.table_type(e.table)
        if found is None:
            return self.error("E101", f"unknown table {e.table}", e.span,
                              did_you_mean(e.table, self.names.known_names()))
        enum, value_type = found
        if key.type.kind != "never" and key.type != Type("enum", enum):
            return self.error("E202", f"table {e.table} is keyed by {enum}, not by {key.type}",
                              e.key.span)
        return ir.Lookup(e.table, key, value_type)

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
        tiers: list[ir.Tier] = []
        previous = Decimal(0)
        for row in e.rows:
            low, high, rate = (self.check(x) for x in (row.low, row.high, row.rate))
            numbers = [x.value for x in (low, high, rate)
                       if isinstance(x, ir.Const) and isinstance(x.value, Decimal)]
            if len(numbers) != 3:
                return self.error("E207", "the bounds and rates of 分段 must be numbers written out",
                                  row.span)
            lo, hi, r = numbers
            for x, want in ((low, MONEY), (high, MONEY), (rate, RATE)):
                if x.type.kind not in (want.kind, "zero", "unbounded"):
                    self.error("E201", f"a bracket needs {want}, not {x.type}", row.span)
            if lo != previous:
                kind = "a gap" if lo > previous else "an overlap"
                return self.error("E204", f"{kind} between {previous} and {lo}", row.span,
                                  "each bracket starts where the one before it ends")
            if hi <= lo:
                return self.error("E204", f"the bracket {lo} 至 {hi} is empty or reversed", row.span)
            tiers.append(ir.Tier(hi, r))
            previous = hi
        return ir.Const(tuple(tiers), SCHEDULE, "分段")

    # ------------------------------------------------------------ operators
    def _Binary(self, e: ast.Binary) -> ir.Expr:
        left, right = self.check(e.left), self.check(e.right)
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
        if not operand.type.numeric and operand.type != NEVER:
            return self.error("E202", f"cannot negate {operand.type}", e.span)
        return ir.Binary("-", ir.Const(Decimal(0), ZERO, "0"), operand, operand.type)

    def _Compare(self, e: ast.Compare) -> ir.Expr:
        left, right = self.check(e.left), self.check(e.right)
        if NEVER not in (left.type, right.type):
            self.require_present(left, e.left.span)
            self.require_present(right, e.right.span)
            if not comparable(left.type.required(), right.type.required()):
                return self.error("E201", f"cannot compare {left.type} with {right.type}", e.span)
            if e.op not in ("==", "!=") and left.type.kind in ("enum", "bool", "list"):
                return self.error("E202", f"{left.type} values have no order", e.span)
        return ir.Compare(e.op, left, right, BOOL)

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
        up = e.word in ("提高", "增加")
        if NEVER in (base.type, amount.type):
            return ir.Adjust(up, "add", base, amount, e.word, NEVER)
        self.require_present(base, e.base.span)
        try:
            mode, result = adjust(e.word, base.type.required(), amount.type)
        except UnitError as err:
            return self.error("E201", err.message, e.span, err.hint)
        return ir.Adjust(up, mode, base, amount, e.word, result)

    def _Call(self, e: ast.Call) -> ir.Expr:
        func = FUNCTIONS.get(e.func)
        if func is None:
            return self.error("E101", f"unknown function {e.func}", e.span,
                              did_you_mean(e.func, FUNCTIONS) or "functions: " + "、".join(FUNCTIONS))
        args = [self.check(a) for a in e.args]
        arity = {"clamp": (3, 3), "round": (1, 2), "highest": (1, 1), "given": (1, 1),
                 "progressive": (3, 3)}.get(func, (2, 99))
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
