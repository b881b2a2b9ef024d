"""Provenance: quotes occur in the notice, numbers occur in their clause's quotes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from policydsl import ast
from policydsl.diagnostics import Span
from policydsl.numbers import scan, scan_text
from policydsl.provenance import matches, normalize
from policydsl.units import unit

from .conftest import check_source, codes

SPAN = Span("t", 1, 1, 1, 1)


def number(text: str, word: str | None) -> ast.Number:
    value = Decimal(text) * (unit(word).scale if word else 1)
    return ast.Number(value, word, text, False, SPAN)


def found_in(lit: ast.Number | ast.DateLit, quote: str) -> bool:
    return any(matches(lit, q) for q in scan(scan_text(quote)))


@pytest.mark.parametrize(("text", "unit_word", "quote", "found"), [
    ("5", "%", "不高于5%", True),
    ("5", "%", "不低于45%", False),        # 5% must not match inside 45%
    ("640", "元", "不低于640元", True),
    ("640", "元", "1640元", False),
    ("640", "元", "640.5元", False),
    ("13.5", "元", "市级补助13.5元", True),
    ("3.5", "元", "市级补助13.5元", False),
    ("5", "个百分点", "提高5个百分点", True),
    ("1.5", "倍", "标准的1.5倍", True),
    ("25", "年", "满25年的", True),
    ("2", None, "12", False),
    # numbers as notices print them: compared by value and unit
    ("20", "万元", "年度最高支付限额为20万元", True),
    ("200000", "元", "年度最高支付限额为20万元", True),
    ("21", "万元", "年度最高支付限额为20万元", False),
    ("35812", "元", "为35,812元", True),
    ("1500", "元", "起付线为1,500元", True),
    ("50", "%", "起付线降低五成", True),
    ("0.5", "%", "千分之五计提", True),
    ("2", "次", "第二次及以上住院", True),
    ("2", "次", "办理两次", True),
    ("70", "周岁", "70周岁以上", True),
    ("68", "元/人·年", "68元/人·年", True),
    ("68", "元", "68元/人·年", True),       # an amount for the year is an amount
    ("5", "元/月", "每人每月5元缴纳", True),
    ("5", "元", "每人每月5元缴纳", False),   # a monthly amount is not a yearly one
    ("30", "元/月", "每人每月最高支付30元", True),
    ("600", "元", "每人每年600元", True),
    ("3", "个月", "设置3个月待遇等待期", True),
    ("90", "天", "自出生之日起90日内", True),
])
def test_numbers_match_by_value_and_unit(text: str, unit_word: str | None, quote: str, found: bool) -> None:
    assert found_in(number(text, unit_word), quote) is found


@pytest.mark.parametrize(("date", "text", "found"), [
    (datetime.date(2016, 1, 1), "2016 年 1月 1日后参加", True),
    (datetime.date(2016, 1, 1), "2016年01月01日", True),
    (datetime.date(2016, 1, 1), "2016-01-01", True),
    (datetime.date(2016, 1, 11), "2016年1月1日", False),
    (datetime.date(2024, 8, 26), "二〇二四年八月二十六日", True),
    (datetime.date(2024, 12, 31), "集中缴费期为2024年9月1日至12月31日", True),
])
def test_dates_match_the_notices_form(date: datetime.date, text: str, found: bool) -> None:
    assert found_in(ast.DateLit(date, date.isoformat(), SPAN), text) is found


def test_normalize_ignores_whitespace_and_width() -> None:
    assert normalize("（一）达到\n 不低于　640 元，") == normalize("(一)达到不低于640元,")


NOTICE = "一、2023年筹资标准达到不低于1020元，\n其中财政补助标准新增30元，达到每人每年不低于640元。\n中央负担80%，特困人员全额资助。"


def test_quote_across_line_breaks_and_widths(tmp_path: Path) -> None:
    result = check_source(tmp_path, """
条款 一 "筹资" {
  引文 "其中财政补助标准新增30元, 达到每人每年不低于640元"
  参数 财政补助 = 不低于 640 元
  参数 新增 = 30 元
}""", NOTICE)
    assert result.ok, result.diagnostics


def test_number_not_in_quote_fails_with_the_clauses_line_and_column(tmp_path: Path) -> None:
    result = check_source(tmp_path, """
