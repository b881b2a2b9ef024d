"""`policydsl coverage`: the statements of each notice that print a normative number, and
whether the policies encode them, waive them (不计算) or miss them."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policydsl import api, coverage, provenance
from policydsl.cli import main
from policydsl.loader import display_path

from .conftest import POLICIES

XINZHOU = Path("shanxi") / "xinzhou_2023_resident.policy"
XINZHOU_NOTICE = "xinzhou-2023-resident-medical-insurance.txt"
# 忻州 clause 三 encodes the 补办 period: “在退出其他制度保障3个月内 … 可按规定补办居民医保参保手续”.
CLAUSE_THREE = re.compile(r'条款 三 "扎实推进参保扩面" \{.*?\n\}\n', re.S)
REMEDY = "在退出其他制度保障3个月内"


@pytest.fixture(scope="module")
def shipped() -> tuple[api.CheckResult, list[coverage.NoticeCoverage]]:
    result = api.check([POLICIES])
    assert result.ok
    return result, coverage.of_policies(result.policies)


def of(coverages: list[coverage.NoticeCoverage], name: str) -> coverage.NoticeCoverage:
    return next(c for c in coverages if c.notice.endswith(name))


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, ["coverage", *args])
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture
def copy(tmp_path: Path) -> Iterator[Path]:
    """A copy of policies/, checked from inside the temporary folder."""
    shutil.copytree(POLICIES, tmp_path / "policies")
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path / "policies"
    finally:
        os.chdir(previous)


def edit(path: Path, pattern: re.Pattern[str], new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert pattern.search(text), f"{pattern.pattern} not in {path}"
    path.write_text(pattern.sub(new, text, count=1), encoding="utf-8")


# ---------------------------------------------------------------- the shipped policies
def test_every_notice_cited_by_a_shipped_policy_is_covered(shipped) -> None:
    result, coverages = shipped
    cited = {(Path(p.path).parent / p.notice).resolve() for p in result.policies if p.notice}
    assert {Path(c.notice).resolve() for c in coverages} == cited
    for notice in coverages:
        assert notice.statements, notice.notice
        statuses = [s.status for s in notice.statements]
        assert notice.encoded + len(notice.waived) + len(notice.missing) == len(statuses)
        assert notice.covered == notice.encoded + len(notice.waived)


def test_statuses_follow_from_the_numbers(shipped) -> None:
    """Encoded: every number used; missing: some number unused and no 不计算 clause quoting it."""
    _, coverages = shipped
    for notice in coverages:
        for item in notice.statements:
            assert item.statement.numbers, item.statement.text
            if item.status == "encoded":
                assert not item.unused and not item.reasons
            else:
                assert item.unused
            assert (item.status == "waived") == bool(item.reasons)


def test_each_quoted_number_a_clause_writes_is_used_by_that_clause(shipped) -> None:
    """Cross-check against the policies: a number of the notice that lies inside a clause's
    quote, and that a literal of the clause matches, is attributed to that clause."""
    result, coverages = shipped
    checked = 0
    for policy in result.policies:
        if policy.notice is None:
            continue
        tree, _ = api.parse_file(Path(policy.path))
        assert tree is not None
        notice_path = display_path((Path(policy.path).parent / policy.notice).resolve())
        notice = of(coverages, notice_path)
        text = Path(notice_path).read_text(encoding="utf-8")
        compared = coverage.NoticeText.of(text).compared
        for clause in (i for i in tree.items if isinstance(i, api.ast.Clause)):
            label = f"{policy.id} {clause.number}"
            lits = list(provenance.literals(clause.decls))
            for quote in clause.quotes:
                wanted = provenance.normalize(quote.text)
                at = compared.find(wanted)
                assert at >= 0, quote.text
                for item in notice.statements:
                    for q, (printed, who) in zip(item.statement.numbers, item.used_by, strict=True):
                        inside = at <= q.start and q.end <= at + len(wanted)
                        if inside and any(provenance.matches(lit, q) for lit in lits
                                          if not isinstance(lit, api.ast.Word)):
                            assert label in who, (printed, item.statement.text)
                            checked += 1
    assert checked > 0


def test_xinzhou_640_is_encoded_by_clause_one(shipped) -> None:
    _, coverages = shipped
    notice = of(coverages, XINZHOU_NOTICE)
    item = next(s for s in notice.statements if "达到640元" in s.statement.text)
    assert item.status == "encoded"
    assert any(printed == "640元" and "xinzhou_2023_resident 一" in who for printed, who in item.used_by)
    lines = Path(notice.notice).read_text(encoding="utf-8").split("\n")
    assert "达到640元" in lines[item.statement.line - 1]


def test_structural_lines_of_the_shipped_notices_are_not_statements(shipped) -> None:
    """The 文号 line, the issue-date line and the heading block give no statement."""
    result, coverages = shipped
    for policy in result.policies:
        if policy.notice is None:
            continue
        notice = of(coverages, display_path((Path(policy.path).parent / policy.notice).resolve()))
        text = Path(notice.notice).read_text(encoding="utf-8")
        lines = text.split("\n")
        index = coverage.NoticeText.of(text)
        starts = {s.statement.line for s in notice.statements}
        numbered_lines = {index.lines[q.start] for s in notice.statements for q in s.statement.numbers}
        for number, line in enumerate(lines, start=1):
            form = provenance.normalize(line)
            if policy.doc_no and provenance.normalize(policy.doc_no) in form:
                assert number not in numbered_lines, line
            if policy.date and form in (f"{policy.date.year}年{policy.date.month}月{policy.date.day}日",):
                assert number not in starts and number not in numbered_lines, line
        assert min(starts) > _salutation_line(lines), notice.notice


def _salutation_line(lines: list[str]) -> int:
    """The line of the salutation (各…：) — 0 for a notice that has none."""
    for number, line in enumerate(lines, start=1):
        if "。" in line:
            return 0
        if line.strip().endswith(("：", ":")):
            return number
    return 0


# ---------------------------------------------------------------- missing and waived
def test_deleting_a_clause_makes_its_sentence_missing(copy: Path) -> None:
    before = of(coverage.of_policies(api.check([copy]).policies), XINZHOU_NOTICE)
    remedy = next(s for s in before.statements if REMEDY in s.statement.text)
    assert remedy.status == "encoded"
    assert [(printed, "xinzhou_2023_resident 三" in who) for printed, who in remedy.used_by] == [
        ("3个月", True)]

    edit(copy / XINZHOU, CLAUSE_THREE, "")
    code, out, _ = run(str(copy))
    assert code == 0
    notice_file = display_path(copy / "shanxi" / "notices" / XINZHOU_NOTICE)
    line = remedy.statement.line
    assert Path(notice_file).read_text(encoding="utf-8").split("\n")[line - 1].find(REMEDY) >= 0
    assert f"{notice_file}:{line}: {remedy.statement.text}\n" in out
    after = of(coverage.of_policies(api.check([copy]).policies), XINZHOU_NOTICE)
    assert [s.statement for s in after.missing] == sorted(
        {s.statement for s in (*before.missing, remedy)}, key=lambda s: s.start)
    assert after.encoded == before.encoded - 1
    assert f"{notice_file}: {after.summary()}\n" in out


def test_a_waiver_makes_it_waived_with_its_reason(copy: Path) -> None:
    reason = "补办期限是经办规则，不进入计算"
    quote = "在退出其他制度保障3个月内，在居民医保集中参保缴费期结束后可按规定补办居民医保参保手续"
    edit(copy / XINZHOU, CLAUSE_THREE,
         f'条款 三 "扎实推进参保扩面" {{\n  引文 "{quote}"\n  不计算 "{reason}"\n}}\n')
    code, out, err = run(str(copy), "--json")
    assert code == 0, err
    notice = next(n for n in json.loads(out)["notices"] if n["notice"].endswith(XINZHOU_NOTICE))
    waived = [w for w in notice["waivers"] if REMEDY in w["text"]]
    assert [w["reasons"] for w in waived] == [[reason]]
    assert not any(REMEDY in m["text"] for m in notice["missing"])


# ---------------------------------------------------------------- output and exit codes
def test_json_shape(shipped) -> None:
    code, out, _ = run(str(POLICIES), "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["notices"]
    _, coverages = shipped
    assert [n["notice"] for n in data["notices"]] == [c.notice for c in coverages]
    for entry, notice in zip(data["notices"], coverages, strict=True):
        assert list(entry)[:5] == ["notice", "statements", "encoded", "waived", "missing"]
        assert (entry["statements"], entry["encoded"], entry["waived"]) == (
            len(notice.statements), notice.encoded, len(notice.waived))
        assert entry["missing"] == [{"line": s.statement.line, "text": s.statement.text}
                                    for s in notice.missing]
        for item in entry["missing"]:
            assert list(item) == ["line", "text"]
            assert isinstance(item["line"], int) and isinstance(item["text"], str)


def test_output_is_deterministic() -> None:
    assert run(str(POLICIES)) == run(str(POLICIES))
    assert run(str(POLICIES), "--json") == run(str(POLICIES), "--json")


SMALL_NOTICE = """关于做好2025年测试工作的通知

