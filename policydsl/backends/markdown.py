"""IR of all policies → Markdown pages that compare regions and years side by side.

    tables/index.md              the topics and the policies
    tables/<topic>.md            one comparison table per 主题 of the shared vocabulary
    tables/policy/<policy id>.md one reference page per policy: each clause beside what it encodes

A row is a concept of the vocabulary (the same name means the same thing in every policy that
uses it); a column is a policy, ordered by region then year.  A policy shows only the values
its own notice sets (not those it inherits through 修订).  Every value has a footnote citing
policy, clause number and heading, linking to the clause on the policy's reference page.
All policy text passes through `escaping.md_cell`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import attrs

from .. import ir
from ..display import show_value, slip_text
from ..escaping import md_cell
from ..evaluator import EvalError, NotConstant, Scope, evaluate
from ..loader import real_path
from ..types import Type
from ..words import QUALIFIER_SIGNS
from . import template_environment
from .charts import chart_markdown

OP_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
NO_VALUE = "—"


@attrs.frozen
class Column:
    policy: ir.Policy
    label: str


@attrs.frozen
class Row:
    label: str  # escaped
    cells: tuple[str, ...]  # escaped, one per column


class Footnotes:
    """Numbered footnotes of one page; the same citation gets one number."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cite(self, citation: ir.Citation, anchor: str) -> str:
        heading = citation.heading or ""
        text = (f"[{md_cell(citation.policy)} {md_cell(citation.clause or '')}、{md_cell(heading)}]"
                f"(policy/{citation.policy}.md#{anchor})")
        number = self.numbers.setdefault(text, len(self.numbers) + 1)
        return f"[^{number}]"

    def definitions(self) -> list[str]:
        return [f"[^{n}]: {text}" for text, n in self.numbers.items()]


def column_label(policy: ir.Policy) -> str:
    when = str(policy.year) if policy.year else (policy.status or "")
    return f"{policy.region or policy.id} {when}".strip()


def ordered(policies: list[ir.Policy]) -> list[ir.Policy]:
    return sorted(policies, key=lambda p: (p.region or "", p.year or 9999, p.id))


def clause_anchor(citation: ir.Citation, policies: dict[str, ir.Policy]) -> str:
    policy = policies[citation.policy]
    for index, clause in enumerate(policy.clauses, start=1):
        if clause.number == citation.clause:
            return f"clause-{index}"
    return "top"


def shown(value: ir.Value, typ: Type, qualifier: str = "exact", soft: bool = False) -> str:
    text = show_value(value, typ)
    if qualifier == "from":  # 2024 年 起, 2023-09-01 起
        return ("原则上 " if soft else "") + f"自{text.replace(' ', '')}起"
    sign = QUALIFIER_SIGNS[qualifier]
    return ("原则上 " if soft else "") + (sign + text if sign else text)


def change(value: ir.Value, previous: ir.Value, typ: Type, cents: bool = False) -> str:
    """`+30` from the previous year of the same region, in the value's unit (`+1.80` for
    computed amounts, which print to the 分)."""
    if not (isinstance(value, Decimal) and isinstance(previous, Decimal)) or value == previous:
        return ""
    if value.is_infinite() or previous.is_infinite():
        return ""
    delta = value - previous
    sign = "+" if delta > 0 else "−"
    if typ.kind == "rate":
        return f" ({sign}{format((abs(delta) * 100).normalize(), 'f')} 个百分点)"
    if cents and typ.kind == "money":
        return f" ({sign}{format(abs(delta).quantize(Decimal('0.01')), 'f')})"
    return f" ({sign}{format(abs(delta).normalize(), 'f')})"


