"""The typed IR: the contract between the checker and the backends.

Everything here is frozen.  Names are resolved (a reference says whether it is a parameter,
an input, a rule or a table), every expression carries its type, every parameter its value
computed at compile time, and every declaration the clause it comes from.  Backends never
look at the AST or the parse tree.  `to_json` gives the stable JSON of `policydsl ir`.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any, Union

import attrs

from .types import Type
from .words import FUNCTIONS


@attrs.frozen
class EnumValue:
    enum: str
    member: str


@attrs.frozen
class Tier:
    upper: Decimal  # Decimal("Infinity") for the open last tier
    rate: Decimal


Value = Union[Decimal, bool, datetime.date, EnumValue, tuple[Any, ...], None]


@attrs.frozen
class Citation:
    """Where a declaration comes from: policy, clause number and heading."""

    policy: str
    clause: str | None
    heading: str | None

    def __str__(self) -> str:
        if self.clause is None:
            return f"{self.policy} (无条款)"
        return f"{self.policy} {self.clause}、{self.heading}"


# ---------------------------------------------------------------- expressions
@attrs.frozen
class Const:
    value: Value
    type: Type
    text: str  # as the author wrote it


@attrs.frozen
class Ref:
    kind: str  # "param", "input" or "rule"
    name: str
    type: Type


@attrs.frozen
class Lookup:
    """A table's row (or, for a two-key table, cell).  A key that is a list gives one value per
    member (`限额[病种]`, a plural type)."""

    table: str
    keys: tuple[Expr, ...]
    type: Type


@attrs.frozen
class With:
    """`R 当 X 为 E`: R computed with X replaced by E.  `chain` lists the rules between R and
    X (R included, dependencies first) that are computed again."""

    value: Expr
    name: str
    replacement: Expr
    chain: tuple[str, ...]
    reads: tuple[tuple[str, str], ...]  # (kind, name) the chain reads besides itself and `name`
    type: Type


@attrs.frozen
class Call:
    func: str  # the IR name of a function of words.FUNCTIONS: min, max, clamp, round, …
    args: tuple[Expr, ...]
    type: Type


@attrs.frozen
class Fail:
    message: str
    type: Type


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    otherwise: Expr
    type: Type


@attrs.frozen
class Arm:
    members: tuple[str, ...]
    value: Expr


@attrs.frozen
class Match:
    subject: Expr
    enum: str
    arms: tuple[Arm, ...]  # complete: every member of the enumeration is in exactly one arm
    type: Type


@attrs.frozen
class Binary:
    op: str  # + - × ÷
    left: Expr
    right: Expr
    type: Type


@attrs.frozen
class Compare:
    op: str  # < <= > >= == != contains (a list holds a member)
    left: Expr
    right: Expr
    type: Type


@attrs.frozen
class Logic:
    op: str  # and, or, not (right is None for not)
    left: Expr
    right: Expr | None
    type: Type


@attrs.frozen
class Coalesce:
    value: Expr
    default: Expr
    type: Type


@attrs.frozen
class Adjust:
    """`base 提高/降低 amount`: mode "add" adds ±amount, "scale" multiplies by (1 ± amount)."""

    up: bool
    mode: str
    base: Expr
    amount: Expr
    word: str
    type: Type


Expr = Union[Const, Ref, Lookup, With, Call, Fail, If, Match, Binary, Compare, Logic, Coalesce,
             Adjust]


# ---------------------------------------------------------------- declarations
@attrs.frozen
class Quote:
    text: str
    line: int


@attrs.frozen
class Clause:
    number: str
    heading: str
    quotes: tuple[Quote, ...]
    waivers: tuple[str, ...]  # 不计算 "reason": why nothing is computed from these quotes
    line: int


@attrs.frozen
class Enum:
    name: str
    members: tuple[str, ...]  # in the order written: the first is the highest (就高不就低)
    aliases: tuple[tuple[str, ...], ...] = ()  # per member: how the notice also names it

    def names_of(self, member: str) -> tuple[str, ...]:
        """The member's name and its aliases (又称 …)."""
        index = self.members.index(member)
        extra = self.aliases[index] if index < len(self.aliases) else ()
        return (member, *extra)


@attrs.frozen
class Concept:
    name: str
    type: Type
    description: str
    aliases: tuple[str, ...] = ()  # the names other policies give the same concept
    base: str | None = None  # the concept this one is a share of (None: of the whole)


