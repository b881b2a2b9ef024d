"""IR → one standalone Python module per policy (standard library only).

The module reads top to bottom like a settlement slip: enumerations, the notice's parameters
(each with its qualifier and clause), tables, one function per rule, then one public function
per calculator that converts and checks its inputs, calls the rules in order and returns a
frozen result that can explain itself; a calculator with 累计 amounts also gets
`<计算>逐次(事件列表, **共同输入)`, which runs a year of events in order.

Constant subexpressions are folded here, at compile time (`财政补助 × 中央分担比例` becomes
512), and hoisted to module constants, so a call does no arithmetic on constants and builds
no Decimal from text.  Every name goes through `escaping.pyident` and every string through
`escaping.pyrepr` / `pydoc` / `pycomment`.  The helpers (input conversion, 分段累计, dates,
explanations) are real code in `python_runtime.py`; a module gets a copy of those it uses.
The source is compiled before it is returned: what CPython refuses is a GenerationError,
never a file.
"""

from __future__ import annotations

import datetime
import enum
import re
from decimal import Decimal

import attrs

from .. import ir
from ..display import show_value
from ..escaping import pycomment, pydoc, pyident, pyrepr
from ..evaluator import EvalError, NotConstant, Scope, evaluate
from ..types import Type
from . import python_runtime, template_environment
from .exactness import exact_without_context
from .runtime_source import HelperSource

DECIMAL_KINDS = frozenset({"money", "rate", "points", "multiple", "years", "months", "days", "age",
                           "count", "number", "zero", "unbounded"})
CONVERTERS = {"money": "_money", "rate": "_rate", "points": "_number", "multiple": "_number",
              "years": "_number", "months": "_number", "days": "_number", "age": "_number",
              "number": "_number", "count": "_count", "date": "_date", "bool": "_bool",
              "schedule": "_tiers"}
PRECEDENCE = {"if": 0, "or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "×": 6, "÷": 6,
              "atom": 9}
PY_CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
CALLS = {"age": "_age", "birthday": "_birthday", "next_month": "_next_month", "months": "_months",
         "prorate": "_prorate", "second_of": "_second_of", "next_day": "_next_day",
         "year_start": "_year_start", "year_end": "_year_end", "month_day": "_month_day",
         "in_year": "_in_year"}
ENUM_RESERVED = frozenset(dir(enum.Enum)) | {"name", "value", "mro"}
HELPERS = HelperSource.of(python_runtime)


class GenerationError(Exception):
    """The policy cannot be turned into Python (two of its names map to one identifier, or
    CPython refuses the module)."""


def member_ident(member: str) -> str:
    """An enumeration member's identifier: not one of enum.Enum's own attributes (mro, name)."""
    ident = pyident(member)
    return ident + "_" if ident in ENUM_RESERVED else ident


def py_type(t: Type) -> str:
    if t.kind in DECIMAL_KINDS:
        base = "Decimal"
    elif t.kind in ("date", "monthday"):
        base = "datetime.date"
    elif t.kind == "bool":
        base = "bool"
    elif t.kind == "enum":
        base = pyident(t.arg)
    elif t.kind == "list":
        base = f"tuple[{pyident(t.arg)}, ...]"
    elif t.kind == "schedule":
        base = "tuple[tuple[Decimal, Decimal], ...]"
    else:  # never: a rule that only fails; None when optional
        base = "None" if t.optional else "Decimal"
    if t.plural:
        base = f"tuple[{base}, ...]"
    return f"{base} | None" if t.optional and base != "None" else base


def accepted_type(t: Type) -> str:
    """What a calculator accepts for an input of this type (converted on entry)."""
    if t.kind in DECIMAL_KINDS:
        base = "Decimal | int | str"
    elif t.kind == "date":
        base = "datetime.date | str"
    elif t.kind == "bool":
        base = "bool"
    elif t.kind == "enum":
        base = f"{pyident(t.arg)} | str"
    elif t.kind == "list":
        base = f"Sequence[{pyident(t.arg)} | str]"
    else:
        base = "Sequence[Mapping[str, Any] | tuple[Any, Any]]"
    return f"{base} | None" if t.optional else base


def decimal_name(value: Decimal) -> str:
    text = format(value, "f").replace("-", "m").replace(".", "_")
    return f"_D{text}"


def rule_ident(name: str) -> str:
    return pyident("规则_" + name.replace(".", "_"))


@attrs.define
class Function:
    name: str
    signature: str
    doc: str
    body: list[str]


@attrs.define
class CalculatorCode:
    name: str
    result_class: str
    input_class: str
    doc: str
    signature: list[str]
    convert: list[str]  # converting and checking the inputs
    compute: list[str]  # the rules
    exact: bool  # proved exact under 28 digits (exactness.py); else computed in the context _EXACT
    finish: list[str]  # the explanation and the result
    outputs: list[tuple[str, str, str]]  # identifier, type, comment
    inputs: list[tuple[str, str]]  # identifier, type
    origin: str
    sequence: Function | None  # <计算>逐次, when the calculator carries 累计 amounts


