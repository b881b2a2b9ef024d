"""`policydsl fmt`: the canonical layout, its fixed point, and what it must never change.

The shipped policies are found on disk (policies/ and examples/), so a new policy is covered
without a change here.  They are formatted in memory only: the files themselves are not
rewritten by the tests.  The layout rules are shown by the cases of tests/fixtures/fmt/.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policydsl import fmt, parser
from policydsl.cli import main
from policydsl.diagnostics import SourceFile, render_all

from .conftest import FIXTURES, ROOT

CASES = FIXTURES / "fmt"


def shipped_policies() -> list[Path]:
    found = [path for folder in ("policies", "examples")
             for path in sorted((ROOT / folder).rglob("*.policy"))]
    assert found, "no shipped policy found"
    return found


SHIPPED = pytest.mark.parametrize(
    "path", shipped_policies(), ids=lambda p: p.relative_to(ROOT).as_posix())


@attrs.frozen
class Case:
    title: str
    text: str
    expected: str


def load_cases(file: Path) -> list[Case]:
    """The cases of one fixture file: `=== title`, the input, `---`, the expected output.
    Lines before the first `===` describe the file."""
    cases = []
    for block in re.split(r"^=== ", file.read_text(encoding="utf-8"), flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        text, separator, expected = body.partition("\n---\n")
        assert separator, f"{file.name}: case {title!r} has no --- line"
        cases.append(Case(title, text.rstrip("\n") + "\n", expected.rstrip("\n") + "\n"))
    return cases


FIXTURE_CASES = [case for file in sorted(CASES.glob("*.txt")) for case in load_cases(file)]


def formatted(text: str, path: str = "<text>") -> str:
    result = fmt.format_text(text, path)
    sources = {path: SourceFile(path, text)}
    assert result.text is not None, render_all(result.diagnostics, sources)
    return result.text


def ast_of(text: str) -> object:
    tree, diagnostics = parser.parse(SourceFile("<text>", text))
    assert tree is not None, diagnostics
    return tree


# ---------------------------------------------------------------- fixture cases
@pytest.mark.parametrize("case", FIXTURE_CASES, ids=lambda c: c.title)
def test_fixture_case(case: Case) -> None:
    assert formatted(case.text) == case.expected


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=lambda c: c.title)
def test_fixture_expectation_is_a_fixed_point(case: Case) -> None:
    assert formatted(case.expected) == case.expected
    assert_layout_invariants(case.expected)


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=lambda c: c.title)
def test_fixture_expectation_comes_back_from_a_mangled_copy(case: Case) -> None:
    assert formatted(mangle(case.expected, random.Random(case.title))) == case.expected


def test_fixture_files_hold_cases() -> None:
    assert len(FIXTURE_CASES) >= 20, [c.title for c in FIXTURE_CASES]


# ---------------------------------------------------------------- the shipped policies
@SHIPPED
def test_shipped_policy_formats_idempotently_with_the_same_ast(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = formatted(text, str(path))
    assert formatted(once) == once
    assert ast_of(once) == ast_of(text)
    assert_layout_invariants(once)


def assert_layout_invariants(text: str) -> None:
    """One final newline, at most one blank line, no trailing space, two-space indentation."""
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text
    assert not re.search(r"[ \t\u3000]\n", text)
    assert all((len(line) - len(line.lstrip(" "))) % 2 == 0 for line in text.split("\n"))


@SHIPPED
def test_mangled_policy_comes_back_byte_for_byte(path: Path) -> None:
    assert_mangling_comes_back(path, random.Random(path.name))


@given(path=st.sampled_from(shipped_policies()), rng=st.randoms(use_true_random=False))
@settings(max_examples=25, deadline=None)
def test_any_mangling_comes_back_byte_for_byte(path: Path, rng: random.Random) -> None:
    assert_mangling_comes_back(path, rng)


def assert_mangling_comes_back(path: Path, rng: random.Random) -> None:
    text = path.read_text(encoding="utf-8")
    mangled = mangle(text, rng)
    assert mangled != text
    assert ast_of(mangled) == ast_of(text), "the mangling itself changed the policy"
    assert formatted(mangled) == formatted(text)


@SHIPPED
def test_comments_and_quoted_text_survive_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    out = formatted(text)
    assert comments(out) == comments(text)
    assert strings(out) == strings(text)


QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|「[^」]*」|“[^”]*”')


def comments(text: str) -> list[str]:
    """Comments found independently of fmt: `#` or `＃` outside quoted text, up to the line end."""
    found = []
    for line in text.split("\n"):
        outside = QUOTED.sub(lambda m: " " * len(m.group()), line)
        start = min((i for i in (outside.find("#"), outside.find("＃")) if i >= 0), default=-1)
        if start >= 0:
            found.append(line[start:].rstrip())
    return found


def strings(text: str) -> list[str]:
    return [t.text for t in fmt.lex(text)[0] if t.kind.startswith("STRING")]


SPACE_VARIANTS = ["", "   ", " \t", "\u3000", "  "]


def mangle(text: str, rng: random.Random) -> str:
    """The same policy as an untidy author would write it: indentation stripped or wrong, spaces
    around operators removed or doubled (only where no two words would run together), table
    rows misaligned, blank lines multiplied, trailing spaces."""
    tokens, _ = fmt.lex(text)
    out = [text[:tokens[0].start], tokens[0].text]
    for before, token in zip(tokens, tokens[1:], strict=False):
        gap = text[before.end:token.start]
        variant = rng.choice(SPACE_VARIANTS)
        if "\n" in gap:
            gap = _mangle_lines(gap, variant, indent=" " * rng.randrange(8),
                                after_brace=before.kind == "LBRACE",
                                before_brace=token.kind == "RBRACE")
        elif variant or _words_meet(before.text, token.text):
            gap = variant or " "
        else:
            gap = ""
        out += [gap, token.text]
    out.append(text[tokens[-1].end:] + "\n\n")
    return "".join(out)


def _mangle_lines(gap: str, variant: str, indent: str, after_brace: bool,
                  before_brace: bool) -> str:
    """A gap of several lines: trailing spaces, comment lines unindented, each blank line made
    three, the next token indented by `indent`, blank lines added after { and before }."""
    first, *middle, _ = gap.split("\n")
    lines = [variant + first.strip() + variant] + [""] * after_brace
    for line in middle:
        lines += [line.strip() + variant] if line.strip() else ["", "", ""]
    return "\n".join(lines + [""] * before_brace + [indent])


def _words_meet(left: str, right: str) -> bool:
    return bool(re.match(r"\w", left[-1]) and re.match(r"\w", right[0]))


# ---------------------------------------------------------------- what fmt keeps and drops
def test_strings_with_line_breaks_and_inner_spaces_are_kept_byte_for_byte() -> None:
    out = formatted('政策 t\n  标题   「第一行  \n    第二行\t」   \n规则 a=1\n')
    assert out == '政策 t\n标题 「第一行  \n    第二行\t」\n\n规则 a = 1\n'


def test_crlf_line_ends_and_a_missing_final_newline() -> None:
    out = formatted("政策 t\r\n规则 a=1 # c\r\n规则 b=2")
    assert out == "政策 t\n\n规则 a = 1  # c\n\n规则 b = 2\n"


def test_format_text_reports_a_syntax_error_and_returns_no_text() -> None:
    result = fmt.format_text("政策 t\n规则 a = = 1\n", "x.policy")
    assert result.text is None
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("E002", 2, 8)]


# ---------------------------------------------------------------- the safety guard
def test_a_layout_that_changes_a_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "layout", lambda text: text.replace("640", "650"))
    with pytest.raises(fmt.LayoutChangedMeaning, match="reads differently"):
        fmt.format_text("政策 t\n参数 a = 640 元\n")


def test_a_layout_that_drops_a_comment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "layout", lambda text: text.replace("# 注", ""))
    with pytest.raises(fmt.LayoutChangedMeaning, match="other tokens or comments"):
        fmt.format_text("政策 t\n参数 a = 640 元  # 注\n")


def test_a_layout_that_does_not_parse_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "layout", lambda text: text.replace("规则", "规 则"))
    with pytest.raises(fmt.LayoutChangedMeaning, match="does not parse"):
        fmt.format_text("政策 t\n规则 a = 1\n")


def test_the_cli_writes_nothing_when_the_guard_trips(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "t.policy"
    file.write_bytes("政策 t\n参数 a=640 元\n".encode())
    monkeypatch.setattr(fmt, "layout", lambda text: text.replace("640", "650"))
    done = CliRunner().invoke(main, ["fmt", str(file)])
    assert done.exit_code == 3, done.output
    assert "internal error: LayoutChangedMeaning" in done.output
    assert file.read_bytes() == "政策 t\n参数 a=640 元\n".encode()


# ---------------------------------------------------------------- the command
UNTIDY = "政策 t\n规则 a=1\n"
TIDY = "政策 t\n\n规则 a = 1\n"


def run(*args: str, cwd: Path, command: str = "fmt") -> tuple[int, str, str]:
    """Run a policydsl command from inside `cwd`, so that messages name files relative to it."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        done = CliRunner().invoke(main, [command, *args])
    finally:
        os.chdir(previous)
    return done.exit_code, done.stdout, done.stderr


