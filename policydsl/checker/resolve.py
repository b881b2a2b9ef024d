"""Phase 3: each declaration resolved on first use, so that order in the file does not
matter and a cycle is found where it closes.  Expressions are typed by expressions.py;
parameters, defaults and table rows are computed here, at compile time."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from .. import ast, ir
from ..diagnostics import Span, did_you_mean
from ..evaluator import EvalError, NotConstant, compare, evaluate
from ..types import NEVER, Type, comparable, of_unit
from ..units import TYPE_WORDS
from .compiler import Entry
from .state import PolicyState

Resolved = ir.Param | ir.Input | ir.Rule | ir.Table


def resolve_all(state: PolicyState) -> None:
    for name in list(state.order):
        resolve(state, name, state.entries[name].node.span)


def resolve(state: PolicyState, name: str, span: Span) -> Resolved | None:
    for done in (state.params, state.inputs, state.rules, state.tables):
        if name in done:
            return done[name]
    if name in state.resolving:
        cycle = state.resolving[state.resolving.index(name):] + [name]
        state.report("E105", "cycle: " + " → ".join(cycle), span, "a value cannot be computed from itself")
        return None
    entry = state.entries[name]
    state.resolving.append(name)
    try:
        if entry.kind == "table":
            from .tables import resolve_table

            return resolve_table(state, entry)
        return RESOLVERS[entry.kind](state, entry)
    finally:
        state.resolving.pop()


def resolve_param(state: PolicyState, entry: Entry) -> ir.Param:
    node = entry.node
    assert isinstance(node, ast.Param)
    expr, value = state.constant(node.value.expr)
    param = ir.Param(
        node.name, expr.type, value, qualifier_of(state, node.value), node.value.soft, expr,
        state.text_of(node.value.span), entry.citation, node.local_choice, node.span.line,
        previous=previous_value(state, node.value, expr.type),
        effective=effective_value(state, node),
    )
    state.params[node.name] = param
    state.param_values[node.name] = value
    return param


def qualifier_of(state: PolicyState, value: ast.Qualified) -> str:
    """以上 / 以下 include their number unless the notice's 约定 says otherwise: 80% 以上
    is then “more than 80%”."""
    if value.qualifier_word in ("以上", "以下", "以内") and not state.includes(value.qualifier_word):
        return "above" if value.qualifier_word == "以上" else "below"
    return value.qualifier


def previous_value(state: PolicyState, value: ast.Qualified, typ: Type) -> ir.Value:
    """由 1000 元 调整为 900 元: the value replaced, in the same unit."""
    if value.previous is None:
        return None
    expr, before = state.constant(value.previous)
    if NEVER not in (expr.type, typ) and not comparable(expr.type, typ):
        state.report("E201", f"the value before is {expr.type} but the value after is {typ}",
                     value.previous.span)
    return before


def effective_value(state: PolicyState, node: ast.Param) -> ir.Value:
    """自 2024 年 起 (a year) or 自 2024年9月1日 起 (a date)."""
    if node.effective is None:
        return None
    expr, when = state.constant(node.effective)
    if expr.type.kind not in ("date", "years", "never"):
        state.report("E202", f"自 … 起 takes a date or a year, not {expr.type}", node.effective.span)
    return when


def resolve_rule(state: PolicyState, entry: Entry) -> ir.Rule:
    node = entry.node
    assert isinstance(node, ast.Rule)
    expr = state.runtime(node.expr)
    rule = ir.Rule(node.name, expr.type, expr, state.text_of(node.expr.span), ir.refs(expr),
                   entry.citation, node.span.line)
    state.rules[node.name] = rule
    return rule


def resolve_input(state: PolicyState, entry: Entry) -> ir.Input:
    node = entry.node
    assert isinstance(node, ast.InputDecl)
    declared = type_of(state, node.type)
    default: ir.Expr | None = None
    if node.default is not None:
        expr, value = state.constant(node.default)
        default = ir.Const(value, expr.type, state.text_of(node.default.span))
        if expr.type != NEVER and declared != NEVER and not comparable(expr.type, declared):
            state.report("E201", f"the default of {node.name} is {expr.type}, not {declared}",
                         node.default.span)
    elif node.kind == "累计":  # the year so far: nothing before the first event
        if not declared.numeric and declared != NEVER:
            state.report("E202", f"a year-to-date amount (累计) is a number, not {declared}",
                         node.type.span, "累计 counts up from 0: an amount (元), a count (次) …")
        default = ir.Const(Decimal(0), declared, "0")
    typ = attrs.evolve(declared, optional=node.optional and default is None)
    # The input exists (with its type) before its requirements are checked: a bound may
    # refer to another input, and that one's bound back to this one.
    state.inputs[node.name] = ir.Input(node.name, node.kind, typ, default, (), entry.citation,
                                       node.span.line)
    requirements = tuple(requirement(state, node, req, typ, entry.citation) for req in node.requirements)
    result = attrs.evolve(state.inputs[node.name], requirements=requirements)
    state.inputs[node.name] = result
    if isinstance(default, ir.Const) and default.value is not None:
        check_default(state, node, result, default.value)
    return result


def requirement(state: PolicyState, node: ast.InputDecl, req: ast.Requirement, typ: Type,
                citation: ir.Citation) -> ir.Requirement:
    bound = state.runtime(req.bound)
    if bound.type != NEVER and typ != NEVER:
        fits = comparable(typ.required(), bound.type) or (typ.kind == "schedule" and bound.type.kind == "rate")
        if not fits:
            state.report("E201", f"{node.name} is {typ}; it cannot be bounded by {bound.type}", req.span)
    if ir.refs(bound, ("rule",)):
        state.report("E207", "a bound may read parameters and inputs, not rules", req.span)
    return ir.Requirement(req.op, bound, req.soft, state.text_of(req.span), state.text_of(req.bound.span),
                          citation)


def check_default(state: PolicyState, node: ast.InputDecl, inp: ir.Input, value: ir.Value) -> None:
    for req in inp.requirements:
        if ir.poisoned(req.bound):
            continue
        try:
            bound = evaluate(req.bound, state.scope())
        except (NotConstant, EvalError):
            continue
        if not req.soft and isinstance(value, Decimal) and isinstance(bound, Decimal) and \
                not compare(req.op, value, bound):
            state.report("E402", f"the default of {node.name} breaks its own bound {req.source}", node.span)


def type_of(state: PolicyState, ref: ast.TypeRef) -> Type:
    if ref.kind == "unit":
        return of_unit(ref.value)
    if ref.kind == "word":
        return Type(TYPE_WORDS[ref.value])
    if ref.value not in state.enums:
        state.report("E101", f"unknown type {ref.value}", ref.span,
                     did_you_mean(ref.value, state.enums) or
                     "types: a unit (元 元/月 % 个百分点 倍 年 个月 天 周岁 次 人 个), 日期, 是否, 分段, "
                     "an enumeration, 一组 <枚举>")
        return NEVER
    return Type("list" if ref.kind == "list" else "enum", ref.value)


def rules_order(state: PolicyState) -> list[str]:
    own = [n for n in state.order if n in state.rules]
    return own + [n for n in state.rules if n not in own]


RESOLVERS: dict[str, Callable[[PolicyState, Entry], Resolved]] = {
    "param": resolve_param, "input": resolve_input, "rule": resolve_rule}