class _Module:
    """Collects the pieces of one generated module."""

    def __init__(self, policy: ir.Policy):
        self.policy = policy
        self.scope = Scope.of(policy)
        self.constants: dict[str, tuple[str, str]] = {}  # name → (code, comment)
        self.helpers: set[str] = set()
        self.taken: dict[str, str] = {}  # identifier → what it names
        self.folded = 0
        self.temp = 0
        self.constant_rules: dict[str, str] = {}  # rule name → constant identifier
        self.enum_constants: set[ir.EnumValue] = set()
        self.with_functions: list[Function] = []
        self.function_rules: set[str] = set()  # rules written as functions (the rest in place)
        for enum_ in policy.enums:
            self.claim(pyident(enum_.name), f"enumeration {enum_.name}")

    def claim(self, ident: str, what: str) -> str:
        if ident in self.taken and self.taken[ident] != what:
            raise GenerationError(f"{what} and {self.taken[ident]} both become {ident!r}")
        self.taken[ident] = what
        return ident

    def helper(self, name: str) -> str:
        self.helpers.add(name)
        return name

    def local_name(self, name: str) -> str:
        """The local variable of an input or a rule (a calculator's own output: 计算.输出)."""
        return pyident(name.replace(".", "_"))

    def type_of(self, name: str) -> Type:
        if self.policy.has("input", name):
            return self.policy.input(name).type
        return self.policy.rule(name).type

    def converter(self, t: Type, field: str, ident: str) -> str:
        """The call that converts and checks a calculator argument."""
        if t.kind in ("enum", "list"):
            helper = self.helper("_member" if t.kind == "enum" else "_members")
            return f"{helper}({field}, {ident}, _{pyident(t.arg)}_BY_NAME, {pyrepr(t.arg)})"
        return f"{self.helper(CONVERTERS[t.kind])}({field}, {ident})"

    # ------------------------------------------------------------ constants
    def const(self, value: ir.Value, typ: Type) -> str:
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, Decimal) and value.is_infinite():
            return self.helper("_INFINITY")  # 无上限: the runtime's own constant
        if isinstance(value, Decimal):
            name = decimal_name(value)
            code = f'Decimal("{value}")'
        elif isinstance(value, ir.EnumValue):
            self.enum_constants.add(value)
            name = f"_{pyident(value.enum)}_{pyident(value.member)}"
            code = f"{pyident(value.enum)}.{member_ident(value.member)}"
        elif isinstance(value, datetime.date):
            name = f"_DATE_{value:%Y_%m_%d}"
            code = f"datetime.date({value.year}, {value.month}, {value.day})"
        elif isinstance(value, tuple) and typ.kind == "schedule":
            tiers = ", ".join(f"({self.const(t.upper, typ)}, {self.const(t.rate, typ)})" for t in value)
            self.folded += 1
            name = f"_TIERS{self.folded}"
            code = f"({tiers},)"
        elif isinstance(value, tuple):
            items = ", ".join(self.const(v, typ.single()) for v in value)
            self.folded += 1
            name = f"_VALUES{self.folded}"
            code = f"({items}{',' if len(value) == 1 else ''})"
        else:
            raise GenerationError(f"no constant form for {value!r}")
        self.constants.setdefault(name, (code, ""))
        return name

    def folded_const(self, value: ir.Value, expr: ir.Expr) -> str:
        if not isinstance(value, Decimal) or value.is_infinite():
            return self.const(value, expr.type)
        self.folded += 1
        name = f"_C{self.folded}"
        comment = f"{ir.describe(expr)} = {show_value(value, expr.type)}"
        self.constants[name] = (f'Decimal("{value}")', pycomment(comment))
        return name

    # ------------------------------------------------------------ expressions
    def expr(self, e: ir.Expr, local: dict[str, str], need: int = 0) -> str:
        code, prec = self._expr(e, local)
        return f"({code})" if prec < need else code

    def _expr(self, e: ir.Expr, local: dict[str, str]) -> tuple[str, int]:
        if isinstance(e, ir.Const):
            return self.const(e.value, e.type), 9
        if isinstance(e, ir.Ref):
            if e.kind == "param":
                return pyident(e.name), 9
            if e.name in self.constant_rules and e.name not in local:
                return self.constant_rules[e.name], 9
            return local[e.name], 9
        if not isinstance(e, (ir.Fail, ir.With)) and e.type.kind != "never" and not ir.refs(e):
            try:
                return self.folded_const(evaluate(e, self.scope), e), 9
            except (EvalError, NotConstant):
                pass  # fails at run time, as the policy says
        method = getattr(self, "_" + type(e).__name__)
        result: tuple[str, int] = method(e, local)
        return result

    def _Lookup(self, e: ir.Lookup, local: dict[str, str]) -> tuple[str, int]:
        table = pyident(e.table)
        if e.type.plural:
            return f"tuple([{table}[_m] for _m in {self.expr(e.keys[0], local)}])", 9
        if len(e.keys) == 2:
            return f"{table}[({self.expr(e.keys[0], local)}, {self.expr(e.keys[1], local)})]", 9
        return f"{table}[{self.expr(e.keys[0], local)}]", 9

    def _With(self, e: ir.With, local: dict[str, str]) -> tuple[str, int]:
        function = with_function(self, e)
        args = [self.expr(e.replacement, local)] + [local[name] for _, name in e.reads]
        return f"{function}({', '.join(args)})", 9

    def _Fail(self, e: ir.Fail, local: dict[str, str]) -> tuple[str, int]:
        return f"{self.helper('_fail')}({pyrepr(e.message)})", 9

    def _If(self, e: ir.If, local: dict[str, str]) -> tuple[str, int]:
        cond = self.expr(e.cond, local, 1)
        then = self.expr(e.then, local, 1)
        otherwise = self.expr(e.otherwise, local, 0)
        return f"{then} if {cond} else {otherwise}", 0

    def _Match(self, e: ir.Match, local: dict[str, str]) -> tuple[str, int]:
        subject = self.expr(e.subject, local, 9)
        if not isinstance(e.subject, (ir.Ref, ir.Const)):
            self.temp += 1
            temp = f"_s{self.temp}"
            first = f"({temp} := {subject})"
        else:
            temp = first = subject
        parts: list[str] = []
        for i, arm in enumerate(e.arms[:-1]):
            test = " or ".join(f"{first if i == 0 and j == 0 else temp} is "
                               f"{self.const(ir.EnumValue(e.enum, m), e.subject.type)}"
                               for j, m in enumerate(arm.members))
            parts.append(f"{self.expr(arm.value, local, 1)} if {test} else")
        parts.append(self.expr(e.arms[-1].value, local, 0))
        return " ".join(parts), 0

    def _Binary(self, e: ir.Binary, local: dict[str, str]) -> tuple[str, int]:
        if e.left.type.kind == "date":  # 缴费日期 + 3 个月
            amount = self.expr(e.right, local, 0 if e.op == "+" else 9)
            amount = amount if e.op == "+" else f"-{amount}"
            return (f"{self.helper('_shift_date')}({self.expr(e.left, local, 0)}, {amount}, "
                    f"{pyrepr(e.right.type.kind)})"), 9
        prec = PRECEDENCE[e.op]
        left = self.expr(e.left, local, prec)
        right = self.expr(e.right, local, prec + 1)
        if e.op == "÷":
            return f"{self.helper('_divide')}({left}, {right}, {pyrepr(ir.describe(e))})", 9
        return f"{left} {'*' if e.op == '×' else e.op} {right}", prec

    def _Compare(self, e: ir.Compare, local: dict[str, str]) -> tuple[str, int]:
        left, right = self.expr(e.left, local, 5), self.expr(e.right, local, 5)
        if e.op == "contains":
            return f"{right} in {left}", 4
        if e.op == "about":
            return f"{self.helper('_about')}({left}, {right})", 9
        if e.left.type.kind == "enum" and e.op in ("==", "!="):
            return f"{left} {'is' if e.op == '==' else 'is not'} {right}", 4
        return f"{left} {PY_CMP[e.op]} {right}", 4

    def _Logic(self, e: ir.Logic, local: dict[str, str]) -> tuple[str, int]:
        if e.op == "not":
            return f"not {self.expr(e.left, local, 3)}", 3
        prec = PRECEDENCE[e.op]
        assert e.right is not None
        return f"{self.expr(e.left, local, prec)} {e.op} {self.expr(e.right, local, prec + 1)}", prec

    def _Coalesce(self, e: ir.Coalesce, local: dict[str, str]) -> tuple[str, int]:
        value = self.expr(e.value, local, 9)
        default = self.expr(e.default, local, 0)
        if isinstance(e.value, ir.Ref):
            return f"{value} if {value} is not None else {default}", 0
        self.temp += 1
        temp = f"_v{self.temp}"
        return f"{temp} if ({temp} := {value}) is not None else {default}", 0

    def _Adjust(self, e: ir.Adjust, local: dict[str, str]) -> tuple[str, int]:
        base = self.expr(e.base, local, 6)
        if e.base.type.kind == "schedule":
            amount = self.expr(e.amount, local, 0)
            return f"{self.helper('_shift_tiers')}({base}, {amount if e.up else '-' + amount})", 9
        if e.mode == "add":
            return f"{base} {'+' if e.up else '-'} {self.expr(e.amount, local, 6)}", 5
        factor = ir.Binary("+" if e.up else "-", ir.Const(Decimal(1), e.amount.type, "1"), e.amount,
                           e.amount.type)
        return f"{base} * {self.expr(factor, local, 7)}", 6

    def _Call(self, e: ir.Call, local: dict[str, str]) -> tuple[str, int]:
        if e.func == "round":
            places = e.args[1]
            assert isinstance(places, ir.Const) and isinstance(places.value, Decimal)
            quantum = self.const(Decimal(1).scaleb(-int(places.value)), places.type)
            return f"{self.expr(e.args[0], local, 9)}.quantize({quantum}, ROUND_HALF_UP)", 9
        if e.func == "given":
            return f"{self.expr(e.args[0], local, 5)} is not None", 4
        args = [self.expr(a, local, 0) for a in e.args]
        if e.func in ("min", "max"):
            return f"{e.func}({', '.join(args)})", 9
        if e.func == "clamp":
            return f"min(max({args[0]}, {args[1]}), {args[2]})", 9
        if e.func == "highest":
            field = e.args[0].name if isinstance(e.args[0], ir.Ref) else "就高不就低"
            return f"{self.helper('_highest')}({args[0]}, {pyrepr(field)})", 9
        if e.func == "progressive":
            return f"{self.helper('_progressive')}({', '.join(args)})", 9
        if e.func == "count":
            return f"Decimal(len({args[0]}))", 9
        if e.func == "max_of":
            return f"max({args[0]}, default={self.helper('_ZERO')})", 9
        if e.func == "sum_of":
            return f"sum({args[0]}, {self.helper('_ZERO')})", 9
        if e.func == "ratio":
            return f"{self.helper('_divide')}({args[0]}, {args[1]}, {pyrepr(ir.describe(e))})", 9
        return f"{self.helper(CALLS[e.func])}({', '.join(args)})", 9

    def assignment(self, target: str, e: ir.Expr, local: dict[str, str]) -> list[str]:
        """`target = …`; a 若 or 按 of several branches is written one branch to a line."""
        branches = self.branches(e, local)
        if len(branches) < 3:
            return [f"{target} = {self.expr(e, local)}"]
        return [f"{target} = ("] + [f"    {line}" for line in branches] + [")"]

    def branches(self, e: ir.Expr, local: dict[str, str]) -> list[str]:
        """The branches of a top-level 若 / 按 as lines: `a if c1`, `else b if c2`, `else c`."""
        if isinstance(e, ir.If) and not isinstance(e.cond, ir.Const):
            rest = self.branches(e.otherwise, local) or [self.expr(e.otherwise, local, 0)]
            return [f"{self.expr(e.then, local, 1)} if {self.expr(e.cond, local, 1)}"] + \
                [("else " + rest[0]), *rest[1:]]
        if isinstance(e, ir.Match) and isinstance(e.subject, ir.Ref):
            subject = self.expr(e.subject, local)
            lines: list[str] = []
            for arm in e.arms[:-1]:
                test = self.arm_test(e, arm, subject)
                lines.append(("else " if lines else "") + f"{self.expr(arm.value, local, 1)} if {test}")
            return lines + ["else " + self.expr(e.arms[-1].value, local, 0)]
        return []

    def arm_test(self, e: ir.Match, arm: ir.Arm, subject: str) -> str:
        """`subject is 县类别.一般县 or subject is …`: whether a 按 arm is taken."""
        return " or ".join(f"{subject} is {self.const(ir.EnumValue(e.enum, m), e.subject.type)}"
                           for m in arm.members)

    # ------------------------------------------------------------ statements
    def statements(self, e: ir.Expr, local: dict[str, str], indent: str) -> list[str]:
        """A rule body: a top-level 若 or 按 becomes if-statements (an else-if chain stays flat:
        each branch returns), the rest one return."""
        if isinstance(e, ir.If) and ir.refs(e):
            return ([f"{indent}if {self.expr(e.cond, local)}:"]
                    + self.statements(e.then, local, indent + "    ")
                    + self.statements(e.otherwise, local, indent))
        if isinstance(e, ir.Match) and isinstance(e.subject, ir.Ref):
            subject = self.expr(e.subject, local)
            lines: list[str] = []
            for arm in e.arms[:-1]:
                lines.append(f"{indent}if {self.arm_test(e, arm, subject)}:")
                lines += self.statements(arm.value, local, indent + "    ")
            return lines + self.statements(e.arms[-1].value, local, indent)
        if isinstance(e, ir.Fail):
            return [f"{indent}raise ValueError({pyrepr(e.message)})"]
        return [f"{indent}return {self.expr(e, local)}"]


