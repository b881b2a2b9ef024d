"""IR → one vectorised module per policy (numpy + pyarrow): generated/batch/<policy id>.py.

Each calculator becomes a function of a whole table, `三重制度报销(table, /, *, errors="raise",
**constants) -> pyarrow.Table`, computing every row exactly as the scalar calculator of
generated/python/ does: money in int64 分, rates as integers over 10**6, rounding half-up in
integer arithmetic where the policy says 四舍五入, and nowhere else.

The module reads like the scalar one: enumerations, the notice's parameters (each with its
clause), tables, one function per rule (formula and clause in its docstring), then one
function per calculator that reads its inputs, checks the bounds the notice sets, calls the
rules in order and builds the output table.  The arithmetic on columns is a runtime copied
from templates/batch_runtime.py, only the parts a module uses.  A list of members is a bit mask
per row, bit i for member i (a list holds a member at most once; one given twice fails its row,
as the scalar calculator refuses it); a table looked up by a list is an `Each`, the values per
member held, which 最高, 次高 and 合计 make one value of.

Adding an IR node is one method `_<Node>` on `_Module` returning its code (and one case in
`scale_of` if it makes a number).  A construct the batch calculators cannot compute exactly
raises `Unsupported`: that calculator is then generated as a function that refuses to run,
saying why, and the others of the policy are unaffected.
"""

from __future__ import annotations

import ast
import datetime
import functools
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .. import ir
from ..display import show_value
from ..escaping import pycomment, pydoc, pyident, pyrepr
from ..evaluator import EvalError, NotConstant, Scope, evaluate
from ..types import NUMBER, Type
from . import template_environment
from .python import Function, GenerationError

RUNTIME = Path(__file__).resolve().parent.parent / "templates" / "batch_runtime.py"

# Inputs are read at a fixed scale (decimals), the scalar calculators' bounds: money in 分,
# counts whole, the rest to 10**-8.
INPUT_SCALES = {"money": 2, "count": 0, "rate": 8, "points": 8, "multiple": 8, "years": 8,
                "months": 8, "days": 8, "age": 8, "number": 8}
NUMBER_KINDS = frozenset(INPUT_SCALES) | {"zero", "unbounded"}
CONVERTERS = {"money": "_money", "count": "_count", "rate": "_rate", "points": "_decimal",
              "multiple": "_decimal", "years": "_decimal", "months": "_decimal", "days": "_decimal",
              "age": "_decimal", "number": "_decimal", "bool": "_bool", "date": "_date"}
DATE_FUNCTIONS = {"age": "_age", "birthday": "_birthday", "next_month": "_next_month",
                  "months": "_months", "next_day": "_next_day", "year_start": "_year_start",
                  "year_end": "_year_end", "month_day": "_month_day", "in_year": "_in_year"}
WHOLE_RESULTS = frozenset({"age", "months", "count"})  # functions giving whole numbers
LIST_FUNCTIONS = {"count": "_count_of", "max_of": "_max_of", "second_of": "_second_of",
                  "sum_of": "_sum_of"}
# The nodes that carry a value per member of a list (限额[病种]) as it is, for 最高, 次高 and
# 合计 to make one value of it.
PLURAL_NODES = (ir.Lookup, ir.If, ir.Match, ir.With, ir.Ref)
PRECEDENCE = {"+": 5, "-": 5, "×": 6}
MAX_SCALE = 22  # decimal128 holds 38 digits: 16 before the point and up to 22 after it
EPOCH = datetime.date(1970, 1, 1)


class Unsupported(Exception):
    """A construct the batch calculators cannot compute exactly (the message says which)."""


@attrs.define
class CalculatorCode:
    name: str
    doc: str
    inputs_name: str
    inputs: list[tuple[str, str]]  # input name, its clause
    body: list[str]
    refusal: str | None  # why the calculator cannot run in batch, or None


@functools.lru_cache(maxsize=1)
def runtime_parts() -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """The top-level definitions of the runtime: (source, names defined, names used)."""
    source = RUNTIME.read_text("utf-8")
    lines = source.splitlines()
    parts = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            continue  # imports are written per module; the docstring is the runtime's own
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        while first > 1 and lines[first - 2].startswith("# ") and "----" not in lines[first - 2]:
            first -= 1  # the comment right above a definition belongs to it
        assert node.end_lineno is not None
        text = "\n".join(lines[first - 1:node.end_lineno])
        defined = _defined_names(node)
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - defined
        parts.append((text, frozenset(defined), frozenset(used)))
    return tuple(parts)


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    raise AssertionError(f"unexpected statement in the runtime: {ast.dump(node)[:80]}")


def runtime_for(code: str) -> str:
    """The runtime definitions `code` uses, with everything they use, in the runtime's order."""
    parts = runtime_parts()
    by_name = {name: index for index, (_, defined, _) in enumerate(parts) for name in defined}
    wanted = {by_name[name] for name in re.findall(r"[^\W\d]\w*", code) if name in by_name}
    stack = list(wanted)
    while stack:
        for name in parts[stack.pop()][2]:
            if name in by_name and by_name[name] not in wanted:
                wanted.add(by_name[name])
                stack.append(by_name[name])
    return "\n\n\n".join(parts[i][0] for i in sorted(wanted))


