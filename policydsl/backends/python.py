"""IR → one standalone Python module per policy (standard library only).

The module reads top to bottom like a settlement slip: enumerations, the notice's parameters
(each with its qualifier and clause), tables, one function per rule, then one public function
per calculator that converts and checks its inputs, calls the rules in order and returns a
frozen result that can explain itself.

Constant subexpressions are folded here, at compile time (`财政补助 × 中央分担比例` becomes
512), and hoisted to module constants, so a call does no arithmetic on constants and builds
no Decimal from text.  Every name goes through `escaping.pyident` and every string through
`escaping.pyrepr` / `pydoc` / `pycomment`.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import attrs

from .. import ir
from ..display import show_value
from ..escaping import pycomment, pydoc, pyident, pyrepr
from ..evaluator import EvalError, NotConstant, Scope, evaluate
from ..types import Type
from . import template_environment

DECIMAL_KINDS = frozenset({"money", "rate", "points", "multiple", "years", "months", "count",
                           "number", "zero", "unbounded"})
CONVERTERS = {"money": "_money", "rate": "_rate", "points": "_number", "multiple": "_number",
              "years": "_number", "months": "_number", "number": "_number", "count": "_count",
              "date": "_date", "bool": "_bool"}
PRECEDENCE = {"if": 0, "or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "×": 6, "÷": 6,
              "atom": 9}
PY_CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class GenerationError(Exception):
    """The policy cannot be turned into Python (two of its names map to one identifier)."""


def py_type(t: Type) -> str:
    if t.kind in DECIMAL_KINDS:
        base = "Decimal"
    elif t.kind == "date":
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
    if value.is_infinite():
        return "_INFINITY" if value > 0 else "_MINUS_INFINITY"
    text = format(value, "f").replace("-", "m").replace(".", "_")
    return f"_D{text}"


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
    body: list[str]
    outputs: list[tuple[str, str, str]]  # identifier, type, comment
    inputs: list[tuple[str, str]]  # identifier, type
    origin: str


class _Module:
    """Collects the pieces of one generated module."""

    def __init__(self, policy: ir.Policy):
        self.policy = policy
        self.scope = Scope({p.name: p.value for p in policy.params},
                           {t.name: t for t in policy.tables},
                           {e.name: e for e in policy.enums})
        self.constants: dict[str, tuple[str, str]] = {}  # name → (code, comment)
        self.helpers: set[str] = set()
        self.taken: dict[str, str] = {}  # identifier → what it names
        self.folded = 0
        self.temp = 0
        self.constant_rules: dict[str, str] = {}  # rule name → constant identifier
        self.enum_constants: set[ir.EnumValue] = set()
        for enum in policy.enums:
            self.claim(pyident(enum.name), f"enumeration {enum.name}")

    def claim(self, ident: str, what: str) -> str:
        if ident in self.taken and self.taken[ident] != what:
            raise GenerationError(f"{what} and {self.taken[ident]} both become {ident!r}")
        self.taken[ident] = what
        return ident

    def types_used(self, params: list[tuple[str, ir.Param]], tables: list[tuple[str, ir.Table]],
                   rules: list[ir.Rule]) -> list[Type]:
        """The types the module mentions, to emit only the enumerations it needs."""
        used = [p.type for _, p in params] + [Type("enum", t.enum) for _, t in tables]
        used += [r.type for r in rules]
        used += [self.type_of(n) for c in self.policy.calculators for n in c.inputs]
        used += [Type("enum", v.enum) for v in self.enum_constants]
        return used

    def local_name(self, name: str) -> str:
        """The local variable of an input or a rule (a calculator's own output: 计算.输出)."""
        return pyident(name.replace(".", "_"))

    def type_of(self, name: str) -> Type:
        for inp in self.policy.inputs:
            if inp.name == name:
                return inp.type
        return self.policy.rule(name).type

    def converter(self, t: Type, field: str, ident: str) -> str:
        """The call that converts and checks a calculator argument."""
        if t.kind in ("enum", "list"):
            prefix = "_to_" if t.kind == "enum" else "_to_list_"
            return f"{prefix}{pyident(t.arg)}({field}, {ident})"
        helper = "_tiers" if t.kind == "schedule" else CONVERTERS[t.kind]
        self.helpers.add(helper)
        return f"{helper}({field}, {ident})"

    # ------------------------------------------------------------ constants
    def const(self, value: ir.Value, typ: Type) -> str:
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, Decimal):
            name = decimal_name(value)
            code = f'Decimal("{value}")'
        elif isinstance(value, ir.EnumValue):
            self.enum_constants.add(value)
            name = f"_{pyident(value.enum)}_{pyident(value.member)}"
            code = f"{pyident(value.enum)}.{pyident(value.member)}"
        elif isinstance(value, datetime.date):
            name = f"_DATE_{value:%Y_%m_%d}"
            code = f"datetime.date({value.year}, {value.month}, {value.day})"
        elif isinstance(value, tuple) and typ.kind == "schedule":
            tiers = ", ".join(f"({self.const(t.upper, typ)}, {self.const(t.rate, typ)})" for t in value)
            self.folded += 1
            name = f"_TIERS{self.folded}"
            code = f"({tiers},)"
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
        if not isinstance(e, ir.Fail) and e.type.kind != "never" and not ir.refs(e):
            try:
                return self.folded_const(evaluate(e, self.scope), e), 9
            except (EvalError, NotConstant):
                pass  # fails at run time, as the policy says
        method = getattr(self, "_" + type(e).__name__)
        result: tuple[str, int] = method(e, local)
        return result

    def _Lookup(self, e: ir.Lookup, local: dict[str, str]) -> tuple[str, int]:
        return f"{pyident(e.table)}[{self.expr(e.key, local)}]", 9

    def _Fail(self, e: ir.Fail, local: dict[str, str]) -> tuple[str, int]:
        self.helpers.add("_fail")
        return f"_fail({pyrepr(e.message)})", 9

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
        prec = PRECEDENCE[e.op]
        left = self.expr(e.left, local, prec)
        right = self.expr(e.right, local, prec + 1)
        if e.op == "÷":
            self.helpers.add("_divide")
            return f"_divide({left}, {right}, {pyrepr(ir.describe(e))})", 9
        return f"{left} {'*' if e.op == '×' else e.op} {right}", prec

    def _Compare(self, e: ir.Compare, local: dict[str, str]) -> tuple[str, int]:
        left, right = self.expr(e.left, local, 5), self.expr(e.right, local, 5)
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
            self.helpers.add("_shift_tiers")
            amount = self.expr(e.amount, local, 0)
            return f"_shift_tiers({base}, {amount if e.up else '-' + amount})", 9
        if e.mode == "add":
            return f"{base} {'+' if e.up else '-'} {self.expr(e.amount, local, 6)}", 5
        factor = ir.Binary("+" if e.up else "-", ir.Const(Decimal(1), e.amount.type, "1"), e.amount,
                           e.amount.type)
        return f"{base} * {self.expr(factor, local, 7)}", 6

    def _Call(self, e: ir.Call, local: dict[str, str]) -> tuple[str, int]:
        args = [self.expr(a, local, 0) for a in e.args]
        if e.func in ("min", "max"):
            return f"{e.func}({', '.join(args)})", 9
        if e.func == "clamp":
            return f"min(max({args[0]}, {args[1]}), {args[2]})", 9
        if e.func == "round":
            places = e.args[1]
            assert isinstance(places, ir.Const) and isinstance(places.value, Decimal)
            quantum = self.const(Decimal(1).scaleb(-int(places.value)), places.type)
            return f"{self.expr(e.args[0], local, 9)}.quantize({quantum}, ROUND_HALF_UP)", 9
        if e.func == "given":
            return f"{self.expr(e.args[0], local, 5)} is not None", 4
        if e.func == "highest":
            self.helpers.add("_highest")
            return f"_highest({args[0]})", 9
        self.helpers.add("_progressive")
        return f"_progressive({', '.join(args)})", 9

    # ------------------------------------------------------------ statements
    def statements(self, e: ir.Expr, local: dict[str, str], indent: str) -> list[str]:
        """A rule body: a top-level 若 or 按 becomes if-statements, the rest one return."""
        if isinstance(e, ir.If) and ir.refs(e):
            return ([f"{indent}if {self.expr(e.cond, local)}:"]
                    + self.statements(e.then, local, indent + "    ")
                    + self.statements(e.otherwise, local, indent))
        if isinstance(e, ir.Match) and isinstance(e.subject, ir.Ref):
            subject = self.expr(e.subject, local)
            lines: list[str] = []
            for arm in e.arms[:-1]:
                test = " or ".join(f"{subject} is {self.const(ir.EnumValue(e.enum, m), e.subject.type)}"
                                   for m in arm.members)
                lines.append(f"{indent}if {test}:")
                lines += self.statements(arm.value, local, indent + "    ")
            return lines + self.statements(e.arms[-1].value, local, indent)
        if isinstance(e, ir.Fail):
            return [f"{indent}raise ValueError({pyrepr(e.message)})"]
        return [f"{indent}return {self.expr(e, local)}"]


