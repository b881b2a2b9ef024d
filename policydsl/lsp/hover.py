"""Hover text: what a name is, its type, unit, value and qualifier, and the sentence of the
notice it comes from, with the notice's file and line.

The sentence shown is the clause's quote that prints a number of the declaration (found as
the provenance check finds it); for a value derived from others, the quote written last
before the declaration.  Its line in the notice is found as the provenance check compares
(NFKC, whitespace ignored).
"""

from __future__ import annotations

from .. import ast, ir, provenance, words
from ..display import show_value
from ..escaping import md_cell
from .scopes import Project, Scope
from .symbols import Symbol

QUALIFIERS = {
    "at_least": "at least (不低于)", "at_most": "at most (不高于)", "about": "about (左右)",
    "at_least_about": "at least about (不低于 … 左右)",
    "at_most_about": "at most about (不高于 … 左右)", "average": "on average (平均达到)",
    "from": "from (起)", "above": "above, not including it (以上, 不含本数)",
    "below": "below, not including it (以下, 不含本数)",
}
KIND_WORDS = {
    "param": "参数", "input": "输入", "rule": "规则", "table": "表", "enum": "枚举",
    "member": "成员", "calculator": "计算", "output": "输出", "topic": "主题", "concept": "概念",
    "clause": "条款", "policy": "政策", "alias": "修订",
}


def function_text(word: str) -> str | None:
    """What a builtin function computes (from the registry, policydsl/words.py)."""
    function = words.FUNCTIONS.get(word)
    return f"**{word}** (function): {md_cell(function.says)}" if function else None


class HoverText:
    """Builds the hover of a declaration seen from one file."""

    def __init__(self, project: Project):
        self.project = project
        self.analysis = project.analysis

    def of(self, symbol: Symbol, scope: Scope) -> str:
        # A name the file sees as its own (declared or inherited) has the value it has here;
        # 上年.X has the value of the amended policy.
        here = scope.entries.get(symbol.name) == symbol or symbol.path == scope.file.path
        policy = self.analysis.policy(scope.file.path if here else symbol.path)
        parts = [f"**{KIND_WORDS.get(symbol.kind, symbol.kind)} {md_cell(symbol.name)}**"]
        parts += self.details(symbol, policy)
        concept = scope.concepts.get(symbol.name)
        if concept is not None and concept != symbol and isinstance(concept.node, ast.Concept):
            parts.append(f"vocabulary ({concept.owner}): {md_cell(concept.node.description)}")
        parts += self.evidence(symbol)
        return "\n\n".join(parts)

    # ------------------------------------------------------------ what it is
    def details(self, symbol: Symbol, policy: ir.Policy | None) -> list[str]:
        kind, name = symbol.kind, symbol.name
        if policy is not None:
            found = _find(policy, kind, name, symbol.owner)
            if isinstance(found, ir.Param):
                return param_lines(found)
            if isinstance(found, ir.Input):
                return input_lines(found)
            if isinstance(found, ir.Rule):
                return [f"type: {found.type}", f"= {md_cell(found.source)}"]
            if isinstance(found, ir.Table):
                return table_lines(found)
            if isinstance(found, ir.Calculator):
                return calculator_lines(found)
        node = symbol.node
        if isinstance(node, ast.EnumDecl):
            return ["members: " + "、".join(md_cell(m.name) for m in node.members)]
        if isinstance(node, ast.EnumMember):
            also = "".join(f" · 又称 {md_cell(alias)}" for alias in node.aliases)
            return [f"member of {md_cell(symbol.owner or '')}{also}"]
        if isinstance(node, ast.Concept):
            return [f"topic {symbol.owner} · unit {node.type.value}", md_cell(node.description)]
        if isinstance(node, ast.Clause):
            return [md_cell(node.heading)]
        if isinstance(node, ast.Header):
            return [md_cell(str(node.fields.get(f, ""))) for f in ("title", "doc_no", "region")
                    if node.fields.get(f)]
        if isinstance(node, ast.Import):
            return [f"the policy of {md_cell(node.path)}"]
        return []

    # ------------------------------------------------------------ where it comes from
    def evidence(self, symbol: Symbol) -> list[str]:
        clause = symbol.clause
        declaring = self.project.index(symbol.path)
        if clause is None or declaring is None or symbol.kind == "clause":
            return []
        cited = f"条款 {md_cell(clause.number)}、{md_cell(clause.heading)} · {declaring.tree.header.id}"
        quote = best_quote(clause, symbol.node)
        if quote is None:
            return [cited]
        lines = [cited, "> " + md_cell(quote.text)]
        written = declaring.tree.header.fields.get("notice")
        if written is not None:
            notice = declaring.relative(str(written))
            found = self.analysis.notice(notice)
            line = found.line_of(quote.text) if found is not None else None
            if line is not None:
                lines.append(f"[{md_cell(str(written))}:{line}]({notice.resolve().as_uri()}#L{line})")
            else:
                lines.append(f"{md_cell(str(written))}: not found in the notice")
        return lines


