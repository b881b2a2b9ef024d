"""The checker, construct by construct: resolution, amendments, vocabulary, evaluation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from policydsl import api, ir
from policydsl.backends.markdown import run
from policydsl.evaluator import Scope, evaluate
from policydsl.types import MONEY

from .conftest import check_source, codes

NOTICE = "一、财政补助640元，新增30元，达到670元。比例80%，一类30%，二类50%。一类30%，其他地区50%。特困人员全额资助。"


def only(result: api.CheckResult) -> ir.Policy:
    assert result.ok, result.diagnostics
    return result.policies[-1]


def test_parameters_are_evaluated_in_dependency_order_whatever_the_file_order(tmp_path: Path) -> None:
    policy = only(check_source(tmp_path, """条款 一 "a" {
  引文 "财政补助640元，新增30元"
  参数 合计 = 财政补助 + 新增
  参数 新增 = 30 元
  参数 财政补助 = 640 元
}""", NOTICE))
    assert policy.param("合计").value == Decimal(670)


def test_a_cycle_between_rules_is_found(tmp_path: Path) -> None:
    result = check_source(tmp_path, "输入 x: 元\n规则 甲 = 乙 + x\n规则 乙 = 甲 + x\n")
    assert codes(result) == ["E105"]
    assert "甲 → 乙 → 甲" in result.diagnostics[0].message


def test_table_other_row_fills_the_members_the_notice_does_not_name(tmp_path: Path) -> None:
    policy = only(check_source(tmp_path, """枚举 地区类别 { 一类 二类 三类 }
条款 一 "a" {
  引文 "一类30%，其他地区50%"
  表 比例 按 地区类别 { 一类: 30%  其他: 50% }
}""", NOTICE))
    table = policy.table("比例")
    assert [table.value_for(m).value for m in ("一类", "二类", "三类")] == [Decimal("0.3"), Decimal("0.5"), Decimal("0.5")]


def test_match_must_cover_the_enumeration(tmp_path: Path) -> None:
    result = check_source(tmp_path, """枚举 类 { 甲 乙 丙 }
输入 k: 类
规则 r = 按 k { 甲: 是  乙: 否 }
""")
    assert codes(result) == ["E203"] and "丙" in result.diagnostics[0].message


def test_optional_inputs_are_narrowed_by_given(tmp_path: Path) -> None:
    policy = only(check_source(tmp_path, """输入 x: 元 可选
输入 y: 元
规则 r = 若 已给出(x) 则 x + y 否则 y
规则 s = x 缺省为 y
规则 t = 若 已给出(x) 则 x 否则 不适用
"""))
    assert policy.rule("r").type == MONEY
    assert policy.rule("s").type == MONEY
    assert policy.rule("t").type.optional


def test_amendment_is_late_bound_and_reads_the_base(tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "base.policy").write_text("""政策 base
标题 "b"
通知 "notice.txt"
枚举 地区类别 { 一类 二类 }
条款 一 "a" {
  引文 "财政补助640元，新增30元，达到670元。比例80%"
  参数 财政补助 = 640 元
  参数 中央比例 = 80%
  输入 地区类别: 地区类别
  规则 中央 = 财政补助 × 中央比例
}
计算 分担 { 输出 中央 }
计算 其他计算 { 输出 中央 }
""", encoding="utf-8")
    (tmp_path / "next.policy").write_text("""政策 next
标题 "n"
通知 "notice.txt"
修订 "base.policy" 作为 上年
条款 一 "a" {
  引文 "新增30元，达到670元"
  参数 财政补助 = 上年.财政补助 + 30 元
  核对 财政补助 = 670 元
}
沿用 分担
""", encoding="utf-8")
    result = api.check([tmp_path / "next.policy"])
    assert result.ok, result.diagnostics
    amended = next(p for p in result.policies if p.id == "next")
    assert amended.param("财政补助").value == 670
    assert [c.name for c in amended.calculators] == ["分担"]  # only what 沿用 keeps
    assert amended.calculators[0].origin == "base"
    rule = amended.rule("中央")
    assert rule.citation.policy == "base"  # the formula is the base notice's
    assert run(amended, amended.calculators[0], {})["中央"] == Decimal("536.0")  # 670 × 80%


def test_vocabulary_keeps_one_meaning_per_name(tmp_path: Path) -> None:
    (tmp_path / "vocab.policy").write_text('政策 vocab\n标题 "v"\n主题 t "T" { 财政补助: 元 "人均财政补助" }\n',
                                           encoding="utf-8")
    result = check_source(tmp_path, """使用 "vocab.policy"
