"""One bad policy per diagnostic code, each with its exact rendered message (snapshots).

The fixtures live in tests/fixtures/bad/, named CODE-what.policy, beside one notice.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policydsl import api
from policydsl.diagnostics import CODES, render_all

from .conftest import FIXTURES, check_source, codes, rendered

BAD = FIXTURES / "bad"


def check_in(folder: Path, *names: str) -> tuple[api.CheckResult, str]:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        result = api.check([Path(n) for n in names])
        return result, render_all(result.diagnostics, result.sources)
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.policy")))
def test_bad_policy(name: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    result, text = check_in(BAD, name)
    code = name.split("-")[0]
    assert code in codes(result), text
    assert text == snapshot


def test_within_floor_and_soft_floor(snapshot) -> None:  # type: ignore[no-untyped-def]
    result, text = check_in(FIXTURES / "within", "inner.policy")
    assert codes(result) == ["E402", "W401"]
    assert text == snapshot


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "junk.policy").write_bytes(b"\xff\xfe\x00\x01binary")
    result, text = check_in(tmp_path, "junk.policy")
    assert codes(result) == ["E001"]
    assert "not UTF-8 text" in text


def test_too_deeply_nested(tmp_path: Path) -> None:
    result = check_source(tmp_path, "规则 x = " + "(" * 10_000 + "1" + ")" * 10_000)
    assert codes(result) == ["E003"]
    assert "nested more than 200 deep" in rendered(result, tmp_path)


def test_every_code_has_a_fixture() -> None:
    covered = {p.name.split("-")[0] for p in BAD.glob("*.policy")}
    covered |= {"E001", "E003", "W401"}  # the tests above
    assert covered == set(CODES)


def test_all_errors_of_a_file_are_reported(tmp_path: Path) -> None:
    result = check_source(tmp_path, """
输入 费用: 元
规则 甲 = 费用 + 未知一
规则 乙 = 费用 + 未知二
规则 丙 = 费用 × 费用
""")
    assert codes(result) == ["E101", "E101", "E201"]


def test_caret_under_cjk_is_two_columns_wide(tmp_path: Path) -> None:
    result = check_source(tmp_path, "输入 费用: 元\n规则 甲 = 费用 + 未知\n")
    lines = rendered(result, tmp_path).splitlines()
    source, caret = lines[2], lines[3]
    assert source.endswith("规则 甲 = 费用 + 未知")
    # "规则 甲 = 费用 + " is 4+1+2+1+1+1+4+1+1+1 = 17 columns before 未知, which is 4 wide.
    assert caret.index("^") - caret.index("|") == source.index("规") - source.index("|") + 17
    assert caret.count("^") == 4


def test_several_syntax_errors_of_a_file_are_reported(tmp_path: Path) -> None:
    result = check_source(tmp_path, """条款 一 "a" {
  参数 甲 = 640 元 元
  参数 乙 = = 2 元
}
规则 丁 = (1 元
规则 戊 = 2 元
""")
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("E002", 5), ("E002", 6), ("E002", 9)]
