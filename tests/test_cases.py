"""Golden cases: every `<policy>.cases.yaml` below policies/ and examples/ runs green, and the
case-file format and `policydsl test` behave as docs/cases.md says.

The golden cases are discovered, one test per case (its id: file and name), so a new case
file or a new policy folder needs no edit here.  They run through the same runner as
`policydsl test` (policydsl.cases), on the calculators the policies generate in memory.
"""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from policydsl import api, cases
from policydsl.cli import main
from policydsl.diagnostics import render_all

from .conftest import ROOT

CASE_ROOTS = (ROOT / "policies", ROOT / "examples")


# ---------------------------------------------------------------- the golden cases, discovered
def discovered() -> list[object]:
    """One parameter per case written in a case file (one per unreadable file)."""
    params: list[object] = []
    for root in CASE_ROOTS:
        for file in sorted(root.rglob("*" + cases.SUFFIX)) if root.is_dir() else []:
            shown = file.relative_to(ROOT).as_posix()
            raws, errors = cases.read_case_file(file)
            if errors:
                params.append(pytest.param(file, None, id=f"{shown}: (file)"))
            params.extend(pytest.param(file, raw.name, id=f"{shown}: {raw.name}") for raw in raws)
    return params


@functools.cache
def checked(policy_file: Path) -> api.CheckResult:
    return api.check([policy_file])


@functools.cache
def case_file(file: Path) -> tuple[list[cases.Written], list[cases.CaseError]]:
    result = checked(cases.policy_file_of(file))
    assert result.ok, render_all(result.diagnostics, result.sources)
    policy = next(p for p in result.policies
                  if Path(p.path).resolve() == cases.policy_file_of(file).resolve())
    return cases.check_case_file(file, policy)


@pytest.fixture(scope="session")
def case_runner() -> cases.Runner:
    return cases.Runner()


@pytest.mark.parametrize(("file", "name"), discovered())
def test_golden_case(file: Path, name: str | None, case_runner: cases.Runner) -> None:
    assert cases.policy_file_of(file).is_file(), f"{file}: no policy beside it"
    written, file_errors = case_file(file)
    assert not file_errors, "\n".join(map(str, file_errors))
    item = next(w for w in written if w.raw.name == name)
    assert item.case is not None, "\n".join(map(str, item.errors))
    outcome = case_runner.run(item.case)
    assert outcome.passed, cases.failure_text(outcome)


def shipped_cases() -> list[cases.Case]:
    return [w.case for file in sorted((ROOT / "policies").rglob("*" + cases.SUFFIX))
            for w in case_file(file)[0] if w.case is not None]


def test_every_shipped_calculator_has_cases() -> None:
    """Each calculator of a policy that has a case file is exercised by one of its cases."""
    tested = {(c.policy.id, c.calculator.name) for c in shipped_cases()}
    for file in sorted((ROOT / "policies").rglob("*" + cases.SUFFIX)):
        result = checked(cases.policy_file_of(file))
        for policy in result.policies:
            if Path(policy.path).resolve() == cases.policy_file_of(file).resolve():
                missing = [c.name for c in policy.calculators if (policy.id, c.name) not in tested]
                assert not missing, f"{file}: no case for {missing}"


def test_a_fen_off_fails_every_shipped_money_output(case_runner: cases.Runner) -> None:
    """Each money amount a shipped case wants, moved by 0.01 元, makes that case fail: the
    cases can fail, and compare to the 分."""
    shifted = 0
    for case in shipped_cases():
        for group, wants in enumerate(case.wants):
            for index, want in enumerate(wants):
                if want.type.kind != "money" or want.value is None:
                    continue
                wrong = attrs.evolve(want, value=want.value + Decimal("0.01"))
                groups = list(case.wants)
                groups[group] = (*wants[:index], wrong, *wants[index + 1:])
                outcome = case_runner.run(attrs.evolve(case, wants=tuple(groups)))
                assert not outcome.passed, f"{case.file}:{want.line}: {want.output} + 0.01 passed"
                shifted += 1
    assert shifted > 0