def with_function(module: _Module, e: ir.With) -> str:
    """A module function computing the chain of `R 当 X 为 E` again with X given."""
    for function in module.with_functions:
        if function.doc == _with_doc(e):
            return function.name
    name = f"_when{len(module.with_functions) + 1}"
    local = {e.name: module.local_name(e.name)}
    local.update({n: module.local_name(n) for _, n in e.reads})
    params = [f"{local[e.name]}: {py_type(module.type_of(e.name))}"]
    params += [f"{local[n]}: {py_type(module.type_of(n))}" for _, n in e.reads]
    body = []
    for rule_name in e.chain:
        rule = module.policy.rule(rule_name)
        local[rule_name] = module.local_name(rule_name)
        args = ", ".join(local[d] for d in rule.deps)
        body.append(f"    {local[rule_name]} = {rule_ident(rule_name)}({args})")
    assert isinstance(e.value, ir.Ref)
    body.append(f"    return {local[e.value.name]}")
    signature = f"def {name}({', '.join(params)}) -> {py_type(e.type)}:"
    module.with_functions.append(Function(name, signature, _with_doc(e), body))
    return name


def _with_doc(e: ir.With) -> str:
    assert isinstance(e.value, ir.Ref)
    return pydoc(f"{e.value.name} 当 {e.name} 为 …: {' → '.join(e.chain)} computed again", "    ")