条款 一 "a" {
  引文 "比例80%"
  参数 财政补助 = 80%
}""", NOTICE)
    assert codes(result) == ["E201"]
    assert "in the shared vocabulary" in result.diagnostics[0].message


def test_brackets_become_tiers(tmp_path: Path) -> None:
    policy = only(check_source(tmp_path, """参数 s = 分段 {
  0 元 至 10000 元: 60%
  10000 元 至 无上限: 70%
} 自定 "test"
"""))
    assert policy.param("s").value == (ir.Tier(Decimal(10000), Decimal("0.6")),
                                       ir.Tier(Decimal("Infinity"), Decimal("0.7")))


def test_highest_identity_and_words(tmp_path: Path) -> None:
    policy = only(check_source(tmp_path, """枚举 身份 { 特困人员 低保对象 普通 }
条款 三 "a" {
  引文 "特困人员全额资助"
  输入 身份们: 一组 身份
  规则 适用 = 就高不就低(身份们)
  规则 比例 = 按 适用 { 特困人员: 全额  其他: 0% }
}""", NOTICE))
    scope = Scope({}, {}, {e.name: e for e in policy.enums})
    identities = (ir.EnumValue("身份", "普通"), ir.EnumValue("身份", "特困人员"))
    best = evaluate(policy.rule("适用").expr, scope, {"身份们": identities})
    assert best == ir.EnumValue("身份", "特困人员")
    assert evaluate(policy.rule("比例").expr, scope, {"适用": best}) == 1


def test_a_calculator_reads_the_inputs_its_rules_and_bounds_need(tmp_path: Path) -> None:
    policy = only(check_source(tmp_path, """条款 一 "a" {
  引文 "比例80%"
  输入 标准: 元
  地方 定额: 元 要求 不低于 标准 × 80%
  输入 无关: 元
  规则 实缴 = 标准 - 定额
}
计算 c { 输出 实缴 }
""", NOTICE))
    assert policy.calculators[0].inputs == ("标准", "定额")


PER_MEMBER = '''
枚举 病种 { 高血压 糖尿病 }
条款 一 "限额" {
  引文 "高血压年度限额500元，糖尿病年度限额800元，提高10%，最高600元"
  表 限额 按 病种 {
    高血压: 500 元
    糖尿病: 800 元
  }
  输入 病种: 一组 病种
  规则 x = EXPR
}
计算 c "c" {
  输出 x
}
'''
PER_MEMBER_NOTICE = "一、高血压年度限额500元，糖尿病年度限额800元，提高10%，最高600元。\n"


@pytest.mark.parametrize(("expr", "what"), [
    ("四舍五入(限额[病种])", "四舍五入"), ("较小(限额[病种], 600 元)", "较小"),
    ("限额[病种] 提高 10%", "提高"), ("限额[病种] × 10%", "×"),
    ("若 限额[病种] 高于 600 元 则 600 元 否则 0 元", "a comparison"),
])
def test_one_value_per_member_is_taken_whole_only_by_highest_second_and_sum(
        tmp_path: Path, expr: str, what: str) -> None:
    """限额[病种] holds a value per disease: 最高/次高/合计 make one value of it; any other use
    is an error at its place (the calculator would otherwise compare or scale a list)."""
    result = check_source(tmp_path, PER_MEMBER.replace("EXPR", expr), PER_MEMBER_NOTICE)
    [diag] = result.diagnostics
    assert (diag.code, diag.message) == (
        "E202", f"限额[病种] is one value per member of a list, and {what} takes one value")
    assert diag.hint == "take 最高(…), 次高(…) or 合计(…) of it first"
    for whole in ("最高", "次高", "合计"):
        fixed = PER_MEMBER.replace("EXPR", expr.replace("限额[病种]", f"{whole}(限额[病种])"))
        assert codes(check_source(tmp_path, fixed, PER_MEMBER_NOTICE)) == []