条款 一 "筹资" {
  引文 "财政补助标准新增30元"
  参数 财政补助 = 不低于 640 元
}""", NOTICE)
    assert codes(result) == ["E302"]
    span = result.diagnostics[0].span
    assert (span.path, span.line, span.column) == ("t.policy", 7, 17)


def test_quote_not_in_notice_fails_with_its_position(tmp_path: Path) -> None:
    result = check_source(tmp_path, '\n条款 一 "筹资" {\n  引文 "财政补助标准新增40元"\n}', NOTICE)
    assert codes(result) == ["E301"]
    assert (result.diagnostics[0].span.line, result.diagnostics[0].span.column) == (6, 3)
    assert "新增" in (result.diagnostics[0].hint or "")


def test_words_the_notice_says(tmp_path: Path) -> None:
    ok = check_source(tmp_path, '条款 一 "a" { 引文 "特困人员全额资助" 参数 资助 = 全额 }', NOTICE)
    assert ok.ok
    bad = check_source(tmp_path, '条款 一 "a" { 引文 "中央负担80%" 参数 资助 = 全额 }', NOTICE)
    assert codes(bad) == ["E305"]


def test_local_choice_needs_no_source_and_zero_is_structure(tmp_path: Path) -> None:
    result = check_source(tmp_path, """