# ---------------------------------------------------------------- a small policy for the format
NOTICE = "住院费用起付线为1000元，起付线以上部分按70%报销。\n年度最高支付限额为5000元。\n"
POLICY = """政策 t
标题 "测试"
通知 "notice.txt"

枚举 类别 { 甲类 乙类 }

条款 一 "报销" {
  引文 "住院费用起付线为1000元，起付线以上部分按70%报销。"
  参数 起付线 = 1000 元
  参数 比例 = 70%
  输入 费用: 元
  输入 类别: 类别
  输入 备注金额: 元 可选
  规则 应付 = 四舍五入(较大(费用 - 起付线, 0 元) × 比例)
  规则 超过起付线 = 费用 高于 起付线
  规则 适用类别 = 类别
  规则 适用比例 = 比例
  规则 备注 = 若 已给出(备注金额) 则 备注金额 否则 不适用
}

条款 二 "年度最高支付限额" {
  引文 "年度最高支付限额为5000元。"
  参数 年度限额 = 5000 元
  累计 年内已支付: 元
  规则 本次支付 = 较小(应付, 较大(年度限额 - 年内已支付, 0 元))
}

计算 结算 "住院结算" {
  输出 应付
  输出 超过起付线
  输出 适用类别
  输出 适用比例
  输出 备注
}

计算 逐次结算 "一年的住院" {
  输出 本次支付
  累计 年内已支付 = 年内已支付 + 本次支付
}
"""

def good(output: str = '应付: "1400.00", 超过起付线: true, 适用类别: 甲类, 适用比例: "70%", 备注: null',
         ) -> str:
    """A case file of one case of 3000 元, wanting the outputs given."""
    return f"""\
- name: 3000 元
  calculator: 结算
  sentence: "住院费用起付线为1000元，起付线以上部分按70%报销"
  arithmetic: |
    (3000 − 1000) × 70% = 1400
  input: {{费用: "3000", 类别: 甲类}}
  output: {{{output}}}
"""


GOOD = good()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """t.policy and its notice in a temporary folder, the working directory (messages name
    the files as t.policy, t.cases.yaml)."""
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "t.policy").write_text(POLICY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_test(folder: Path, text: str, *args: str) -> tuple[int, str, str]:
    """Write t.cases.yaml and run `policydsl test`: exit code, stdout, stderr."""
    (folder / "t.cases.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", *args, "t.policy"])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_a_passing_case_file(folder: Path) -> None:
    code, out, err = run_test(folder, GOOD)
    assert (code, out, err) == (0, "1 cases, 0 failed\n", "")


def test_verbose_lists_the_passing_cases(folder: Path) -> None:
    code, out, _ = run_test(folder, GOOD, "-v")
    assert out.splitlines() == ["ok t.cases.yaml:1: 3000 元", "1 cases, 0 failed"]


def test_a_case_off_by_a_fen_fails_with_got_want_arithmetic_and_trace(folder: Path) -> None:
    code, out, _ = run_test(folder, GOOD.replace('应付: "1400.00"', '应付: "1400.01"'))
    assert code == 1
    assert out.splitlines()[-1] == "1 cases, 1 failed"
    assert "FAILED t.cases.yaml:1: 3000 元 (结算)" in out
    assert "  应付 (line 7): got 1400.00, want 1400.01" in out
    assert "(3000 − 1000) × 70% = 1400" in out  # the arithmetic
    assert re.search(r"应付 = 1400\.00 元 .*← 四舍五入", out)  # the explain() trace


def test_money_compares_as_a_value_and_accepts_integers(folder: Path) -> None:
    text = GOOD.replace('应付: "1400.00"', "应付: 1400").replace('费用: "3000"', "费用: 3000")
    assert run_test(folder, text)[0] == 0


@pytest.mark.parametrize(("output", "passes"), [
    ('适用比例: "0.7"', True), ('适用比例: "70%"', True), ('适用比例: "0.71"', False),
    ("超过起付线: false", False), ('超过起付线: "是"', True), ("适用类别: 乙类", False),
    ('备注: "0"', False),
])
def test_each_kind_of_output_compared(folder: Path, output: str, passes: bool) -> None:
    code, out, _ = run_test(folder, good(output))
    assert code == (0 if passes else 1), out


def test_null_wants_an_output_that_does_not_apply(folder: Path) -> None:
    text = GOOD.replace('input: {费用: "3000", 类别: 甲类}',
                        'input: {费用: "3000", 类别: 甲类, 备注金额: "5"}')
    code, out, _ = run_test(folder, text)
    assert code == 1 and "备注 (line 7): got 5.00, want null" in out