def rule_function(module: _Module, rule: ir.Rule) -> Function:
    name = module.claim(pyident("规则_" + rule.name.replace(".", "_")), f"rule {rule.name}")
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
    body: list[str] = []
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
        convert = module.converter(inp.type, pyrepr(input_name), ident)
        if inp.type.optional:
            convert = f"None if {ident} is None else {convert}"
        body.append(f"{ident} = {convert}")
        inputs.append((ident, py_type(inp.type)))
    for input_name in calc.inputs:
        body += requirement_checks(module, policy.input(input_name), local)
    for rule_name in calc.rules:
        rule = policy.rule(rule_name)
        if rule_name in module.constant_rules:
            body.append(f"{local[rule_name]} = {module.constant_rules[rule_name]}")
        else:
            args = ", ".join(local[d] for d in rule.deps)
            body.append(f"{local[rule_name]} = {pyident('规则_' + rule_name.replace('.', '_'))}({args})")
    steps = [f"Step({pyrepr(n)}, {local[n]}, {pyrepr(unit_word(policy.input(n).type))}, \"输入\", "
             f"{pyrepr(str(policy.input(n).citation))})" for n in calc.inputs]
    steps += [f"Step({pyrepr(p.name)}, {pyident(p.name)}, {pyrepr(unit_word(p.type))}, "
              f"{pyrepr(p.source)}, {pyrepr(str(p.citation))})" for p in params_used(policy, calc)]
    steps += [f"Step({pyrepr(n.split('.')[-1])}, {local[n]}, {pyrepr(unit_word(policy.rule(n).type))}, "
              f"{pyrepr(policy.rule(n).source)}, {pyrepr(str(policy.rule(n).citation))})"
              for n in calc.rules]
    given = ", ".join(local[n] for n in calc.inputs)
    body.append(f"given = ({given}{',' if len(calc.inputs) == 1 else ''})")
    body.append("trace = (" if steps else "trace: tuple[Step, ...] = ()")
    if steps:
        body += [f"    {s}," for s in steps]
        body.append(") if explain else ()")
    fields = ", ".join(local[o.rule] for o in calc.outputs)
    body.append(f"return {result_class}({fields}{', ' if fields else ''}given, trace)")
    outputs = []
    for out in calc.outputs:
        rule = policy.rule(out.rule)
        outputs.append((pyident(out.name), py_type(rule.type),
                        f"{rule.type} — {rule.source} — {rule.citation}"))
    doc_lines = [calc.title or calc.name, "", "输入："]
    doc_lines += [f"    {n} ({policy.input(n).type}) — {policy.input(n).citation}" for n in calc.inputs]
    doc_lines += ["", "输出："]
    doc_lines += [f"    {out.name} ({policy.rule(out.rule).type})" for out in calc.outputs]
    doc_lines += ["", "Raises ValueError naming the input when an input is of the wrong kind, negative,",
                  "unknown, or outside a bound the notice sets.  explain=True records every step."]
    return CalculatorCode(name, result_class, input_class, pydoc("\n".join(doc_lines), "    "),
                          signature, body, outputs, inputs, calc.origin)


