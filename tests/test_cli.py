"""The command line: exit codes, messages, JSON, --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policydsl.cli import main

from .conftest import GENERATED, POLICIES, ROOT

NMG_2022 = str(POLICIES / "nmg/nmg_2022_major_illness.policy")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_the_shipped_policies() -> None:
    code, out, err = run("check", str(POLICIES))
    assert code == 0, err
    assert out.startswith(f"ok: {len(list(POLICIES.rglob('*.policy')))} policies checked")


def test_check_reports_errors_with_exit_code_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.policy"
    bad.write_text('政策 bad\n标题 "x"\n规则 r = 未知 + 1 元\n', encoding="utf-8")
    code, _, err = run("check", str(bad))
    assert code == 1
    assert "error[E101]: unknown name 未知" in err
    assert "error[E303]" in err
    assert err.rstrip().endswith("2 error(s), 0 warning(s)")


def test_usage_errors_exit_with_2() -> None:
    assert run("check")[0] == 2
    assert run("frobnicate")[0] == 2
    code, _, err = run("eval", NMG_2022, "没有这个")
    assert code == 2 and "has no calculator" in err and "三重制度报销" in err


def test_missing_path() -> None:
    code, _, err = run("check", "no/such/dir")
    assert code == 1 and "does not exist" in err


def test_help_teaches_with_examples() -> None:
    for command in ("check", "compile", "eval", "ir"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example" in out, command


def test_ir_is_stable_json() -> None:
    code, out, _ = run("ir", str(POLICIES / "nmg/nmg_2023_resident.policy"))
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "nmg_2023_resident"
    subsidy = next(p for p in data["params"] if p["name"] == "财政补助")
    assert (subsidy["value"], subsidy["qualifier"], subsidy["type"]) == ("640", "at_least", "元")
    assert [c["holds"] for c in data["checks"]] == [True]
    assert out == run("ir", str(POLICIES / "nmg/nmg_2023_resident.policy"))[1]


def test_compile_check_lists_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert run("compile", str(POLICIES), "--out", str(out))[0] == 0
    assert run("compile", str(POLICIES), "--out", str(out), "--check")[0] == 0
    (out / "python" / "nmg_2023_resident.py").write_text("# edited\n", encoding="utf-8")
    (out / "python" / "old_policy.py").write_text("", encoding="utf-8")
    code, _, err = run("compile", str(POLICIES), "--out", str(out), "--check")
    assert code == 1
    assert "python/nmg_2023_resident.py" in err and "python/old_policy.py" in err
    assert run("compile", str(POLICIES), "--out", str(out))[0] == 0
    assert not (out / "python" / "old_policy.py").exists()


def test_eval_reports_bad_input_as_an_error_not_a_traceback() -> None:
    code, _, err = run("eval", NMG_2022, "资助参保", "身份=低保对象", "个人缴费标准=380", "定额资助标准=100")
    assert code == 1
    assert err.startswith("error: 定额资助标准 = 100 breaks the bound 不低于 个人缴费标准 × 定额资助最低比例 (= 171.00)")
    code, _, err = run("eval", NMG_2022, "资助参保", "身份=低保对象")
    assert code == 1 and "missing input(s): 个人缴费标准、定额资助标准" in err
    code, _, err = run("eval", NMG_2022, "资助参保", "收入=1")
    assert code == 1 and "has no input 收入" in err


def test_eval_text_output_and_explanation() -> None:
    code, out, _ = run("eval", str(POLICIES / "shanxi/xinzhou_2023_resident.policy"), "财政分担",
                       "县类别=西部政策县", "--explain")
    assert code == 0
    assert out.splitlines()[:4] == ["中央 = 512.00 元", "省级 = 64.00 元", "市级 = 13.50 元", "县级 = 50.50 元"]
    assert "县级 = 50.50 元    ← 县级补助[县类别]    [xinzhou_2023_resident 一、合理确定筹资标准]" in out


def test_eval_optional_output_is_null() -> None:
    code, out, _ = run("eval", str(POLICIES / "nmg/nmg_pooling_draft.policy"), "个人缴费基数",
                       "参保类型=灵活就业人员", "全区上年度平均工资=120000", "--json")
    assert code == 0 and json.loads(out) == {"缴费基数": "96000.00", "个人缴费": None}


@pytest.mark.parametrize("junk", [b"\x00\x01\x02", b"\xff" * 100, "规则 (((".encode(), b""])
def test_no_input_shows_a_traceback(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "junk.policy"
    path.write_bytes(junk)
    done = subprocess.run([sys.executable, "-m", "policydsl", "check", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "error[" in done.stderr


def test_the_readme_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pip install -e '.[test]' && python -m pytest" in readme
    assert "pip install --quiet -e '.[test]' && python -m pytest" in ci
    assert "policydsl compile policies --out generated" in readme
    assert GENERATED.is_dir()
