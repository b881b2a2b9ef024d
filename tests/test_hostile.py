"""Policy text that is hostile to a code generator still gives a module that compiles, and the
text arrives intact (issue: quotes with \"\"\", backslashes, {{ }}, U+2028, NUL, keywords)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from policydsl import api, ir, outputs, runner
from policydsl.diagnostics import render_all
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


# ---------------------------------------------------------------- files and inputs (issue 15)
# What a policy names, what `eval --input` holds and what `compile --out` finds there may all be
# hostile: random ones give a diagnostic or an InputError/ValueError/OutputError, never another
# exception, never a line of a file outside the project, never a write outside --out.

SECRET = "SECRET-5b2d: this line lives outside the project\n"
TINY = (
    "政策 t\n"
    '标题 "测试"\n'
    '通知 "{notice}"\n'
    "{header}\n"
    "条款 一 「补助」 {{\n"
    "  引文 「财政补助640元」\n"
    "  参数 补助 = 640 元\n"
    "  输入 费用: 元\n"
    "  规则 支付 = 较小(费用, 补助)\n"
    "}}\n"
    '计算 算 "测试计算" {{\n'
    "  输出 支付 = 支付\n"
    "}}\n"
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base/proj/policies (t.policy beside its notice; links that leave the project and links
    that stay in it) in a project marked by pyproject.toml, and base/secret.txt outside it."""
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "proj" / "policies"
    folder.mkdir(parents=True)
    (base / "proj" / "pyproject.toml").write_text("", encoding="utf-8")
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "t.policy").write_text(TINY.format(notice="notice.txt", header=""), encoding="utf-8")
    (folder / "out").symlink_to(base)
    (folder / "secret.policy").symlink_to(base / "secret.txt")
    (folder / "same").symlink_to(".")
    return folder


PATH_TEXT = st.lists(st.one_of(
    st.sampled_from(["..", ".", "/", "out", "same", "secret.policy", "secret.txt", "notice.txt",
                     "t.policy", "/etc/passwd", "/dev/zero", "~", "\\", "%2e%2e"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters='"\n\r'),
            max_size=4),
), min_size=1, max_size=6).map("".join)


@FUZZ
@given(written=PATH_TEXT, kind=st.sampled_from(["通知", "使用", "修订", "遵循"]))
def test_random_paths_in_a_policy_give_diagnostics_and_never_the_secret(
        project: Path, written: str, kind: str) -> None:
    header = "" if kind == "通知" else f'{kind} "{written}"' + (" 作为 上级" if kind != "使用" else "")
    notice = written if kind == "通知" else "notice.txt"
    path = project / "fuzz.policy"
    path.write_text(TINY.format(notice=notice, header=header), encoding="utf-8")
    result = api.check([path])  # an exception here is what `internal error` would report
    assert "SECRET-5b2d" not in render_all(result.diagnostics, result.sources)
    event(" ".join(sorted({d.code for d in result.diagnostics})) or "ok")


@pytest.fixture(scope="module")
def checked(project: Path) -> api.CheckResult:
    result = api.check([project / "t.policy"])
    assert result.ok, result.diagnostics
    return result


@pytest.fixture(scope="module")
def tiny(checked: api.CheckResult) -> ir.Policy:
    """The checked tiny policy."""
    return checked.policies[0]


@pytest.fixture(scope="module")
def tiny_files(checked: api.CheckResult) -> dict[str, str]:
    """Every file compile writes for the tiny policy."""
    return api.generated_files(checked)


JSON_TOKENS = st.sampled_from(['{', '}', '[', ']', ',', ':', '"费用"', '"支付"', '"x"', '1', '-1',
                               '0.5', '1e999999999', '1E-999999999', "9" * 5000, "1." + "1" * 5000,
                               'NaN', 'Infinity', '-Infinity', 'true', 'null', '"1234.56"', '"70%"',
                               ' ', '\ufeff', '"\\ud800"'])


@FUZZ
@example(text=json.dumps({"费用": "277300750097193480590870699.143"}))  # 30 digits: found by this test
@given(text=st.one_of(st.lists(JSON_TOKENS, max_size=12).map("".join),
                      st.text(max_size=40),
                      st.builds(lambda amount: json.dumps({"费用": amount}), st.one_of(
                          st.integers(), st.text(max_size=70), st.decimals().map(str),
                          st.floats(allow_nan=True).map(repr)))))
def test_random_inputs_give_an_error_naming_something_or_a_result(tiny: ir.Policy, text: str) -> None:
    policy = tiny
    try:
        values = runner.read_json_inputs(text, "case.json")
        outcome = runner.call(policy, policy.calculators[0], values, explain=True)
    except runner.InputError as err:
        assert str(err)
        event("InputError")
    except ValueError as err:  # the calculator's refusal names the input
        assert str(err).startswith(("费用", "算")), err
        event("ValueError")
    else:
        assert outcome.支付 == min(Decimal(values["费用"]), Decimal(640))
        event("computed")


@FUZZ
@given(data=st.binary(max_size=200))
def test_random_bytes_as_an_input_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("input") / "case.json"
    path.write_bytes(data)
    try:
        assert isinstance(runner.read_input_file(str(path)), dict)
    except runner.InputError as err:
        assert str(path) in str(err)


LAYOUT = st.lists(st.tuples(
    st.sampled_from(["python/t.py", "python/old.py", "python/mine.py", "python/sub/x.py",
                     "tables", "tables/index.md", "tables/policy/old.md", "tables/notes/a.md",
                     "batch", "batch/old.py", "python"]),
    st.sampled_from(["hand", "generated", "link-to-file", "link-to-folder", "folder"]),
), max_size=6, unique_by=lambda item: item[0])


@FUZZ
@given(layout=LAYOUT)
def test_compile_out_never_writes_outside_nor_removes_what_it_did_not_write(
        tmp_path_factory: pytest.TempPathFactory, tiny_files: dict[str, str],
        layout: list[tuple[str, str]]) -> None:
    files = tiny_files
    base = tmp_path_factory.mktemp("out")
    out, outside = base / "out", base / "outside"
    outside.mkdir()
    (outside / "victim.py").write_text("# outside\n", encoding="utf-8")
    hand: dict[Path, str] = {}
    for rel, kind in layout:
        place = out / rel
        if any(p.is_symlink() or p.is_file() for p in place.parents) or place.exists():
            continue  # below a link or a file: cannot be laid out
        place.parent.mkdir(parents=True, exist_ok=True)
        if kind == "folder":
            place.mkdir()
        elif kind == "link-to-file":
            place.symlink_to(outside / "victim.py")
        elif kind == "link-to-folder":
            place.symlink_to(outside)
        elif kind == "generated" and place.suffix == ".py":
            place.write_text(files["python/t.py"].replace("(policy t)", "(policy old)"), encoding="utf-8")
        else:
            hand[place] = f"# written by hand: {rel}\n"
            place.write_text(hand[place], encoding="utf-8")
    try:
        outputs.write_files(out, files)
    except outputs.OutputError as err:
        assert "symbolic link" in str(err) or "not a folder" in str(err) or "not a regular" in str(err)
        event("refused")
    else:
        event("written")
        assert {rel: (out / rel).read_text(encoding="utf-8") for rel in files} == files
    assert sorted(p.name for p in outside.iterdir()) == ["victim.py"]
    assert (outside / "victim.py").read_text(encoding="utf-8") == "# outside\n"
    generated_paths = {out / rel for rel in files}
    for place, text in hand.items():
        if place not in generated_paths:
            assert place.read_text(encoding="utf-8") == text, place