def rule_function(module: _Module, rule: ir.Rule) -> Function:
    name = module.claim(rule_ident(rule.name), f"rule {rule.name}")
    local = {dep: module.local_name(dep) for dep in rule.deps}
    args = ", ".join(f"{local[d]}: {py_type(module.type_of(d))}" for d in rule.deps)
    doc = f"{rule.name.split('.')[-1]} = {rule.source}\n\n出处：{rule.citation}"
    return Function(name, f"def {name}({args}) -> {py_type(rule.type)}:", pydoc(doc, "    "),
                    module.statements(rule.expr, local, "    "))


def calculator_code(module: _Module, calc: ir.Calculator) -> CalculatorCode:
    policy = module.policy
    name = module.claim(pyident(calc.name), f"calculator {calc.name}")
    result_class = module.claim(pyident(calc.name + "结果"), f"result of {calc.name}")
    input_class = module.claim(pyident(calc.name + "输入"), f"inputs of {calc.name}")
    local = {n: module.local_name(n) for n in (*calc.inputs, *calc.rules)}
    signature: list[str] = []
    convert: list[str] = []
    inputs: list[tuple[str, str]] = []
    for input_name in calc.inputs:
        inp = policy.input(input_name)
        ident = local[input_name]
        default = ""
        if inp.default is not None and isinstance(inp.default, ir.Const):
            default = f" = {module.const(inp.default.value, inp.default.type)}"
        elif inp.type.optional:
            default = " = None"
        signature.append(f"{ident}: {accepted_type(inp.type)}{default},")
        conversion = module.converter(inp.type, pyrepr(input_name), ident)
        if inp.type.optional:
            conversion = f"None if {ident} is None else {conversion}"
        elif default and inp.type.kind in DECIMAL_KINDS:  # the default was checked when compiled
            conversion = f"{ident} if {ident} is {default[3:]} else {conversion}"
        convert.append(f"{ident} = {conversion}")
        inputs.append((ident, py_type(inp.type)))
    for input_name in calc.inputs:
        convert += requirement_checks(module, policy.input(input_name), local)
    compute = []
    for rule_name in calc.rules:
        rule = policy.rule(rule_name)
        if rule_name in module.constant_rules:
            compute.append(f"{local[rule_name]} = {module.constant_rules[rule_name]}")
        elif rule_name in module.function_rules:
            args = ", ".join(local[d] for d in rule.deps)
            compute.append(f"{local[rule_name]} = {rule_ident(rule_name)}({args})")
        else:  # a formula: computed in place, under the words of the notice
            compute.append(f"# {pycomment(rule.name.split('.')[-1] + ' = ' + rule.source)} — "
                           f"{pycomment(str(rule.citation))}")
            compute += module.assignment(local[rule_name], rule.expr, local)
    results = [*calc.outputs, *calc.updates]
    finish = explanation(module, calc, local)
    fields = ", ".join(local[o.rule] for o in results)
    finish.append(f"return {result_class}({fields}{', ' if fields else ''}given, trace)")
    outputs = []
    for out in results:
        rule = policy.rule(out.rule)
        what = "累计: after this event" if out in calc.updates else rule.source
        outputs.append((pyident(out.name), py_type(rule.type), f"{rule.type} — {what} — {rule.citation}"))
    exact = exact_without_context(policy, calc)
    if not exact:
        module.helper("_EXACT")
    return CalculatorCode(name, result_class, input_class, calculator_doc(policy, calc), signature,
                          convert, compute, exact, finish, outputs, inputs, calc.origin,
                          sequence_function(module, calc, name, result_class))