ERRORS = [
    # (a case file, the one message it must give)
    ('- name: a\n  calculator: 结算\n  input: {费用: 0.7, 类别: 甲类}\n  output: {应付: "0"}\n',
     't.cases.yaml:3: 费用: 0.7 is a YAML float, which is not exact; write it in quotes: "0.7"'),
    ('- name: a\n  calculator: 结算\n  input: {费用: "3000", 类别: 甲类}\n  output:\n    应付: 1400.00\n',
     't.cases.yaml:5: 应付: 1400.00 is a YAML float, which is not exact; '
     'write it in quotes: "1400.00"'),
    ("- name: a\n  calculator: 核算\n  input: {}\n  output: {}\n",
     "t.cases.yaml:2: t has no calculator 核算; known: 结算、逐次结算"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类, 费率: "1"}\n  output: {}\n',
     "t.cases.yaml:3: 结算 has no input 费率; known: 费用、类别、备注金额"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n  output:\n    应付额: "0"\n',
     "t.cases.yaml:5: 结算 has no output 应付额; did you mean 应付? known: 应付、超过起付线、适用类别、适用比例、备注"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 丙类}\n  output: {}\n',
     "t.cases.yaml:3: 类别: '丙类' is not a 类别; known: 甲类、乙类"),
    ('- name: a\n  calculator: 结算\n  input: {类别: 甲类}\n  output: {}\n',
     "t.cases.yaml:3: 结算 needs 费用 (no default)"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n  output: {应付: "x"}\n',
     "t.cases.yaml:4: 应付: 'x' is not a number"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 费用: "2", 类别: 甲类}\n  output: {}\n',
     "t.cases.yaml:3: input: 费用 is given twice"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n  outputs: {}\n',
     "t.cases.yaml:4: unknown field outputs; did you mean output? "
     "known: name、calculator、sentence、arithmetic、input、events、output、error"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n',
     "t.cases.yaml:1: a case needs output (what it computes) or error (the message of "
     "the ValueError it raises)"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n  output: {}\n  error: x\n',
     "t.cases.yaml:1: a case has either output (what it computes) or error (the message of "
     "the ValueError it raises), not both"),
    ('- name: a\n  calculator: 结算\n  sentence: "起付线为2000元"\n  input: {费用: "1", 类别: 甲类}\n'
     '  output: {}\n',
     "t.cases.yaml:3: sentence: '起付线为2000元' is not in the notice of t (notice.txt); copy the "
     "words from the notice or a 引文"),
    ('- name: a\n  calculator: 逐次结算\n  events:\n    - {费用: "3000"}\n  output:\n'
     '    - {本次支付: "1400"}\n    - {本次支付: "1400"}\n',
     "t.cases.yaml:6: with events, output is a list of 1 mappings, one per event"),
    ("- name: a\n  calculator: [结算\n",
     "t.cases.yaml:3: not valid YAML: expected ',' or ']', but got '<stream end>'"),
    ("name: a\ncalculator: 结算\n",
     "t.cases.yaml:1: a case file is a YAML list of cases: "
     "- name: …  calculator: …  input: …  output: …"),
    ('- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n  output: {}\n'
     '- name: a\n  calculator: 结算\n  input: {费用: "1", 类别: 甲类}\n  output: {}\n',
     "t.cases.yaml:5: another case is already named a"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS,
                         ids=[m.split(": ", 1)[1][:40] for _, m in ERRORS])
def test_a_mistake_is_one_message_with_its_line(folder: Path, text: str, message: str) -> None:
    code, _, err = run_test(folder, text)
    assert code == 1
    assert err.splitlines() == [message]


def test_every_mistake_of_a_file_is_reported(folder: Path) -> None:
    text = ('- name: a\n  calculator: 结算\n  input: {费用: 0.7, 类别: 丙类, 费率: "1"}\n'
            '  output: {应付: 1.5}\n')
    code, out, err = run_test(folder, text)
    assert code == 1 and out.splitlines()[-1] == "1 cases, 1 failed"
    assert [line.split(": ")[1] for line in err.splitlines()] == [
        "费用", "类别", "结算 has no input 费率; known", "应付"]


def test_a_case_file_without_its_policy(folder: Path) -> None:
    (folder / "lonely.cases.yaml").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", "."])
    assert result.exit_code == 1
    assert "lonely.cases.yaml:1: no policy lonely.policy beside it" in result.stderr
    assert result.stdout.splitlines()[-1] == "0 cases, 0 failed"


def test_anchors_and_merge_keys_share_inputs(folder: Path) -> None:
    """A case's own keys override merged ones; of several merged mappings the first wins; a
    mapping reused whole (*b) is not a key given twice."""
    text = """\
- name: a
  calculator: 结算
  input: &b {<<: {费用: "1", 类别: 乙类}, 类别: 甲类}
  output: {适用类别: 甲类, 应付: "0"}
- name: b
  calculator: 结算
  input: *b
  output: {适用类别: 甲类}
- name: c
  calculator: 结算
  input: {<<: [{费用: "3000"}, {费用: "1", 类别: 甲类}]}
  output: {应付: "1400"}
"""
    assert run_test(folder, text) == (0, "3 cases, 0 failed\n", "")


