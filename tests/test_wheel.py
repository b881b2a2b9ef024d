"""The wheel carries everything policydsl needs: the grammar, the templates, every package.
Built with `pip wheel .`, installed without -e, it checks and compiles the shipped policies
from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import POLICIES, ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked into a folder of its own (its dependencies come from this venv)."""
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(wheels), str(ROOT)], check=True, timeout=300)
    [wheel] = wheels.glob("policydsl-*.whl")
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_wheel_holds_the_grammar_templates_and_every_package(installed: Path) -> None:
    assert (installed / "policydsl" / "grammar" / "policy.lark").is_file()
    assert (installed / "policydsl" / "templates" / "python_module.py.jinja").is_file()
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "policydsl").rglob("__init__.py")}
    for package in packages:
        assert (installed / package / "__init__.py").is_file(), package


def test_the_installed_policydsl_checks_the_shipped_policies_from_anywhere(installed: Path,
                                                                           tmp_path: Path) -> None:
    where = run_installed(installed, tmp_path, "-c", "import policydsl; print(policydsl.__file__)")
    assert where.stdout.startswith(str(installed)), where.stdout + where.stderr
    checked = run_installed(installed, tmp_path, "-m", "policydsl", "check", str(POLICIES))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok:")
    compiled = run_installed(installed, tmp_path, "-m", "policydsl", "compile", str(POLICIES),
                             "--out", str(tmp_path / "out"))
    assert compiled.returncode == 0, compiled.stderr
    assert (tmp_path / "out" / "python" / "nmg_2023_resident.py").is_file()
