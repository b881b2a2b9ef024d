"""Days of the year printed without a year: 每年9月1日至12月31日, 9月15日前, 2月底.

A policy writes them as printed (`9月15日`, `2月底`); provenance matches them to the notice's
yearless days only; 月日(日期) reads a date's day of the year and 当年(9月15日, 日期) places one
in a date's year, in the checker's evaluator and in the generated calculator alike.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from types import ModuleType

import pytest

from policydsl import api

from .conftest import check_source, codes, import_file

NOTICE = "一、集中缴费期为每年9月1日至12月31日，财政补助资金原则上应于9月15日前拨付到位，2月底前完成清算。\n"
QUOTE = "集中缴费期为每年9月1日至12月31日，财政补助资金原则上应于9月15日前拨付到位，2月底前完成清算"

POLICY = f'''
条款 一 "缴费期" {{
  引文 "{QUOTE}"
  参数 集中缴费开始 = 9月1日
  参数 集中缴费截止 = 12月31日
  参数 拨付期限 = 原则上 9月15日
  参数 清算期限 = 2月底
  输入 缴费日期: 日期
  规则 在集中缴费期 = 月日(缴费日期) 不早于 集中缴费开始 且 月日(缴费日期) 不晚于 集中缴费截止
  规则 当年拨付期限 = 当年(拨付期限, 缴费日期)
  规则 当年清算期限 = 当年(清算期限, 缴费日期)
  核对 拨付期限 早于 集中缴费截止
}}

计算 缴费期 "缴费期" {{
  输出 在集中缴费期
  输出 当年拨付期限
  输出 当年清算期限
}}
'''


def test_days_as_printed_match_the_notice(tmp_path: Path) -> None:
    result = check_source(tmp_path, POLICY, NOTICE)
    assert codes(result) == []
    [policy] = result.policies
    values = {p.name: p.value for p in policy.params}
    assert values["拨付期限"] == datetime.date(2000, 9, 15)
    assert values["清算期限"] == datetime.date(2000, 2, 29)  # 2月底, in the leap year 2000
    assert [c.holds for c in policy.checks] == [True]


def test_another_day_is_not_what_the_notice_prints(tmp_path: Path) -> None:
    result = check_source(tmp_path, POLICY.replace("原则上 9月15日", "原则上 9月16日"), NOTICE)
    assert codes(result) == ["E302"]
    assert result.diagnostics[0].message == "9月16日 is not in the quotes of clause 一"


@pytest.mark.parametrize("written", ["2023-09-15", "2023年9月15日"])
def test_a_dated_day_is_not_the_day_the_notice_prints_without_a_year(tmp_path: Path,
                                                                     written: str) -> None:
    """The notice prints 9月15日 without a year: a date with a year is not that, and the hint
    says how to write it.  (The rules that read 拨付期限 as a day of the year then disagree
    with its type too.)"""
    result = check_source(tmp_path, POLICY.replace("原则上 9月15日", f"原则上 {written}"), NOTICE)
    first = result.diagnostics[0]
    assert (first.code, first.message) == ("E302", f"{written} is not in the quotes of clause 一")
    assert first.hint == ("the notice prints 9月15日 without a year: write 9月15日 (a day of every "
                          "year), and 当年(9月15日, 日期) where a date's year is meant")


def test_a_day_that_does_not_exist_is_a_syntax_error(tmp_path: Path) -> None:
    result = check_source(tmp_path, POLICY.replace("参数 集中缴费开始 = 9月1日", "参数 集中缴费开始 = 2月30日"),
                          NOTICE)
    assert codes(result) == ["E002"]
    assert result.diagnostics[0].message == "2月30日 is not a date"


def test_a_day_of_the_year_is_not_a_date(tmp_path: Path) -> None:
    result = check_source(tmp_path, POLICY.replace("月日(缴费日期) 不早于 集中缴费开始", "缴费日期 不早于 集中缴费开始"),
                          NOTICE)
    assert codes(result) == ["E201"]
    assert "日期" in result.diagnostics[0].message and "月日" in result.diagnostics[0].message


def generated(tmp_path: Path) -> ModuleType:
    check_source(tmp_path, POLICY, NOTICE)
    result = api.check([tmp_path / "t.policy"])
    path = tmp_path / "t_days.py"
    path.write_text(api.generated_files(result)["python/t.py"], encoding="utf-8")
    return import_file(path, "t_days")


@pytest.mark.parametrize(("paid", "within", "deadline", "settled"), [
    ("2025-10-08", True, datetime.date(2025, 9, 15), datetime.date(2025, 2, 28)),
    ("2025-08-31", False, datetime.date(2025, 9, 15), datetime.date(2025, 2, 28)),
    ("2025-09-01", True, datetime.date(2025, 9, 15), datetime.date(2025, 2, 28)),
    ("2024-12-31", True, datetime.date(2024, 9, 15), datetime.date(2024, 2, 29)),  # a leap year
])
def test_the_generated_calculator_places_the_days_in_the_year(
        tmp_path: Path, paid: str, within: bool, deadline: datetime.date,
        settled: datetime.date) -> None:
    result = generated(tmp_path).缴费期(缴费日期=paid, explain=True)
    assert (result.在集中缴费期, result.当年拨付期限, result.当年清算期限) == (within, deadline, settled)
    assert "集中缴费开始 = 9月1日" in result.explain()