def explanation(module: _Module, calc: ir.Calculator, local: dict[str, str]) -> list[str]:
    """The converted inputs, and (with explain=True) one step per input, parameter and rule."""
    policy = module.policy
    steps = [f"Step({pyrepr(n)}, {local[n]}, {pyrepr(unit_word(policy.input(n).type))}, \"输入\", "
             f"{pyrepr(str(policy.input(n).citation))})" for n in calc.inputs]
    steps += [f"Step({pyrepr(p.name)}, {pyident(p.name)}, {pyrepr(unit_word(p.type))}, "
              f"{pyrepr(p.source)}, {pyrepr(str(p.citation))})" for p in params_used(policy, calc)]
    for name in calc.rules:
        rule = policy.rule(name)
        steps += lookup_steps(module, rule, local) + arm_steps(module, rule, local)
        steps.append(f"Step({pyrepr(name.split('.')[-1])}, {local[name]}, {pyrepr(unit_word(rule.type))}, "
                     f"{pyrepr(rule.source)}, {pyrepr(str(rule.citation))})")
    if steps:
        module.helper("Step")
    given = ", ".join(local[n] for n in calc.inputs)
    lines = [f"given = ({given}{',' if len(calc.inputs) == 1 else ''})"]
    if not steps:
        return lines + ["trace: tuple[Step, ...] = ()"]
    return lines + ["trace = ("] + [f"    {s}," for s in steps] + [") if explain else ()"]


def lookup_steps(module: _Module, rule: ir.Rule, local: dict[str, str]) -> list[str]:
    """A table row a rule reads, as a step of its own: 自治区分担比例[二类] = 50%."""
    steps = []
    for node in _walk(rule.expr):
        if not isinstance(node, ir.Lookup) or node.type.plural or \
                not all(isinstance(k, (ir.Ref, ir.Const)) for k in node.keys):
            continue
        keys = " + \", \" + ".join(f"str({module.expr(k, local, 9)}.value)" for k in node.keys)
        table = module.policy.table(node.table)
        value = module.expr(node, local)
        steps.append(f"Step({pyrepr(node.table + '[')} + {keys} + \"]\", {value}, "
                     f"{pyrepr(unit_word(table.type))}, \"表\", {pyrepr(str(table.citation))})")
    return steps


