"""Files: only those inside the project, only regular, only bounded (issue 15, family 4), and the
messages of family 6 about inputs and about what compile counts.

Each test builds a small project in a temporary folder (its pyproject.toml marks the project
root) beside a secret file outside it, then asserts what policydsl may not do: show a line of
the secret, tell whether a guess about it is right, read a device or an endless file, write
through a link, or remove a file it did not write.  No command may end in `internal error`
(exit 3): `cli` fails the test if one does.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policydsl import api, outputs, runner
from policydsl.cli import main
from policydsl.diagnostics import Diagnostic, render_all
from policydsl.loader import MAX_FILE_BYTES, Loader

from .conftest import POLICIES

SECRET = "root:x:0:0:SECRET-LINE-7f3a:/root:/bin/bash\n规则 秘密 = SECRET-LINE-9c1e\n"
NOTICE = "关于“测试”的通知\n一、财政补助640元。\n"
POLICY = """政策 {id}
标题 "测试"
通知 "{notice}"
{header}
条款 一 「补助」 {{
  引文 「{quote}」
  参数 补助 = 640 元
  输入 费用: 元
  规则 支付 = 较小(费用, 补助)
}}
计算 算 "测试计算" {{
  输出 支付 = 支付
}}
"""


def policy(id: str = "t", notice: str = "notice.txt", header: str = "",
           quote: str = "财政补助640元") -> str:
    return POLICY.format(id=id, notice=notice, header=header, quote=quote)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/proj/policies (t.policy, notice.txt) in a project marked by tmp/proj/pyproject.toml,
    beside tmp/secret.policy outside it; the working directory is tmp/proj."""
    root = tmp_path / "proj"
    (root / "policies").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "policies" / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (root / "policies" / "t.policy").write_text(policy(), encoding="utf-8")
    (tmp_path / "secret.policy").write_text(SECRET, encoding="utf-8")
    monkeypatch.chdir(root)
    return root / "policies"


def cli(*args: str) -> tuple[int, str, str]:
    """Run policydsl in this process; an internal error fails the test."""
    done = CliRunner().invoke(main, list(args))
    assert done.exit_code != 3 and "internal error" not in done.stderr, done.stderr
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.stdout, done.stderr


