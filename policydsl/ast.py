"""The abstract syntax tree: what the author wrote, with a source span on every node.

Nodes are frozen attrs classes.  The span takes no part in equality (`eq=False`), so two
trees that say the same thing compare equal wherever they were written.  Names are kept
exactly as written; resolution and typing happen in `checker`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Union

import attrs

from .diagnostics import Span

span_field = attrs.field(eq=False, repr=False)


# ---------------------------------------------------------------- expressions
@attrs.frozen
class Number:
    """A number with its unit as written: 640 元, 80%, 5 个百分点, 1.5 倍, 25 年, or bare."""

    value: Decimal
    unit: str | None
    text: str
    span: Span = span_field


@attrs.frozen
class DateLit:
    value: datetime.date
    text: str
    span: Span = span_field


@attrs.frozen
class Word:
    """A value the notices say in words: 全额 (100 %), 取消 (0), 无上限, 是, 否."""

    word: str
    span: Span = span_field


@attrs.frozen
class Name:
    name: str
    span: Span = span_field


@attrs.frozen
class Member:
    """`地区类别.一类` (an enumeration member) or `上年.财政补助` (a value of the amended policy)."""

    owner: str
    name: str
    span: Span = span_field


@attrs.frozen
class Lookup:
    """`自治区分担比例[地区类别]`: a table row picked by an enumeration value."""

    table: str
    key: Expr
    span: Span = span_field


@attrs.frozen
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span = span_field


@attrs.frozen
class Fail:
    """`错误("…")`: the calculator refuses its input with this message."""

    message: str
    span: Span = span_field


@attrs.frozen
class Bracket:
    low: Expr
    high: Expr
    rate: Expr
    span: Span = span_field


@attrs.frozen
class Brackets:
    """A numeric bracket schedule written in the policy: `分段 { 0 元 至 1 万: 60% … }`."""

    rows: tuple[Bracket, ...]
    span: Span = span_field


@attrs.frozen
class Arm:
    patterns: tuple[str | None, ...]  # None is 其他
    value: Expr
    span: Span = span_field


@attrs.frozen
class Match:
    subject: Expr
    arms: tuple[Arm, ...]
    span: Span = span_field


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    otherwise: Expr
    span: Span = span_field


@attrs.frozen
class Binary:
    """Arithmetic: op is one of + - × ÷."""

    op: str
    left: Expr
    right: Expr
    span: Span = span_field


@attrs.frozen
class Compare:
    """op is one of < <= > >= == != (the words 不低于 … are mapped onto these)."""

    op: str
    left: Expr
    right: Expr
    span: Span = span_field


@attrs.frozen
class Logic:
    op: str  # "且" or "或"
    left: Expr
    right: Expr
    span: Span = span_field


@attrs.frozen
class Not:
    operand: Expr
    span: Span = span_field


@attrs.frozen
class Negate:
    operand: Expr
    span: Span = span_field


@attrs.frozen
class Coalesce:
    """`救助起付线 缺省为 x`: the optional value when given, else x."""

    value: Expr
    default: Expr
    span: Span = span_field


@attrs.frozen
class Adjust:
    """`x 降低 50%`, `比例 提高 5 个百分点`, `标准 增加 30 元`: a change written the notice's way."""

    word: str
    base: Expr
    amount: Expr
    span: Span = span_field


Expr = Union[
    Number, DateLit, Word, Name, Member, Lookup, Call, Fail, Brackets, Match, If, Binary,
    Compare, Logic, Not, Negate, Coalesce, Adjust,
]


# ---------------------------------------------------------------- declarations
@attrs.frozen
class Qualified:
    """A value with the notice's qualifier: exact, at_least (不低于), at_most (不高于),
    about (左右), or at_least_about / at_most_about (不低于 6% 左右)."""

    expr: Expr
    qualifier: str
    soft: bool  # 原则上
    span: Span = span_field


@attrs.frozen
class Param:
    name: str
    value: Qualified
    local_choice: str | None  # the reason, when the number is the author's own choice (自定)
    span: Span = span_field


@attrs.frozen
class TypeRef:
    kind: str  # "unit", "name" or "list"
    value: str
    span: Span = span_field


@attrs.frozen
class Requirement:
    op: str  # a comparison operator: the value must be `op` the bound
    bound: Expr
    soft: bool
    span: Span = span_field


@attrs.frozen
class InputDecl:
    """`输入` (a fact the caller supplies) or `地方` (a value the notice leaves to each 盟市)."""

    kind: str
    name: str
    type: TypeRef
    default: Expr | None
    optional: bool
    requirements: tuple[Requirement, ...]
    span: Span = span_field


@attrs.frozen
class Rule:
    name: str
    expr: Expr
    span: Span = span_field


@attrs.frozen
class TableRow:
    key: str | None  # None is 其他
    value: Qualified
    span: Span = span_field


@attrs.frozen
class Table:
    name: str
    key_enum: str
    rows: tuple[TableRow, ...]
    span: Span = span_field


@attrs.frozen
class Check:
    expr: Expr
    span: Span = span_field


Decl = Union[Param, InputDecl, Rule, Table, Check]


@attrs.frozen
class Quote:
    text: str
    span: Span = span_field


@attrs.frozen
class Clause:
    number: str
    heading: str
    quotes: tuple[Quote, ...]
    decls: tuple[Decl, ...]
    span: Span = span_field


@attrs.frozen
class EnumDecl:
    name: str
    members: tuple[str, ...]
    span: Span = span_field


@attrs.frozen
class Output:
    name: str
    expr: Expr | None  # None: the rule of the same name
    span: Span = span_field


@attrs.frozen
class Calculator:
    name: str
    title: str | None
    outputs: tuple[Output, ...]
    span: Span = span_field


@attrs.frozen
class Continued:
    """`沿用 财政分担`: keep a calculator of the amended policy."""

    name: str
    span: Span = span_field


@attrs.frozen
class Concept:
    name: str
    type: TypeRef
    description: str
    span: Span = span_field


@attrs.frozen
class Topic:
    """`主题 financing "筹资与缴费" { 财政补助: 元 "人均财政补助标准" … }`"""

    slug: str
    title: str
    concepts: tuple[Concept, ...]
    span: Span = span_field


@attrs.frozen
class Import:
    path: str
    alias: str | None
    span: Span = span_field


@attrs.frozen
class Header:
    id: str
    fields: dict[str, object]  # title, doc_no, issuer, region, year, date, status, notice
    uses: tuple[Import, ...]
    amends: Import | None
    within: Import | None
    span: Span = span_field


Item = Union[Clause, EnumDecl, Calculator, Continued, Topic, Param, InputDecl, Rule, Table, Check]


@attrs.frozen
class PolicyFile:
    path: str
    header: Header
    items: tuple[Item, ...]