def arm_steps(module: _Module, rule: ir.Rule, local: dict[str, str]) -> list[str]:
    """The arm of a 按 a rule took, as a step: 资助金额 按 适用身份 = 低保对象、返贫致贫人口: 定额资助标准."""
    e = rule.expr
    if not (isinstance(e, ir.Match) and isinstance(e.subject, ir.Ref)):
        return []
    module.folded += 1
    arms = f"_ARMS{module.folded}"
    enum = pyident(e.enum)
    entries = ", ".join(f"{enum}.{member_ident(m)}: {pyrepr('、'.join(arm.members) + ': ' + ir.describe(arm.value))}"
                        for arm in e.arms for m in arm.members)
    module.constants[arms] = (f"{{{entries}}}", pycomment(f"the arms of {rule.name}"))
    name = f"{rule.name.split('.')[-1]} 按 {e.subject.name}"
    return [f"Step({pyrepr(name)}, {arms}[{local[e.subject.name]}], \"\", \"按\", {pyrepr(str(rule.citation))})"]


def calculator_doc(policy: ir.Policy, calc: ir.Calculator) -> str:
    doc_lines = [calc.title or calc.name, "", "输入："]
    doc_lines += [f"    {n} ({policy.input(n).type}) — {policy.input(n).citation}" for n in calc.inputs]
    doc_lines += ["", "输出："]
    doc_lines += [f"    {out.name} ({policy.rule(out.rule).type})" for out in calc.outputs]
    if calc.updates:
        doc_lines += ["", "累计（本次之后，供下一次使用）："]
        doc_lines += [f"    {out.name} ({policy.rule(out.rule).type})" for out in calc.updates]
    doc_lines += ["", "Raises ValueError naming the input when an input is of the wrong kind, negative,",
                  "unknown, or outside a bound the notice sets.  explain=True records every step."]
    return pydoc("\n".join(doc_lines), "    ")


def sequence_function(module: _Module, calc: ir.Calculator, name: str, result_class: str
                      ) -> Function | None:
    """<计算>逐次: the calculator over a year's events in order, 累计 amounts carried forward."""
    if not calc.updates:
        return None
    function = module.claim(pyident(calc.name + "逐次"), f"events of {calc.name}")
    names = {n: pyident(n) for n in calc.inputs}
    module.helper("_given")
    doc = pydoc(
        f"{calc.title or calc.name}：逐次计算。\n\n"
        f"Each event is a mapping of {calc.name}'s inputs; 共同输入 are the inputs every event shares\n"
        "(an event's own value wins).  After each event its 累计 amounts ("
        + "、".join(u.name for u in calc.updates) + ") are carried to the next one.", "    ")
    body = [
        f"    names = {{{', '.join(f'{pyrepr(k)}: {pyrepr(v)}' for k, v in names.items())}}}",
        "    results = []",
        "    carried: dict[str, Any] = {}",
        "    for number, event in enumerate(事件列表, start=1):",
        f"        where = {pyrepr(calc.name + '逐次')} + \"[\" + str(number) + \"]\"",
        "        _given({**共同输入, **event}, list(names), where)",
        "        arguments = {names[k]: v for k, v in {**共同输入, **carried, **event}.items()}",
        f"        result = {name}(**arguments, explain=explain)",
        "        carried = {" + ", ".join(f"{pyrepr(u.name)}: result.{pyident(u.name)}" for u in calc.updates)
        + "}",
        "        results.append(result)",
        "    return tuple(results)",
    ]
    signature = (f"def {function}(事件列表: Sequence[Mapping[str, Any]], /, *, explain: bool = False,"
                 f" **共同输入: Any) -> tuple[{result_class}, ...]:")
    return Function(function, signature, doc, body)


def params_used(policy: ir.Policy, calc: ir.Calculator) -> list[ir.Param]:
    """The notice's parameters a calculator's rules and input bounds read, in declaration order."""
    exprs = [policy.rule(r).expr for r in calc.rules]
    exprs += [req.bound for n in calc.inputs for req in policy.input(n).requirements]
    names = {name for e in exprs for name in ir.refs(e, ("param",))}
    return [p for p in policy.params if p.name in names and not policy.has("input", p.name)]


def unit_word(t: Type) -> str:
    """The unit an explanation prints after a value."""
    if t.kind in ("money", "rate", "points", "multiple", "years", "months", "days", "age", "count",
                  "schedule", "monthday"):
        return str(t.required().single())
    return ""