class _Tables:
    def __init__(self, policies: list[ir.Policy]):
        from .. import coverage

        self.policies = ordered(policies)
        self.coverage = {real_path(Path(c.notice)): c for c in coverage.of_policies(self.policies)}
        self.by_id = {p.id: p for p in self.policies}
        self.topics = [t for p in self.policies for t in p.topics]
        self.concepts = {c.name: c for t in self.topics for c in t.concepts}

    # ------------------------------------------------------------ values of a concept
    def own(self, policy: ir.Policy, name: str) -> ir.Param | ir.Table | ir.Input | None:
        """What a policy's own notice sets for a concept, under its name or an alias (又称)."""
        concept = self.concepts.get(name)
        names = (name, *concept.aliases) if concept else (name,)
        for group in (policy.params, policy.tables, policy.inputs):
            for item in group:
                if item.name in names and item.citation.policy == policy.id:
                    return item
        return None

    def previous(self, policy: ir.Policy) -> ir.Policy | None:
        """The policy of the same region for the latest earlier year."""
        earlier = [p for p in self.policies
                   if p.region == policy.region and p.year and policy.year and p.year < policy.year]
        return max(earlier, key=lambda p: p.year or 0) if earlier else None

    def cell(self, policy: ir.Policy, name: str, member: tuple[str, ...] | None, notes: Footnotes) -> str:
        item = self.own(policy, name)
        if item is None:
            return NO_VALUE
        note = notes.cite(item.citation, clause_anchor(item.citation, self.by_id))
        if not isinstance(item, ir.Table) and member is not None:
            return NO_VALUE  # a single value stands in the concept's own row
        if isinstance(item, ir.Input):
            return md_cell(local_value(item)) + note
        if isinstance(item, ir.Table):
            if member is None or len(member) != len(item.keys):
                return NO_VALUE
            row = item.value_for(*member)
            value, text = row.value, shown(row.value, item.type, row.qualifier)
        else:
            value, text = item.value, shown(item.value, item.type, item.qualifier, item.soft)
            if item.effective is not None:
                text += f"（自{show_value(item.effective, _when_type(item.effective)).replace(' ', '')}起）"
        text += self.of_the_whole(policy, name, value, item.type)
        before = self.previous(policy)
        if before is not None:
            earlier = self.own(before, name)
            if isinstance(earlier, ir.Param) and isinstance(item, ir.Param):
                text += change(value, earlier.value, item.type)
            elif isinstance(earlier, ir.Table) and isinstance(item, ir.Table) and member is not None \
                    and earlier.keys == item.keys:
                text += change(value, earlier.value_for(*member).value, item.type)
        return md_cell(text) + note

    def of_the_whole(self, policy: ir.Policy, name: str, value: ir.Value, typ: Type) -> str:
        """A share of a part (自治区分担比例 is 占 地方分担比例) also shown as a share of the whole:
        30% of 20% → 6%, so that it compares with a share stated of the whole."""
        concept = self.concepts.get(name)
        if concept is None or concept.base is None or typ.kind != "rate":
            return ""
        base = self.own(policy, concept.base)
        if not isinstance(base, ir.Param) or not isinstance(base.value, Decimal) \
                or not isinstance(value, Decimal):
            return ""
        return f" = 总额的 {show_value(value * base.value, typ)}（{concept.base} {show_value(base.value, typ)} × {show_value(value, typ)}）"

    def members(self, name: str, columns: list[ir.Policy]) -> list[tuple[str, ...] | None]:
        """Sub-rows of a concept: one for a single value (a parameter), and one per member (pair,
        for two keys) of the tables that hold it."""
        found: list[tuple[str, ...]] = []
        single = False
        for policy in columns:
            item = self.own(policy, name)
            if isinstance(item, ir.Table):
                enums = [policy.enum(k).members for k in item.keys]
                combos = [(m,) for m in enums[0]] if len(enums) == 1 else \
                    [(a, b) for a in enums[0] for b in enums[1]]
                found += [c for c in combos if c not in found]
            elif item is not None:
                single = True
        rows: list[tuple[str, ...] | None] = list(found)
        return [None, *rows] if single or not rows else rows

    # ------------------------------------------------------------ pages
    def topic_page(self, topic: ir.Topic) -> dict[str, object]:
        names = [c.name for c in topic.concepts]
        columns = [p for p in self.policies if any(self.own(p, n) for n in names)]
        computed = self.computed_columns(topic)
        columns += [p for p in computed if p not in columns]
        columns = ordered(columns)
        notes = Footnotes()
        rows: list[Row] = []
        for concept in topic.concepts:
            if not any(self.own(p, concept.name) for p in columns):
                continue
            members = self.members(concept.name, columns)
            for member in members:
                label = md_cell(concept.name if member is None else f"{concept.name} · {' × '.join(member)}")
                if member == members[0]:  # the concept's first (or only) row explains it
                    label += "<br>" + md_cell(concept.description)
                rows.append(Row(label, tuple(self.cell(p, concept.name, member, notes) for p in columns)))
        computed_rows = self.computed_rows(topic, columns, notes)
        return dict(topic=topic, columns=[Column(p, column_label(p)) for p in columns], rows=rows,
                    computed_rows=computed_rows, notes=notes.definitions())

    def computed_columns(self, topic: ir.Topic) -> list[ir.Policy]:
        return [p for p in self.policies for c in p.calculators
                if c.name == topic.title and tabulable(p, c)]

    def computed_rows(self, topic: ir.Topic, columns: list[ir.Policy], notes: Footnotes) -> list[Row]:
        """A calculator named like the topic, with only enumeration inputs, for every member."""
        results: dict[tuple[str, str], dict[str, str]] = {}
        values: dict[tuple[str, str], dict[str, tuple[ir.Value, Type]]] = {}
        for policy in columns:
            calc = next((c for c in policy.calculators if c.name == topic.title and tabulable(policy, c)), None)
            if calc is None:
                continue
            enum = policy.enum(policy.input(calc.inputs[0]).type.arg)
            for member in enum.members:
                outputs = run(policy, calc, {calc.inputs[0]: ir.EnumValue(enum.name, member)})
                carried = carried_qualifiers(policy, calc, {calc.inputs[0]: ir.EnumValue(enum.name, member)})
                for out in calc.outputs:
                    rule = policy.rule(out.rule)
                    key = (out.name, member)
                    value = outputs[out.rule]
                    text = QUALIFIER_SIGNS[carried.get(out.rule, "exact")] + slip_text(value, rule.type)
                    values.setdefault(key, {})[policy.id] = (value, rule.type)
                    before = self.previous(policy)
                    if before is not None and before.id in values.get(key, {}):
                        text += change(value, values[key][before.id][0], rule.type, cents=True)
                    note = notes.cite(rule.citation, clause_anchor(rule.citation, self.by_id))
                    results.setdefault(key, {})[policy.id] = md_cell(text) + note
        rows = []
        for (output, member), cells in results.items():
            rows.append(Row(md_cell(f"{output} · {member}"),
                            tuple(cells.get(p.id, NO_VALUE) for p in columns)))
        return rows

    def reference_page(self, policy: ir.Policy) -> dict[str, object]:
        clauses = []
        for index, clause in enumerate(policy.clauses, start=1):
            citation = ir.Citation(policy.id, clause.number, clause.heading)
            clauses.append(dict(clause=clause, anchor=f"clause-{index}",
                                quotes=[md_cell(q.text) for q in clause.quotes],
                                waivers=[md_cell(w) for w in clause.waivers],
                                rows=self.encoded(policy, citation)))
        calculators = [dict(calc=c, inputs=[input_row(policy.input(n)) for n in c.inputs],
                            outputs=[output_row(policy, o) for o in c.outputs],
                            charts=chart_markdown(policy, prefix="../../", calculator=c.name))
                       for c in policy.calculators]
        facts = [(label, md_cell(str(value))) for label, value in (
            ("政策", policy.id), ("标题", policy.title), ("发文机关", policy.issuer),
            ("文号", policy.doc_no), ("地区", policy.region), ("年度", policy.year),
            ("发文日期", policy.date), ("状态", policy.status), ("通知原文", policy.notice),
            ("修订", policy.amends), ("遵循", policy.within)) if value]
        unclaused = self.encoded(policy, ir.Citation(policy.id, None, None))
        return dict(policy=policy, facts=facts, clauses=clauses, calculators=calculators,
                    unclaused=unclaused, coverage=self.notice_coverage(policy))

    def notice_coverage(self, policy: ir.Policy) -> dict[str, object] | None:
        """How much of its notice the policies encode (policydsl coverage), and what is not."""
        if policy.notice is None:
            return None
        found = self.coverage.get(real_path(Path(policy.path).parent / policy.notice))
        if found is None:
            return None
        waived = [(s.statement.line, md_cell(s.statement.text), md_cell("；".join(s.reasons)))
                  for s in found.waived]
        missing = [(s.statement.line, md_cell(s.statement.text)) for s in found.missing]
        return dict(notice=md_cell(Path(found.notice).name), summary=md_cell(found.summary()),
                    waived=waived, missing=missing)

    def encoded(self, policy: ir.Policy, citation: ir.Citation) -> list[tuple[str, str, str]]:
        """What a clause encodes: (kind and name, as written, value), escaped."""
        rows: list[tuple[str, str, str]] = []
        for p in policy.params:
            if p.citation == citation:
                value = shown(p.value, p.type, p.qualifier, p.soft)
                if p.local_choice:
                    value += f"（自定：{p.local_choice}）"
                rows.append((f"参数 {p.name}", p.source, value))
        for t in policy.tables:
            if t.citation == citation:
                for row in t.rows:
                    rows.append((f"表 {t.name}[{', '.join(m or '其他' for m in row.members)}]", row.source,
                                 shown(row.value, t.type, row.qualifier)))
        for i in policy.inputs:
            if i.citation == citation:
                rows.append((f"{i.kind} {i.name}", str(i.type), local_value(i)))
        for r in policy.rules:
            if r.citation == citation:
                rows.append((f"规则 {r.name}", r.source, f"{r.type}，计算时求值"))
        for c in policy.checks:
            if c.citation == citation:
                rows.append(("核对", c.source, ("✓ " if c.holds else "✗ ") + c.detail))
        return [(md_cell(a), md_cell(b), md_cell(c)) for a, b, c in rows]


