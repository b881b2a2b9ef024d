"""The generated calculator modules: pinned, standard-library only, deterministic, fresh, clean."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policydsl import api
from policydsl.outputs import stale_files

from .conftest import GENERATED, POLICIES, ROOT, load_generated

MODULES = sorted(p.stem for p in (GENERATED / "python").glob("*.py") if p.stem != "__init__")


def test_every_policy_has_a_module(shipped: api.CheckResult) -> None:
    assert MODULES == sorted(p.id for p in shipped.policies)


@pytest.mark.parametrize("policy_id", MODULES)
def test_generated_module_snapshot(policy_id: str, text_snapshot) -> None:  # type: ignore[no-untyped-def]
    assert (GENERATED / "python" / f"{policy_id}.py").read_text("utf-8") == text_snapshot


def test_committed_generated_folder_is_fresh(shipped: api.CheckResult) -> None:
    assert stale_files(GENERATED, api.generated_files(shipped)) == []


@pytest.mark.parametrize("policy_id", MODULES)
def test_imports_with_the_standard_library_only(policy_id: str) -> None:
    """`python -I -S`: isolated, no site-packages; the module must still import and run."""
    path = GENERATED / "python" / f"{policy_id}.py"
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(path)!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['m'] = m\n"
        "spec.loader.exec_module(m)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('policydsl', 'lark', 'attrs', 'jinja2', 'click')]\n"
        "assert not bad, bad\n"
        "print(len(m.__all__))\n"
    )
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0


def compile_to(out: Path, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    done = subprocess.run([sys.executable, "-m", "policydsl", "compile", *args, "--out", str(out)],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.suffix in (".py", ".md")}


def test_output_is_byte_identical_across_runs_seeds_folders_and_orders(tmp_path: Path) -> None:
    policies = sorted(str(p) for p in POLICIES.rglob("*.policy"))
    runs = []
    for n, (seed, order, cwd) in enumerate([
        ("0", policies, ROOT), ("1", policies[::-1], tmp_path), ("12345", [str(POLICIES)], ROOT),
    ]):
        out = tmp_path / f"out{n}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        compile_to(out, *order, cwd=cwd, env=env)
        runs.append(tree_bytes(out))
    assert runs[0] == runs[1] == runs[2] == tree_bytes(GENERATED)


def test_generated_code_is_clean_under_ruff_and_mypy_strict(tmp_path: Path) -> None:
    for tool in ("ruff", "mypy"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    target = tmp_path / "gen"
    shutil.copytree(GENERATED / "python", target)
    ruff = subprocess.run(["ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP", "--ignore", "E501",
                           str(target)], capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(target)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert mypy.returncode == 0, mypy.stdout


def test_constants_carry_their_qualifier_and_clause() -> None:
    text = (GENERATED / "python" / "nmg_2024_resident.py").read_text("utf-8")
    assert "# 不低于 上年.财政补助 + 财政补助增加 = 670 元 — nmg_2024_resident 一（一）、合理确定筹资标准" in text
    assert '财政补助: Final = Decimal("670")' in text


def test_results_explain_themselves() -> None:
    result = load_generated("nmg_2024_resident").财政分担(地区类别="二类", explain=True)
    text = result.explain()
    assert "  自治区 = 67.00 元    ← 财政补助 × 地方分担比例 × 自治区分担比例[地区类别]" in text
    # the values used, each with the clause of the notice that sets it
    assert "  财政补助 = 670.00 元    ← 不低于 上年.财政补助 + 财政补助增加    [nmg_2024_resident 一（一）、合理确定筹资标准]" in text
    assert "  中央 = 536.00 元" in text
    assert [step.name for step in result.trace][:2] == ["地区类别", "财政补助"]
    assert load_generated("nmg_2024_resident").财政分担(地区类别="二类").trace == ()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"地区类别": "四类"}, "地区类别: unknown 地区类别 '四类'; expected one of 一类、二类、三类"),
    ({"地区类别": 1}, "地区类别: unknown 地区类别 1"),
])
def test_bad_enumeration_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:
        load_generated("nmg_2023_resident").财政分担(**kwargs)
    assert message in str(err.value)


@pytest.mark.parametrize(("value", "message"), [
    (-1, "已缴金额: must not be negative, got -1"),
    ("abc", "已缴金额: 'abc' is not a number"),
    (0.1, "已缴金额: the float 0.1 is not exact; pass an amount in 元 as a str or Decimal, e.g. '0.1'"),
    ("NaN", "已缴金额: 'NaN' is not a finite number"),
    (True, "已缴金额: expected an amount in 元, got bool"),
])
def test_bad_money_input(value: object, message: str) -> None:
    with pytest.raises(ValueError) as err:
        load_generated("nmg_2023_resident").补缴(已缴金额=value)
    assert str(err.value) == message


def test_enumeration_members_are_accepted_as_well_as_names() -> None:
    module = load_generated("nmg_2023_resident")
    assert module.财政分担(地区类别=module.地区类别.三类).自治区 == module.财政分担(地区类别="三类").自治区


def test_a_member_is_also_accepted_by_how_the_notice_names_it() -> None:
    """救助对象身份.易返贫致贫人口 又称 "农村牧区易返贫致贫人口": both names give the member, and
    the two together are one member given twice (as the batch calculator says too)."""
    aid = load_generated("nmg_2022_major_illness").资助参保
    by_alias = aid(身份=["农村牧区易返贫致贫人口"], 个人缴费标准="380", 定额资助标准="200")
    by_name = aid(身份=["易返贫致贫人口"], 个人缴费标准="380", 定额资助标准="200")
    assert by_alias == by_name
    with pytest.raises(ValueError) as err:
        aid(身份=["易返贫致贫人口", "农村牧区易返贫致贫人口"], 个人缴费标准="380", 定额资助标准="200")
    assert str(err.value) == "身份: 易返贫致贫人口 is given more than once"


def test_results_are_frozen() -> None:
    result = load_generated("nmg_2023_resident").补缴(已缴金额="1")
    with pytest.raises(AttributeError):
        result.补缴金额 = 0  # type: ignore[misc]
    assert result.inputs.已缴金额 == 1