@attrs.frozen
class Topic:
    slug: str  # names the page: tables/<slug>.md
    title: str
    concepts: tuple[Concept, ...]


@attrs.frozen
class Param:
    """A value the notice fixes.  qualifier: exact, at_least (不低于), at_most (不高于),
    about (左右), at_least_about / at_most_about, above / below (以上 / 以下 that exclude
    their number by the notice's 约定), average (平均达到: a population target), from (起)."""

    name: str
    type: Type
    value: Value
    qualifier: str
    soft: bool  # 原则上: a default a locality may depart from
    expr: Expr
    source: str  # the expression as written
    citation: Citation
    local_choice: str | None
    line: int
    previous: Value = None  # 由 1000 元 调整为 900 元: the value it replaces
    effective: Value = None  # 自 2024 年 起: when it takes effect (a date, or a year)


@attrs.frozen
class TableRow:
    members: tuple[str | None, ...]  # one per key; None: 其他, the members without a row
    value: Value
    qualifier: str
    source: str
    local_choice: str | None = None

    @property
    def member(self) -> str | None:
        """The member of a one-key table's row."""
        return self.members[0]


@attrs.frozen
class Table:
    name: str
    keys: tuple[str, ...]  # the enumerations it is keyed by (one or two)
    type: Type
    rows: tuple[TableRow, ...]
    citation: Citation
    line: int

    @property
    def enum(self) -> str:
        return self.keys[0]

    def value_for(self, *members: str) -> TableRow:
        """The row of these members, or the 其他 row that stands for them."""
        for row in self.rows:
            if row.members == members:
                return row
        for row in self.rows:
            if all(m is None or m == want for m, want in zip(row.members, members, strict=True)):
                return row
        raise KeyError(members)


@attrs.frozen
class Requirement:
    op: str
    bound: Expr
    soft: bool
    source: str  # as written: 原则上 不高于 上年居民人均可支配收入
    bound_source: str  # the bound alone: 上年居民人均可支配收入
    citation: Citation


@attrs.frozen
class Input:
    name: str
    kind: str  # 输入, 地方, 累计 (the year so far, before this event) or 原则上 (a default)
    type: Type
    default: Expr | None
    requirements: tuple[Requirement, ...]
    citation: Citation
    line: int


@attrs.frozen
class Rule:
    name: str
    type: Type
    expr: Expr
    source: str
    deps: tuple[str, ...]  # the inputs and rules it reads directly, in order of first use
    citation: Citation
    line: int


@attrs.frozen
class Check:
    source: str
    expr: Expr
    holds: bool
    detail: str  # both sides' values
    citation: Citation
    line: int


@attrs.frozen
class Output:
    name: str
    rule: str  # the rule that computes it


@attrs.frozen
class Calculator:
    name: str
    title: str | None
    inputs: tuple[str, ...]  # in declaration order
    rules: tuple[str, ...]  # every rule it needs, dependencies first
    outputs: tuple[Output, ...]
    origin: str  # the policy that declared it
    # 累计 X = …: each year-to-date input and the rule giving its value after this event
    updates: tuple[Output, ...] = ()


@attrs.frozen
class Policy:
    id: str
    path: str
    title: str
    doc_no: str | None
    issuer: str | None
    region: str | None
    year: int | None
    date: datetime.date | None
    status: str | None
    effective: datetime.date | None  # 执行日期
    valid_until: datetime.date | None  # 有效期至
    notice: str | None  # path as written, relative to the policy file
    amends: str | None
    within: str | None
    clauses: tuple[Clause, ...]
    enums: tuple[Enum, ...]
    params: tuple[Param, ...]
    tables: tuple[Table, ...]
    inputs: tuple[Input, ...]
    rules: tuple[Rule, ...]
    checks: tuple[Check, ...]
    calculators: tuple[Calculator, ...]
    topics: tuple[Topic, ...]  # the topics this policy declares (a vocabulary file)
    conventions: tuple[tuple[str, bool], ...] = ()  # 约定: word → whether it includes its number

    @functools.cached_property
    def _index(self) -> dict[tuple[str, str], Any]:
        """Every declaration by (kind, name), built once: lookups stay O(1) on wide policies."""
        index: dict[tuple[str, str], Any] = {}
        for kind, group in (("enum", self.enums), ("rule", self.rules), ("input", self.inputs),
                            ("table", self.tables), ("param", self.params)):
            for item in group:
                index.setdefault((kind, item.name), item)
        return index

    def enum(self, name: str) -> Enum:
        found: Enum = self._index[("enum", name)]
        return found

    def rule(self, name: str) -> Rule:
        found: Rule = self._index[("rule", name)]
        return found

    def input(self, name: str) -> Input:
        found: Input = self._index[("input", name)]
        return found

    def table(self, name: str) -> Table:
        found: Table = self._index[("table", name)]
        return found

    def param(self, name: str) -> Param:
        found: Param = self._index[("param", name)]
        return found

    def has(self, kind: str, name: str) -> bool:
        return (kind, name) in self._index


