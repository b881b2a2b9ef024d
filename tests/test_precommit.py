"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit on the shipped policies.

A copy of policies/ becomes a git repository of its own (a policy repository), and pre-commit
runs the hooks on its .policy files in two ways:

- `try-repo`: as a policy repository uses them — pre-commit installs this repository (its
  tracked files) into a virtualenv of its own, which needs pip and an index;
- `local`: the same hooks copied from the manifest into a `repo: local` config, run with the
  policydsl of this environment (`language: system`: the only field changed).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from policydsl.cli import COMMANDS

from .conftest import POLICIES, ROOT

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
CI_DOC = ROOT / "docs" / "ci.md"
# try-repo installs policydsl into a new virtualenv on every run (15-45 s for the test)
WAYS = ("local", pytest.param("try-repo", marks=pytest.mark.slow))
BROKEN_LINE = "\n规则 坏规则 = 未声明的名字\n"  # E101: unknown name


def hooks() -> list[dict[str, object]]:
    loaded: list[dict[str, object]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's cache in a temporary folder, not the user's (try-repo keeps its own in a
    folder of each run); this environment's policydsl first on PATH."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    return dict(os.environ, PRE_COMMIT_HOME=str(home), PATH=path)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=policydsl", "-c", "user.email=test@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True)


def skip_unless_runnable(way: str, needs_fmt: bool) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if way == "try-repo" and not (ROOT / ".git").exists():
        pytest.skip("try-repo installs a git checkout of policydsl; this is not one")
    if needs_fmt and importlib.util.find_spec("policydsl.commands.fmt") is None:
        pytest.skip("policydsl fmt (policydsl/commands/fmt.py) is not written yet")
    if needs_fmt and way == "try-repo":
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "policydsl/commands/fmt.py"],
                                 cwd=ROOT, capture_output=True)
        if tracked.returncode != 0:
            pytest.skip("policydsl/commands/fmt.py is not committed yet (try-repo installs "
                        "the repository's tracked files)")


def policy_repo(tmp_path: Path, env: dict[str, str], formatted: bool) -> tuple[Path, list[str]]:
    """A git repository holding a copy of policies/ (formatted by `policydsl fmt` first when
    asked), and its .policy files."""
    repo = tmp_path / "repo"
    shutil.copytree(POLICIES, repo / "policies")
    if formatted:
        subprocess.run(["policydsl", "fmt", "policies"], cwd=repo, env=env, check=True,
                       capture_output=True)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "policies")
    files = sorted(p.relative_to(repo).as_posix() for p in (repo / "policies").rglob("*.policy"))
    assert files
    return repo, files