def param_lines(param: ir.Param) -> list[str]:
    value = f"value: {sign(param.qualifier)}{show_value(param.value, param.type)}"
    lines = [f"type: {param.type}", value]
    if param.qualifier != "exact":
        lines.append("qualifier: " + QUALIFIERS.get(param.qualifier, param.qualifier))
    if param.soft:
        lines.append("原则上: a soft rule (a warning, not an error, when broken)")
    lines.append(f"written: {md_cell(param.source)}")
    if param.previous is not None:
        lines.append(f"before: {show_value(param.previous, param.type)} (由 … 调整为)")
    if param.effective is not None:
        lines.append(f"takes effect: {param.effective} (自 … 起)")
    if param.local_choice is not None:
        lines.append(f"自定 (the author's own choice): {md_cell(param.local_choice)}")
    return lines


def input_lines(inp: ir.Input) -> list[str]:
    lines = [f"{inp.kind} · type: {inp.type}"]
    if isinstance(inp.default, ir.Const):
        lines.append(f"default: {md_cell(inp.default.text)}")
    lines += [f"要求 {md_cell(r.source)}" for r in inp.requirements]
    return lines


def table_lines(table: ir.Table) -> list[str]:
    rows = ["、".join(m or "其他" for m in row.members) + f": {sign(row.qualifier)}"
            f"{show_value(row.value, table.type)}" for row in table.rows]
    return [f"按 {'、'.join(table.keys)} · type: {table.type}", md_cell(" · ".join(rows))]


def calculator_lines(calc: ir.Calculator) -> list[str]:
    lines = [md_cell(calc.title)] if calc.title else []
    lines.append("inputs: " + ("、".join(calc.inputs) or "none"))
    lines.append("outputs: " + "、".join(o.name for o in calc.outputs))
    return lines


def sign(qualifier: str) -> str:
    """≥ for 不低于, ≈ for 左右 …, as the tables show a qualified value."""
    return words.QUALIFIER_SIGNS.get(qualifier, "")


def _find(policy: ir.Policy, kind: str, name: str, owner: str | None) -> object:
    """The IR of a declaration, by kind and name."""
    if kind == "output":
        kind, name = "rule", f"{owner}.{name}"
    pools: dict[str, tuple[object, ...]] = {
        "param": policy.params, "input": policy.inputs, "rule": policy.rules,
        "table": policy.tables, "calculator": policy.calculators,
    }
    return next((item for item in pools.get(kind, ()) if getattr(item, "name", None) == name), None)


def best_quote(clause: ast.Clause, node: object) -> ast.Quote | None:
    """The quote that prints the declaration's numbers: one printing all of them, the nearest
    before the declaration first; else one printing some; else the last quote before it."""
    literals = list(provenance.literals(node))
    line = getattr(getattr(node, "span", None), "line", 0)

    def nearest(quotes: list[ast.Quote]) -> ast.Quote | None:
        before = [q for q in quotes if q.span.line <= line]
        return before[-1] if before else (quotes[0] if quotes else None)

    scanned = [(quote, provenance.Quote.of(quote.text)) for quote in clause.quotes]
    if literals:
        every = [q for q, s in scanned if all(s.holds(lit) for lit in literals)]
        some = [q for q, s in scanned if any(s.holds(lit) for lit in literals)]
        found = nearest(every) or nearest(some)
        if found is not None:
            return found
    return nearest(list(clause.quotes))