@functools.lru_cache(maxsize=1)
def runtime_names() -> frozenset[str]:
    return frozenset(name for _, defined, _ in runtime_parts() for name in defined)


MODULE_NAMES = frozenset({"np", "pa", "pc", "enum", "datetime", "Any", "Final", "Union",
                          "Callable", "Mapping", "Sequence", "Decimal", "InvalidOperation",
                          "NDArray", "table", "errors", "constants", "rows", "annotations"})


def ident(name: str) -> str:
    """A policy name as an identifier that no name of the module itself can shadow."""
    result = pyident(name)
    return result + "_" if result in MODULE_NAMES or result in runtime_names() else result


def decimal_scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimal_name(value: Decimal) -> str:
    if value.is_infinite():
        return "_UNBOUNDED"
    return "_D" + format(value, "f").replace("-", "m").replace(".", "_")


class _Module:
    """Collects the pieces of one generated batch module."""

    def __init__(self, policy: ir.Policy):
        self.policy = policy
        self.scope = Scope.of(policy)
        self.inputs = {i.name: i for i in policy.inputs}
        self.rules = {r.name: r for r in policy.rules}
        self.params = {p.name: p for p in policy.params}
        self.tables = {t.name: t for t in policy.tables}
        self.enums = {e.name: e for e in policy.enums}
        self.constants: dict[str, tuple[str, str]] = {}  # name → (code, comment)
        self.constant_rules: dict[str, str] = {}  # rule name → its constant
        self.enums_used: set[str] = set()
        self.params_used: set[str] = set()
        self.tables_used: set[str] = set()
        self.taken: dict[str, str] = {}
        self.folded = 0
        self.scales: dict[str, int] = {}
        self.scale_overrides: dict[str, int] = {}  # while a 当 … 为 is scaled: X's scale
        self.functions: dict[str, Function] = {}  # rule name → its function
        self.recomputations: dict[tuple[Any, ...], Function] = {}  # 当 … 为 helpers

    def claim(self, identifier: str, what: str) -> str:
        if identifier in self.taken and self.taken[identifier] != what:
            raise GenerationError(f"{what} and {self.taken[identifier]} both become {identifier!r}")
        self.taken[identifier] = what
        return identifier

    def local_name(self, name: str) -> str:
        return ident(name.replace(".", "_"))

    def type_of(self, name: str) -> Type:
        return self.inputs[name].type if name in self.inputs else self.rules[name].type

    # ------------------------------------------------------------ constants
    def const(self, value: ir.Value, typ: Type, comment: str = "") -> str:
        """The module constant holding a value (made once, named after it)."""
        if value is None:
            return "_NONE"
        if isinstance(value, bool):
            return "_TRUE" if value else "_FALSE"
        if isinstance(value, Decimal):
            if value.is_infinite():
                if value < 0:
                    raise Unsupported("a negative 无上限")
                return "_UNBOUNDED"
            name, code = decimal_name(value), f'_number("{value}")'
        elif isinstance(value, ir.EnumValue):
            self.enums_used.add(value.enum)
            name = f"_{ident(value.enum)}_{ident(value.member)}"
            code = f"Col({enum_class(value.enum)}.{ident(value.member)})"
        elif isinstance(value, datetime.date):
            name = f"_DATE_{value:%Y_%m_%d}"
            days = (value - EPOCH).days
            code = f"Col({days}, 0, {abs(days)})"  # days since 1970-01-01, and their bound
            comment = comment or value.isoformat()
        elif isinstance(value, tuple) and typ.kind == "schedule":
            self.folded += 1
            name = f"_TIERS{self.folded}"
            code = "Tiers((" + " ".join(
                f"({self.const(t.upper, typ)}, {self.const(t.rate, typ)})," for t in value) + "))"
        else:
            raise Unsupported(f"a constant of type {typ}")
        self.constants.setdefault(name, (code, comment))
        return name

    def folded_const(self, value: ir.Value, expr: ir.Expr) -> str:
        if not isinstance(value, Decimal) or value.is_infinite():
            return self.const(value, expr.type)
        self.folded += 1
        name = f"_C{self.folded}"
        comment = f"{ir.describe(expr)} = {show_value(value, expr.type)}"
        self.constants[name] = (f'_number("{value}")', pycomment(comment))
        return name

    def failure(self, message: str) -> str:
        """The module constant of 错误(message)."""
        for name, (code, _) in self.constants.items():
            if code == f"_failure({pyrepr(message)})":
                return name
        self.folded += 1
        name = f"_FAIL{self.folded}"
        self.constants[name] = (f"_failure({pyrepr(message)})", "")
        return name

    def division_message(self, formula: str) -> str:
        return self.message("_ZERO_DIVISOR", formula + ": division by zero")

    def message(self, prefix: str, text: str) -> str:
        """The module constant of a failure code a runtime helper gives the rows it fails."""
        self.folded += 1
        name = f"{prefix}{self.folded}"
        self.constants[name] = (f"_message({pyrepr(text)})", "")
        return name

    # ------------------------------------------------------------ expressions
    def expr(self, e: ir.Expr, local: dict[str, str], need: int = 0) -> str:
        code, prec = self._expr(e, local)
        return f"({code})" if prec < need else code

    def _expr(self, e: ir.Expr, local: dict[str, str]) -> tuple[str, int]:
        if isinstance(e, ir.Const):
            return self.const(e.value, e.type), 9
        if isinstance(e, ir.Ref):
            return self._Ref(e, local), 9
        if not isinstance(e, ir.Fail) and e.type.kind != "never" and not ir.refs(e):
            try:
                return self.folded_const(evaluate(e, self.scope), e), 9
            except (EvalError, NotConstant):
                pass  # fails at run time, as the policy says
        if e.type.plural and not isinstance(e, PLURAL_NODES):
            raise Unsupported(plural_use(e))
        method = getattr(self, "_" + type(e).__name__, None)
        if method is None:
            raise Unsupported(f"the construct {type(e).__name__} ({ir.describe(e)})")
        result: tuple[str, int] = method(e, local)
        return result

    def _With(self, e: ir.With, local: dict[str, str]) -> tuple[str, int]:
        """R 当 X 为 E: a helper computes the rules from X up to R again, with X taken to be E."""
        helper = self.recomputation(e)
        args = [self.expr(e.replacement, local)]
        args += [self.ref_code(kind, name, local) for kind, name in e.reads if kind != "param"]
        return f"{helper.name}({', '.join(args)})", 9

    def recomputation(self, e: ir.With) -> Function:
        key = (ir.describe(e.value), e.name, e.chain, e.reads)
        if key in self.recomputations:
            return self.recomputations[key]
        if not isinstance(e.value, ir.Ref):
            raise Unsupported(f"{ir.describe(e)}: 当 … 为 on something other than a rule")
        name = f"_当{len(self.recomputations) + 1}"
        local = {e.name: self.local_name(e.name)}
        local.update({n: self.local_name(n) for kind, n in e.reads if kind != "param"})
        params = [f"{local[e.name]}: {value_class(self.type_of(e.name))}"]
        params += [f"{local[n]}: {value_class(self.type_of(n))}" for kind, n in e.reads if kind != "param"]
        body = []
        for rule_name in e.chain:
            rule = self.rules[rule_name]
            function = self.function_of(rule)
            local[rule_name] = self.local_name(rule_name)
            body.append(f"    {local[rule_name]} = {function.name}({', '.join(local[d] for d in rule.deps)})")
        body.append(f"    return {local[e.value.name]}")
        doc = f"{ir.describe(e)}: {e.value.name} computed again with {e.name} taken to be the value given."
        function = Function(name, f"def {name}({', '.join(params)}) -> {value_class(e.type)}:",
                            pydoc(doc, "    "), body)
        self.recomputations[key] = function
        return function

    def function_of(self, rule: ir.Rule) -> Function:
        """The function of a rule, generated the first time it is needed."""
        if rule.name not in self.functions:
            self.functions[rule.name] = rule_function(self, rule)
        return self.functions[rule.name]

    def ref_code(self, kind: str, name: str, local: dict[str, str]) -> str:
        if kind == "param":
            self.params_used.add(name)
            return ident(name)
        if name in self.constant_rules and name not in local:
            return self.constant_rules[name]
        return local[name]

    def _Ref(self, e: ir.Ref, local: dict[str, str]) -> str:
        if e.kind == "param":
            self.params_used.add(e.name)
            return ident(e.name)
        if e.name in self.constant_rules and e.name not in local:
            return self.constant_rules[e.name]
        return local[e.name]

    def _Lookup(self, e: ir.Lookup, local: dict[str, str]) -> tuple[str, int]:
        self.tables_used.add(e.table)
        if e.type.plural:  # 限额[病种]: the value of each member the list holds
            return f"_each({ident(e.table)}, {self.expr(e.keys[0], local)})", 9
        return f"_lookup({ident(e.table)}, {', '.join(self.expr(k, local) for k in e.keys)})", 9

    def _Fail(self, e: ir.Fail, local: dict[str, str]) -> tuple[str, int]:
        return self.failure(e.message), 9

    def _If(self, e: ir.If, local: dict[str, str]) -> tuple[str, int]:
        parts = (self.expr(e.cond, local), self.expr(e.then, local), self.expr(e.otherwise, local))
        return f"{choice('_if', e.type)}({', '.join(parts)})", 9

    def _Match(self, e: ir.Match, local: dict[str, str]) -> tuple[str, int]:
        subject, arms, otherwise = self.match_parts(e, local)
        return f"{choice('_match', e.type)}({subject}, {tuple_code(arms)}, {otherwise})", 9

    def match_parts(self, e: ir.Match, local: dict[str, str]) -> tuple[str, list[str], str]:
        self.enums_used.add(e.enum)
        members = {m: f"{enum_class(e.enum)}.{ident(m)}" for m in self.enums[e.enum].members}
        arms = [f"({tuple_code([members[m] for m in arm.members])}, {self.expr(arm.value, local)})"
                for arm in e.arms[:-1]]
        return self.expr(e.subject, local), arms, self.expr(e.arms[-1].value, local)

    def _Binary(self, e: ir.Binary, local: dict[str, str]) -> tuple[str, int]:
        if e.left.type.kind == "date":  # 缴费日期 + 3 个月
            day, amount = self.expr(e.left, local), self.expr(e.right, local)
            return f"_shift_date({day}, {amount}, {pyrepr(e.right.type.kind)}, {e.op == '+'})", 9
        if e.op == "÷":
            raise Unsupported(unrounded_division(e))
        prec = PRECEDENCE[e.op]
        left = self.expr(e.left, local, prec)
        right = self.expr(e.right, local, prec + 1)
        return f"{left} {'*' if e.op == '×' else e.op} {right}", prec

    def _Compare(self, e: ir.Compare, local: dict[str, str]) -> tuple[str, int]:
        if e.op == "contains":
            return f"_contains({self.expr(e.left, local)}, {self.expr(e.right, local)})", 9
        return f'_compare({self.expr(e.left, local)}, "{e.op}", {self.expr(e.right, local)})', 9

    def _Logic(self, e: ir.Logic, local: dict[str, str]) -> tuple[str, int]:
        if e.right is None:
            return f"_not({self.expr(e.left, local)})", 9
        return f"_{e.op}({self.expr(e.left, local)}, {self.expr(e.right, local)})", 9

    def _Coalesce(self, e: ir.Coalesce, local: dict[str, str]) -> tuple[str, int]:
        return f"_coalesce({self.expr(e.value, local)}, {self.expr(e.default, local)})", 9

    def _Adjust(self, e: ir.Adjust, local: dict[str, str]) -> tuple[str, int]:
        if e.base.type.kind == "schedule":
            base, amount = self.expr(e.base, local), self.expr(e.amount, local)
            return f"_shift_tiers({base}, {amount}, up={e.up})", 9
        if e.mode == "add":
            return self._Binary(ir.Binary("+" if e.up else "-", e.base, e.amount, e.type), local)
        factor = ir.Binary("+" if e.up else "-", ir.Const(Decimal(1), e.amount.type, "1"),
                           e.amount, e.amount.type)
        return self._Binary(ir.Binary("×", e.base, factor, e.type), local)

    def _Call(self, e: ir.Call, local: dict[str, str]) -> tuple[str, int]:
        if e.func == "round":
            return self.rounded(e, local), 9
        args = [self.expr(a, local) for a in e.args]
        if e.func in ("min", "max"):
            return f"_{e.func}({', '.join(args)})", 9
        if e.func == "clamp":
            return f"_min(_max({args[0]}, {args[1]}), {args[2]})", 9
        if e.func == "given":
            return f"_given({args[0]})", 9
        if e.func == "highest":
            return f"_highest({args[0]}, {self.empty_list(e.args[0])})", 9
        if e.func in LIST_FUNCTIONS:
            return f"{LIST_FUNCTIONS[e.func]}({args[0]})", 9
        if e.func == "progressive":
            return f"_progressive({', '.join(args)})", 9
        if e.func in DATE_FUNCTIONS:
            return f"{DATE_FUNCTIONS[e.func]}({', '.join(args)})", 9
        if e.func in ("ratio", "prorate"):
            raise Unsupported(unrounded_division(e))
        raise Unsupported(f"the function {ir.describe(e).split('(')[0]} ({ir.describe(e)}), "
                          "which the batch calculators do not support yet")

    def empty_list(self, members: ir.Expr) -> str:
        """The failure of 就高不就低 on an empty list, worded as the scalar calculator's."""
        field = members.name if isinstance(members, ir.Ref) else "就高不就低"
        return self.message("_EMPTY_LIST", f"{field}: the list is empty; 就高不就低 needs at least "
                            "one member")

    def rounded(self, e: ir.Call, local: dict[str, str]) -> str:
        value, places = e.args
        if not (isinstance(places, ir.Const) and isinstance(places.value, Decimal)):
            raise Unsupported(f"rounding to a number of places that is not a constant ({ir.describe(e)})")
        digits = int(places.value)
        quotient = quotient_parts(value)
        if quotient is not None:
            zero = self.division_message(ir.describe(value))
            return (f"_round_quotient({self.expr(quotient[0], local)}, "
                    f"{self.expr(quotient[1], local)}, {digits}, {zero})")
        return f"_round({self.expr(value, local)}, {digits})"

    # ------------------------------------------------------------ scales
    def scale_of(self, e: ir.Expr) -> int:
        """The decimals a numeric expression's values carry at most (its column's scale)."""
        if isinstance(e, ir.Const):
            return decimal_scale(e.value) if isinstance(e.value, Decimal) else 0
        if isinstance(e, ir.Ref):
            return self.ref_scale(e)
        if isinstance(e, ir.Lookup):
            table = self.tables[e.table]
            return max(decimal_scale(r.value) if isinstance(r.value, Decimal) else 0
                       for r in table.rows)
        if isinstance(e, ir.Call) and e.func in WHOLE_RESULTS:
            return 0
        if isinstance(e, ir.With):
            return self.recomputed_scale(e)
        if isinstance(e, ir.Binary):
            left, right = self.scale_of(e.left), self.scale_of(e.right)
            return left + right if e.op == "×" else max(left, right)
        if isinstance(e, ir.Adjust):
            base, amount = self.scale_of(e.base), self.scale_of(e.amount)
            return base + amount if e.mode == "scale" else max(base, amount)
        if isinstance(e, ir.Call) and e.func == "round":
            places = e.args[1]
            assert isinstance(places, ir.Const) and isinstance(places.value, Decimal)
            return int(places.value)
        if isinstance(e, ir.Call) and e.func == "progressive":
            uppers, rates = self.tier_scales(e.args[1])
            return max(self.scale_of(e.args[0]), self.scale_of(e.args[2]), uppers) + rates
        return max((self.scale_of(c) for c in ir.children(e) if c.type.kind in NUMBER_KINDS),
                   default=0)

    def recomputed_scale(self, e: ir.With) -> int:
        """The scale of R 当 X 为 E: R's, with X at least as fine as E."""
        replaced = max(self.ref_scale(ir.Ref("rule" if e.name in self.rules else "input", e.name,
                                             self.type_of(e.name))),
                       self.scale_of(e.replacement))
        saved, self.scales = self.scales, {}
        self.scale_overrides[e.name] = replaced
        try:
            return self.scale_of(e.value)
        finally:
            del self.scale_overrides[e.name]
            self.scales = saved

    def ref_scale(self, e: ir.Ref) -> int:
        if e.name in self.scale_overrides:
            return self.scale_overrides[e.name]
        if e.kind == "param":
            value = self.params[e.name].value
            return decimal_scale(value) if isinstance(value, Decimal) else 0
        if e.kind == "input":
            inp = self.inputs[e.name]
            default = self.scale_of(inp.default) if inp.default is not None else 0
            return max(INPUT_SCALES.get(inp.type.kind, 0), default)
        if e.name not in self.scales:
            self.scales[e.name] = self.scale_of(self.rules[e.name].expr)
        return self.scales[e.name]

    def tier_scales(self, e: ir.Expr) -> tuple[int, int]:
        """The decimals of a schedule's upper bounds and of its rates."""
        if isinstance(e, ir.Ref) and e.kind == "input":
            return INPUT_SCALES["money"], INPUT_SCALES["rate"]
        if isinstance(e, ir.Ref) and e.kind == "rule":
            return self.tier_scales(self.rules[e.name].expr)
        value: Any = (self.params[e.name].value if isinstance(e, ir.Ref) and e.kind == "param"
                      else e.value if isinstance(e, ir.Const) else None)
        if isinstance(value, tuple):
            return (max(decimal_scale(t.upper) for t in value if t.upper.is_finite()) if
                    any(t.upper.is_finite() for t in value) else 0,
                    max(decimal_scale(t.rate) for t in value))
        if isinstance(e, ir.Adjust):
            uppers, rates = self.tier_scales(e.base)
            return uppers, max(rates, self.scale_of(e.amount))
        scales = [self.tier_scales(c) for c in ir.children(e) if c.type.kind == "schedule"]
        if not scales:
            raise Unsupported(f"a 分段 computed as {ir.describe(e)}")
        return max(s[0] for s in scales), max(s[1] for s in scales)

    # ------------------------------------------------------------ statements
    def statements(self, e: ir.Expr, local: dict[str, str]) -> list[str]:
        """A rule body: one return, a top-level 按 laid out arm by arm."""
        if isinstance(e, ir.Match) and ir.refs(e):
            subject, arms, otherwise = self.match_parts(e, local)
            return ([f"    return {choice('_match', e.type)}(", f"        {subject},", "        ("]
                    + [f"            {arm}," for arm in arms]
                    + ["        ),", f"        {otherwise},", "    )"])
        return [f"    return {self.expr(e, local)}"]


