"""Phase 4: calculators — each output (a rule, or a formula of its own), each 累计 (a
year-to-date amount after this event), and the rules and inputs a calculator needs."""

from __future__ import annotations

from .. import ast, ir
from ..diagnostics import Note
from ..types import NEVER, comparable
from .state import PolicyState


def check_calculators(state: PolicyState) -> tuple[ir.Calculator, ...]:
    return tuple(calculator(state, node) for node in state.calc_nodes.values())


def calculator(state: PolicyState, node: ast.Calculator) -> ir.Calculator:
    outputs: list[ir.Output] = []
    for out in node.outputs:
        if any(o.name == out.name for o in outputs):
            state.report("E102", f"output {out.name} is declared twice", out.span)
            continue
        outputs.append(ir.Output(out.name, output_rule(state, node, out)))
    updates = [ir.Output(u.name, rule) for u in node.updates if (rule := update_rule(state, node, u))]
    rules = rule_closure(state, [o.rule for o in (*outputs, *updates)])
    inputs = input_closure(state, rules)
    base_policy = state.base.policy if state.base else None
    origin = base_policy.id if base_policy and node not in state.tree.items else state.id
    return ir.Calculator(node.name, node.title, inputs, tuple(rules), tuple(outputs), origin,
                         tuple(updates))


def output_rule(state: PolicyState, node: ast.Calculator, out: ast.Output) -> str:
    """The rule an output shows: the rule of its name (输出 X), the rule named in its formula
    (输出 X = 规则名), or a rule of its own (计算名.X)."""
    expr = state.runtime(out.expr if out.expr is not None else ast.Name(out.name, out.span))
    if isinstance(expr, ir.Ref) and expr.kind == "rule":
        return expr.name
    entry = state.entries.get(out.name)
    if out.expr is not None and entry is not None and entry.kind == "rule":
        state.report("E102", f"output {out.name} has the name of a rule but another formula", out.span,
                     f"write `输出 {out.name}` to output the rule",
                     (Note(entry.node.span, f"the rule {out.name}"),))
    local = f"{node.name}.{out.name}"
    source = state.text_of(out.span).split("=", 1)[-1].strip()
    state.rules[local] = ir.Rule(local, expr.type, expr, source, ir.refs(expr),
                                 ir.Citation(state.id, None, None), out.span.line)
    return local


def update_rule(state: PolicyState, node: ast.Calculator, update: ast.Update) -> str | None:
    """`累计 X = X + 本次支付`: X is a 累计 input; the formula gives it after this event."""
    entry = state.entries.get(update.name)
    target = state.inputs.get(update.name)
    if entry is None or target is None or target.kind != "累计":
        state.report("E101", f"{update.name} is not a year-to-date amount (累计) of this policy",
                     update.span, "declare it in its clause: 累计 年内已支付: 元")
        return None
    expr = state.runtime(update.expr)
    if NEVER not in (expr.type, target.type) and not comparable(expr.type, target.type.required()):
        state.report("E201", f"{update.name} is {target.type}; its new value is {expr.type}", update.span)
    local = f"{node.name}.累计.{update.name}"
    source = state.text_of(update.span).split("=", 1)[-1].strip()
    state.rules[local] = ir.Rule(local, target.type, expr, source, ir.refs(expr),
                                 target.citation, update.span.line)
    return local


def rule_closure(state: PolicyState, roots: list[str]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered or name in path or name not in state.rules:
            return
        for dep in state.rules[name].deps:
            visit(dep, path + (name,))
        ordered.append(name)

    for root in roots:
        visit(root, ())
    return ordered


def input_closure(state: PolicyState, rules: list[str]) -> tuple[str, ...]:
    needed: set[str] = set()
    pending = [d for r in rules for d in state.rules[r].deps if d in state.inputs]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        for req in state.inputs[name].requirements:
            pending.extend(ir.refs(req.bound, ("input",)))
    ordered = [n for n in state.order if n in needed]
    return tuple(ordered + sorted(needed - set(ordered)))  # 原则上 defaults come after
