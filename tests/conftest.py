"""Shared test helpers: check policy text, load the generated calculators, snapshot files."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from policydsl import api
from policydsl.diagnostics import render_all

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
GENERATED = ROOT / "generated"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEADER = '政策 t\n标题 "测试"\n通知 "notice.txt"\n'


class TextSnapshot(SingleFileSnapshotExtension):
    """One snapshot file per generated file, stored as text to be reviewed like code."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


@pytest.fixture
def text_snapshot(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(TextSnapshot)


def check_source(tmp_path: Path, body: str, notice: str = "", header: str = HEADER) -> api.CheckResult:
    """Check t.policy, written in a temporary folder beside notice.txt, from inside that folder
    (so that messages name the file as t.policy)."""
    (tmp_path / "notice.txt").write_text(notice, encoding="utf-8")
    (tmp_path / "t.policy").write_text(header + body, encoding="utf-8")
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        return api.check([Path("t.policy")])
    finally:
        os.chdir(previous)


def rendered(result: api.CheckResult, tmp_path: Path) -> str:
    text = render_all(result.diagnostics, result.sources)
    return text.replace(str(tmp_path), "<tmp>")


def codes(result: api.CheckResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def load_generated(policy_id: str) -> types.ModuleType:
    """Import a committed generated module by its file path (the folder is not a package)."""
    name = f"generated_{policy_id}"
    if name in sys.modules:
        return sys.modules[name]
    return import_file(GENERATED / "python" / f"{policy_id}.py", name)


def import_file(path: Path, name: str) -> types.ModuleType:
    """Import a module from a file as `name` (registered in sys.modules, as dataclasses need)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def shipped() -> api.CheckResult:
    result = api.check([POLICIES])
    assert result.ok, render_all(result.diagnostics, result.sources)
    return result