def quotient_parts(e: ir.Expr) -> tuple[ir.Expr, ir.Expr] | None:
    """The dividend and divisor of a division (a ÷ b, 倍数(a, b), 按月折算(a, m) = a × m ÷ 12),
    or None."""
    if isinstance(e, ir.Binary) and e.op == "÷":
        return e.left, e.right
    if isinstance(e, ir.Call) and e.func == "ratio":
        return e.args[0], e.args[1]
    if isinstance(e, ir.Call) and e.func == "prorate":
        amount, months = e.args
        return ir.Binary("×", amount, months, e.type), ir.Const(Decimal(12), NUMBER, "12")
    return None


def plural_use(e: ir.Expr) -> str:
    """Why a value per member of a list used other than by 最高, 次高 or 合计 is refused."""
    return (f"{ir.describe(e)} computes on values per member of a list ({e.type}) as a whole: the "
            "scalar calculator either fails on it or compares the values in the order the list "
            "was given, and a batch list holds which members it has, not their order; take "
            "最高, 次高 or 合计 of the values first")


def unrounded_division(e: ir.Expr) -> str:
    return (f"{ir.describe(e)} divides without rounding the quotient right away "
            "(四舍五入(… ÷ …, n)); the scalar calculator keeps 28 significant digits of it, "
            "which exact integer arithmetic cannot reproduce")


