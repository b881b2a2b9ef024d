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
    ("640 元", Decimal(640), "元"), ("80%", Decimal("0.8"), "%"), ("80％", Decimal("0.8"), "%"),
    ("5 个百分点", Decimal("0.05"), "个百分点"), ("1.5 倍", Decimal("1.5"), "倍"), ("25 年", Decimal(25), "年"),
    ("3 个月", Decimal(3), "个月"), ("7", Decimal(7), None),
    # as notices print them: values are kept in base units (元, a fraction for rates)
    ("20万元", Decimal(200000), "万元"), ("1.8万元", Decimal(18000), "万元"), ("3 亿元", Decimal(3 * 10**8), "亿元"),
    ("五成", Decimal("0.5"), "成"), ("千分之五", Decimal("0.005"), "‰"), ("百分之五十", Decimal("0.5"), "%"),
    ("第二次", Decimal(2), "次"), ("两个月", Decimal(2), "个月"), ("70 周岁", Decimal(70), "周岁"),
    ("90 天", Decimal(90), "天"), ("5 元/月", Decimal(5), "元/月"), ("68 元/人·年", Decimal(68), "元/人·年"),
    ("60 元／年", Decimal(60), "元/年"),
])
def test_numbers_with_units(text: str, value: Decimal, unit: str | None) -> None:
    number = expr_of(text)
    assert isinstance(number, ast.Number)
    assert (number.value, number.unit) == (value, unit)


def test_an_ordinal_is_marked() -> None:
    number = expr_of("第三次")
    assert isinstance(number, ast.Number) and number.ordinal and number.text == "第三次"