def limit_memory() -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def cli_process(*args: str, cwd: Path) -> tuple[int, str]:
    """Run policydsl in a child with 2 GB of memory and 60 s: what used to read /dev/zero for
    ever fails here instead of hanging the test run."""
    done = subprocess.run([sys.executable, "-m", "policydsl", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, preexec_fn=limit_memory)
    assert done.returncode != 3 and "internal error" not in done.stderr, done.stderr
    return done.returncode, done.stderr


def codes(path: Path, *options: str) -> list[str]:
    code, out, err = cli("check", "--format", "json", *options, str(path))
    assert code in (0, 1), err
    return [d["code"] for d in json.loads(out)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- what a policy may read
def test_a_used_file_outside_the_project_is_refused_and_none_of_its_lines_shown(folder: Path) -> None:
    write(folder / "a.policy", policy("a", header='使用 "../../secret.policy"'))
    code, _, err = cli("check", str(folder / "a.policy"))
    assert code == 1
    assert "error[E104]: ../../secret.policy leads outside the project root" in err
    assert "SECRET-LINE" not in err


def test_etc_passwd_is_not_shown(folder: Path) -> None:
    passwd = Path("/etc/passwd")
    if not passwd.is_file():
        pytest.skip("no /etc/passwd here")
    written = os.path.relpath(passwd, folder)  # ../../../…/etc/passwd
    for kind in ("使用", "修订", "遵循"):
        header = f'{kind} "{written}"' + (" 作为 上级" if kind != "使用" else "")
        write(folder / "a.policy", policy("a", header=header))
        code, _, err = cli("check", str(folder / "a.policy"))
        assert code == 1 and "error[E104]" in err, err
        shown = [line for line in passwd.read_text(errors="replace").splitlines() if line.strip()]
        assert not any(line in err for line in shown), err


@pytest.mark.parametrize("kind", ["使用", "遵循"])
def test_an_absolute_path_is_refused(folder: Path, kind: str) -> None:
    secret = folder.parent.parent / "secret.policy"
    alias = " 作为 上级" if kind != "使用" else ""
    write(folder / "a.policy", policy("a", header=f'{kind} "{secret}"{alias}'))
    code, _, err = cli("check", str(folder / "a.policy"))
    assert code == 1 and f"error[E104]: {secret} is an absolute path" in err
    assert "SECRET-LINE" not in err


def test_a_guessed_quote_of_a_notice_outside_is_neither_confirmed_nor_denied(folder: Path) -> None:
    """`通知 "/etc/passwd"` with a right 引文 and with a wrong one: the same single E304."""
    secret = folder.parent.parent / "secret.policy"
    outcomes = []
    for guess in ("SECRET-LINE-7f3a", "NOT-IN-THE-FILE"):
        write(folder / "b.policy", policy("b", notice=str(secret), quote=guess))
        outcomes.append(codes(folder / "b.policy"))
    assert outcomes == [["E304"], ["E304"]]
    write(folder / "b.policy", policy("b", notice="../../secret.policy", quote="SECRET-LINE-7f3a"))
    assert codes(folder / "b.policy") == ["E304"]


def test_a_link_inside_the_project_to_a_file_outside_is_refused(folder: Path) -> None:
    (folder / "link.policy").symlink_to(folder.parent.parent / "secret.policy")
    write(folder / "a.policy", policy("a", header='使用 "link.policy"'))
    (folder / "notice-link.txt").symlink_to(folder.parent.parent / "secret.policy")
    write(folder / "b.policy", policy("b", notice="notice-link.txt", quote="SECRET-LINE-7f3a"))
    code, _, err = cli("check", str(folder / "a.policy"), str(folder / "b.policy"))
    assert code == 1
    assert "error[E104]: link.policy is a link to a file outside the project root" in err
    assert "error[E304]: notice-link.txt is a link to a file outside the project root" in err
    assert "SECRET-LINE" not in err


def test_a_link_found_in_a_checked_folder_is_not_followed_out_of_the_project(folder: Path) -> None:
    (folder / "evil.policy").symlink_to(folder.parent.parent / "secret.policy")
    code, _, err = cli("check", str(folder))
    assert code == 1 and "evil.policy is a link to a file outside the project root" in err
    assert "SECRET-LINE" not in err


def test_files_inside_the_project_are_read_through_links_and_dot_dot(folder: Path) -> None:
    shared = folder.parent / "shared"
    shared.mkdir()
    write(shared / "common.policy", '政策 common\n标题 "共用"\n')
    (folder / "common-link.policy").symlink_to(shared / "common.policy")
    write(folder / "a.policy", policy("a", header='使用 "../shared/common.policy"'))
    write(folder / "b.policy", policy("b", header='使用 "common-link.policy"'))
    assert codes(folder) == []


def test_root_widens_and_narrows_the_project(folder: Path) -> None:
    outside = folder.parent.parent
    write(outside / "common.policy", '政策 common\n标题 "共用"\n')
    write(folder / "a.policy", policy("a", header='使用 "../../common.policy"'))
    assert codes(folder / "a.policy") == ["E104"]
    assert codes(folder / "a.policy", "--root", str(outside)) == []
    (folder / "sub").mkdir()
    write(folder / "sub" / "c.policy", policy("c", notice="../notice.txt"))
    assert codes(folder / "sub" / "c.policy") == []
    assert codes(folder / "sub" / "c.policy", "--root", str(folder / "sub")) == ["E304"]


def test_every_command_that_checks_policies_holds_them_to_one_root(folder: Path) -> None:
    """diff, test and the rest refuse the outside file check refuses, and --root widens them."""
    outside = folder.parent.parent
    write(outside / "common.policy", '政策 common\n标题 "共用"\n')
    write(folder / "a.policy", policy("a", header='使用 "../../common.policy"'))
    a = str(folder / "a.policy")
    for command in (["diff", a, a], ["test", a], ["coverage", a], ["table", a], ["ir", a]):
        code, _, err = cli(*command)
        assert code == 1 and "leads outside the project root" in err, (command, err)
        code, _, err = cli(*command, "--root", str(outside))
        assert "outside the project root" not in err, (command, err)


def test_without_a_marker_the_folder_named_is_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if any((parent / marker).exists() for parent in tmp_path.parents
           for marker in (".git", "pyproject.toml")):
        pytest.skip("the temporary folder lies inside a project")
    (tmp_path / "policies" / "nmg").mkdir(parents=True)
    write(tmp_path / "policies" / "nmg" / "notice.txt", NOTICE)
    write(tmp_path / "policies" / "common.policy", '政策 common\n标题 "共用"\n')
    write(tmp_path / "policies" / "nmg" / "a.policy", policy("a", header='使用 "../common.policy"'))
    monkeypatch.chdir(tmp_path)
    assert codes(tmp_path / "policies") == []
    assert codes(tmp_path / "policies" / "nmg" / "a.policy") == ["E104"]


# ---------------------------------------------------------------- only regular files, bounded
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_notice_is_refused_at_once(folder: Path, target: str) -> None:
    if not Path(target).exists():
        pytest.skip(f"no {target} here")
    written = os.path.relpath(target, folder)
    write(folder / "z.policy", policy("z", notice=written))
    code, err = cli_process("check", "--root", "/", "z.policy", cwd=folder)
    assert code == 1 and f"error[E304]: cannot read {written}: it is a device, not a regular file" in err
    write(folder / "z.policy", policy("z", notice=target))
    code, err = cli_process("check", "z.policy", cwd=folder)
    assert code == 1 and f"error[E304]: {target} is an absolute path" in err


def test_a_pipe_or_a_folder_is_refused_without_waiting(folder: Path) -> None:
    os.mkfifo(folder / "pipe.txt")
    (folder / "dir.policy").mkdir()
    write(folder / "p.policy", policy("p", notice="pipe.txt", header='使用 "dir.policy"'))
    code, err = cli_process("check", "p.policy", cwd=folder)
    assert code == 1
    assert "error[E304]: cannot read pipe.txt: it is a pipe, not a regular file" in err
    assert "error[E104]: cannot read dir.policy: it is a folder, not a regular file" in err


def test_a_huge_notice_is_refused_by_its_size_without_reading_it(folder: Path) -> None:
    with open(folder / "huge.txt", "wb") as huge:  # sparse: 8 GB that take no room
        huge.truncate(8 << 30)
    write(folder / "h.policy", policy("h", notice="huge.txt"))
    code, err = cli_process("check", "h.policy", cwd=folder)
    assert code == 1
    assert f"error[E304]: huge.txt is {8 << 30:,} bytes or more; policydsl reads files of at most " \
           f"{MAX_FILE_BYTES:,} bytes" in err


def test_a_loop_of_links_named_on_the_command_line_is_a_diagnostic(folder: Path) -> None:
    (folder / "loop.policy").symlink_to("loop2.policy")
    (folder / "loop2.policy").symlink_to("loop.policy")
    code, _, err = cli("check", str(folder / "loop.policy"))
    assert code == 1 and "cannot read policies/loop.policy: it is a loop of symbolic links" in err
    code, _, err = cli("check", str(folder))
    assert code == 1 and "it is a loop of symbolic links" in err


def test_a_loop_of_links_named_by_a_policy_is_a_diagnostic(folder: Path) -> None:
    (folder / "loop.policy").symlink_to("loop2.policy")
    (folder / "loop2.policy").symlink_to("loop.policy")
    (folder / "loop.txt").symlink_to("loop.txt")
    write(folder / "a.policy", policy("a", notice="loop.txt", header='使用 "loop.policy"'))
    code, out, err = cli("check", "--format", "json", str(folder / "a.policy"))
    found = {d["code"]: d["message"] for d in json.loads(out)}
    assert code == 1 and sorted(found) == ["E104", "E304"], err
    assert all("loop of symbolic links" in message for message in found.values()), found


# ---------------------------------------------------------------- eval --input
def test_eval_input_is_a_bounded_regular_file_named_in_every_error(folder: Path) -> None:
    os.mkfifo(folder / "pipe.json")
    (folder / "bad.json").write_bytes(b'{"\xff": 1}')
    (folder / "big.json").write_bytes(b" " * (MAX_FILE_BYTES + 1))
    for name, message in [
        ("/dev/zero", "cannot read /dev/zero: it is a device, not a regular file"),
        ("pipe.json", "cannot read pipe.json: it is a pipe, not a regular file"),
        (".", "cannot read .: it is a folder, not a regular file"),
        ("nothing.json", "cannot read nothing.json: No such file or directory"),
        ("bad.json", "bad.json is not UTF-8 text (byte 2); save it as UTF-8"),
        ("big.json", f"big.json is {MAX_FILE_BYTES + 1:,} bytes or more"),
    ]:
        code, err = cli_process("eval", "t.policy", "算", "--input", name, cwd=folder)
        assert code == 1 and err.startswith(f"error: {message}"), (name, err)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_eval_refuses_json_nan_by_the_inputs_name(folder: Path, word: str) -> None:
    write(folder / "case.json", f'{{"费用": {word}}}')
    code, _, err = cli("eval", str(folder / "t.policy"), "算", "--input", str(folder / "case.json"))
    assert code == 1
    assert f": 费用 is {word}, which is not a number" in err
    assert "'nan'" not in err and "float" not in err


def test_eval_refuses_a_5000_digit_integer_by_the_inputs_name(folder: Path) -> None:
    write(folder / "case.json", '{"费用": ' + "9" * 5000 + "}")
    code, _, err = cli("eval", str(folder / "t.policy"), "算", "--input", str(folder / "case.json"))
    assert code == 1
    assert err.startswith("error: 费用: ") and len(err) < 300
    assert "int_max_str_digits" not in err and "4300" not in err


def test_eval_refuses_an_input_given_twice(folder: Path) -> None:
    write(folder / "case.json", '{"费用": "1", "费用": "2"}')
    code, _, err = cli("eval", str(folder / "t.policy"), "算", "--input", str(folder / "case.json"))
    assert code == 1 and "case.json: 费用 is given twice" in err


def test_eval_reads_its_input_exactly(folder: Path) -> None:
    write(folder / "case.json", '{"费用": 500.25}')
    code, out, err = cli("eval", str(folder / "t.policy"), "算", "--input", str(folder / "case.json"),
                         "--json")
    assert code == 0, err
    assert json.loads(out) == {"支付": "500.25"}


# ---------------------------------------------------------------- compile --out
def compile_to(folder: Path, out: Path) -> tuple[int, str, str]:
    return cli("compile", str(folder), "--out", str(out))


def generated(folder: Path) -> dict[str, str]:
    result = api.check([folder])
    assert result.ok, result.diagnostics
    return api.generated_files(result)


def test_compile_counts_what_it_wrote_and_removed(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    write(folder / "u.policy", policy("u"))
    with_u = generated(folder)
    assert compile_to(folder, out)[1] == f"wrote {len(with_u)} of {len(with_u)} files to {out}, removed 0\n"
    assert compile_to(folder, out)[1] == \
        f"wrote 0 of {len(with_u)} files to {out}, removed 0 (all were fresh)\n"
    (folder / "u.policy").unlink()
    without_u = generated(folder)
    gone = sorted(set(with_u) - set(without_u))
    assert gone and all("u" in Path(rel).stem for rel in gone)
    changed = [rel for rel in without_u if with_u[rel] != without_u[rel]]  # the indexes
    code, said, _ = compile_to(folder, out)
    assert code == 0
    assert said == f"wrote {len(changed)} of {len(without_u)} files to {out}, removed {len(gone)}\n"
    assert not any((out / rel).exists() for rel in gone)


def test_compile_removes_only_generated_files_in_the_folders_it_writes(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    files = generated(folder)
    mine = {"python/mine/helper.py": "x = 1\n", "python/handwritten.py": "# mine\n",
            "tables/notes/readme.md": "# notes\n", "tables/notes.md": "generated by policydsl\n",
            "batch/sub/t.py": files["batch/t.py"]}  # a generated file, but in a folder of its own
    for rel, text in mine.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        write(out / rel, text)
    stale = out / "python" / "old.py"
    write(stale, files["python/t.py"].replace("(policy t)", "(policy old)"))
    assert compile_to(folder, out)[0] == 0
    assert not stale.exists()
    assert {rel: (out / rel).read_text(encoding="utf-8") for rel in mine} == mine


def test_compile_never_writes_through_a_link(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    outside = tmp_path / "outside.py"
    write(outside, "# not policydsl's\n")
    (out / "python").mkdir(parents=True)
    (out / "python" / "t.py").symlink_to(outside)
    code, said, err = compile_to(folder, out)
    assert code == 1 and said == ""
    assert f"error: {out / 'python' / 't.py'} is a symbolic link; compile does not write through" in err
    assert outside.read_text(encoding="utf-8") == "# not policydsl's\n"
    assert sorted(p.name for p in out.rglob("*")) == ["python", "t.py"]  # nothing else written


def test_compile_never_writes_into_a_linked_folder(folder: Path, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "gen", tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "tables").symlink_to(elsewhere)
    code, _, err = compile_to(folder, out)
    assert code == 1 and f"{out / 'tables'} is a symbolic link" in err
    assert list(elsewhere.iterdir()) == []


def test_the_output_folder_itself_may_be_a_link(folder: Path, tmp_path: Path) -> None:
    real, link = tmp_path / "real", tmp_path / "link"
    real.mkdir()
    link.symlink_to(real)
    assert compile_to(folder, link)[0] == 0
    assert (real / "python" / "t.py").is_file()


def test_compile_replaces_a_file_instead_of_writing_into_it(folder: Path, tmp_path: Path) -> None:
    """A hard link to a generated file keeps its bytes: compile renames a new file over it."""
    out = tmp_path / "gen"
    assert compile_to(folder, out)[0] == 0
    write(out / "python" / "t.py", "# edited\n")
    os.link(out / "python" / "t.py", tmp_path / "other.py")
    assert compile_to(folder, out)[0] == 0
    assert (tmp_path / "other.py").read_text(encoding="utf-8") == "# edited\n"
    assert (out / "python" / "t.py").read_text(encoding="utf-8") == generated(folder)["python/t.py"]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_compile_check_names_a_link_and_writes_nothing(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    (out / "python").mkdir(parents=True)
    (out / "python" / "t.py").symlink_to("/dev/zero")
    code, err = cli_process("compile", str(folder), "--out", str(out), "--check", cwd=folder)
    assert code == 1 and "is a symbolic link" in err


@pytest.mark.parametrize("folder_of_policies", [POLICIES, POLICIES.parent / "examples"],
                         ids=["policies", "examples"])
def test_every_generated_file_says_it_is_generated(folder_of_policies: Path) -> None:
    """compile removes a stale file only by this header: every backend must write it."""
    files = generated(folder_of_policies)
    missing = [rel for rel, text in files.items()
               if not outputs.GENERATED.search(text.encode("utf-8")[: outputs.HEADER_BYTES]
                                               .decode("utf-8", "ignore"))]
    assert missing == []


# ---------------------------------------------------------------- no path escapes (hypothesis)
SEGMENTS = ["..", ".", "a", "b", "up", "in", "abs", "here", "x.policy", "secret.policy", "proj",
            "nowhere", "a/../.."]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base/proj (the project) with links that stay in it and links that leave it, beside
    base/secret.policy."""
    base = tmp_path_factory.mktemp("tree")
    root = base / "proj"
    (root / "a" / "b").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    write(root / "a" / "b" / "x.policy", "政策 x\n")
    write(base / "secret.policy", SECRET)
    (root / "a" / "up").symlink_to("../..")  # leaves the project
    (root / "a" / "in").symlink_to("b")  # stays in it
    (root / "a" / "abs").symlink_to(base)  # leaves it, by an absolute link
    (root / "a" / "here").symlink_to(root / "a")  # stays in it, by an absolute link
    (root / "a" / "b" / "secret.policy").symlink_to(base / "secret.policy")
    return root


written_paths = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=8).map("/".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=written_paths, start=st.sampled_from(["a", "a/b", "a/in"]))
def test_no_relative_path_leaves_the_project(tree: Path, written: str, start: str) -> None:
    loader = Loader()
    loader.name(tree / start)
    admitted = loader.admit(tree / start / written)
    real = Path(os.path.realpath(tree / start / written))
    if isinstance(admitted, Diagnostic):
        assert not real.is_relative_to(tree), written  # refused only what leaves the project
    else:
        assert admitted == real and admitted.is_relative_to(tree), written


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=written_paths, kind=st.sampled_from(["通知", "使用"]))
@example(written="b/secret.policy", kind="使用")
@example(written="up/secret.policy", kind="通知")
@example(written="abs/secret.policy", kind="通知")
@example(written="../../secret.policy", kind="使用")
def test_no_path_in_a_policy_shows_the_secret(tree: Path, written: str, kind: str) -> None:
    header = f'{kind} "{written}"' if kind == "使用" else ""
    notice = written if kind == "通知" else "notice.txt"
    path = write(tree / "a" / "fuzz.policy", policy("fuzz", notice=notice, header=header,
                                                      quote="SECRET-LINE-7f3a"))
    result = api.check([path])
    shown = render_all(result.diagnostics, result.sources)
    assert "SECRET-LINE-9c1e" not in shown and "root:x:0:0" not in shown
    assert not result.ok  # the secret's quote is never found


# ---------------------------------------------------------------- SECURITY.md tells the truth
BOUNDS_POLICY = """政策 b
标题 "测试"
通知 "notice.txt"
条款 一 「补助」 {
  引文 「财政补助640元」
  输入 费用: 元
  输入 比例: %
  输入 年数: 年
  输入 次数: 次
  规则 支付 = 费用 × 比例
  规则 年 = 年数
  规则 次 = 次数
}
计算 算 "测试计算" {
  输出 支付 = 支付
  输出 年 = 年
  输出 次 = 次
}
"""


def test_security_md_states_the_calculators_bounds(folder: Path) -> None:
    """Each bound of SECURITY.md's table, just inside and just outside, on a generated calculator."""
    table = (Path(__file__).parent.parent / "SECURITY.md").read_text(encoding="utf-8")
    money = re.search(r"\| money .*at most (\d+) decimals\), not negative, below 10\^(\d+) 元 \|", table)
    rate = re.search(r"\| a rate .*0 to 100 % .*at most (\d+) decimals \|", table)
    number = re.search(r"\| other numbers .*not negative, below 10\^(\d+), at most (\d+) decimals \|", table)
    text = re.search(r"\| a number given as text \| at most (\d+) characters \|", table)
    assert money and rate and number and text, "SECURITY.md's table of bounds changed its form"
    cents, money_digits = map(int, money.groups())
    rate_places = int(rate.group(1))
    number_digits, number_places = map(int, number.groups())
    longest = int(text.group(1))
    write(folder / "b.policy", BOUNDS_POLICY)
    checked = api.check([folder / "b.policy"])
    assert checked.ok, checked.diagnostics
    policy = checked.policies[0]
    ok = {"费用": "1", "比例": "1", "年数": "1", "次数": "1"}

    def refused(**values: str) -> str:
        try:
            runner.call(policy, policy.calculators[0], {**ok, **values}, explain=False)
        except ValueError as err:
            return str(err)
        return ""

    inside = [{"费用": "9" * money_digits + "." + "9" * cents}, {"比例": "0." + "0" * (rate_places - 1) + "1"},
              {"比例": "1"}, {"年数": "9" * number_digits + "." + "9" * number_places},
              {"次数": "9" * number_digits}, {"次数": "0" * (longest - 1) + "1"}]
    outside = [{"费用": "1" + "0" * money_digits}, {"费用": "0." + "0" * cents + "1"},
               {"比例": "0." + "0" * rate_places + "1"}, {"比例": "1." + "0" * (rate_places - 1) + "1"},
               {"年数": "1" + "0" * number_digits}, {"年数": "0." + "0" * number_places + "1"},
               {"次数": "1.5"}, {"次数": "-1"}, {"费用": "0" * longest + "1"}]
    assert [refused(**values) for values in inside] == [""] * len(inside)
    for values in outside:
        message = refused(**values)
        assert message.startswith(next(iter(values)) + ": "), (values, message)
