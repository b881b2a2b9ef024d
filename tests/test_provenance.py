"""Provenance: quotes occur in the notice, numbers occur in their clause's quotes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from policydsl import ast
from policydsl.diagnostics import Span
from policydsl.provenance import normalize, number_pattern

from .conftest import check_source, codes

SPAN = Span("t", 1, 1, 1, 1)


def number(text: str, unit: str | None) -> ast.Number:
    return ast.Number(Decimal(text), unit, text, SPAN)


@pytest.mark.parametrize(("text", "unit", "quote", "found"), [
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
])
def test_numbers_match_on_digit_boundaries(text: str, unit: str | None, quote: str, found: bool) -> None:
    assert bool(number_pattern(number(text, unit)).search(normalize(quote))) is found


@pytest.mark.parametrize(("date", "text", "found"), [
    (datetime.date(2016, 1, 1), "2016 年 1月 1日后参加", True),
    (datetime.date(2016, 1, 1), "2016年01月01日", True),
    (datetime.date(2016, 1, 1), "2016-01-01", True),
    (datetime.date(2016, 1, 11), "2016年1月1日", False),
])
def test_dates_match_the_notices_form(date: datetime.date, text: str, found: bool) -> None:
    lit = ast.DateLit(date, date.isoformat(), SPAN)
    assert bool(number_pattern(lit).search(normalize(text))) is found


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