def run_hooks(way: str, repo: Path, env: dict[str, str], hook_ids: tuple[str, ...],
              files: list[str]) -> subprocess.CompletedProcess[str]:
    pre_commit = [sys.executable, "-m", "pre_commit"]
    if way == "try-repo":
        chosen = list(hook_ids) if len(hook_ids) == 1 else []  # try-repo runs one hook, or all
        assert chosen or {str(h["id"]) for h in hooks()} == set(hook_ids)
        command = [*pre_commit, "try-repo", str(ROOT), *chosen]
    else:
        config = repo.parent / "local-hooks.yaml"
        local = [dict(h, language="system") for h in hooks() if h["id"] in hook_ids]
        config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]},
                                         allow_unicode=True, sort_keys=False), encoding="utf-8")
        command = [*pre_commit, "run", "--config", str(config)]
    return subprocess.run([*command, "--color", "never", "--files", *files], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


def outcome(done: subprocess.CompletedProcess[str], name: str) -> str:
    """Passed or Failed: the status pre-commit prints after the hook's dotted name."""
    found = re.search(rf"^{re.escape(name)}\.+(Passed|Failed)$", done.stdout, re.MULTILINE)
    assert found, done.stdout + done.stderr
    return found.group(1)


def test_the_manifest_declares_both_hooks() -> None:
    declared = {str(h["id"]): h for h in hooks()}
    assert list(declared) == ["policydsl-fmt", "policydsl-check"]
    assert declared["policydsl-fmt"]["entry"] == "policydsl fmt"
    assert declared["policydsl-check"]["entry"] == "policydsl check"
    for hook in declared.values():
        assert hook["language"] == "python"
        pattern = re.compile(str(hook["files"]))
        shipped = [p.relative_to(ROOT).as_posix() for p in POLICIES.rglob("*.policy")]
        assert shipped and all(pattern.search(p) for p in shipped)
        assert not any(pattern.search(p.as_posix()) for p in POLICIES.rglob("*.txt"))
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("way", ["local"])  # try-repo runs this hook in the test below
def test_the_check_hook_on_the_shipped_policies(way: str, tmp_path: Path, env: dict[str, str]) -> None:
    skip_unless_runnable(way, needs_fmt=False)
    repo, files = policy_repo(tmp_path, env, formatted=False)

    done = run_hooks(way, repo, env, ("policydsl-check",), files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outcome(done, "policydsl check") == "Passed"

    broken = repo / files[0]
    broken.write_text(broken.read_text(encoding="utf-8") + BROKEN_LINE, encoding="utf-8")
    done = run_hooks(way, repo, env, ("policydsl-check",), files)
    assert done.returncode == 1
    assert outcome(done, "policydsl check") == "Failed"
    assert f"{files[0]}:" in done.stdout and "error[E101]: unknown name 未声明的名字" in done.stdout


@pytest.mark.parametrize("way", WAYS)
def test_both_hooks_on_the_shipped_policies(way: str, tmp_path: Path, env: dict[str, str]) -> None:
    """Formatted policies pass both hooks; a policy with its layout mangled and an unknown
    name is rewritten in the canonical layout by fmt and reported by check."""
    skip_unless_runnable(way, needs_fmt=True)
    repo, files = policy_repo(tmp_path, env, formatted=True)
    both = ("policydsl-fmt", "policydsl-check")

    done = run_hooks(way, repo, env, both, files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (outcome(done, "policydsl fmt"), outcome(done, "policydsl check")) == ("Passed", "Passed")

    target = repo / files[0]
    broken = target.read_text(encoding="utf-8") + BROKEN_LINE
    expected = tmp_path / "expected.policy"  # what fmt makes of the broken file, laid out well
    expected.write_text(broken, encoding="utf-8")
    subprocess.run(["policydsl", "fmt", str(expected)], env=env, check=True, capture_output=True)
    mangled = "".join("  " + line if line[:1].isspace() else line
                      for line in broken.splitlines(keepends=True))
    assert mangled != expected.read_text(encoding="utf-8")
    target.write_text(mangled, encoding="utf-8")

    done = run_hooks(way, repo, env, both, files)
    assert done.returncode == 1
    assert (outcome(done, "policydsl fmt"), outcome(done, "policydsl check")) == ("Failed", "Failed")
    assert "files were modified by this hook" in done.stdout
    assert target.read_bytes() == expected.read_bytes()
    assert f"{files[0]}:" in done.stdout and "error[E101]: unknown name 未声明的名字" in done.stdout


# ---------------------------------------------------------------- docs/ci.md
def documented_yaml() -> list[Any]:
    """The YAML blocks of docs/ci.md, loaded (a step snippet loads as a list of steps)."""
    blocks = re.findall(r"```yaml\n(.*?)```", CI_DOC.read_text(encoding="utf-8"), re.DOTALL)
    return [yaml.safe_load(block) for block in blocks]


def test_the_documented_pre_commit_config_is_valid(tmp_path: Path) -> None:
    configs = [b for b in documented_yaml() if isinstance(b, dict) and "repos" in b]
    assert len(configs) == 1
    assert [h["id"] for h in configs[0]["repos"][0]["hooks"]] == [h["id"] for h in hooks()]
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(configs[0], allow_unicode=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(config)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def documented_commands() -> list[list[str]]:
    """Every `policydsl …` command the documented workflow and its step snippets run."""
    steps: list[dict[str, Any]] = []
    for block in documented_yaml():
        if isinstance(block, dict) and "jobs" in block:
            steps += [s for job in block["jobs"].values() for s in job["steps"]]
        elif isinstance(block, list) and all("run" in s for s in block):
            steps += block
    lines = [line.strip() for step in steps if "run" in step for line in step["run"].splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("policydsl ")]


def test_the_documented_workflow_runs_commands_that_exist() -> None:
    commands = documented_commands()
    assert {c[0] for c in commands} >= {"check", "fmt", "test", "coverage", "compile", "diff"}
    missing = []
    for args in commands:
        name, options = args[0], [a for a in args[1:] if a.startswith("--")]
        assert name in COMMANDS, args
        if importlib.util.find_spec(f"policydsl.commands.{COMMANDS[name][0]}") is None:
            missing.append(name)
            continue
        command: click.Command = importlib.import_module(f"policydsl.commands.{COMMANDS[name][0]}").command
        known = {opt for param in command.params for opt in param.opts}
        assert set(options) <= known, (args, sorted(known))
    if missing:
        pytest.skip("not written yet, so their options are not checked: "
                    + ", ".join(f"policydsl {m}" for m in sorted(set(missing))))