测〔2025〕3号

各单位：

一、筹资标准
2025年，人均财政补助标准增加30元，达到640元。个人缴费每人每年380元。
二、其他
门诊限额为每人每年300元。

测试局
2025年3月1日
"""
SMALL_POLICY = """政策 small
标题 "关于做好2025年测试工作的通知"
文号 "测〔2025〕3号"
年度 2025
发文日期 2025-03-01
通知 "notice.txt"
条款 一 "筹资标准" {
  引文 "2025年，人均财政补助标准增加30元，达到640元。个人缴费每人每年380元。"
  参数 增加 = 30 元
  参数 财政补助 = 640 元
  参数 个人缴费 = 380 元
}
"""
CLAUSE_TWO = """条款 二 "其他" {
  引文 "门诊限额为每人每年300元。"
  参数 门诊限额 = 300 元
}
"""


def small(tmp_path: Path, policy: str) -> Path:
    (tmp_path / "notice.txt").write_text(SMALL_NOTICE, encoding="utf-8")
    (tmp_path / "small.policy").write_text(policy, encoding="utf-8")
    return tmp_path / "small.policy"


def test_text_output_of_a_small_notice(tmp_path: Path) -> None:
    code, out, _ = run(str(small(tmp_path, SMALL_POLICY)))
    notice = display_path(tmp_path / "notice.txt")
    assert code == 0
    assert out == (f"{notice}:10: 门诊限额为每人每年300元。\n\n"
                   f"{notice}: 4 statements, 3 encoded, 0 waived, 1 missing (75.0 %)\n")


def test_fail_under(tmp_path: Path) -> None:
    path = str(small(tmp_path, SMALL_POLICY))
    assert run(path, "--fail-under", "75")[0] == 0
    code, _, err = run(path, "--fail-under", "75.1")
    assert code == 1
    assert f"{display_path(tmp_path / 'notice.txt')}: coverage 75.0 % is below 75.1 %" in err
    assert run(path, "--fail-under", "100")[0] == 1
    complete = str(small(tmp_path, SMALL_POLICY + CLAUSE_TWO))
    code, out, _ = run(complete, "--fail-under", "100")
    assert code == 0
    assert out.endswith(": 4 statements, 4 encoded, 0 waived, 0 missing (100.0 %)\n")
    assert run(complete, "--fail-under", "101")[0] == 2  # a usage error


def test_policies_with_errors_exit_1(tmp_path: Path) -> None:
    code, _, err = run(str(small(tmp_path, SMALL_POLICY.replace("= 640 元", "= 650 元"))))
    assert code == 1
    assert "E302" in err


def test_percent_is_rounded_down() -> None:
    item = coverage.StatementCoverage(_statement("x"), "encoded", ())
    lost = coverage.StatementCoverage(_statement("y"), "missing", (("1元", ()),))
    notice = coverage.NoticeCoverage("n.txt", (), (item,) * 2999 + (lost,))
    assert notice.percent == "99.9"  # 99.966… is not shown as 100.0
    assert notice.below(coverage.Decimal(100))
    assert not notice.below(coverage.Decimal("99.96"))


def _statement(text: str) -> coverage.Statement:
    return coverage.Statement(1, text, 0, 1, ())


# ---------------------------------------------------------------- what a statement is
def numbers_of(text: str) -> list[list[str]]:
    return [[q.text for q in s.numbers] for s in coverage.statements(text)]


def texts_of(text: str) -> list[str]:
    return [s.text for s in coverage.statements(text)]


def test_structural_numbers_are_not_statements() -> None:
    notice = """【构造练习通知，非真实文件】本文件是虚构练习通知，文号和数据均为虚构。