参数 本地标准 = 123 元 自定 "盟市自行确定的测试值"
输入 费用: 元
规则 差额 = 较大(费用 - 本地标准, 0 元)
规则 保留 = 四舍五入(费用 ÷ 本地标准, 4)
""", NOTICE)
    assert result.ok, result.diagnostics


def test_header_date_must_occur_in_the_notice(tmp_path: Path) -> None:
    header = '政策 t\n标题 "t"\n通知 "notice.txt"\n发文日期 2023-08-11\n'
    result = check_source(tmp_path, "", "2023年8月10日", header=header)
    assert codes(result) == ["E302"]


AREAS = '枚举 地区类别 { 一类 二类 三类 }\n'
SPLIT = "其余20%按照一类地区自治区财政分担30%、二类地区分担50%、三类地区分担70%进行分档补助。"


def split_table(rows: str) -> str:
    return AREAS + f'条款 一 "分担" {{\n  引文 "{SPLIT}"\n  表 自治区分担比例 按 地区类别 {{ {rows} }}\n}}\n'


def test_a_table_as_the_notice_prints_it(tmp_path: Path) -> None:
    result = check_source(tmp_path, split_table("一类: 30%  二类: 50%  三类: 70%"), SPLIT)
    assert result.ok, result.diagnostics


def test_two_rows_swapped_are_two_errors_quoting_what_the_notice_says(tmp_path: Path) -> None:
    result = check_source(tmp_path, split_table("一类: 50%  二类: 30%  三类: 70%"), SPLIT)
    assert codes(result) == ["E306", "E306"]
    first = result.diagnostics[0]
    assert first.message == "50% is not what the notice says for 一类 (table 自治区分担比例)"
    assert first.hint == "for 一类 the notice says “一类地区自治区财政分担30%”"


def test_a_row_given_another_rows_value_is_an_error(tmp_path: Path) -> None:
    result = check_source(tmp_path, split_table("一类: 30%  二类: 70%  三类: 70%"), SPLIT)
    assert codes(result) == ["E306"]
    assert "for 二类" in result.diagnostics[0].message


def test_a_row_left_to_other_is_an_error(tmp_path: Path) -> None:
    result = check_source(tmp_path, split_table("一类: 30%  二类: 50%  其他: 70%"), SPLIT)
    assert codes(result) == ["E307"]
    assert "names 三类 but table 自治区分担比例 leaves it to 其他" in result.diagnostics[0].message


def test_a_row_the_quote_does_not_name(tmp_path: Path) -> None:
    notice = "一类地区分担30%、二类地区分担50%。"
    body = AREAS + ('条款 一 "a" {\n  引文 "' + notice + '"\n'
                    '  表 比例 按 地区类别 { 一类: 30%  二类: 50%  三类: 50% }\n}\n')
    result = check_source(tmp_path, body, notice)
    assert codes(result) == ["E307"]
    local = body.replace("三类: 50%", '三类: 50% 自定 "本地测算"')
    assert check_source(tmp_path, local, notice).ok


def test_members_named_together_share_their_value(tmp_path: Path) -> None:
    notice = "对特困人员、低保对象取消起付标准；低保边缘家庭成员起付标准为3,600元。"
    body = ('枚举 身份 { 特困人员 低保对象 低保边缘家庭成员 }\n'
            f'条款 十 "起付标准" {{\n  引文 "{notice}"\n'
            '  表 救助起付线 按 身份 { 特困人员: 取消起付标准  低保对象: 取消起付标准  低保边缘家庭成员: 3600 元 }\n}\n')
    assert check_source(tmp_path, body, notice).ok
    swapped = body.replace("低保对象: 取消起付标准", "低保对象: 3600 元")
    assert codes(check_source(tmp_path, swapped, notice)) == ["E306"]


def test_an_alias_is_how_the_notice_names_a_member(tmp_path: Path) -> None:
    notice = "一般县中央财政负担60%；享受西部政策的县中央财政负担80%。"
    body = ('枚举 县类别 { 一般县  西部政策县 又称 "享受西部政策的县" }\n'
            f'条款 一 "a" {{\n  引文 "{notice}"\n  表 中央负担比例 按 县类别 {{ 一般县: 60%  西部政策县: 80% }}\n}}\n')
    assert check_source(tmp_path, body, notice).ok
    assert codes(check_source(tmp_path, body.replace("一般县: 60%  西部政策县: 80%",
                                                     "一般县: 80%  西部政策县: 60%"), notice)) == ["E306", "E306"]


GRID_NOTICE = "| 医疗机构等级 | 起付线 | 在职职工 | 退休人员 |\n| 一级医疗机构 | 300元 | 90% | 95% |\n"


def grid(first: str, second: str) -> str:
    return ('枚举 等级 { 一级 又称 "一级医疗机构" }\n枚举 人员 { 在职职工 退休人员 }\n'
            '条款 五 "住院" {\n  引文 "| 医疗机构等级 | 起付线 | 在职职工 | 退休人员 |"\n'
            '  引文 "| 一级医疗机构 | 300元 | 90% | 95% |"\n'
            f'  表 支付比例 按 等级, 人员 {{\n    | 等级 | 在职职工 | 退休人员 |\n    | 一级 | {first} | {second} |\n  }}\n}}\n')


def test_a_quoted_table_row_checks_each_cell_by_its_column(tmp_path: Path) -> None:
    assert check_source(tmp_path, grid("90%", "95%"), GRID_NOTICE).ok
    swapped = check_source(tmp_path, grid("95%", "90%"), GRID_NOTICE)
    assert codes(swapped) == ["E306", "E306"]
    assert "for 一级 × 在职职工" in swapped.diagnostics[0].message


def test_an_anchor_ties_a_parameter_to_its_part_of_the_sentence(tmp_path: Path) -> None:
    notice = "年满18周岁的参保居民，个人缴费标准由每人每年400元调整为420元；未满18周岁的，由350元调整为360元。"
    ok = ('条款 二 "缴费" {\n  引文 "' + notice + '"\n'
          '  参数 成人缴费 = 由 400 元 调整为 420 元 出自 "年满18周岁"\n}\n')
    assert check_source(tmp_path, ok, notice).ok
    wrong = ok.replace("由 400 元 调整为 420 元", "360 元")
    assert codes(check_source(tmp_path, wrong, notice)) == ["E306"]


def test_a_monthly_amount_written_as_yearly_says_so(tmp_path: Path) -> None:
    notice = "高血压患者每人每月最高支付30元。"
    body = '条款 五 "两病" {\n  引文 "' + notice + '"\n  参数 高血压月限额 = 30 元\n}\n'
    result = check_source(tmp_path, body, notice)
    assert codes(result) == ["E302"]
    assert result.diagnostics[0].hint == "the notice prints 30元 per month (每月): write 30 元/月"


def test_not_set_is_checked_like_a_number(tmp_path: Path) -> None:
    notice = "一级医院起付线为200元。特困人员不设起付线。"
    wrong = '条款 七 "a" {\n  引文 "一级医院起付线为200元。"\n  参数 起付线 = 不设起付线\n}\n'
    assert codes(check_source(tmp_path, wrong, notice)) == ["E305"]
    right = '条款 七 "a" {\n  引文 "特困人员不设起付线。"\n  参数 起付线 = 不设起付线\n}\n'
    assert check_source(tmp_path, right, notice).ok


def test_a_quoted_table_mixing_a_concept_and_members_columns(tmp_path: Path) -> None:
    body = ('枚举 等级 { 一级 又称 "一级医疗机构" }\n枚举 人员 { 在职职工 退休人员 }\n'
            '条款 五 "住院" {\n  引文 "| 医疗机构等级 | 起付线 | 在职职工 | 退休人员 |"\n'
            '  引文 "| 一级医疗机构 | 300元 | 90% | 95% |"\n'
            '  表 按 等级, 人员 {\n    | 等级 | 起付线 | 支付比例[在职职工] | 支付比例[退休人员] |\n'
            '    | 一级 | 300 元 | 90% | 95% |\n  }\n}\n')
    assert check_source(tmp_path, body, GRID_NOTICE).ok
    swapped = check_source(tmp_path, body.replace("| 300 元 | 90% | 95% |", "| 300 元 | 95% | 90% |"),
                           GRID_NOTICE)
    assert codes(swapped) == ["E306", "E306"]