def requirement_checks(module: _Module, inp: ir.Input, local: dict[str, str]) -> list[str]:
    lines: list[str] = []
    ident = local[inp.name]
    for req in inp.requirements:
        if req.soft:
            lines.append(f"# {pycomment(inp.name + ' ' + req.source)}: 原则上 (a soft rule), not enforced")
            continue
        bound = module.expr(req.bound, local, 5)
        op = PY_CMP[req.op]
        module.helper("_broken")

        def message(value: str, req: ir.Requirement = req, bound: str = bound) -> str:
            return (f"_broken({pyrepr(inp.name)}, {value}, {pyrepr(req.source)}, {bound}, "
                    f"{pyrepr(str(req.citation))})")

        indent = ""
        if inp.type.optional:
            lines.append(f"if {ident} is not None:")
            indent = "    "
        if inp.type.kind == "schedule":
            lines += [f"{indent}for _tier_upper, _tier_rate in {ident}:",
                      f"{indent}    if not _tier_rate {op} {bound}:",
                      f"{indent}        raise ValueError({message('_tier_rate')})"]
        else:
            lines += [f"{indent}if not {ident} {op} {bound}:",
                      f"{indent}    raise ValueError({message(ident)})"]
    return lines


def needed_rules(policy: ir.Policy) -> list[ir.Rule]:
    """The rules of the calculators, and those a `当 … 为 …` inside them computes again."""
    needed = {r for c in policy.calculators for r in c.rules}
    pending = list(needed)
    while pending:
        for node in _walk(policy.rule(pending.pop()).expr):
            if isinstance(node, ir.With):
                for name in (*node.chain, *(n for k, n in node.reads if k == "rule")):
                    if name not in needed:
                        needed.add(name)
                        pending.append(name)
    return [r for r in policy.rules if r.name in needed]


def _walk(expr: ir.Expr) -> list[ir.Expr]:
    found = [expr]
    for child in ir.children(expr):
        found += _walk(child)
    return found


def generate(policy: ir.Policy) -> str:
    """The source of the calculator module of one policy, compiled once to be sure it runs."""
    source = _render(policy)
    try:
        compile(source, f"{policy.id}.py", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as err:
        raise GenerationError(f"{policy.id}: the generated module does not compile ({err})") from None
    return source


def _render(policy: ir.Policy) -> str:
    module = _Module(policy)
    params = [(module.claim(pyident(p.name), f"parameter {p.name}"), p) for p in policy.params]
    tables = [(module.claim(pyident(t.name), f"table {t.name}"), t) for t in policy.tables]
    functions: list[Function] = []
    constant_rules: list[tuple[str, ir.Rule, str]] = []
    rules = needed_rules(policy)
    recomputed = {name for r in rules for node in _walk(r.expr) if isinstance(node, ir.With)
                  for name in node.chain}
    for rule in rules:
        if not rule.deps and rule.type.kind != "never" and not _has_with(rule.expr):
            try:
                value = evaluate(rule.expr, module.scope)
            except (EvalError, NotConstant):
                pass
            else:
                ident = module.claim(rule_ident(rule.name), f"rule {rule.name}")
                module.constant_rules[rule.name] = ident
                constant_rules.append((ident, rule, module.const(value, rule.type)))
                continue
        if rule.name in recomputed:  # `当 … 为` computes it again with other values
            module.function_rules.add(rule.name)
            functions.append(rule_function(module, rule))
    calculators = [calculator_code(module, c) for c in policy.calculators]
    if calculators:
        module.helper("_explain")
    param_lines = [(ident, value_code(module, p.value, p.type), param_comment(p)) for ident, p in params]
    table_lines = [(ident, t, table_rows(module, t)) for ident, t in tables]
    used_enums = used_enumerations(module, params, tables)
    env = template_environment()
    source = env.get_template("python_module.py.jinja").render(
        module_doc=pydoc(module_docstring(policy)), params=param_lines, tables=table_lines,
        functions=functions, with_functions=module.with_functions,
        constant_rules=constant_rules, calculators=calculators,
        constants=sorted(module.constants.items(), key=_constant_order),
        helpers=HELPERS.source_of(module.helpers),
        enums=[(e, [(member_ident(m), m) for m in e.members]) for e in policy.enums
               if e.name in used_enums],
        key_type=key_type,
        imports="{{ imports }}",
        public=[c.name for c in calculators] + [c.result_class for c in calculators]
        + [c.input_class for c in calculators] + [c.sequence.name for c in calculators if c.sequence]
        + [pyident(e) for e in used_enums]
        + [ident for ident, _ in params] + [ident for ident, _ in tables]
        + (["Step"] if calculators else []),
    )
    head, body = source.split("{{ imports }}", 1)
    return head + import_block(body) + body


def _has_with(expr: ir.Expr) -> bool:
    return any(isinstance(node, ir.With) for node in _walk(expr))


def table_rows(module: _Module, table: ir.Table) -> list[tuple[str, str, ir.TableRow]]:
    """Every combination of members, with its value (a 其他 row written out for each)."""
    enums = [module.scope.enums[name] for name in table.keys]
    combos: list[tuple[str, ...]] = [(m,) for m in enums[0].members]
    if len(enums) == 2:
        combos = [(a, b) for a in enums[0].members for b in enums[1].members]
    rows = []
    for combo in combos:
        keys = [f"{pyident(e.name)}.{member_ident(m)}" for e, m in zip(enums, combo, strict=True)]
        key = keys[0] if len(keys) == 1 else f"({keys[0]}, {keys[1]})"
        row = table.value_for(*combo)
        rows.append((key, value_code(module, row.value, table.type), row))
    return rows


def key_type(table: ir.Table) -> str:
    keys = [pyident(k) for k in table.keys]
    return keys[0] if len(keys) == 1 else f"tuple[{keys[0]}, {keys[1]}]"


def used_enumerations(module: _Module, params: list[tuple[str, ir.Param]],
                      tables: list[tuple[str, ir.Table]]) -> set[str]:
    """The enumerations the module mentions (a vocabulary offers all of its own)."""
    policy = module.policy
    if not policy.calculators:
        return {e.name for e in policy.enums}
    used = [p.type for _, p in params] + [r.type for r in policy.rules]
    used += [module.type_of(n) for c in policy.calculators for n in c.inputs]
    used += [Type("enum", v.enum) for v in module.enum_constants]
    names = {t.arg for t in used if t.kind in ("enum", "list")}
    return names | {k for _, t in tables for k in t.keys}


IMPORTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("import {}", [("datetime", r"\bdatetime\."), ("decimal", r"\bdecimal\."), ("enum", r"\benum\."),
                   ("re", r"\bre\.")]),
    ("from collections.abc import {}", [("Mapping", r"\bMapping\b"), ("Sequence", r"\bSequence\b")]),
    ("from dataclasses import {}", [("dataclass", r"@dataclass"), ("field", r"= field\(")]),
    ("from decimal import {}", [(n, rf"(?<!decimal\.)\b{n}\b")
                                for n in ("ROUND_HALF_UP", "Decimal", "InvalidOperation", "localcontext")]),
    ("from typing import {}", [(n, rf"\b{n}\b") for n in ("Any", "Final", "NamedTuple", "NoReturn", "TypeVar")]),
]