def params_used(policy: ir.Policy, calc: ir.Calculator) -> list[ir.Param]:
    """The notice's parameters a calculator's rules and input bounds read, in declaration order."""
    exprs = [policy.rule(r).expr for r in calc.rules]
    exprs += [req.bound for n in calc.inputs for req in policy.input(n).requirements]
    names = {name for e in exprs for name in ir.refs(e, ("param",))}
    return [p for p in policy.params if p.name in names]


def unit_word(t: Type) -> str:
    """The unit an explanation prints after a value."""
    if t.kind in ("money", "rate", "multiple", "years", "months", "count", "schedule"):
        return str(t.required())
    return ""


def requirement_checks(module: _Module, inp: ir.Input, local: dict[str, str]) -> list[str]:
    lines: list[str] = []
    ident = local[inp.name]
    for req in inp.requirements:
        if req.soft:
            lines.append(f"# {pycomment(inp.name + ' ' + req.source)}: 原则上 (a soft rule), not enforced")
            continue
        module.helpers.add("_broken")
        bound = module.expr(req.bound, local, 5)
        op = PY_CMP[req.op]

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


def generate(policy: ir.Policy) -> str:
    """The source of the calculator module of one policy."""
    module = _Module(policy)
    needed = {r for c in policy.calculators for r in c.rules}
    rules = [r for r in policy.rules if r.name in needed]
    params = [(module.claim(pyident(p.name), f"parameter {p.name}"), p) for p in policy.params]
    tables = [(module.claim(pyident(t.name), f"table {t.name}"), t) for t in policy.tables]
    functions: list[Function] = []
    constant_rules: list[tuple[str, ir.Rule, str]] = []
    for rule in rules:
        if not rule.deps and rule.type.kind != "never":
            try:
                value = evaluate(rule.expr, module.scope)
            except (EvalError, NotConstant):
                pass
            else:
                ident = module.claim(pyident("规则_" + rule.name.replace(".", "_")), f"rule {rule.name}")
                module.constant_rules[rule.name] = ident
                constant_rules.append((ident, rule, module.const(value, rule.type)))
                continue
        functions.append(rule_function(module, rule))
    calculators = [calculator_code(module, c) for c in policy.calculators]
    if "_progressive" in module.helpers:
        module.const(Decimal(0), Type("money"))
        module.const(Decimal(1), Type("rate"))
    if "_tiers" in module.helpers:
        module.const(Decimal("Infinity"), Type("money"))
    if calculators:
        module.const(Decimal("0.01"), Type("money"))  # explanations print money to the 分
    param_lines = [(ident, value_code(module, p.value, p.type), param_comment(p)) for ident, p in params]
    table_lines = [(ident, t, [(f"{pyident(t.enum)}.{pyident(m)}",
                                value_code(module, t.value_for(m).value, t.type), t.value_for(m))
                               for m in module.scope.enums[t.enum].members])
                   for ident, t in tables]
    used_enums = {t.arg for t in module.types_used(params, tables, rules)
                  if t.kind in ("enum", "list")}
    if not policy.calculators:  # a vocabulary: its enumerations are what it offers
        used_enums = {e.name for e in policy.enums}
    env = template_environment()
    source = env.get_template("python_module.py.jinja").render(
        module_doc=pydoc(module_docstring(policy)), params=param_lines, tables=table_lines, functions=functions,
        constant_rules=constant_rules, calculators=calculators,
        constants=sorted(module.constants.items(), key=_constant_order),
        helpers=module.helpers, enums=[e for e in policy.enums if e.name in used_enums],
        imports="{{ imports }}",
        public=[c.name for c in calculators] + [c.result_class for c in calculators]
        + [c.input_class for c in calculators]
        + [pyident(e) for e in used_enums]
        + [ident for ident, _ in params] + [ident for ident, _ in tables] + ["Step"],
    )
    head, body = source.split("{{ imports }}", 1)
    return head + import_block(body) + body


IMPORTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("import {}", [("datetime", r"\bdatetime\."), ("enum", r"\benum\.")]),
    ("from collections.abc import {}", [("Mapping", r"\bMapping\b"), ("Sequence", r"\bSequence\b")]),
    ("from dataclasses import {}", [("dataclass", r"@dataclass"), ("field", r"= field\(")]),
    ("from decimal import {}", [(n, rf"\b{n}\b") for n in ("ROUND_HALF_UP", "Decimal", "InvalidOperation")]),
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
    match = re.fullmatch(r"_(C|TIERS)(\d+)", name)
    return (1, f"{int(match.group(2)):08d}") if match else (0, name)


def value_code(module: _Module, value: ir.Value, typ: Type) -> str:
    """A value written out in full (for the parameter and table sections)."""
    if isinstance(value, Decimal):
        return "Decimal(\"Infinity\")" if value.is_infinite() else f'Decimal("{value}")'
    if isinstance(value, datetime.date):
        return f"datetime.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, ir.EnumValue):
        return f"{pyident(value.enum)}.{pyident(value.member)}"
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
        ("发文日期", policy.date.isoformat() if policy.date else None), ("状态", policy.status),
        ("通知原文", policy.notice),
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
        "An amount is rounded, half-up to the 分, only where the policy says 四舍五入.",
        "Arithmetic is exact under any decimal context of precision 28 (the default) or more.",
    ]
    return "\n".join(lines)


def package_init(policies: list[ir.Policy]) -> str:
    """The package docstring: one line per generated module.  It imports nothing, so each
    module stays importable on its own."""
    lines = ["Calculators generated by policydsl, one module per policy (standard library only).", ""]
    lines += [f"{p.id}: {p.title}" + (f"（{p.region} {p.year}）" if p.region and p.year else "")
              for p in sorted(policies, key=lambda p: p.id)]
    return pydoc("\n".join(lines)) + "\n"
