"""A wrong number is one mistake and gets one error, on the row it belongs to.

For every number of every parameter in a clause of the shipped policies and the examples, the
test writes a wrong digit into a copy and checks the policy's folder (and so every policy
amending it): exactly one error, where the number is written.  The checks (核对) that read the
number, here or in an amending policy, and the schedule it bounds would fail too; they say
nothing new and are not reported (policydsl/checker/doubt.py).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from policydsl import api, ast

from .conftest import POLICIES, ROOT

FOLDERS = (POLICIES, ROOT / "examples")


def numbers(node: object) -> Iterator[ast.Number]:
    if isinstance(node, ast.Number):
        yield node
    elif isinstance(node, (tuple, list)):
        for child in node:
            yield from numbers(child)
    elif attrs.has(type(node)):
        for field in attrs.fields(type(node)):  # type: ignore[arg-type]
            if field.name != "span":
                yield from numbers(getattr(node, field.name))


def written_numbers() -> Iterator[tuple[Path, Path, ast.Param, ast.Number]]:
    """(top folder, policy file, parameter, number) for every number a clause's parameter writes."""
    for top in FOLDERS:
        for path in sorted(top.rglob("*.policy")):
            tree, _ = api.parse_file(path)
            assert tree is not None, path
            for clause in (i for i in tree.items if isinstance(i, ast.Clause)):
                for param in (d for d in clause.decls if isinstance(d, ast.Param)):
                    if param.local_choice is None:
                        for number in numbers(param.value):
                            yield top, path, param, number


def mistyped(text: str) -> str:
    """The text with its leading number mistyped: 640 元 → 6407 元, 千分之五 → 千分之七."""
    digits = re.match(r"\d+(\.\d+)?", text)
    if digits is not None:
        return digits.group() + "7" + text[digits.end():]
    numeral = re.search("[一二两三四五六七八九]", text)
    assert numeral is not None, text
    wrong = "七" if numeral.group() != "七" else "九"
    return text[:numeral.start()] + wrong + text[numeral.end():]


CASES = [pytest.param(top, path, param, number,
                      id=f"{path.relative_to(ROOT)}:{number.span.line}:{param.name}:{number.text}")
         for top, path, param, number in written_numbers()]


def test_there_are_numbers_to_mistype() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize(("top", "path", "param", "number"), CASES)
def test_a_mistyped_number_is_one_error_on_its_line(tmp_path: Path, top: Path, path: Path,
                                                    param: ast.Param, number: ast.Number) -> None:
    copy = tmp_path / top.name
    shutil.copytree(top, copy)
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")  # the project root
    target = copy / path.relative_to(top)
    lines = target.read_text(encoding="utf-8").split("\n")
    line = lines[number.span.line - 1]
    start = number.span.column - 1
    lines[number.span.line - 1] = line[:start] + mistyped(line[start:])
    target.write_text("\n".join(lines), encoding="utf-8")

    result = api.check([target.parent])

    assert [(d.code, d.span.line) for d in result.diagnostics] in (
        [("E302", number.span.line)], [("E306", number.span.line)]), \
        [f"{d.span}: {d.code} {d.message}" for d in result.diagnostics]
