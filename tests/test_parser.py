"""The grammar and the AST: one test per construct."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import attrs
import lark
import pytest

from policydsl import ast
from policydsl.diagnostics import SourceFile
from policydsl.parser import parse

from .conftest import POLICIES

HEAD = '政策 t\n标题 "t"\n'


def parse_ok(body: str) -> ast.PolicyFile:
    tree, diags = parse(SourceFile("t.policy", HEAD + body))
    assert not diags, diags
    assert tree is not None
    return tree


def expr_of(text: str) -> ast.Expr:
    rule = parse_ok(f"规则 r = {text}").items[0]
    assert isinstance(rule, ast.Rule)
    return rule.expr


def no_raw_trees(node: object) -> bool:
    if isinstance(node, (lark.Tree, lark.Token)) and not isinstance(node, str):
        return False
    if isinstance(node, lark.Token):
        return True  # a Token is a str: names are kept as plain text
    if isinstance(node, (tuple, list)):
        return all(no_raw_trees(n) for n in node)
    if isinstance(node, dict):
        return all(no_raw_trees(v) for v in node.values())
    if attrs.has(type(node)):
        return all(no_raw_trees(getattr(node, f.name)) for f in attrs.fields(type(node)))
    return True


@pytest.mark.parametrize("path", sorted(POLICIES.rglob("*.policy")), ids=lambda p: p.name)
def test_no_parse_tree_survives_in_the_ast(path: Path) -> None:
    tree, diags = parse(SourceFile(str(path), path.read_text("utf-8")))
    assert not diags and tree is not None
    assert no_raw_trees(tree)


def test_header_fields() -> None:
    tree = parse_ok('发文日期 2023-08-10\n年度 2023\n通知 "n.txt"\n修订 "a.policy" 作为 上年\n')
    header = tree.header
    assert header.id == "t" and header.fields["date"] == datetime.date(2023, 8, 10)
    assert header.fields["year"] == 2023 and header.fields["notice"] == "n.txt"
    assert header.amends is not None and header.amends.alias == "上年"


def test_clause_with_quotes_and_declarations() -> None:
    clause = parse_ok('条款 二（五） "标题" { 引文 "甲" 引文 「乙」 参数 a = 1 元 }').items[0]
    assert isinstance(clause, ast.Clause)
    assert clause.number == "二（五）" and clause.heading == "标题"
    assert [q.text for q in clause.quotes] == ["甲", "乙"]
    assert isinstance(clause.decls[0], ast.Param)


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("640 元", Decimal(640), "元"), ("80%", Decimal(80), "%"), ("80％", Decimal(80), "%"),
    ("5 个百分点", Decimal(5), "个百分点"), ("1.5 倍", Decimal("1.5"), "倍"), ("25 年", Decimal(25), "年"),
    ("3 个月", Decimal(3), "个月"), ("7", Decimal(7), None),
])
def test_numbers_with_units(text: str, value: Decimal, unit: str | None) -> None:
    number = expr_of(text)
    assert isinstance(number, ast.Number)
    assert (number.value, number.unit) == (value, unit)


def test_keywords_need_no_space_before_a_number() -> None:
    param = parse_ok("参数 a = 不低于640元").items[0]
    assert isinstance(param, ast.Param)
    assert param.value.qualifier == "at_least"
    assert param.value.expr == ast.Number(Decimal(640), "元", "640", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "qualifier", "soft"), [
    ("640 元", "exact", False), ("不低于 640 元", "at_least", False), ("不高于 5%", "at_most", False),
    ("70% 左右", "about", False), ("7% 及以上", "at_least", False), ("原则上 不低于 400 元", "at_least", True),
    ("2023-09-01 起", "at_least", False),
])
def test_qualifiers(text: str, qualifier: str, soft: bool) -> None:
    param = parse_ok(f"参数 a = {text}").items[0]
    assert isinstance(param, ast.Param)
    assert (param.value.qualifier, param.value.soft) == (qualifier, soft)


@pytest.mark.parametrize(("text", "date"), [
    ("2016-01-01", datetime.date(2016, 1, 1)),
    ("2023年9月1日", datetime.date(2023, 9, 1)),
    ("2025年2月底", datetime.date(2025, 2, 28)),
    ("2024年2月底", datetime.date(2024, 2, 29)),
])
def test_dates(text: str, date: datetime.date) -> None:
    lit = expr_of(text)
    assert isinstance(lit, ast.DateLit) and lit.value == date


def test_impossible_date_is_a_syntax_error() -> None:
    _, diags = parse(SourceFile("t.policy", HEAD + "参数 d = 2023-02-30"))
    assert [d.code for d in diags] == ["E002"]


def test_precedence_and_full_width_operators() -> None:
    e = expr_of("a ＋ b × c － d")
    assert isinstance(e, ast.Binary) and e.op == "-"
    assert isinstance(e.left, ast.Binary) and e.left.op == "+"
    assert isinstance(e.left.right, ast.Binary) and e.left.right.op == "×"


def test_conditions_and_words() -> None:
    e = expr_of("若 a 不高于 b 且 非 c 则 全额 否则 取消")
    assert isinstance(e, ast.If)
    assert isinstance(e.cond, ast.Logic) and e.cond.op == "且"
    assert isinstance(e.cond.left, ast.Compare) and e.cond.left.op == "<="
    assert e.then == ast.Word("全额", None)  # type: ignore[arg-type]


def test_match_with_several_patterns_and_other() -> None:
    e = expr_of("按 身份 { 特困人员: 全额  低保对象, 返贫致贫人口: 定额  其他: 0 元 }")
    assert isinstance(e, ast.Match)
    assert [arm.patterns for arm in e.arms] == [("特困人员",), ("低保对象", "返贫致贫人口"), (None,)]


def test_adjust_lookup_member_coalesce_call_fail() -> None:
    assert isinstance(expr_of("大病分段 提高 5 个百分点"), ast.Adjust)
    assert isinstance(expr_of("比例[地区类别]"), ast.Lookup)
    assert expr_of("地区类别.一类") == ast.Member("地区类别", "一类", None)  # type: ignore[arg-type]
    assert isinstance(expr_of("x 缺省为 0 元"), ast.Coalesce)
    call = expr_of("较小(a, b、c)")
    assert isinstance(call, ast.Call) and len(call.args) == 3
    assert expr_of('错误("不行")') == ast.Fail("不行", None)  # type: ignore[arg-type]


def test_brackets() -> None:
    e = expr_of("分段 { 0 元 至 10000 元: 60%  10000 元 至 无上限: 70% }")
    assert isinstance(e, ast.Brackets) and len(e.rows) == 2


def test_inputs_tables_calculators() -> None:
    tree = parse_ok("""
