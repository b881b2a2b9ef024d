"""The abstract syntax tree: what the author wrote, with a source span on every node.

Nodes are frozen attrs classes.  The span takes no part in equality (`eq=False`), so two
trees that say the same thing compare equal wherever they were written.  Names are kept
exactly as written; resolution and typing happen in `checker`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Union

import attrs

from .diagnostics import Span

span_field = attrs.field(eq=False, repr=False)


# ---------------------------------------------------------------- expressions
@attrs.frozen
class Number:
    """A number with its unit as written: 640 元, 20万元, 80%, 五成, 第二次, 1.5 倍, or bare.

    `value` is in base units (20万元 → 200000, 80% → 0.8, 五成 → 0.5); `unit` is the unit
    word in its registry spelling (policydsl/units.py); `text` is the literal as written.
    """

    value: Decimal
    unit: str | None
    text: str
    ordinal: bool  # 第二次
    span: Span = span_field


@attrs.frozen
class DateLit:
    """A date (2023-09-01, 2023年9月1日), or a day of the year printed without a year (9月15日,
    9月底): `yearless`, its value then in the leap year 2000 (so that 2月29日 is a day)."""

    value: datetime.date
    text: str
    span: Span = span_field
    yearless: bool = False


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
    """`自治区分担比例[地区类别]`: a table row picked by an enumeration value (or a list of
    them: `限额[病种]`); a two-key table takes two: `支付比例[医院等级, 人员类别]`."""

    table: str
    keys: tuple[Expr, ...]
    span: Span = span_field


@attrs.frozen
class With:
    """`大病保险支付 当 基本医保后自付 为 年内自付`: a value computed as if a name were another."""

    value: Expr
    name: str
    replacement: Expr
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
class Bound:
    """One edge of a bracket: `5万元（含）`, `起付线 以上`; `included` is None when unmarked."""

    value: Expr
    included: bool | None
    above: bool  # written with 以上 (the notice's convention then says whether it includes)
    span: Span = span_field


@attrs.frozen
class Bracket:
    low: Bound
    high: Bound | None  # None: the open last tier, `10万元 以上: 80%`
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
    """op is one of < <= > >= == != contains (the words 不低于 … are mapped onto these).

    A word whose boundary the notice defines (以上, 以下, 未满, 超过, 满) is kept in
    `convention` with op None: the checker applies the policy's 约定.
    """

    op: str | None
    left: Expr
    right: Expr
    convention: str | None
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
    Number, DateLit, Word, Name, Member, Lookup, With, Call, Fail, Brackets, Match, If, Binary,
    Compare, Logic, Not, Negate, Coalesce, Adjust,
]


# ---------------------------------------------------------------- declarations
@attrs.frozen
class Qualified:
    """A value with the notice's qualifier: exact, at_least (不低于), at_most (不高于, 不超过),
    about (左右), average (平均达到), from (起), or at_least_about / at_most_about (不低于 6%
    左右).  `previous` is the value it replaces (由 1000 元 调整为 900 元)."""

    expr: Expr
    qualifier: str
    soft: bool  # 原则上
    previous: Expr | None
    qualifier_word: str | None  # 以上/以下 as written: the notice's 约定 says what they include
    span: Span = span_field


@attrs.frozen
class Param:
    name: str
    value: Qualified
    local_choice: str | None  # the reason, when the number is the author's own choice (自定)
    anchor: str | None  # 出自 "年满18周岁": the phrase of the quote its numbers stand by
    effective: Expr | None  # 自 2024 年 起: when the value takes effect
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
    """`输入` (a fact the caller supplies), `地方` (a value the notice leaves to each 盟市) or
    `累计` (a year-to-date amount: the year so far, before this event; 0 unless given)."""

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
    """One cell of a table: the member(s) it is for (None is 其他) and its value."""

    keys: tuple[str | None, ...]
    value: Qualified
    local_choice: str | None
    column: int  # its column in a grid, from 1 (0: a row of `成员: 值`)
    span: Span = span_field


@attrs.frozen
class Table:
    """`表 名 按 枚举 {…}`, or a two-key table `表 名 按 甲, 乙 { | … | }`."""

    name: str
    key_enums: tuple[str, ...]
    rows: tuple[TableRow, ...]
    span: Span = span_field


@attrs.frozen
class Check:
    """`核对 x = y`; `核对 每个 级 属于 医院等级: …` holds for every member (each_name)."""

    expr: Expr
    each_name: str | None
    each_enum: str | None
    span: Span = span_field


Decl = Union[Param, InputDecl, Rule, Table, Check]


@attrs.frozen
class Quote:
    text: str
    span: Span = span_field


@attrs.frozen
class Convention:
    """`约定 以上 含本数`: whether a boundary word includes its number, as the notice defines."""

    word: str
    includes: bool
    span: Span = span_field


@attrs.frozen
class Waiver:
    """`不计算 "reason"`: the clause's quotes are not computed from, and why."""

    reason: str
    span: Span = span_field


@attrs.frozen
class Clause:
    number: str
    heading: str
    quotes: tuple[Quote, ...]
    decls: tuple[Decl, ...]
    conventions: tuple[Convention, ...]
    waivers: tuple[Waiver, ...]
    span: Span = span_field


@attrs.frozen
class EnumMember:
    name: str
    aliases: tuple[str, ...]  # 又称 "一级医院": how the notice also names it
    span: Span = span_field


@attrs.frozen
class EnumDecl:
    name: str
    members: tuple[EnumMember, ...]
    span: Span = span_field


@attrs.frozen
class Output:
    name: str
    expr: Expr | None  # None: the rule of the same name
    span: Span = span_field


@attrs.frozen
class Update:
    """`累计 年内已支付 = 年内已支付 + 本次支付`: a year-to-date amount after this event."""

    name: str
    expr: Expr
    span: Span = span_field


@attrs.frozen
class Calculator:
    name: str
    title: str | None
    outputs: tuple[Output, ...]
    updates: tuple[Update, ...]
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
    aliases: tuple[str, ...]  # 又称: the names other policies give it
    base: str | None  # 占: the concept it is a share of (None: of the whole)
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
    # title, doc_no, issuer, region, year, date, effective, valid_until, valid_for, status, notice
    fields: dict[str, object]
    uses: tuple[Import, ...]
    amends: Import | None
    within: Import | None
    field_spans: dict[str, Span] = attrs.field(eq=False, repr=False)  # where each field is written
    span: Span = span_field


Item = Union[Clause, EnumDecl, Calculator, Continued, Topic, Param, InputDecl, Rule, Table, Check]


@attrs.frozen
class PolicyFile:
    path: str
    header: Header
    items: tuple[Item, ...]


def walk(node: object) -> Iterator[object]:
    """The node and every node below it, in source order (tuples and lists are looked into;
    spans are not nodes)."""
    if isinstance(node, (tuple, list)):
        for child in node:
            yield from walk(child)
        return
    yield node
    if attrs.has(type(node)):
        for field in attrs.fields(type(node)):  # type: ignore[arg-type]
            if field.name != "span":
                yield from walk(getattr(node, field.name))
