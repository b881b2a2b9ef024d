"""Policy text that is hostile to a code generator still gives a module that compiles, and the
text arrives intact (issue: quotes with \"\"\", backslashes, {{ }}, U+2028, NUL, keywords)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from policydsl import api
from policydsl.escaping import md_cell, pycomment, pydoc, pyident, pyrepr

HOSTILE = [
    '"""', "'''", "\\", "\\n", "{{ x }}", "{% if %}", "|", "\u2028", "\u2029", "\u202e", "\x00",
    "\r", "\x0c", "# comment", "`code`", "\ud7ff", "😀",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_pyrepr_round_trips(text: str) -> None:
    literal = pyrepr("a" + text + "b")
    assert eval(literal) == "a" + text + "b"  # noqa: S307 - the point of the test
    assert "\u2028" not in literal and "\x00" not in literal and "\r" not in literal


@pytest.mark.parametrize("text", HOSTILE)
def test_pydoc_round_trips(text: str) -> None:
    doc = pydoc("x" + text + "\ny" + text, "    ")
    # a docstring of several lines ends with a line of its own, as PEP 257 asks
    assert eval(doc.replace("\n    ", "\n")) == "x" + text + "\ny" + text + "\n"  # noqa: S307


@pytest.mark.parametrize("text", HOSTILE)
def test_comments_and_cells_stay_on_one_line(text: str) -> None:
    assert "\n" not in pycomment("a" + text) and "\r" not in pycomment("a" + text)
    cell = md_cell("a" + text)
    assert re.search(r"(?<!\\)\|", cell) is None  # a pipe is escaped: it cannot end the cell
    assert "\n" not in cell and "\x00" not in cell


@pytest.mark.parametrize(("name", "ident"), [
    ("class", "class_"), ("None", "None_"), ("min", "min_"), ("Decimal", "Decimal_"),
    ("match", "match_"), ("_private", "v_private"), ("财政补助", "财政补助"), ("ｆｕｌｌ", "full"),
])
def test_identifiers(name: str, ident: str) -> None:
    assert pyident(name) == ident
    assert ident.isidentifier()


HOSTILE_TITLE = 'T """ \\ {{ x }} {% y %} \u2028 \u202e |'
NOTICE = "关于“测试”的通知\n一、财政补助640元。\n"


def test_hostile_policy_compiles_and_keeps_its_text(tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    title = HOSTILE_TITLE.replace("\\", "\\\\").replace('"', '\\"')  # as an ASCII-quoted string
    heading = '标"""题\\{{ h }}'  # 「…」 strings take any text but 」
    message = '太多了 """ {{ }} \\ 了'
    policy = (
        "政策 evil\n"
        '标题 "' + title + '"\n'
        '通知 "notice.txt"\n'
        "条款 一 「" + heading + "」 {\n"
        "  引文 「财政补助640元」\n"
        "  参数 None = 640 元\n"
        "  输入 class: 元\n"
        "  输入 min: 元\n"
        "  规则 Decimal = 较小(class + min, None)\n"
        "  规则 return = 若 class 高于 None 则 错误(「" + message + "」) 否则 Decimal\n"
        "}\n"
        '计算 print "' + title + '" {\n'
        "  输出 len = return\n"
        "}\n"
    )
    (tmp_path / "evil.policy").write_text(policy, encoding="utf-8")
    result = api.check([tmp_path / "evil.policy"])
    assert result.ok, result.diagnostics
    source = api.generated_files(result)["python/evil.py"]
    path = tmp_path / "evil.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("evil_module", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["evil_module"] = module
    spec.loader.exec_module(module)
    assert module.__doc__.startswith(HOSTILE_TITLE)
    assert module.None_ == 640
    out = module.print_(class_="100", min_="200", explain=True)
    assert out.len_ == 300
    assert any(step.source == "evil 一、" + heading for step in out.trace)
    with pytest.raises(ValueError) as err:
        module.print_(class_="700", min_="0")
    assert str(err.value) == message
