"""`policydsl check --format github|json`: the same diagnostics, for GitHub Actions and for tools."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policydsl import api
from policydsl.cli import main
from policydsl.diagnostic_formats import diagnostics_json, github_annotation
from policydsl.diagnostics import Diagnostic, Note, Span

from .conftest import FIXTURES, HEADER, POLICIES

# one bad policy per error code, and a policy that breaks a floor and a soft floor (W401)
CASES = [(FIXTURES / "bad", p.name) for p in sorted((FIXTURES / "bad").glob("*.policy"))]
CASES.append((FIXTURES / "within", "inner.policy"))

WRONG_LINE = "  参数 筹资标准 = 不低于 1030 元"
WRONG_NUMBER = '条款 一 "筹资" {\n  引文 "筹资标准达到不低于1020元"\n' + WRONG_LINE + "\n}\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def unescape(text: str) -> str:
    """The inverse of the Actions toolkit's escaping (%25 last, so that %253A stays %3A)."""
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def span(record: dict[str, Any]) -> Span:
    return Span(record["path"], record["line"], record["column"], record["end_line"],
                record["end_column"])


ANNOTATION = re.compile(r"^::(error|warning) ([^:]*)::(.*)$")


def parse_annotation(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner reads it: level, properties, message."""
    found = ANNOTATION.match(line)
    assert found, line
    level, properties, message = found.groups()
    pairs = dict(item.split("=", 1) for item in properties.split(","))
    return level, {key: unescape(value) for key, value in pairs.items()}, unescape(message)


def test_github_annotation_of_a_wrong_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notice.txt").write_text("一、筹资标准达到不低于1020元。\n", encoding="utf-8")
    (tmp_path / "t.policy").write_text(HEADER + WRONG_NUMBER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    line = (HEADER + WRONG_NUMBER).splitlines().index(WRONG_LINE) + 1
    column = WRONG_LINE.index("1030") + 1
    end = column + len("1030 元")
    [diag] = api.check([Path("t.policy")]).diagnostics
    assert "1030" in diag.message and "一" in diag.message and diag.hint

    code, out, err = run("check", "--format", "github", "t.policy")

    assert code == 1
    assert out.splitlines() == [
        f"::error file=t.policy,line={line},col={column},endLine={line},endColumn={end},"
        f"title=E302::{diag.message}%0Ahint: {diag.hint}"
    ]
    assert err.strip() == "1 error(s), 0 warning(s)"


def test_text_stays_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notice.txt").write_text("一、筹资标准达到不低于1020元。\n", encoding="utf-8")
    (tmp_path / "t.policy").write_text(HEADER + WRONG_NUMBER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("check", "t.policy") == run("check", "--format", "text", "t.policy")
    code, out, err = run("check", "t.policy")
    assert code == 1 and out == ""
    line = (HEADER + WRONG_NUMBER).splitlines().index(WRONG_LINE) + 1
    assert f"t.policy:{line}:{WRONG_LINE.index('1030') + 1}: error[E302]: 1030" in err


@pytest.mark.parametrize(("folder", "name"), CASES, ids=[name for _, name in CASES])
def test_every_diagnostic_round_trips_through_github_and_json(
        folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each diagnostic is one annotation and one JSON object, and both read back to the
    diagnostic itself."""
    monkeypatch.chdir(folder)
    expected = api.check([Path(name)]).diagnostics
    failing = 1 if any(d.is_error for d in expected) else 0  # a warning alone exits 0

    code, out, _ = run("check", "--format", "json", name)
    assert code == failing
    records = json.loads(out)
    assert [list(r) for r in records] == [
        ["path", "line", "column", "end_line", "end_column", "code", "severity", "message", "hint",
         "notes"]
    ] * len(records)
    back = tuple(Diagnostic(r["code"], r["message"], span(r), r["hint"],
                            tuple(Note(span(n), n["message"]) for n in r["notes"]))
                 for r in records)
    assert back == expected and expected
    assert [r["severity"] for r in records] == ["error" if d.is_error else "warning" for d in expected]

    code, out, _ = run("check", "--format", "github", name)
    assert code == failing
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert len(lines) == len(expected)
    ok_lines = [line for line in out.splitlines() if line.startswith("ok: ")]
    assert len(ok_lines) == (0 if failing else 1)
    for line, diag in zip(lines, expected, strict=True):
        level, properties, message = parse_annotation(line)
        assert level == ("error" if diag.is_error else "warning")
        assert properties["file"] == diag.span.path == name
        assert properties["title"] == diag.code
        assert int(properties["line"]) == diag.span.line
        if diag.span.end_line == diag.span.line:
            assert int(properties["col"]) == diag.span.column
            assert int(properties["endColumn"]) == diag.span.end_column
        notes = "".join(f"\nnote: {n.message} at {n.span}" for n in diag.notes)
        assert message == diag.message + (f"\nhint: {diag.hint}" if diag.hint else "") + notes


def test_clean_policies_give_an_empty_list_and_no_annotation() -> None:
    code, out, _ = run("check", "--format", "json", str(POLICIES))
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run("check", "--format", "github", str(POLICIES))
    assert code == 0
    assert not [line for line in out.splitlines() if line.startswith("::")]
    assert out.startswith("ok: ")


def test_escaping_follows_the_actions_toolkit() -> None:
    diag = Diagnostic("W401", "100% of 1,5: ok\r\nnext", Span("a,b:c%.policy", 3, 2, 3, 5), None)
    assert github_annotation(diag) == (
        "::warning file=a%2Cb%3Ac%25.policy,line=3,col=2,endLine=3,endColumn=5,title=W401"
        "::100%25 of 1,5: ok%0D%0Anext")


def test_a_span_over_several_lines_gives_no_columns() -> None:
    """The runner drops col/endColumn when line and endLine differ, so none are written."""
    diag = Diagnostic("E002", "syntax error", Span("x.policy", 3, 4, 5, 1))
    assert github_annotation(diag) == "::error file=x.policy,line=3,endLine=5,title=E002::syntax error"


def test_a_diagnostic_without_a_position_names_the_file() -> None:
    code, out, _ = run("check", "--format", "github", "no/such.policy")
    assert code == 1
    assert out == "::error file=no/such.policy,title=E001::no/such.policy does not exist\n"
    code, out, _ = run("check", "--format", "json", "no/such.policy")
    assert json.loads(out)[0] == {
        "path": "no/such.policy", "line": 0, "column": 0, "end_line": 0, "end_column": 0,
        "code": "E001", "severity": "error", "message": "no/such.policy does not exist", "hint": None,
        "notes": []}


def test_notes_travel_with_the_diagnostic() -> None:
    """A diagnostic about two places (declared twice) keeps the second in both forms."""
    diag = Diagnostic("E102", "财政补助 is declared twice", Span("a.policy", 9, 3, 9, 7), None,
                      (Note(Span("a.policy", 5, 3, 5, 7), "财政补助 is first declared"),))
    assert github_annotation(diag) == (
        "::error file=a.policy,line=9,col=3,endLine=9,endColumn=7,title=E102::财政补助 is declared "
        "twice%0Anote: 财政补助 is first declared at a.policy:5:3")
    assert json.loads(diagnostics_json([diag]))[0]["notes"] == [
        {"path": "a.policy", "line": 5, "column": 3, "end_line": 5, "end_column": 7,
         "message": "财政补助 is first declared"}]
