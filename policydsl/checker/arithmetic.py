"""Phase 5: the notice's own arithmetic (核对), evaluated at compile time.

`核对 每个 级 属于 医院等级: …` holds for every member: it is checked once per member, and a
failure names the member."""

from __future__ import annotations

from .. import ast, ir
from ..display import show_value
from ..evaluator import EvalError, NotConstant, evaluate
from ..types import Type
from . import doubt
from .state import PolicyState

SHOWN_OPS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "about": "≈"}
NEGATED_OPS = {"==": "≠", "!=": "=", "<": "≥", "<=": ">", ">": "≤", ">=": "<", "about": "≉"}


def check_checks(state: PolicyState, doubtful: frozenset[str]) -> tuple[ir.Check, ...]:
    """Every 核对, evaluated; a failure is reported unless the check reads a number already
    reported as not the notice's (checker/doubt.py)."""
    results: list[ir.Check] = []
    for node, citation in state.checks:
        quiet = doubt.check_is_doubtful(state, node, doubtful)
        if node.each_name is None:
            results += check_one(state, node, citation, "", quiet)
            continue
        enum = state.enums.get(node.each_enum or "")
        if enum is None:
            state.report("E101", f"unknown enumeration {node.each_enum}", node.span)
            continue
        for member in enum.members:
            state.exprs.bound[node.each_name] = ir.Const(
                ir.EnumValue(enum.name, member), Type("enum", enum.name), member)
            try:
                results += check_one(state, node, citation, f"{node.each_name} = {member}: ", quiet)
            finally:
                del state.exprs.bound[node.each_name]
    return tuple(results)


def check_one(state: PolicyState, node: ast.Check, citation: ir.Citation, case: str,
              quiet: bool) -> list[ir.Check]:
    expr, value = state.constant(node.expr)
    if value is None:  # an error inside it was reported already
        return []
    if expr.type.kind != "bool":
        state.report("E202", f"核对 needs a statement that is true or false, not {expr.type}",
                     node.span, "for example 核对 筹资标准 = 财政补助 + 个人缴费")
        return []
    detail = case + check_detail(state, expr, holds=value is True)
    if value is False and not quiet:
        state.report("E401", f"the check does not hold: {detail}", node.span,
                     "the notice's own arithmetic disagrees with the values of the policy")
    return [ir.Check(case + state.text_of(node.expr.span), expr, bool(value), detail, citation,
                     node.span.line)]


def check_detail(state: PolicyState, expr: ir.Expr, holds: bool) -> str:
    """Both sides' values: `1030 元 ≠ 1020 元` when a comparison fails."""
    if not isinstance(expr, ir.Compare) or ir.poisoned(expr) or expr.op not in SHOWN_OPS:
        return ""
    try:
        left = evaluate(expr.left, state.scope())
        right = evaluate(expr.right, state.scope())
    except (EvalError, NotConstant):
        return ""
    op = SHOWN_OPS[expr.op] if holds else NEGATED_OPS[expr.op]
    return f"{show_value(left, expr.left.type)} {op} {show_value(right, expr.right.type)}"
