"""Trust under attack (issue 15): a name means one thing all the way down, what is shown is
what is computed, compile never ships what does not run, amounts are bounded and exact."""

from __future__ import annotations

import types
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policydsl import api, ast, runner
from policydsl.backends import python
from policydsl.cli import main
from policydsl.diagnostics import SourceFile
from policydsl.escaping import pyident
from policydsl.parser import parse

from .conftest import GENERATED, POLICIES, check_source, codes, import_file

NOTICE = "财政补助640元，新增3元。"


def module_of(result: api.CheckResult) -> types.ModuleType:
    [policy] = [p for p in result.policies if p.id == "t"]
    return runner.load_module(policy)


# ---------------------------------------------------------------- 1. one name, one meaning
@pytest.mark.parametrize(("param", "inp"), [("ﬁ", "fi"), ("min", "min_"), ("ｆｕｌｌ", "full")])
def test_two_spellings_of_one_identifier_are_one_error(tmp_path: Path, param: str, inp: str) -> None:
    body = (f'条款 一 "a" {{\n  引文 "财政补助640元"\n  参数 {param} = 640 元\n}}\n'
            f'输入 {inp}: 元\n规则 a = {param} - {inp}\n计算 c {{ 输出 a }}\n')
    result = check_source(tmp_path, body, NOTICE)
    assert codes(result) == ["E102"]
    assert f"{inp} and {param} are one name in generated code" in result.diagnostics[0].message


def test_an_input_may_not_take_a_rule_functions_name(tmp_path: Path) -> None:
    body = '输入 规则_a: 元\n输入 b: 元\n规则 a = b\n计算 c { 输出 a  输出 x = 规则_a }\n'
    assert "E102" in codes(check_source(tmp_path, body, NOTICE))


@pytest.mark.parametrize("member", ["mro", "name", "value"])
def test_an_enumeration_member_named_like_enums_own_attributes_imports(tmp_path: Path, member: str) -> None:
    body = f'枚举 类 {{ {member} 其余 }}\n输入 k: 类\n规则 r = 按 k {{ {member}: 是  其他: 否 }}\n计算 c {{ 输出 r }}\n'
    result = check_source(tmp_path, body, NOTICE)
    assert result.ok, result.diagnostics
    assert module_of(result).c(k=member).r is True


@pytest.mark.parametrize("policy_id", ["decimal", "enum", "__init__", "_x", "index"])
def test_a_policy_id_that_would_shadow_a_module_or_page_is_refused(tmp_path: Path, policy_id: str) -> None:
    result = check_source(tmp_path, "", NOTICE, header=f'政策 {policy_id}\n标题 "t"\n')
    assert "E106" in codes(result) or "E002" in codes(result)


def test_two_policies_with_one_id_are_an_error(tmp_path: Path) -> None:
    for name in ("a.policy", "b.policy"):
        (tmp_path / name).write_text('政策 same\n标题 "t"\n', encoding="utf-8")
    result = api.check([tmp_path])
    assert codes(result) == ["E102"] and "two policies are called same" in result.diagnostics[0].message


@pytest.mark.parametrize("name", ["财政\u3164补助", "补\u200b助", "pаy"])  # Hangul filler, zero-width, Cyrillic а
def test_invisible_and_look_alike_letters_are_refused(tmp_path: Path, name: str) -> None:
    result = check_source(tmp_path, f"输入 {name}: 元\n", NOTICE)
    assert codes(result) in (["E107"], ["E002"])