# ---------------------------------------------------------------- error:
ERROR_CASE = '- name: a\n  calculator: 结算\n  input: {费用: "{cost}", 类别: 甲类}\n  error: "{message}"\n'


@pytest.mark.parametrize(("cost", "message", "problem"), [
    ("-1", "费用: must not be negative", None),
    ("-1", "费用: must be positive", "raised ValueError: 费用: must not be negative"),
    ("1", "费用", "returned without raising; want a ValueError containing '费用'"),
])
def test_a_case_of_an_error(folder: Path, cost: str, message: str, problem: str | None) -> None:
    text = ERROR_CASE.replace("{cost}", cost).replace("{message}", message)
    code, out, _ = run_test(folder, text)
    assert code == (1 if problem else 0)
    if problem:
        assert problem in out


# ---------------------------------------------------------------- events:
EVENTS = """\
- name: 一年三次住院，年度限额 5000
  calculator: 逐次结算
  arithmetic: |
    each stay (6000 − 1000) × 70% = 3500; the limit 5000 leaves 1500 for the second, 0 after
  events:
    - {费用: "6000"}
    - {费用: "6000"}
    - {费用: "6000"}
  output:
    - {本次支付: "3500.00", 年内已支付: "3500.00"}
    - {本次支付: "1500.00", 年内已支付: "5000.00"}
    - {本次支付: "0.00", 年内已支付: "5000.00"}
"""


def test_events_carry_the_year_so_far(folder: Path) -> None:
    assert run_test(folder, EVENTS) == (0, "1 cases, 0 failed\n", "")


def test_events_start_from_a_year_so_far_given_as_common_input(folder: Path) -> None:
    text = EVENTS.replace("  events:", '  input: {年内已支付: "4000"}\n  events:').replace(
        '"3500.00", 年内已支付: "3500.00"', '"1000.00", 年内已支付: "5000.00"').replace(
        '"1500.00", 年内已支付: "5000.00"', '"0.00", 年内已支付: "5000.00"')
    assert run_test(folder, text)[0] == 0


def test_an_event_off_by_a_fen_names_the_event_and_shows_its_trace(folder: Path) -> None:
    code, out, _ = run_test(folder, EVENTS.replace('"1500.00"', '"1500.01"'))
    assert code == 1
    assert "  event 2: 本次支付 (line 11): got 1500.00, want 1500.01" in out
    assert "event 2: 逐次结算" in out and "年内已支付 = 3500.00 元" in out  # its own inputs
    assert out.splitlines()[-1] == "1 cases, 1 failed"


def test_events_on_a_calculator_without_year_so_far(folder: Path) -> None:
    text = ('- name: a\n  calculator: 结算\n  input: {类别: 甲类}\n  events:\n    - {费用: "3000"}\n'
            '  output:\n    - {应付: "1400"}\n')
    code, out, _ = run_test(folder, text)
    assert code == 1 and "结算 has no 逐次 function" in out


# ---------------------------------------------------------------- the command
def test_json(folder: Path) -> None:
    code, out, _ = run_test(folder, GOOD.replace('"1400.00"', '"1400.01"'), "--json")
    data = json.loads(out)
    assert code == 1 and (data["total"], data["failed"], data["errors"]) == (1, 1, [])
    assert data["cases"][0]["mismatches"] == [
        {"event": None, "output": "应付", "got": "1400.00", "want": "1400.01", "line": 7}]


@pytest.mark.parametrize("args", [[], ["missing-folder"], ["notice.txt"]])
def test_usage_errors_exit_2(folder: Path, args: list[str]) -> None:
    assert CliRunner().invoke(main, ["test", *args]).exit_code == 2


@pytest.mark.parametrize("path", ["t.policy", "t.cases.yaml", "."])
def test_a_policy_its_case_file_or_a_folder(folder: Path, path: str) -> None:
    (folder / "t.cases.yaml").write_text(GOOD + EVENTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["test", path])
    assert (result.exit_code, result.stdout) == (0, "2 cases, 0 failed\n")


def test_a_policy_that_does_not_check_is_reported_not_run(folder: Path) -> None:
    (folder / "t.policy").write_text(POLICY.replace("参数 起付线 = 1000 元", "参数 起付线 = 2000 元"),
                                     encoding="utf-8")
    code, out, err = run_test(folder, GOOD)
    assert code == 1 and "2000 元" in err and out == ""


def test_output_is_deterministic(folder: Path) -> None:
    text = GOOD.replace('"1400.00"', '"1400.01"') + EVENTS.replace('"1500.00"', '"1500.01"')
    assert run_test(folder, text) == run_test(folder, text)