def tuple_code(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def choice(helper: str, t: Type) -> str:
    """_if or _match, or their versions choosing a schedule or values per member."""
    if t.plural:
        return helper + "_each"
    return helper + "_tiers" if t.kind == "schedule" else helper


def enum_class(name: str) -> str:
    """The IntEnum numbering the members of an enumeration (private: callers use names)."""
    return "_" + ident(name)


def rule_function(module: _Module, rule: ir.Rule) -> Function:
    name = module.claim(ident("规则_" + rule.name.replace(".", "_")), f"rule {rule.name}")
    local = {dep: module.local_name(dep) for dep in rule.deps}
    args = ", ".join(f"{local[d]}: {value_class(module.type_of(d))}" for d in rule.deps)
    doc = f"{rule.name.split('.')[-1]} = {rule.source}\n\n出处：{rule.citation}"
    return Function(name, f"def {name}({args}) -> {value_class(rule.type)}:", pydoc(doc, "    "),
                    module.statements(rule.expr, local))


def value_class(t: Type) -> str:
    if t.plural:
        return "Each"
    return "Tiers" if t.kind == "schedule" else "Col"


def converter(module: _Module, t: Type) -> str:
    if t.plural:
        raise Unsupported(f"inputs of type {t}")
    if t.kind in CONVERTERS:
        return CONVERTERS[t.kind]
    if t.kind in ("enum", "list"):
        module.enums_used.add(t.arg)
        members = f"_{ident(t.arg)}_SPELLINGS"
        if t.kind == "list" and len(module.enums[t.arg].members) > 62:
            raise Unsupported(f"a list of {t.arg}, which has more than 62 members")
        return f"{'_member' if t.kind == 'enum' else '_members'}({members}, {pyrepr(t.arg)})"
    raise Unsupported(f"inputs of type {t}")


def output_converter(module: _Module, rule: ir.Rule) -> str:
    kind = rule.type.kind
    if rule.type.plural or kind == "list":
        raise Unsupported(f"the output {rule.name} is {rule.type}: the scalar calculator returns "
                          "it in the order the list was given, which a batch list (which members "
                          "it holds) does not keep")
    if kind in NUMBER_KINDS:
        scale = max(module.scale_of(rule.expr), 2 if kind == "money" else 0)
        if scale > MAX_SCALE:
            raise Unsupported(f"{rule.name} carries {scale} decimals, more than a decimal128 holds")
        return f"_decimal_output({scale})"
    if kind == "bool":
        return "_bool_output"
    if kind in ("date", "monthday"):  # a day of the year is that day in 2000, as in the scalar
        return "_date_output"
    if kind == "enum":
        module.enums_used.add(rule.type.arg)
        return f"_member_output(_{ident(rule.type.arg)}_NAMES)"
    raise Unsupported(f"the output {rule.name} of type {rule.type}, which no column type holds")


def output_type(module: _Module, rule: ir.Rule) -> str:
    """The Arrow type of an output, for the docstring."""
    code = output_converter(module, rule)
    match = re.fullmatch(r"_decimal_output\((\d+)\)", code)
    if match:
        scale = int(match.group(1))
        return f"decimal128({min(38, 16 + scale)}, {scale})"
    return {"_bool_output": "bool", "_date_output": "date32"}.get(code, "dictionary<int16, string>")


def calculator_code(module: _Module, calc: ir.Calculator) -> CalculatorCode:
    """The body of a calculator, or its refusal."""
    name = module.claim(ident(calc.name), f"calculator {calc.name}")
    inputs_name = module.claim(f"_{name}_INPUTS", f"inputs of {calc.name}")
    inputs = [(n, str(module.inputs[n].citation)) for n in calc.inputs]
    try:
        body = calculator_body(module, calc)
        doc = calculator_doc(module, calc)
    except Unsupported as why:
        refusal = f"{calc.name} cannot run in batch: {why}"
        return CalculatorCode(name, pydoc(f"{calc.title or calc.name}\n\n{refusal}.", "    "),
                              inputs_name, inputs, [f"raise NotImplementedError({pyrepr(refusal)})"],
                              refusal)
    return CalculatorCode(name, pydoc(doc, "    "), inputs_name, inputs, body, None)


def calculator_body(module: _Module, calc: ir.Calculator) -> list[str]:
    local = {n: module.local_name(n) for n in (*calc.inputs, *calc.rules)}
    body: list[str] = []
    for input_name in calc.inputs:
        inp = module.inputs[input_name]
        if inp.type.kind == "schedule":
            body.append(f"{local[input_name]} = rows.tiers({pyrepr(input_name)})")
            continue
        extra = ""
        if inp.default is not None and isinstance(inp.default, ir.Const):
            extra = f", default={module.const(inp.default.value, inp.default.type)}"
        elif inp.type.optional:
            extra = ", optional=True"
        body.append(f"{local[input_name]} = rows.input({pyrepr(input_name)}, "
                    f"{converter(module, inp.type)}{extra})")
    for input_name in calc.inputs:
        body += requirement_checks(module, module.inputs[input_name], local)
    for rule_name in calc.rules:
        rule = module.rules[rule_name]
        if rule_name in module.constant_rules:
            body.append(f"{local[rule_name]} = {module.constant_rules[rule_name]}")
            continue
        args = ", ".join(local[d] for d in rule.deps)
        where = f"{rule_name.split('.')[-1]} ({rule.citation})"
        body.append(f"{local[rule_name]} = rows.rule({module.function_of(rule).name}({args}), "
                    f"{pyrepr(where)})")
    body.append("return rows.result((")
    for name, rule_name in output_columns(calc):
        rule = module.rules[rule_name]
        body.append(f"    ({pyrepr(name)}, {local[rule_name]}, {output_converter(module, rule)}),")
    body.append("))")
    return body


def output_columns(calc: ir.Calculator) -> list[tuple[str, str]]:
    """The result's columns: each output, then each 累计 amount after this event (named so, as
    the input of the same name holds it before)."""
    return ([(out.name, out.rule) for out in calc.outputs]
            + [(f"{update.name}{AFTER}", update.rule) for update in calc.updates])


AFTER = "（本次后）"


def requirement_checks(module: _Module, inp: ir.Input, local: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for req in inp.requirements:
        if req.soft:
            lines.append(f"# {pycomment(inp.name + ' ' + req.source)}: 原则上 (a soft rule), not enforced")
            continue
        bound = module.expr(req.bound, local)
        lines.append(f"rows.require({pyrepr(inp.name)}, {local[inp.name]}, \"{req.op}\", {bound}, "
                     f"{pyrepr(req.source)}, {pyrepr(str(req.citation))})")
    return lines


def calculator_doc(module: _Module, calc: ir.Calculator) -> str:
    lines = [calc.title or calc.name, "",
             "输入 (a column of `table` each, or a keyword constant for every row):"]
    for name in calc.inputs:
        inp = module.inputs[name]
        lines.append(f"    {name} ({inp.type}) — {inp.citation}")
    lines += ["", "输出 (the columns of the result, in this order):"]
    for name, rule_name in output_columns(calc):
        rule = module.rules[rule_name]
        lines.append(f"    {name} ({rule.type}: {output_type(module, rule)})")
    lines += ["", "errors=\"raise\" raises ValueError naming the column, the first bad row and the",
              "clause; errors=\"column\" returns every row, the bad ones empty, with the message",
              "in an extra column 错误."]
    return "\n".join(lines)


def table_rows(module: _Module, table: ir.Table) -> list[tuple[str, str]]:
    """Each row of a table as (code, comment), one per member of its first key; a row of a
    two-key table is itself a _table over the second key."""
    rows = []
    for member in module.enums[table.keys[0]].members:
        if len(table.keys) == 1:
            rows.append(table_cell(module, table, (member,)))
            continue
        cells = [table_cell(module, table, (member, m))[0]
                 for m in module.enums[table.keys[1]].members]
        rows.append((f"_table({', '.join(cells)})", member))
    return rows


def table_cell(module: _Module, table: ir.Table, members: tuple[str, ...]) -> tuple[str, str]:
    try:
        row = table.value_for(*members)
    except KeyError:
        text = f"{table.name}[{', '.join(members)}]"
        return module.failure(f"{text} is read before its row"), f"{text}: (no row)"
    other = " （其他）" if None in row.members else ""
    return value_code(module, row.value, table.type), f"{'、'.join(members)}: {row.source}{other}"


def value_code(module: _Module, value: ir.Value, typ: Type) -> str:
    """A value written out in full (for the parameter and table sections)."""
    if isinstance(value, Decimal) and value.is_finite():
        return f'_number("{value}")'
    return module.const(value, typ)


def param_comment(p: ir.Param) -> str:
    shown = show_value(p.value, p.type)
    formula = p.source if shown in p.source else f"{p.source} = {shown}"
    choice = f"（自定：{p.local_choice}）" if p.local_choice else ""
    return pycomment(f"{formula} — {p.citation}{choice}")


def generate(policy: ir.Policy) -> str:
    """The source of the batch module of one policy."""
    module = _Module(policy)
    constant_rules = []
    for rule in policy.rules:
        if not rule.deps and rule.type.kind not in ("never", "schedule"):
            try:
                code = module.const(evaluate(rule.expr, module.scope), rule.type)
            except (EvalError, NotConstant, Unsupported):
                continue
            name = module.claim(ident("规则_" + rule.name.replace(".", "_")), f"rule {rule.name}")
            module.constant_rules[rule.name] = name
            constant_rules.append((name, rule, code))
    calculators = [calculator_code(module, c) for c in policy.calculators]
    params = [(module.claim(ident(p.name), f"parameter {p.name}"), p) for p in policy.params
              if p.name in module.params_used]
    tables = [(module.claim(ident(t.name), f"table {t.name}"), t) for t in policy.tables
              if t.name in module.tables_used]
    param_lines = [(name, value_code(module, p.value, p.type), param_comment(p)) for name, p in params]
    table_lines = []
    for name, table in tables:
        module.enums_used.update(table.keys)
        table_lines.append((name, table, table_rows(module, table)))
    ordered = [module.functions[r.name] for r in policy.rules if r.name in module.functions]
    ordered += list(module.recomputations.values())
    enums = [e for e in policy.enums if e.name in module.enums_used]
    env = template_environment()
    policy_part = env.get_template("batch_module.py.jinja").render(
        part="policy", params=param_lines, tables=table_lines, functions=ordered,
        constants=sorted(module.constants.items(), key=_constant_order), calculators=calculators,
        enums=enums, ident=ident, enum_class=enum_class,
        spellings={e.name: [(code, name) for code, member in enumerate(e.members)
                            for name in e.names_of(member)]
                   if any(e.aliases) else [] for e in enums},
        constant_rules=[(name, rule, code) for name, rule, code in constant_rules
                        if any(rule.name in c.rules for c in policy.calculators)],
    )
    head = env.get_template("batch_module.py.jinja").render(
        part="head", module_doc=pydoc(module_docstring(policy)),
        public=sorted([c.name for c in calculators] + [name for name, _ in params]
                      + [name for name, _ in tables]),
        runtime=runtime_for(policy_part),
    )
    return head.replace("{{ imports }}", import_block(head + policy_part)) + policy_part


IMPORTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("import {}", [("datetime", r"\bdatetime\."), ("enum", r"\benum\.")]),
    ("from collections.abc import {}", [(n, rf"\b{n}\b") for n in ("Callable", "Mapping", "Sequence")]),
    ("from decimal import {}", [(n, rf"\b{n}\b") for n in ("Decimal", "InvalidOperation")]),
    ("from typing import {}", [(n, rf"\b{n}\b") for n in ("Any", "Final", "Union")]),
    ("", []),
    ("import numpy as np", [("", r"\bnp\.")]),
    ("import pyarrow as pa  # type: ignore[import-untyped]", [("", r"\bpa\.")]),
    ("import pyarrow.compute as pc  # type: ignore[import-untyped]", [("", r"\bpc\.")]),
    ("from numpy.typing import {}", [("NDArray", r"\bNDArray\b")]),
]


def import_block(text: str) -> str:
    """The imports the module uses: the standard library, then numpy and pyarrow."""
    body = text.split("{{ imports }}", 1)[1]
    lines = ["from __future__ import annotations", ""]
    for statement, uses in IMPORTS:
        if not uses:
            lines.append("")
            continue
        names = [name for name, pattern in uses if re.search(pattern, body)]
        if not names:
            continue
        if "{}" not in statement:
            lines.append(statement)
        elif statement.startswith("import"):
            lines += [statement.format(n) for n in names]
        else:
            lines.append(statement.format(", ".join(names)))
    return "\n".join(lines).replace("\n\n\n", "\n\n").rstrip("\n")


def _constant_order(item: tuple[str, tuple[str, str]]) -> tuple[int, str]:
    """Plain literals first (by name), then folded, failure and tier constants in the order made."""
    match = re.fullmatch(r"_(C|TIERS|FAIL|ZERO_DIVISOR|EMPTY_LIST)(\d+)", item[0])
    return (1, f"{int(match.group(2)):08d}") if match else (0, item[0])


def module_docstring(policy: ir.Policy) -> str:
    source = policy.path.replace("\\", "/").rsplit("/", 1)[-1]
    return "\n".join([
        f"{policy.title or policy.id} — vectorised calculators (numpy + pyarrow)",
        "",
        f"Generated by policydsl from {source} (policy {policy.id}); do not edit: change the",
        "policy and run `policydsl compile`.  The scalar calculators of the same policy are in",
        f"generated/python/{policy.id}.py; every row computed here equals their result.",
        "",
        "Each calculator takes a table (a pyarrow Table, a pandas or polars DataFrame, or a mapping",
        "of column name to sequence), one row per person or claim, and returns a pyarrow Table.",
        "Any input may instead be a keyword constant, the same for every row.  Money is exact:",
        "int64 分 inside, decimal128(18, 2) outside; rates are whole units of 10**-6; an amount is",
        "rounded, half-up to the 分, only where the policy says 四舍五入.",
        "",
        "The first part of the module (up to the enumerations) is the runtime that computes on",
        "columns, the same in every batch module; the policy follows it.",
    ])


def package_init(policies: Sequence[ir.Policy]) -> str:
    lines = ["Vectorised calculators generated by policydsl, one module per policy (numpy + pyarrow).", ""]
    lines += [f"{p.id}: {p.title}" for p in sorted(policies, key=lambda p: p.id)]
    return pydoc("\n".join(lines)) + "\n"


def generate_all(policies: Sequence[ir.Policy]) -> dict[str, str]:
    """Every file of generated/batch/, by path relative to it."""
    files = {f"{p.id}.py": generate(p) for p in policies}
    files["__init__.py"] = package_init(policies)
    return files