def test_keywords_need_no_space_before_a_number() -> None:
    param = parse_ok("参数 a = 不低于640元").items[0]
    assert isinstance(param, ast.Param)
    assert param.value.qualifier == "at_least"
    assert param.value.expr == ast.Number(Decimal(640), "元", "640 元", False, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "qualifier", "soft"), [
    ("640 元", "exact", False), ("不低于 640 元", "at_least", False), ("不高于 5%", "at_most", False),
    ("不超过 3%", "at_most", False), ("最高不超过 90%", "at_most", False),
    ("70% 左右", "about", False), ("7% 及以上", "at_least", False), ("原则上 不低于 400 元", "at_least", True),
    ("2023-09-01 起", "from", False), ("2024 年 起", "from", False), ("平均达到 85%", "average", False),
    ("不低于 6% 左右", "at_least_about", False),
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
    assert isinstance(table, ast.Table) and table.rows[1].keys == (None,)
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


def test_a_value_and_the_value_it_replaces() -> None:
    param = parse_ok("参数 三级起付线 = 由 1000 元 调整为 900 元").items[0]
    assert isinstance(param, ast.Param)
    assert isinstance(param.value.previous, ast.Number) and param.value.previous.value == 1000
    assert isinstance(param.value.expr, ast.Number) and param.value.expr.value == 900


def test_anchor_effective_date_and_local_choice() -> None:
    a, b, c = parse_ok('参数 a = 420 元 出自 "年满18周岁"\n参数 b = 300 元 自 2024 年 起\n'
                       '参数 c = 5 元 自定 "理由"\n').items
    assert isinstance(a, ast.Param) and a.anchor == "年满18周岁"
    assert isinstance(b, ast.Param) and isinstance(b.effective, ast.Number) and b.effective.value == 2024
    assert isinstance(c, ast.Param) and c.local_choice == "理由"


def test_enumeration_members_with_aliases() -> None:
    enum = parse_ok('枚举 医院等级 { 一级 又称 "一级医院" 又称 "乡镇卫生院"  二级, 三级 }').items[0]
    assert isinstance(enum, ast.EnumDecl)
    assert [(m.name, m.aliases) for m in enum.members] == [
        ("一级", ("一级医院", "乡镇卫生院")), ("二级", ()), ("三级", ())]


def test_a_two_key_table_as_the_notice_prints_it() -> None:
    table = parse_ok("""
表 比例 按 医院等级, 人员类别 {
  | 等级 | 在职职工 | 退休人员 |
  | 一级 | 90% | 95% |
  | 其他 | 85% | 90% |
}""").items[0]
    assert isinstance(table, ast.Table) and table.key_enums == ("医院等级", "人员类别")
    assert [(r.keys, r.column) for r in table.rows] == [
        (("一级", "在职职工"), 1), (("一级", "退休人员"), 2), ((None, "在职职工"), 1), ((None, "退休人员"), 2)]


def test_a_table_of_several_columns_is_one_table_per_column() -> None:
    first, second = parse_ok("""
表 按 医院等级 {
  | 医疗机构等级 | 起付线 | 报销比例 |
  | 一级 | 200 元 | 85% |
  | 二级 | 500 元 | 75% |
}""").items
    assert isinstance(first, ast.Table) and isinstance(second, ast.Table)
    assert (first.name, second.name) == ("起付线", "报销比例")
    assert [r.keys for r in second.rows] == [("一级",), ("二级",)]


def test_a_grid_row_of_the_wrong_width_is_one_error() -> None:
    _, diags = parse(SourceFile("t.policy", HEAD + "表 按 e {\n | a | b |\n | x | 1 元 | 2 元 |\n}\n"))
    assert [(d.code, d.span.line) for d in diags] == [("E002", 5)]
    assert "the first row has 2" in diags[0].message


def test_conventions_and_waivers_of_a_clause() -> None:
    clause = parse_ok('条款 十一 "说明" { 约定 以上 含本数，以下 不含本数  不计算 "无金额" }').items[0]
    assert isinstance(clause, ast.Clause)
    assert [(c.word, c.includes) for c in clause.conventions] == [("以上", True), ("以下", False)]
    assert [w.reason for w in clause.waivers] == ["无金额"]


def test_comparisons_by_the_notices_convention() -> None:
    above = expr_of("年龄 在 70 周岁 以上")
    under = expr_of("年龄 未满 18 周岁")
    assert isinstance(above, ast.Compare) and (above.op, above.convention) == (None, "以上")
    assert isinstance(under, ast.Compare) and (under.op, under.convention) == (None, "未满")
    holds = expr_of("病种 包含 高血压")
    assert isinstance(holds, ast.Compare) and holds.op == "contains"


def test_halving_recomputing_and_two_keys() -> None:
    half = expr_of("起付线 减半")
    assert isinstance(half, ast.Adjust) and half.word == "减半"
    assert isinstance(half.amount, ast.Word) and half.amount.word == "减半"  # checked in the quote
    again = expr_of("大病保险支付 当 基本医保后自付 为 年内自付")
    assert isinstance(again, ast.With) and again.name == "基本医保后自付"
    cell = expr_of("比例[医院等级, 人员类别]")
    assert isinstance(cell, ast.Lookup) and len(cell.keys) == 2


def test_brackets_with_boundaries() -> None:
    e = expr_of("分段 { 起付线 以上 至 5万元（含）: 60%  5万元 以上 至 10万元（含）: 70%  10万元 以上: 80% }")
    assert isinstance(e, ast.Brackets)
    first, _, last = e.rows
    assert isinstance(first.low.value, ast.Name) and first.low.above
    assert first.high is not None and first.high.included is True
    assert last.high is None and last.low.above


def test_checks_over_every_member_and_year_to_date_updates() -> None:
    check, calc = parse_ok("核对 每个 级 属于 医院等级: 比例[级] 不低于 60%\n"
                           "计算 结算 { 输出 支付  累计 已支付 = 已支付 + 支付 }").items
    assert isinstance(check, ast.Check) and (check.each_name, check.each_enum) == ("级", "医院等级")
    assert isinstance(calc, ast.Calculator) and [u.name for u in calc.updates] == ["已支付"]


def test_header_dates_of_effect() -> None:
    header = parse_ok('执行日期 2025-01-01\n有效期至 2027-12-31\n有效期 3 年\n').header
    assert header.fields["effective"] == datetime.date(2025, 1, 1)
    assert header.fields["valid_until"] == datetime.date(2027, 12, 31)


def test_a_notice_table_of_one_concept_and_two_members_columns() -> None:
    deductible, ratio = parse_ok("""
表 按 医院等级, 人员类别 {
  | 医疗机构等级 | 起付线 | 支付比例[在职职工] | 支付比例[退休人员] |
  | 一级 | 300 元 | 90% | 95% |
}""").items
    assert isinstance(deductible, ast.Table) and deductible.key_enums == ("医院等级",)
    assert [r.keys for r in deductible.rows] == [("一级",)]
    assert isinstance(ratio, ast.Table) and ratio.key_enums == ("医院等级", "人员类别")
    assert [(r.keys, r.column) for r in ratio.rows] == [(("一级", "在职职工"), 2), (("一级", "退休人员"), 3)]