LETTERS = st.sampled_from(list("abfilmn_") + ["ﬁ", "ﬂ", "ｆ", "ｉ", "ａ", "财", "补", "助", "ⅰ", "Å", "Å", "µ", "μ"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.text(LETTERS, min_size=1, max_size=4), second=st.text(LETTERS, min_size=1, max_size=4))
def test_random_names_never_collide_silently(tmp_path: Path, first: str, second: str) -> None:
    """Either the checker refuses the pair, or the calculator keeps them apart: a = 640 − b."""
    if first == second or not (first + "x").isidentifier() and not first[0].isalpha():
        return
    body = (f'条款 一 "a" {{\n  引文 "财政补助640元"\n  参数 {first} = 640 元\n}}\n'
            f'输入 {second}: 元\n规则 差额 = {first} - {second}\n计算 c {{ 输出 差额 }}\n')
    result = check_source(tmp_path, body, NOTICE)
    if not result.ok:
        return
    assert pyident(first) != pyident(second)
    calculate = module_of(result).c
    assert calculate(**{pyident(second): "3"}).差额 == Decimal(637)


# ---------------------------------------------------------------- 2. what is shown is computed
@pytest.mark.parametrize("policy_file", sorted(POLICIES.rglob("*.policy")), ids=lambda p: p.name)
def test_the_shown_text_of_every_rule_is_the_parsed_rule(policy_file: Path) -> None:
    """A rule's text in docstrings, explanations and tables parses back to the rule itself."""
    result = api.check([policy_file])
    tree, _ = parse(SourceFile(str(policy_file), policy_file.read_text("utf-8")))
    assert tree is not None
    policy = next(p for p in result.policies if Path(p.path).resolve() == policy_file.resolve())
    parsed = {d.name: d.expr for d in _rules(tree)}
    for rule in policy.rules:
        if rule.citation.policy != policy.id or rule.name not in parsed:
            continue
        again, diags = parse(SourceFile("again", f'政策 a\n标题 "t"\n规则 r = {rule.source}\n'))
        assert not diags and again is not None, rule.source
        reparsed = again.items[0]
        assert isinstance(reparsed, ast.Rule) and reparsed.expr == parsed[rule.name], rule.name


def _rules(tree: ast.PolicyFile) -> list[ast.Rule]:
    found = []
    for item in tree.items:
        for decl in item.decls if isinstance(item, ast.Clause) else [item]:
            if isinstance(decl, ast.Rule):
                found.append(decl)
    return found


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x0b", "\x1c", "\x85"])
def test_a_line_separator_in_a_comment_does_not_shift_what_is_shown(tmp_path: Path, separator: str) -> None:
    body = (f'# 注释{separator}另一行\n输入 费用: 元\n规则 甲 = 费用\n'
            '规则 乙 = 较大(费用, 0 元)\n计算 c { 输出 甲  输出 乙 }\n')
    result = check_source(tmp_path, body, NOTICE)
    [policy] = result.policies
    assert [r.source for r in policy.rules] == ["费用", "较大(费用, 0 元)"]
    source = python.generate(policy)
    assert "乙 = 较大(费用, 0 元)" in source and "甲 = 费用\n" in source


# ---------------------------------------------------------------- 3. compile ships what runs
def test_a_long_chain_of_conditions_compiles_and_runs(tmp_path: Path) -> None:
    """63 nested 若 (an indentation depth CPython refuses when written as nested blocks)."""
    printed = "、".join(f"第{i}次{i}元" for i in range(1, 64)) + "。"
    chain = "".join(f"若 k = {i} 次 则 {i} 元 否则 " for i in range(1, 64)) + "0 元"
    body = (f'条款 一 "a" {{\n  引文 "{printed}"\n  输入 k: 次\n  规则 r = {chain}\n}}\n'
            '计算 c { 输出 r }\n')
    result = check_source(tmp_path, body, printed)
    assert result.ok, result.diagnostics[:3]
    assert module_of(result).c(k="37").r == Decimal(37)


def test_a_1500_deep_chain_is_refused_with_e003(tmp_path: Path) -> None:
    chain = "".join(f"若 k = {i} 次 则 1 元 否则 " for i in range(1500)) + "0 元"
    path = tmp_path / "deep.policy"
    path.write_text(f'政策 deep\n标题 "t"\n输入 k: 次\n规则 r = {chain}\n', encoding="utf-8")
    outcome = CliRunner().invoke(main, ["check", str(path)])
    assert outcome.exit_code == 1 and "error[E003]" in outcome.stderr


def test_brackets_in_a_comment_do_not_count_toward_nesting(tmp_path: Path) -> None:
    body = "# " + ")" * 300 + "\n输入 费用: 元\n规则 r = " + "较大(" * 150 + "费用" + ", 0 元)" * 150 + "\n"
    assert "E003" not in codes(check_source(tmp_path, body, NOTICE))


# ---------------------------------------------------------------- 5. amounts, bounded and exact
SETTINGS = dict(基本医保起付线="1000", 基本医保支付比例="1", 基本医保封顶线="150000", 大病保险起付线="15000",
                大病保险分段=[{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}],
                大病保险封顶线="300000", 全体居民人均可支配收入="36000", 农村牧区居民人均可支配收入="20000",
                医疗救助年度限额="50000")


def _chain() -> types.ModuleType:
    return import_file(GENERATED / "python" / "nmg_2022_major_illness.py", "trust_nmg_2022")


AMOUNTS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.from_regex(r"-?\d{1,40}(\.\d{0,40})?([eE][+-]?\d{1,12})?", fullmatch=True),
    st.integers(min_value=-10**60, max_value=10**60),
    st.sampled_from(["1E+999999999", "1e-999999999", "NaN", "Infinity", "-0", "1000.005", " 5 ", "9" * 5000]),
)


@settings(max_examples=300, deadline=None)
@given(cost=AMOUNTS, identity=st.sampled_from(["特困人员", "低保对象", "普通参保人", "低保边缘家庭成员"]))
def test_random_amounts_are_refused_naming_the_input_or_add_up(cost: object, identity: str) -> None:
    try:
        result = _chain().三重制度报销(政策范围内费用=cost, 身份=[identity], **SETTINGS)
    except ValueError as err:
        assert str(err).startswith("政策范围内费用"), err
        return
    layers = (result.基本医保支付, result.大病保险支付, result.医疗救助支付, result.个人负担)
    assert all(layer >= 0 for layer in layers)
    assert sum(layers) == Decimal(str(cost).strip())