def tabulable(policy: ir.Policy, calc: ir.Calculator) -> bool:
    return len(calc.inputs) == 1 and policy.input(calc.inputs[0]).type.kind == "enum"


def run(policy: ir.Policy, calc: ir.Calculator, inputs: dict[str, ir.Value],
        params: dict[str, ir.Value] | None = None) -> dict[str, ir.Value]:
    """Evaluate a calculator's rules at compile time (for the tabulated rows), the parameters
    changed as given."""
    scope = Scope.of(policy)
    if params:
        scope = attrs.evolve(scope, params={**scope.params, **params})
    env: dict[str, ir.Value] = dict(inputs)
    for name in calc.rules:
        try:
            env[name] = evaluate(policy.rule(name).expr, scope, env)
        except (EvalError, NotConstant):
            env[name] = None
    return env


def carried_qualifiers(policy: ir.Policy, calc: ir.Calculator, inputs: dict[str, ir.Value]
                       ) -> dict[str, str]:
    """The qualifier an output takes from the parameters it is computed from: 财政补助 is
    不低于 640 元, so 中央 = 财政补助 × 80% is ≥512.  Found by moving each bounded parameter one
    unit the way its bound allows and seeing which way each output moves."""
    base = run(policy, calc, inputs)
    found: dict[str, set[str]] = {}
    for param in policy.params:
        if not isinstance(param.value, Decimal) or not param.value.is_finite() or \
                not param.qualifier.startswith(("at_least", "at_most")):
            continue
        step = 1 if param.qualifier.startswith("at_least") else -1
        moved = run(policy, calc, inputs, {param.name: param.value + step})
        for name, value in base.items():
            after = moved.get(name)
            if isinstance(value, Decimal) and isinstance(after, Decimal) and after != value:
                found.setdefault(name, set()).add("at_least" if after > value else "at_most")
    return {name: next(iter(kinds)) if len(kinds) == 1 else "about" for name, kinds in found.items()}


