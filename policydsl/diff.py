"""What changed between two policies (two years, or two regions), compared on their IR.

Declarations are matched by kind and name: 参数 (value, qualifier, the value it replaces and
when it takes effect), 表 (member by member), 输入 (kind, type, default and bounds), 规则 (the
formula) and 计算 (title, inputs, outputs, year-to-date updates).  Each
change keeps both sides with the clause it comes from:

    财政补助: ≥640 元 → ≥670 元 (nmg_2023_resident 一, nmg_2024_resident 一（一）)

A policy that amends another (修订) holds every declaration of the base it does not declare
again, so the comparison is of effective values; a side that comes from the amended policy
is marked as inherited, and the report lists what each policy inherits.

Each kind of declaration is one function listing a policy's `Entry`s (what is compared, how it
is shown, where it comes from); matching and rendering are the same for every kind, so a new
kind of declaration is one more function in `KINDS`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence

import attrs

from . import ir
from .backends.markdown import column_label, shown
from .diagnostics import display_width
from .display import show_value
from .escaping import md_cell

ABSENT = "—"
LONG = 60  # display columns: two values wider than this are shown on two lines


@attrs.frozen
class Entry:
    """One declaration of a policy, as the diff compares and shows it."""

    kind: str  # the keyword: 参数, 表, 输入, 规则, 计算
    name: str  # 财政补助; a table row: 自治区分担比例[二类]
    key: Hashable  # what is compared: equal keys, no change
    text: str  # the value or formula as shown
    origin: str  # the policy that declares it
    clause: str | None  # its clause number
    inherited: bool  # declared by the policy this one amends (修订), not by this one

    @property
    def where(self) -> str:
        return self.origin if self.clause is None else f"{self.origin} {self.clause}"


@attrs.frozen
class Change:
    old: Entry | None  # None: added
    new: Entry | None  # None: removed

    @property
    def status(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    @property
    def entry(self) -> Entry:
        entry = self.new or self.old
        assert entry is not None
        return entry


@attrs.frozen
class PolicyDiff:
    old: ir.Policy
    new: ir.Policy
    changes: tuple[Change, ...]
    unchanged: tuple[tuple[str, int], ...]  # (kind, how many declarations are the same)
    inherited: tuple[tuple[ir.Policy, tuple[Entry, ...]], ...]  # per side that amends: what it inherits


# ---------------------------------------------------------------- entries of each kind
def _entry(kind: str, name: str, key: Hashable, text: str, policy: ir.Policy,
           citation: ir.Citation) -> Entry:
    return Entry(kind, name, key, text, citation.policy, citation.clause,
                 citation.policy != policy.id)


def param_text(param: ir.Param) -> str:
    """`≥670 元`, with what the notice adds: `由 1000 元 调整为 900 元`, `自 2024 起`, 自定."""
    text = shown(param.value, param.type, param.qualifier, param.soft)
    if param.previous is not None:
        text = f"由 {show_value(param.previous, param.type)} 调整为 {text}"
    if param.effective is not None:
        text += f"（自 {param.effective} 起）"
    if param.local_choice:
        text += f"（自定：{param.local_choice}）"
    return text


def param_entries(policy: ir.Policy) -> list[Entry]:
    entries = []
    for param in policy.params:
        key = (param.value, param.type, param.qualifier, param.soft, param.previous,
               param.effective, param.local_choice)
        entries.append(_entry("参数", param.name, key, param_text(param), policy, param.citation))
    return entries


def row_text(table: ir.Table, row: ir.TableRow) -> str:
    text = shown(row.value, table.type, row.qualifier)
    return text + (f"（自定：{row.local_choice}）" if row.local_choice else "")


def cell_name(table: ir.Table, members: Sequence[str | None]) -> str:
    """A row (or a two-key table's cell) by its members: 自治区分担比例[二类], 限额[甲, 乙]."""
    return f"{table.name}[{', '.join(m or '其他' for m in members)}]"


def table_text(table: ir.Table) -> str:
    """The rows as written: `按 地区类别 {一类: 30%; 二类: 50%; 其他: 70%}`."""
    rows = "; ".join(f"{', '.join(m or '其他' for m in row.members)}: {row_text(table, row)}"
                     for row in table.rows)
    return f"按 {', '.join(table.keys)} {{{rows}}}"


def table_entries(policy: ir.Policy) -> list[Entry]:
    """One entry per table, compared by the effective value of each member (rows written
    differently that give every member the same value are the same table); `row_entries`
    details a table that changed."""
    entries = []
    for table in policy.tables:
        key = tuple((row.name, row.key) for row in row_entries(policy, table))
        entries.append(_entry("表", table.name, key, table_text(table), policy, table.citation))
    return entries


def row_entries(policy: ir.Policy, table: ir.Table) -> list[Entry]:
    """The table's enumerations, then the effective value of each member (each pair of
    members, for two keys) under its own name; one without a row of its own shows the value
    of the 其他 row that stands for it."""
    entries = [_entry("表", table.name, (table.keys, table.type), f"按 {', '.join(table.keys)}",
                      policy, table.citation)]
    for members in itertools.product(*(policy.enum(key).members for key in table.keys)):
        row = table.value_for(*members)
        text = row_text(table, row) + ("（其他）" if None in row.members else "")
        key = (row.value, row.qualifier, row.local_choice)
        entries.append(_entry("表", cell_name(table, members), key, text, policy, table.citation))
    return entries


def input_text(inp: ir.Input) -> str:
    """As declared: `地方 元 要求 原则上 不高于 上年居民人均可支配收入`."""
    text = f"{inp.kind} {inp.type}"
    if inp.default is not None:
        text += f" = {ir.describe(inp.default)}"
    if inp.requirements:
        text += " 要求 " + ", ".join(r.source for r in inp.requirements)
    return text


def input_entries(policy: ir.Policy) -> list[Entry]:
    entries = []
    for inp in policy.inputs:
        bounds = tuple((r.op, r.bound, r.soft) for r in inp.requirements)
        key = (inp.kind, inp.type, inp.default, bounds)
        entries.append(_entry("输入", inp.name, key, input_text(inp), policy, inp.citation))
    return entries


def rule_entries(policy: ir.Policy) -> list[Entry]:
    return [_entry("规则", rule.name, (rule.type, rule.expr), rule.source, policy, rule.citation)
            for rule in policy.rules]


def calculator_text(calc: ir.Calculator) -> str:
    outputs = "、".join(o.name if o.name == o.rule else f"{o.name} = {o.rule}" for o in calc.outputs)
    title = f"“{calc.title}” " if calc.title else ""
    text = f"{title}输入 {'、'.join(calc.inputs) or ABSENT}；输出 {outputs}"
    return text + "".join(f"；累计 {u.name} = {u.rule}" for u in calc.updates)


def calculator_entries(policy: ir.Policy) -> list[Entry]:
    """Calculators cite no clause: their origin is the policy that declares them (沿用 keeps
    one of the amended policy)."""
    return [Entry("计算", calc.name, (calc.title, calc.inputs, calc.outputs, calc.updates),
                  calculator_text(calc),
                  calc.origin, None, calc.origin != policy.id)
            for calc in policy.calculators]


# ---------------------------------------------------------------- comparing
def compare(old: Sequence[Entry], new: Sequence[Entry]) -> tuple[list[Change], int]:
    """Changes between two lists of entries matched by name (in the old order, then what the
    new one adds), and how many entries are the same."""
    new_by_name = {e.name: e for e in new}
    old_names = {e.name for e in old}
    changes: list[Change] = []
    same = 0
    for entry in old:
        other = new_by_name.get(entry.name)
        if other is not None and other.key == entry.key:
            same += 1
        else:
            changes.append(Change(entry, other))
    changes += [Change(None, e) for e in new if e.name not in old_names]
    return changes, same


def compare_tables(old: ir.Policy, new: ir.Policy) -> tuple[list[Change], int]:
    """Tables added or removed whole; a table in both, row by row."""
    changes, same = compare(table_entries(old), table_entries(new))
    detailed: list[Change] = []
    for change in changes:
        if change.old is not None and change.new is not None:
            rows, _ = compare(row_entries(old, old.table(change.old.name)),
                              row_entries(new, new.table(change.new.name)))
            detailed += rows
        else:
            detailed.append(change)
    return detailed, same


# kind → the entries of a policy, in report order
KINDS: dict[str, Callable[[ir.Policy], list[Entry]]] = {
    "参数": param_entries,
    "表": table_entries,
    "输入": input_entries,
    "规则": rule_entries,
    "计算": calculator_entries,
}


def changes_of(kind: str, old: ir.Policy, new: ir.Policy) -> tuple[list[Change], int]:
    if kind == "表":
        return compare_tables(old, new)
    return compare(KINDS[kind](old), KINDS[kind](new))


def inherited_entries(policy: ir.Policy) -> tuple[Entry, ...]:
    return tuple(e for entries in KINDS.values() for e in entries(policy) if e.inherited)


def diff(old: ir.Policy, new: ir.Policy) -> PolicyDiff:
    changes: list[Change] = []
    unchanged: list[tuple[str, int]] = []
    for kind in KINDS:
        found, same = changes_of(kind, old, new)
        changes += found
        unchanged.append((kind, same))
    inherited = tuple((p, inherited_entries(p)) for p in (old, new) if inherited_entries(p))
    return PolicyDiff(old, new, tuple(changes), tuple(unchanged), inherited)


# ---------------------------------------------------------------- text, for a terminal
MARKS = {"added": "+", "removed": "-", "changed": "~"}


def side_where(entry: Entry, policy: ir.Policy) -> str:
    """Where a side comes from, saying so when it is inherited from an amended policy."""
    return f"{entry.where} [inherited by {policy.id}]" if entry.inherited else entry.where


def change_lines(change: Change, result: PolicyDiff) -> list[str]:
    old, new = change.old, change.new
    head = f"  {MARKS[change.status]} {change.entry.name}"
    if old is None or new is None:
        entry, policy = (new, result.new) if old is None else (old, result.old)
        assert entry is not None
        return [f"{head}: {entry.text} ({side_where(entry, policy)})"]
    if display_width(old.text) + display_width(new.text) <= LONG:
        return [f"{head}: {old.text} → {new.text} "
                f"({side_where(old, result.old)}, {side_where(new, result.new)})"]
    return [head,
            f"      old: {old.text} ({side_where(old, result.old)})",
            f"      new: {new.text} ({side_where(new, result.new)})"]


def describe_policy(policy: ir.Policy) -> str:
    text = f"{policy.path} ({column_label(policy)})"
    return text + (f", amends {policy.amends}" if policy.amends else "")


def counts(result: PolicyDiff) -> str:
    statuses = [c.status for c in result.changes]
    same = ", ".join(f"{n} {kind}" for kind, n in result.unchanged if n)
    return (f"{statuses.count('changed')} changed, {statuses.count('added')} added, "
            f"{statuses.count('removed')} removed; unchanged: {same or 'nothing'}")


def inherited_lines(result: PolicyDiff) -> list[str]:
    """What each side that amends a policy inherits from it (said once when both sides, two
    versions of one policy, inherit the same)."""
    lines = []
    for policy, entries in result.inherited:
        groups = [f"{kind} " + ", ".join(e.name for e in entries if e.kind == kind)
                  for kind in KINDS if any(e.kind == kind for e in entries)]
        origins = ", ".join(dict.fromkeys(e.origin for e in entries))
        lines.append(f"{policy.id} inherits from {origins} (修订): " + "; ".join(groups))
    return list(dict.fromkeys(lines))


def render_text(result: PolicyDiff) -> str:
    lines = [f"policydsl diff: {result.old.id} → {result.new.id}   (+ added, - removed, ~ changed)",
             f"  old: {describe_policy(result.old)}",
             f"  new: {describe_policy(result.new)}"]
    for kind in KINDS:
        found = [c for c in result.changes if c.entry.kind == kind]
        if found:
            lines += ["", kind] + [line for c in found for line in change_lines(c, result)]
    if not result.changes:
        lines += ["", "no differences"]
    lines += ["", counts(result)] + inherited_lines(result)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Markdown, for a pull request
def md_side(entry: Entry | None) -> str:
    """A value with its clause; the policy is the column's (or named, when inherited)."""
    if entry is None:
        return ABSENT
    if entry.inherited:
        return md_cell(f"{entry.text} · {entry.where} (inherited)")
    return md_cell(entry.text + (f" · {entry.clause}" if entry.clause else ""))


def render_markdown(result: PolicyDiff) -> str:
    old, new = result.old, result.new
    title = old.id if old.id == new.id else f"{old.id} → {new.id}"
    lines = [f"### {md_cell(title)}", "",
             f"{md_cell(old.path)} → {md_cell(new.path)}: {md_cell(counts(result))}.", ""]
    if result.changes:
        lines += [f"| change | 项目 | old: {md_cell(old.id)} | new: {md_cell(new.id)} |",
                  "|---|---|---|---|"]
        for change in result.changes:
            item = md_cell(f"{change.entry.kind} {change.entry.name}")
            lines.append(f"| {change.status} | {item} | {md_side(change.old)} | {md_side(change.new)} |")
        lines.append("")
    lines += [f"- {md_cell(line)}" for line in inherited_lines(result)]
    return "\n".join(lines).rstrip() + "\n"