def children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, (Const, Ref, Fail)):
        return ()
    if isinstance(expr, Lookup):
        return expr.keys
    if isinstance(expr, With):
        return (expr.value, expr.replacement)
    if isinstance(expr, Call):
        return expr.args
    if isinstance(expr, If):
        return (expr.cond, expr.then, expr.otherwise)
    if isinstance(expr, Match):
        return (expr.subject, *(arm.value for arm in expr.arms))
    if isinstance(expr, (Binary, Compare)):
        return (expr.left, expr.right)
    if isinstance(expr, Logic):
        return (expr.left,) if expr.right is None else (expr.left, expr.right)
    if isinstance(expr, Coalesce):
        return (expr.value, expr.default)
    return (expr.base, expr.amount)


def poisoned(expr: Expr) -> bool:
    """Whether an error was already reported inside the expression (a part of type `never`
    other than a 错误(…) the author wrote): such an expression is not evaluated."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.type.kind == "never" and not node.type.optional:
            if not (isinstance(node, Fail) and node.message):
                return True
        stack.extend(children(node))
    return False


def refs(expr: Expr, kinds: tuple[str, ...] = ("input", "rule")) -> tuple[str, ...]:
    """Names of the given kinds an expression reads, in order of first use."""
    found: dict[str, None] = {}
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref) and node.kind in kinds:
            found.setdefault(node.name)
        if isinstance(node, With):  # its value is computed again: what that reads counts
            for kind, name in node.reads:
                if kind in kinds:
                    found.setdefault(name)
            stack.append(node.replacement)
            continue
        stack.extend(reversed(children(node)))
    return tuple(found)


_OPS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "and": "且", "or": "或",
        "contains": "包含", "about": "约为"}
_FUNCS = {f.name: f.word for f in FUNCTIONS.values()}


def describe(expr: Expr) -> str:
    """An expression in policy notation, for comments and explanations."""
    if isinstance(expr, Const):
        return expr.text
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, Lookup):
        return f"{expr.table}[{', '.join(describe(k) for k in expr.keys)}]"
    if isinstance(expr, With):
        return f"({describe(expr.value)} 当 {expr.name} 为 {describe(expr.replacement)})"
    if isinstance(expr, Call):
        return f"{_FUNCS[expr.func]}(" + ", ".join(describe(a) for a in expr.args) + ")"
    if isinstance(expr, Fail):
        return f"错误({expr.message})"
    if isinstance(expr, If):
        return f"若 {describe(expr.cond)} 则 {describe(expr.then)} 否则 {describe(expr.otherwise)}"
    if isinstance(expr, Match):
        arms = "；".join("、".join(a.members) + ": " + describe(a.value) for a in expr.arms)
        return f"按 {describe(expr.subject)} {{ {arms} }}"
    if isinstance(expr, Binary):
        return f"({describe(expr.left)} {expr.op} {describe(expr.right)})"
    if isinstance(expr, Compare):
        return f"{describe(expr.left)} {_OPS[expr.op]} {describe(expr.right)}"
    if isinstance(expr, Logic):
        if expr.right is None:
            return f"非 {describe(expr.left)}"
        return f"({describe(expr.left)} {_OPS[expr.op]} {describe(expr.right)})"
    if isinstance(expr, Coalesce):
        return f"{describe(expr.value)} 缺省为 {describe(expr.default)}"
    if expr.word == "减半":
        return f"{describe(expr.base)} 减半"
    return f"{describe(expr.base)} {expr.word} {describe(expr.amount)}"


# ---------------------------------------------------------------- JSON
def to_json(value: Any) -> Any:
    """A JSON-ready structure with a stable key order (fields in declaration order)."""
    if attrs.has(type(value)):
        out: dict[str, Any] = {"node": type(value).__name__}
        for field in attrs.fields(type(value)):
            out[field.name] = to_json(getattr(value, field.name))
        if isinstance(value, Type):
            return str(value)
        return out
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return "Infinity" if value.is_infinite() else format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