def _when_type(value: ir.Value) -> Type:
    return Type("date") if isinstance(value, datetime.date) else Type("years")


INPUT_KINDS = {"地方": "地方确定", "输入": "调用时给出", "累计": "本年度此前累计",
               "原则上": "原则上取此值，地方可另定"}


def local_value(inp: ir.Input) -> str:
    """`≥70%，地方确定（不给出时取下限 70%）`, `调用时给出`, `本年度此前累计（默认 0）`."""
    text = INPUT_KINDS.get(inp.kind, "调用时给出")
    bounds = [("原则上 " if r.soft else "") + f"{OP_SIGNS[r.op]} {r.bound_source}" for r in inp.requirements]
    default = inp.default.value if isinstance(inp.default, ir.Const) else None
    floor = [r for r in inp.requirements if isinstance(r.bound, ir.Const) and r.bound.value == default
             and r.op in (">=", "<=")]
    if floor:  # the default is the bound itself: say so, not as a value of its own
        side = "下限" if floor[0].op == ">=" else "上限"
        return "，".join(bounds) + f"，{text}（不给出时取{side} {show_value(default, inp.type)}）"
    if isinstance(inp.default, ir.Const):
        text += f"（默认 {show_value(inp.default.value, inp.default.type)}）"
    elif inp.type.optional:
        text += "（可不给出）"
    return text + ("，" + "，".join(bounds) if bounds else "")


def input_row(inp: ir.Input) -> tuple[str, str, str]:
    return md_cell(inp.name), md_cell(str(inp.type)), md_cell(local_value(inp))


def output_row(policy: ir.Policy, out: ir.Output) -> tuple[str, str, str]:
    rule = policy.rule(out.rule)
    return md_cell(out.name), md_cell(str(rule.type)), md_cell(f"{rule.source}（{rule.citation}）")


def generate(policies: list[ir.Policy]) -> dict[str, str]:
    """Every page, by file name."""
    tables = _Tables(policies)
    env = template_environment()
    pages: dict[str, str] = {}
    for topic in tables.topics:
        pages[f"{topic.slug}.md"] = env.get_template("topic.md.jinja").render(**tables.topic_page(topic))
    for policy in tables.policies:
        pages[f"policy/{policy.id}.md"] = env.get_template("policy.md.jinja").render(**tables.reference_page(policy))
    pages["index.md"] = env.get_template("index.md.jinja").render(
        topics=[(t, sum(1 for c in t.concepts if any(tables.own(p, c.name) for p in tables.policies)))
                for t in tables.topics],
        policies=tables.policies, label=column_label)
    return dict(sorted(pages.items()))