def test_check_lists_the_files_that_would_change_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "untidy.policy").write_text(UNTIDY, encoding="utf-8")
    (tmp_path / "p" / "tidy.policy").write_text(TIDY, encoding="utf-8")
    code, out, err = run("--check", "p", cwd=tmp_path)
    assert (code, out) == (1, "would reformat p/untidy.policy\n")
    assert "1 file(s) would be reformatted, 1 unchanged" in err
    assert (tmp_path / "p" / "untidy.policy").read_text(encoding="utf-8") == UNTIDY


def test_fmt_rewrites_then_check_is_clean(tmp_path: Path) -> None:
    (tmp_path / "untidy.policy").write_text(UNTIDY, encoding="utf-8")
    assert run("untidy.policy", cwd=tmp_path)[:2] == (0, "reformatted untidy.policy\n")
    assert (tmp_path / "untidy.policy").read_text(encoding="utf-8") == TIDY
    assert run("--check", ".", cwd=tmp_path)[:2] == (0, "")


def test_a_file_with_a_syntax_error_is_left_untouched(tmp_path: Path) -> None:
    broken = "政策 t\n规则 a =   = 1\n"
    (tmp_path / "bad.policy").write_text(broken, encoding="utf-8")
    (tmp_path / "good.policy").write_text(UNTIDY, encoding="utf-8")
    code, out, err = run(".", cwd=tmp_path)
    assert code == 1
    assert out == "reformatted good.policy\n"
    assert (tmp_path / "bad.policy").read_text(encoding="utf-8") == broken
    shown_by_check = run("bad.policy", cwd=tmp_path, command="check")[2].split("\n1 error(s)")[0]
    assert shown_by_check.startswith("bad.policy:2:10: error[E002]: unexpected '='")
    assert shown_by_check in err


def test_a_link_is_not_written_through(tmp_path: Path) -> None:
    """A link may lead out of the project; fmt rewrites only files named as themselves."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "untidy.policy").write_text(UNTIDY, encoding="utf-8")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "link.policy").symlink_to(tmp_path / "elsewhere" / "untidy.policy")
    assert run("--check", "p", cwd=tmp_path)[:2] == (1, "would reformat p/link.policy\n")
    code, out, err = run("p", cwd=tmp_path)
    assert (code, out) == (1, "")
    assert "p/link.policy is a symbolic link; fmt does not write through links" in err
    assert "hint: format the file it leads to by its own name" in err
    assert (tmp_path / "elsewhere" / "untidy.policy").read_text(encoding="utf-8") == UNTIDY


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("nowhere.policy", cwd=tmp_path)
    assert code == 1
    assert "nowhere.policy does not exist" in err


def test_the_shipped_policies_and_examples_are_formatted() -> None:
    """What CI checks: `policydsl fmt --check policies examples` has nothing to change."""
    folders = [str(folder) for folder in (ROOT / "policies", ROOT / "examples") if folder.is_dir()]
    result = CliRunner().invoke(main, ["fmt", "--check", *folders])
    assert result.exit_code == 0, result.output