def import_block(body: str) -> str:
    """Only the imports the module uses (ruff rejects unused ones)."""
    lines = ["from __future__ import annotations", ""]
    for statement, uses in IMPORTS:
        names = [name for name, pattern in uses if re.search(pattern, body)]
        if names and statement.startswith("import"):
            lines += [statement.format(n) for n in names]
        elif names:
            lines.append(statement.format(", ".join(names)))
    return "\n".join(lines)


def _constant_order(item: tuple[str, tuple[str, str]]) -> tuple[int, str]:
    """Plain literals first (by name), then folded and tier constants in the order made."""
    name = item[0]
    match = re.fullmatch(r"_(C|TIERS|VALUES|ARMS)(\d+)", name)
    return (1, f"{int(match.group(2)):08d}") if match else (0, name)


def value_code(module: _Module, value: ir.Value, typ: Type) -> str:
    """A value written out in full (for the parameter and table sections)."""
    if isinstance(value, Decimal):
        return module.helper("_INFINITY") if value.is_infinite() else f'Decimal("{value}")'
    if isinstance(value, datetime.date):
        return f"datetime.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, ir.EnumValue):
        return f"{pyident(value.enum)}.{member_ident(value.member)}"
    if isinstance(value, tuple):
        return module.const(value, typ)
    return repr(value)


def param_comment(p: ir.Param) -> str:
    """`不低于 上年.财政补助 + 财政补助增加 = 670 元 — nmg_2024_resident 一（一）、…`"""
    shown = show_value(p.value, p.type)
    formula = p.source if shown in p.source else f"{p.source} = {shown}"
    choice = f"（自定：{p.local_choice}）" if p.local_choice else ""
    return pycomment(f"{formula} — {p.citation}{choice}")


def module_docstring(policy: ir.Policy) -> str:
    facts = [
        ("发文机关", policy.issuer), ("文号", policy.doc_no), ("地区", policy.region),
        ("年度", str(policy.year) if policy.year else None),
        ("发文日期", policy.date.isoformat() if policy.date else None),
        ("执行日期", policy.effective.isoformat() if policy.effective else None),
        ("有效期至", policy.valid_until.isoformat() if policy.valid_until else None),
        ("状态", policy.status), ("通知原文", policy.notice),
    ]
    lines = [policy.title or policy.id, ""]
    lines += [f"{label}：{value}" for label, value in facts if value]
    source = policy.path.replace("\\", "/").rsplit("/", 1)[-1]
    lines += [
        "",
        f"Generated by policydsl from {source} (policy {policy.id}); do not edit: change the",
        "policy and run `policydsl compile`.  Standard library only.",
        "",
        "Money is decimal.Decimal and exact; rates are Decimal fractions (80 % is Decimal(\"0.8\")).",
        "The rules run in a decimal context that never rounds + − ×; an amount is rounded, half-up",
        "to the 分, only where the policy says 四舍五入, and ÷ keeps 28 significant digits.",
    ]
    return "\n".join(lines)


def package_init(policies: list[ir.Policy]) -> str:
    """The package docstring: one line per generated module.  It imports nothing, so each
    module stays importable on its own."""
    lines = ["Calculators generated by policydsl, one module per policy (standard library only).", ""]
    lines += [f"{p.id}: {p.title}" + (f"（{p.region} {p.year}）" if p.region and p.year else "")
              for p in sorted(policies, key=lambda p: p.id)]
    return pydoc("\n".join(lines)) + "\n"