地方 定额: 元 要求 不低于 标准 × 45%, 不高于 标准
输入 转诊: 是否 = 是
输入 身份: 一组 救助对象身份
输入 起付: 元 可选
表 比例 按 地区类别 { 一类: 30%  其他: 50% }
计算 分担 "标题" { 输出 中央  输出 合计 = a + b }
沿用 补缴
""")
    fixed, referral, identities, optional, table, calc, continued = tree.items
    assert isinstance(fixed, ast.InputDecl) and [r.op for r in fixed.requirements] == [">=", "<="]
    assert isinstance(referral, ast.InputDecl) and referral.default is not None
    assert isinstance(identities, ast.InputDecl) and identities.type.kind == "list"
    assert isinstance(optional, ast.InputDecl) and optional.optional
    assert isinstance(table, ast.Table) and table.rows[1].key is None
    assert isinstance(calc, ast.Calculator) and [o.expr is None for o in calc.outputs] == [True, False]
    assert isinstance(continued, ast.Continued)


def test_string_escapes_and_comments() -> None:
    tree = parse_ok('条款 一 "a\\"b\\\\c" { } # 注释\n＃ 全角注释\n')
    clause = tree.items[0]
    assert isinstance(clause, ast.Clause) and clause.heading == 'a"b\\c'


def test_spans_point_at_the_source() -> None:
    rule = parse_ok("规则 r = 甲 + 乙").items[0]
    assert isinstance(rule, ast.Rule) and isinstance(rule.expr, ast.Binary)
    right = rule.expr.right
    assert (right.span.line, right.span.column, right.span.end_column) == (3, 12, 13)


def test_spans_take_no_part_in_equality() -> None:
    assert expr_of("a + b") == parse_ok("\n\n规则 r =   a   +   b").items[0].expr  # type: ignore[union-attr]


def test_a_floor_of_about() -> None:
    param = parse_ok("参数 a = 不低于 6% 左右").items[0]
    assert isinstance(param, ast.Param) and param.value.qualifier == "at_least_about"
