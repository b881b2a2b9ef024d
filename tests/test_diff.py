"""`policydsl diff OLD NEW`: what changed between two policies, compared on their IR."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from markdown_it.token import Token

from policydsl import api, ir
from policydsl.cli import main
from policydsl.diff import KINDS, Change, PolicyDiff, diff, render_markdown, render_text

from .conftest import POLICIES

NMG_2023 = POLICIES / "nmg" / "nmg_2023_resident.policy"
NMG_2024 = POLICIES / "nmg" / "nmg_2024_resident.policy"

# A small notice and three policies of it: `old`, `new` (every kind of change) and `amend`
# (修订 old: one value, the rest inherited).
NOTICE = """一、筹资标准达到不低于1020元，财政补助640元，个人缴费380元。一类地区30%、二类地区50%、三类地区70%。
二、财政补助增加30元，达到670元，二类地区55%，其余地区30%。待遇比例60%。
三、起付线：一级医院，一类地区100元、二类地区200元、三类地区300元；二级医院，一类地区400元、二类地区500元、三类地区600元。
四、起付线：二级医院，二类地区550元。
五、二类地区50%、三类地区70%，其余地区30%。
"""
OLD = """政策 old
标题 "旧"
通知 "notice.txt"
枚举 类别 { 一类 二类 三类 }
枚举 等级 { 一级 二级 }
条款 一 "筹资" {
  引文 "筹资标准达到不低于1020元，财政补助640元，个人缴费380元。"
  参数 财政补助 = 640 元
  参数 个人缴费 = 380 元
  引文 "一类地区30%、二类地区50%、三类地区70%"
  表 分担 按 类别 { 一类: 30%  二类: 50%  三类: 70% }
  输入 类别: 类别
  规则 分担额 = 财政补助 × 分担[类别]
}
条款 三 "起付线" {
  引文 "起付线：一级医院，一类地区100元、二类地区200元、三类地区300元；二级医院，一类地区400元、二类地区500元、三类地区600元。"
  表 起付线 按 等级, 类别 {
    | 等级 | 一类   | 二类   | 三类   |
    | 一级 | 100 元 | 200 元 | 300 元 |
    | 二级 | 400 元 | 500 元 | 600 元 |
  }
}
计算 分担计算 "分担" { 输出 分担额 }
"""
NEW = """政策 new
标题 "新"
通知 "notice.txt"
枚举 类别 { 一类 二类 三类 }
枚举 等级 { 一级 二级 }
条款 二 "筹资" {
  引文 "财政补助增加30元，达到670元，二类地区55%，其余地区30%。"
  参数 财政补助 = 670 元
  表 分担 按 类别 { 二类: 55%  其他: 30% }
  输入 类别: 类别
  规则 分担额 = 四舍五入(财政补助 × 分担[类别])
}
条款 四 "起付线" {
  引文 "起付线：一级医院，一类地区100元、二类地区200元、三类地区300元；二级医院，一类地区400元、二类地区500元、三类地区600元。"
  引文 "起付线：二级医院，二类地区550元。"
  表 起付线 按 等级, 类别 {
    | 等级 | 一类   | 二类   | 三类   |
    | 一级 | 100 元 | 200 元 | 300 元 |
    | 二级 | 400 元 | 550 元 | 600 元 |
  }
}
条款 五 "待遇" {
  引文 "待遇比例60%"
  参数 待遇比例 = 60%
  表 比例 按 类别 { 其他: 60% }
}
计算 分担计算 "分担" { 输出 分担额 }
"""
AMEND = """政策 amend
标题 "修订"
通知 "notice.txt"
修订 "old.policy" 作为 上年
条款 二 "筹资" {
  引文 "财政补助增加30元，达到670元"
  参数 财政补助 = 上年.财政补助 + 30 元
}
沿用 分担计算
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, ir.Policy]:
    """The three small policies, checked from inside their folder."""
    for name, text in (("notice.txt", NOTICE), ("old.policy", OLD), ("new.policy", NEW),
                       ("amend.policy", AMEND)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = api.check([Path("old.policy"), Path("new.policy"), Path("amend.policy")])
    assert result.ok, result.diagnostics
    return {p.id: p for p in result.policies}


def by_name(result: PolicyDiff) -> dict[str, Change]:
    return {c.entry.name: c for c in result.changes}


def texts(change: Change) -> tuple[str | None, str | None]:
    return (change.old.text if change.old else None, change.new.text if change.new else None)


def cited(citation: ir.Citation) -> str:
    return f"{citation.policy} {citation.clause}"


# ---------------------------------------------------------------- the 内蒙古 notices
def test_nmg_2023_to_2024_shows_the_subsidy_and_the_contribution() -> None:
    code, out, err = run("diff", str(NMG_2023), str(NMG_2024))
    assert code == 0, err
    result = api.check([NMG_2023, NMG_2024])
    old = next(p for p in result.policies if p.id == "nmg_2023_resident")
    new = next(p for p in result.policies if p.id == "nmg_2024_resident")
    # the numbers the notices print
    assert old.param("财政补助").value == Decimal(640) and new.param("财政补助").value == Decimal(670)
    assert old.param("个人缴费").value == Decimal(380) and new.param("个人缴费").value == Decimal(400)
    for name, before, after in (("财政补助", "≥640 元", "≥670 元"), ("个人缴费", "≥380 元", "≥400 元")):
        line = (f"  ~ {name}: {before} → {after} "
                f"({cited(old.param(name).citation)}, {cited(new.param(name).citation)})")
        assert line in out.splitlines(), out
    assert "  ~ 财政补助: ≥640 元 → ≥670 元 (nmg_2023_resident 一, nmg_2024_resident 一（一）)" in out


def test_nmg_2023_to_2024_matches_the_ir() -> None:
    """Every added, removed and changed declaration, derived from the two IRs."""
    result = api.check([NMG_2023, NMG_2024])
    old = next(p for p in result.policies if p.id == "nmg_2023_resident")
    new = next(p for p in result.policies if p.id == "nmg_2024_resident")
    changes = diff(old, new)
    params_old = {p.name: p for p in old.params}
    params_new = {p.name: p for p in new.params}
    changed_params = {n for n in params_old.keys() & params_new.keys()
                      if (params_old[n].value, params_old[n].qualifier) != (params_new[n].value, params_new[n].qualifier)}
    found = {c.entry.name: c.status for c in changes.changes if c.entry.kind == "参数"}
    assert found == ({n: "changed" for n in changed_params}
                     | {n: "added" for n in params_new.keys() - params_old.keys()}
                     | {n: "removed" for n in params_old.keys() - params_new.keys()})
    assert {"财政补助", "个人缴费", "筹资标准"} <= changed_params
    calcs = {c.entry.name: c.status for c in changes.changes if c.entry.kind == "计算"}
    assert calcs == ({c.name: "removed" for c in old.calculators if c.name not in {k.name for k in new.calculators}}
                     | {c.name: "added" for c in new.calculators if c.name not in {k.name for k in old.calculators}})
    assert calcs == {"补缴": "removed", "大病保险核验": "added"}  # 2024 keeps only 财政分担 (沿用)
    inherited = [p.name for p in new.params if p.citation.policy == old.id]
    assert inherited and f"nmg_2024_resident inherits from nmg_2023_resident (修订): 参数 {', '.join(inherited)};" \
        in render_text(changes)


# ---------------------------------------------------------------- every kind of change
def test_a_changed_formula_shows_both_formulas(small: dict[str, ir.Policy]) -> None:
    text = render_text(diff(small["old"], small["new"]))
    assert "  ~ 分担额: 财政补助 × 分担[类别] → 四舍五入(财政补助 × 分担[类别]) (old 一, new 二)" in text
    assert small["old"].rule("分担额").source == "财政补助 × 分担[类别]"


def test_a_changed_table_row_shows_the_row(small: dict[str, ir.Policy]) -> None:
    changes = by_name(diff(small["old"], small["new"]))
    assert texts(changes["分担[二类]"]) == ("50%", "55%")
    # 三类 has no row of its own in the new table: the 其他 row gives it 30%
    assert texts(changes["分担[三类]"]) == ("70%", "30%（其他）")
    assert "分担[一类]" not in changes  # 30% either way
    assert small["new"].table("分担").value_for("一类").value == small["old"].table("分担").value_for("一类").value
    text = render_text(diff(small["old"], small["new"]))
    assert "  ~ 分担[二类]: 50% → 55% (old 一, new 二)" in text


def test_a_two_key_table_shows_the_cell(small: dict[str, ir.Policy]) -> None:
    changes = diff(small["old"], small["new"])
    cells = {c.entry.name: texts(c) for c in changes.changes if c.entry.name.startswith("起付线")}
    assert cells == {"起付线[二级, 二类]": ("500 元", "550 元")}
    assert small["new"].table("起付线").value_for("二级", "二类").value == Decimal(550)
    assert "  ~ 起付线[二级, 二类]: 500 元 → 550 元 (old 三, new 四)" in render_text(changes)


def test_a_table_written_otherwise_with_the_same_values_is_unchanged(small: dict[str, ir.Policy]) -> None:
    """一类 30%, 二类 50%, 三类 70% written with a 其他 row (the notice's 其余地区) is the same
    table."""
    Path("same.policy").write_text(OLD.replace("政策 old", "政策 same").replace(
        '引文 "一类地区30%、二类地区50%、三类地区70%"', '引文 "二类地区50%、三类地区70%，其余地区30%"').replace(
        "{ 一类: 30%  二类: 50%  三类: 70% }", "{ 二类: 50%  三类: 70%  其他: 30% }"), encoding="utf-8")
    result = api.check([Path("old.policy"), Path("same.policy")])
    assert result.ok, result.diagnostics
    policies = {p.id: p for p in result.policies}
    assert policies["same"].table("分担").rows != policies["old"].table("分担").rows
    changes = diff(policies["old"], policies["same"])
    assert changes.changes == () and dict(changes.unchanged)["表"] == 2


def test_added_and_removed(small: dict[str, ir.Policy]) -> None:
    text = render_text(diff(small["old"], small["new"]))
    assert "  - 个人缴费: 380 元 (old 一)" in text
    assert "  + 待遇比例: 60% (new 五)" in text
    assert "  + 比例: 按 类别 {其他: 60%} (new 五)" in text  # a whole table added is one line
    assert "  ~ 财政补助: 640 元 → 670 元 (old 一, new 二)" in text
    result = diff(small["old"], small["new"])
    assert dict(result.unchanged) == {"参数": 0, "表": 0, "输入": 1, "规则": 0, "计算": 1}


def test_an_amending_policy_is_compared_with_what_it_inherits(small: dict[str, ir.Policy]) -> None:
    result = diff(small["old"], small["amend"])
    assert [(c.entry.name, c.status) for c in result.changes] == [("财政补助", "changed")]
    text = render_text(result)
    inherited = [n for kind in KINDS for n in (e.name for e in KINDS[kind](small["amend"]) if e.inherited)]
    assert inherited == ["个人缴费", "分担", "起付线", "类别", "分担额", "分担计算"]
    assert ("amend inherits from old (修订): 参数 个人缴费; 表 分担, 起付线; 输入 类别; 规则 分担额; "
            "计算 分担计算") in text
    # compared with a third policy, an inherited side says where it comes from
    text = render_text(diff(small["amend"], small["new"]))
    assert "  - 个人缴费: 380 元 (old 一 [inherited by amend])" in text
    assert "  ~ 分担[二类]: 50% → 55% (old 一 [inherited by amend], new 二)" in text


def test_the_same_policy_twice_has_no_differences(shipped: api.CheckResult) -> None:
    for policy in shipped.policies:
        result = diff(policy, policy)
        assert result.changes == ()
        assert sum(n for _, n in result.unchanged) == sum(len(KINDS[k](policy)) for k in KINDS)
        assert "\nno differences\n" in render_text(result)
        assert render_text(result).count(" inherits from ") == (1 if policy.amends else 0)


def test_every_pair_of_shipped_policies(shipped: api.CheckResult) -> None:
    """Added and removed are the set differences of the names; nothing is lost or counted
    twice; the Markdown is one valid table with a row per change."""
    for old, new in itertools.product(shipped.policies, repeat=2):
        result = diff(old, new)
        for kind, entries in KINDS.items():
            if kind == "表":
                continue  # tables compared row by row: below
            names_old = {e.name for e in entries(old)}
            names_new = {e.name for e in entries(new)}
            mine = [c for c in result.changes if c.entry.kind == kind]
            assert {c.entry.name for c in mine if c.status == "added"} == names_new - names_old
            assert {c.entry.name for c in mine if c.status == "removed"} == names_old - names_new
            same = dict(result.unchanged)[kind]
            assert same + sum(c.status != "added" for c in mine) == len(names_old)
        whole = {c.entry.name: c.status for c in result.changes
                 if c.entry.kind == "表" and "[" not in c.entry.name and c.status != "changed"}
        tables_old, tables_new = {t.name for t in old.tables}, {t.name for t in new.tables}
        assert whole == ({n: "added" for n in tables_new - tables_old}
                         | {n: "removed" for n in tables_old - tables_new})
        rows = markdown_table(render_markdown(result))
        assert len(rows) == len(result.changes) + 1 if result.changes else rows == []


# ---------------------------------------------------------------- --markdown
def markdown_table(text: str) -> list[list[str]]:
    """The cells of the one GFM table in the text (header first), as markdown-it reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert sum(t.type == "table_open" for t in tokens) <= 1
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and in_table(tokens, token):
            rows[-1].append(token.content)
    return rows


def in_table(tokens: list[Token], token: Token) -> bool:
    index = tokens.index(token)
    return tokens[index - 1].type in ("th_open", "td_open")


def test_markdown_is_a_gfm_table(small: dict[str, ir.Policy]) -> None:
    result = diff(small["old"], small["new"])
    text = render_markdown(result)
    rows = markdown_table(text)
    assert rows[0] == ["change", "项目", "old: old", "new: new"]
    assert all(len(row) == 4 for row in rows)
    assert len(rows) == 1 + len(result.changes)
    assert ["changed", "参数 财政补助", "640 元 · 一", "670 元 · 二"] in rows
    assert ["changed", r"表 分担\[二类\]", "50% · 一", "55% · 二"] in rows  # escaped, read literally
    assert ["removed", "参数 个人缴费", "380 元 · 一", "—"] in rows
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<td>表 分担[二类]</td>" in html


def test_markdown_marks_inherited_sides(small: dict[str, ir.Policy]) -> None:
    rows = markdown_table(render_markdown(diff(small["amend"], small["new"])))
    assert ["removed", "参数 个人缴费", "380 元 · old 一 (inherited)", "—"] in rows


# ---------------------------------------------------------------- the command
def test_command_markdown_and_exit_codes(small: dict[str, ir.Policy]) -> None:
    code, out, _ = run("diff", "old.policy", "new.policy", "--markdown")
    assert code == 0
    assert out == render_markdown(diff(small["old"], small["new"]))
    assert out == run("diff", "old.policy", "new.policy", "--markdown")[1]  # byte-identical
    assert run("diff", "old.policy", "old.policy")[0] == 0  # a report: 0 with or without changes


def test_a_policy_with_errors_exits_1(small: dict[str, ir.Policy], tmp_path: Path) -> None:
    (tmp_path / "bad.policy").write_text(NEW.replace("670 元", "680 元"), encoding="utf-8")
    code, out, err = run("diff", "old.policy", "bad.policy")
    assert code == 1 and out == ""
    line = NEW.splitlines().index("  参数 财政补助 = 670 元") + 1
    assert f"bad.policy:{line}:" in err and "error[E302]: 680" in err


def test_usage_errors_exit_2(small: dict[str, ir.Policy]) -> None:
    assert run("diff", "old.policy")[0] == 2
    code, _, err = run("diff", "old.policy", "no_such.policy")
    assert code == 2 and "does not exist" in err
    code, _, err = run("diff", ".", "new.policy")
    assert code == 2 and "is a directory" in err


def test_help_teaches_with_examples() -> None:
    code, out, _ = run("diff", "--help")
    assert code == 0 and "Examples" in out and "--markdown" in out