示例市医疗保障局文件
示例医保发〔2023〕10号
关于做好2023年工作的通知

各县（市、区）医疗保障局：

根据《关于做好2023年城乡居民基本医疗保障工作的通知》（晋医保发〔2023〕13号）要求，通知如下：
### 一、筹资
（三）按本办法第十二条和第5条执行。
1. 起付线为每次住院500元。
(2) 联系电话：0350-1234567。
- 3 -
附件：1. 2023年标准表
示例市医疗保障局
2023年8月30日
示例市医疗保障局办公室 2023年8月31日印发
"""
    assert texts_of(notice) == ["1.起付线为每次住院500元。"]
    assert numbers_of(notice) == [["500元"]]


def test_normative_numbers_are_read_the_notices_way() -> None:
    notice = """最高支付限额20万元，起付线1,500元，每人每月5元，年满70周岁的，第二次住院起付线降低五成，按千分之五计提。
自二〇二四年八月二十六日起执行；2024年9月1日至12月31日为过渡期。
"""
    assert numbers_of(notice) == [
        ["20万元"], ["1,500元"], ["5元"], ["70周岁"], ["第二次", "五成"], ["千分之五"],
        ["二〇二四年八月二十六日"], ["2024年9月1日", "12月31日"],
    ]


def test_a_sentence_splits_into_clauses_that_print_their_own_numbers() -> None:
    # the time phrase 2023年， goes with the clause after it; 达到640元 is a statement of its own
    assert texts_of("2023年，人均财政补助标准增加30元，达到640元。") == [
        "2023年，人均财政补助标准增加30元", "达到640元。"]
    # clauses without numbers go with the next numbered one, trailing ones with the last
    assert texts_of("符合条件的人员，在退出后3个月内，可按规定补办，自次日起享受待遇。") == [
        "符合条件的人员，在退出后3个月内，可按规定补办，自次日起享受待遇。"]
    # no number, no statement; a table row is a statement of its own
    assert texts_of("加强基金监管，做好宣传。\n| 等级 | 起付线 |\n| 二级 | 500元 |\n") == ["|二级|500元|"]
    # a sentence runs across the notice's line breaks; its line is where it starts
    [statement] = coverage.statements("各单位：\n为减轻负担，起付线\n\n为500元。")
    assert (statement.line, statement.text) == (2, "为减轻负担，起付线为500元。")


def test_words_that_are_not_numbers() -> None:
    # 一次性 (lump-sum), 同一年度 (the same year) and a plan's 三年 are words; 一次 is a count
    assert numbers_of("按年度一次性划扣，同一年度内只计算一次，完成三年行动计划。") == [["一次"]]
    assert numbers_of("原则上于9月15日前拨付，每年9月1日至12月31日集中征缴。") == [
        ["9月15日"], ["9月1日", "12月31日"]]
    # a day of the year is a time phrase too: it goes with the clause after it
    assert texts_of("全面推开应用，9月底前，覆盖5家医院。") == ["全面推开应用，9月底前，覆盖5家医院。"]


# ---------------------------------------------------------------- what counts as encoded
WORDS_NOTICE = """特困人员全额救助（按100%给予救助）。大病保险起付线降低五成。2026年起执行。本通知自2025年1月1日起执行，有效期3年。
2016年1月1日后参保的，按新规定。2016年之前已参保的，按原规定执行。
"""
WORDS_POLICY = """政策 words
标题 "词"
年度 2026
执行日期 2025-01-01
有效期 3 年
通知 "notice.txt"
条款 一 "救助" {
  引文 "特困人员全额救助（按100%给予救助）。大病保险起付线降低五成。"
  输入 起付线: 元
  规则 救助比例 = 全额
  规则 倾斜起付线 = 起付线 降低 五成
}
条款 二 "新老划断" {
  引文 "2016年1月1日后参保的，按新规定。2016年之前已参保的，按原规定执行。"
  参数 新规起始日期 = 2016-01-01
}
"""


def test_words_functions_and_the_header_encode_numbers(tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text(WORDS_NOTICE, encoding="utf-8")
    (tmp_path / "words.policy").write_text(WORDS_POLICY, encoding="utf-8")
    result = api.check([tmp_path / "words.policy"])
    assert result.ok, result.diagnostics
    [notice] = coverage.of_policies(result.policies)
    assert [(s.statement.text, s.status, s.used_by) for s in notice.statements] == [
        ("特困人员全额救助（按100%给予救助）。", "encoded", (("100%", ("words 一",)),)),
        ("大病保险起付线降低五成。", "encoded", (("五成", ("words 一",)),)),
        ("2026年起执行。", "encoded", (("2026年", ("words (header)",)),)),
        ("本通知自2025年1月1日起执行", "encoded", (("2025年1月1日", ("words (header)",)),)),
        ("有效期3年。", "encoded", (("3年", ("words (header)",)),)),
        ("2016年1月1日后参保的，按新规定。", "encoded", (("2016年1月1日", ("words 二",)),)),
        # the first day of a calendar year stands for the year: 2016年之前 is before 2016-01-01
        ("2016年之前已参保的，按原规定执行。", "encoded", (("2016年", ("words 二",)),)),
    ]


def test_a_number_outside_the_quote_is_not_encoded_by_the_clause(tmp_path: Path) -> None:
    """The clause quotes the first half of the sentence; the same 20% in the second half,
    which no clause quotes, is not encoded by it."""
    (tmp_path / "notice.txt").write_text("省级负担20%、市级负担20%。\n", encoding="utf-8")
    (tmp_path / "t.policy").write_text(
        '政策 t\n标题 "t"\n通知 "notice.txt"\n条款 一 "分担" {\n  引文 "省级负担20%"\n'
        '  参数 省级 = 20%\n}\n', encoding="utf-8")
    result = api.check([tmp_path / "t.policy"])
    assert result.ok
    [notice] = coverage.of_policies(result.policies)
    [item] = notice.statements
    assert item.status == "missing"
    assert item.used_by == (("20%", ("t 一",)), ("20%", ()))


def test_policies_sharing_a_notice_are_counted_together(tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text("补助640元。缴费380元。\n", encoding="utf-8")
    for name, quote, value in (("a", "补助640元。", "640 元"), ("b", "缴费380元。", "380 元")):
        (tmp_path / f"{name}.policy").write_text(
            f'政策 {name}\n标题 "{name}"\n通知 "notice.txt"\n条款 一 "x" {{\n  引文 "{quote}"\n'
            f'  参数 v = {value}\n}}\n', encoding="utf-8")
    result = api.check([tmp_path])
    assert result.ok
    [notice] = coverage.of_policies(result.policies)
    assert notice.policies == ("a", "b")
    assert (len(notice.statements), notice.encoded) == (2, 2)


def test_a_quote_not_in_the_notice_is_an_error_not_a_silent_miss(tmp_path: Path) -> None:
    policy = small(tmp_path, SMALL_POLICY)
    tree, _ = api.parse_file(policy)
    assert tree is not None
    with pytest.raises(coverage.CoverageError, match="the quote of clause 一 is not in the notice"):
        coverage.of_notice("other.txt", "另一份通知：补助640元。", [("small", tree)])


def test_no_notice_cited(tmp_path: Path) -> None:
    (tmp_path / "e.policy").write_text('政策 e\n标题 "e"\n枚举 类别 { 甲 乙 }\n', encoding="utf-8")
    assert run(str(tmp_path / "e.policy")) == (0, "", "no policy among these cites a notice (通知 \"….txt\")\n")
    assert json.loads(run(str(tmp_path / "e.policy"), "--json")[1]) == {"notices": []}


AGE_NOTICE = "一、年满18周岁的居民缴费400元，未满18周岁的居民缴费350元。\n"
AGE_POLICY = '''政策 age
标题 "age"
通知 "notice.txt"
枚举 缴费人群 { 成年居民 又称 "年满18周岁"  未成年居民 又称 "未满18周岁" }
条款 一 "缴费" {
  引文 "年满18周岁的居民缴费400元，未满18周岁的居民缴费350元"
  表 个人缴费 按 缴费人群 {
    成年居民: 400 元
    未成年居民: 350 元
  }
}
'''


@pytest.mark.parametrize(("rows", "encoded"), [
    ("成年居民: 400 元\n    未成年居民: 350 元", 2),  # each row's member names 18周岁 for it
    ("成年居民: 400 元\n    其他: 350 元", 1),  # 未满18周岁 is then not said by any row
])
def test_a_number_inside_a_members_name_is_said_by_using_the_member(
        tmp_path: Path, rows: str, encoded: int) -> None:
    (tmp_path / "notice.txt").write_text(AGE_NOTICE, encoding="utf-8")
    policy = AGE_POLICY.replace("成年居民: 400 元\n    未成年居民: 350 元", rows)
    (tmp_path / "age.policy").write_text(policy, encoding="utf-8")
    result = api.check([tmp_path / "age.policy"])
    [notice] = coverage.of_policies(result.policies)
    assert (len(notice.statements), notice.encoded) == (2, encoded)
