"""The language server, driven as an editor drives it: `python -m policydsl lsp` in a child
process, JSON-RPC messages (Content-Length framed) on its stdin and stdout.

`Editor` below is a minimal LSP client: it sends requests and notifications, answers the
server's own requests, and records every `textDocument/publishDiagnostics`.  One server runs
for the module, over a copy of policies/ (so edits never touch the shipped files); every
test opens what it needs and closes it again.  The policies and the names tested are found
in the shipped files' ASTs, so a new policy is tested without an edit here.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from policydsl import api, ast, fmt, words
from policydsl.provenance import Quote

from .conftest import POLICIES, ROOT

TIMEOUT = 20  # seconds to wait for one answer


class Editor:
    """A minimal LSP client over a child process's stdin and stdout."""

    def __init__(self, root: Path, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policydsl", "lsp"], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=log.open("wb"))
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.published: dict[str, list[list[dict[str, Any]]]] = {}  # uri → every publication
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.capabilities = self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": "policies"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                                 "documentSymbol": {"hierarchicalDocumentSymbolSupport": True}},
            },
        })["capabilities"]
        self.notify("initialized", {})

    # ------------------------------------------------------------ JSON-RPC
    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers = {}
            while (line := stream.readline().decode("ascii").strip()):
                name, _, value = line.partition(":")
                headers[name.lower()] = value.strip()
            if "content-length" not in headers:  # the server closed its output
                self.inbox.put(None)
                return
            self.inbox.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        sent = self.next_id
        self.send({"id": sent, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == sent and "method" not in message:
                assert "error" not in message, (method, message["error"], self.stderr())
                return message.get("result")

    def receive(self) -> dict[str, Any]:
        try:
            message = self.inbox.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("the server did not answer\n" + self.stderr()) from None
        assert message is not None, "the server stopped\n" + self.stderr()
        if message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            self.published.setdefault(params["uri"], []).append(params["diagnostics"])
        elif "method" in message and "id" in message:  # a request of the server's own
            self.send({"id": message["id"], "result": None})
        return message

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    # ------------------------------------------------------------ documents
    def diagnostics_after(self, uri: str, seen: int) -> list[dict[str, Any]]:
        """The first publication for `uri` after the `seen` ones already received."""
        while len(self.published.get(uri, [])) <= seen:
            self.receive()
        return self.published[uri][seen]

    def open(self, path: Path, text: str) -> list[dict[str, Any]]:
        uri = path.as_uri()
        seen = len(self.published.get(uri, []))
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "policy", "version": 1, "text": text}})
        return self.diagnostics_after(uri, seen)

    def change(self, path: Path, text: str, version: int) -> list[dict[str, Any]]:
        uri = path.as_uri()
        seen = len(self.published.get(uri, []))
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})
        return self.diagnostics_after(uri, seen)

    def close(self, path: Path) -> None:
        uri = path.as_uri()
        seen = len(self.published.get(uri, []))
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert self.diagnostics_after(uri, seen) == []  # closing clears its diagnostics

    @contextlib.contextmanager
    def opened(self, path: Path, text: str | None = None) -> Iterator[list[dict[str, Any]]]:
        yield self.open(path, path.read_text(encoding="utf-8") if text is None else text)
        self.close(path)

    def at(self, method: str, path: Path, line: int, character: int, **extra: Any) -> Any:
        return self.request(method, {"textDocument": {"uri": path.as_uri()},
                                     "position": {"line": line, "character": character}, **extra})

    def stop(self) -> None:
        self.request("shutdown", {})
        self.notify("exit", {})
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace") / "policies"
    shutil.copytree(POLICIES, root)
    return root


@pytest.fixture(scope="module")
def editor(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Editor]:
    client = Editor(workspace, tmp_path_factory.mktemp("log") / "server.log")
    yield client
    client.stop()


# ---------------------------------------------------------------- the shipped policies' ASTs
def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position(path: Path, line: int, column: int) -> tuple[int, int]:
    """An LSP position (0-based line, UTF-16 column) from a 1-based line and character column."""
    text = path.read_text(encoding="utf-8").split("\n")[line - 1]
    return line - 1, utf16(text[: column - 1])


def name_position(path: Path, span: Any, name: str) -> tuple[int, int]:
    """Where `name` is written first inside a construct starting at span (after its keyword)."""
    text = path.read_text(encoding="utf-8").split("\n")[span.line - 1]
    return position(path, span.line, text.index(name, span.column) + 1)


def policy_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.policy"))


def tree_of(path: Path) -> ast.PolicyFile:
    tree, diagnostics = api.parse_file(path)
    assert tree is not None, diagnostics
    return tree


def clauses(tree: ast.PolicyFile) -> list[ast.Clause]:
    return [item for item in tree.items if isinstance(item, ast.Clause)]


def declarations(tree: ast.PolicyFile) -> dict[str, Any]:
    """The 参数, 输入, 规则 and 表 of a file by name (in clauses or not)."""
    decls = [d for c in clauses(tree) for d in c.decls] + list(tree.items)
    return {d.name: d for d in decls
            if isinstance(d, (ast.Param, ast.InputDecl, ast.Rule, ast.Table))}


def literal_params(path: Path) -> Iterator[tuple[ast.Clause, ast.Param, ast.Number]]:
    """Parameters of a clause whose value is a number literal (so a quote must print it)."""
    for clause in clauses(tree_of(path)):
        for decl in clause.decls:
            if isinstance(decl, ast.Param) and isinstance(decl.value.expr, ast.Number) and \
                    decl.local_choice is None and decl.value.expr.value != 0:
                yield clause, decl, decl.value.expr


def nodes(node: object) -> Iterator[object]:
    """Every AST node below a node."""
    if isinstance(node, (tuple, list)):
        for child in node:
            yield from nodes(child)
    elif attrs.has(type(node)):
        yield node
        for field in attrs.fields(type(node)):
            yield from nodes(getattr(node, field.name))


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def notice_line(notice: Path, quote: str) -> int:
    """The 1-based line of the notice where the quote starts, counted line by line."""
    lines = notice.read_text(encoding="utf-8").split("\n")
    at = normalize("\n".join(lines)).find(normalize(quote))
    assert at >= 0, quote
    consumed = 0
    for number, line in enumerate(lines, start=1):
        consumed += len(normalize(line))
        if consumed > at:
            return number
    raise AssertionError(quote)


def mutated(path: Path, number: ast.Number, new_digits: str) -> str:
    """The file's text with the digits of one number literal replaced (its unit kept)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    text = lines[number.span.line - 1]
    start = number.span.column - 1
    digits = re.match(r"\d+(\.\d+)?", text[start:])
    assert digits is not None and text[start:].startswith(number.text), (text, number)
    lines[number.span.line - 1] = text[:start] + new_digits + text[start + digits.end():]
    return "\n".join(lines)


def codes_at(diagnostics: list[dict[str, Any]], line: int) -> list[str]:
    return [d["code"] for d in diagnostics if d["range"]["start"]["line"] == line]


# ---------------------------------------------------------------- diagnostics
def test_a_wrong_number_is_reported_on_its_line_when_opened_and_cleared_when_fixed(
        editor: Editor, workspace: Path) -> None:
    tried = 0
    for path in policy_files(workspace):
        found = next(literal_params(path), None)
        if found is None:
            continue
        _, param, number = found
        original = path.read_text(encoding="utf-8")
        wrong = mutated(path, number, "98765")  # the buffer only: the file on disk is right
        with editor.opened(path, wrong) as diagnostics:
            line, start = position(path, number.span.line, number.span.column)
            e302 = [d for d in diagnostics if d["code"] == "E302"]
            assert len(e302) == 1, (path.name, diagnostics)
            assert e302[0]["range"]["start"] == {"line": line, "character": start}
            assert e302[0]["severity"] == 1 and e302[0]["source"] == "policydsl"
            assert "98765" in e302[0]["message"]
            assert editor.change(path, original, 2) == []
            assert codes_at(editor.change(path, wrong, 3), line).count("E302") == 1
        tried += 1
    assert tried >= 2  # the shipped policies hold numbers in clauses


def test_an_edit_of_the_amended_policy_rechecks_the_policy_that_amends_it(
        editor: Editor, workspace: Path) -> None:
    """2024 checks 个人缴费 = 上年.下年个人缴费; an unsaved rename of 下年个人缴费 in the 2023
    buffer leaves the 2024 policy reading a name that is gone."""
    base = workspace / "nmg" / "nmg_2023_resident.policy"
    amending = workspace / "nmg" / "nmg_2024_resident.policy"
    renamed = base.read_text(encoding="utf-8").replace("参数 下年个人缴费", "参数 明年个人缴费")
    with editor.opened(amending) as diagnostics, editor.opened(base):
        assert diagnostics == []
        seen = len(editor.published[amending.as_uri()])
        editor.change(base, renamed, 2)
        after = editor.diagnostics_after(amending.as_uri(), seen)
        assert [(d["code"], d["message"].split("\n")[0]) for d in after] == [
            ("E101", "unknown name 上年.下年个人缴费")]
        seen = len(editor.published[amending.as_uri()])
        editor.change(base, base.read_text(encoding="utf-8"), 3)
        assert editor.diagnostics_after(amending.as_uri(), seen) == []


def test_a_wrong_number_in_the_amended_policy_is_one_error_not_one_per_check(
        editor: Editor, workspace: Path) -> None:
    """650 for 2023's 财政补助 is reported where it is written; the 2024 checks that rest on it
    (财政补助 = 670 元, 筹资标准 = 财政补助 + 个人缴费) would fail too, and say nothing."""
    base = workspace / "nmg" / "nmg_2023_resident.policy"
    amending = workspace / "nmg" / "nmg_2024_resident.policy"
    number = declarations(tree_of(base))["财政补助"].value.expr
    with editor.opened(amending), editor.opened(base):
        seen = len(editor.published[amending.as_uri()])
        assert [d["code"] for d in editor.change(base, mutated(base, number, "650"), 2)] == ["E302"]
        assert editor.diagnostics_after(amending.as_uri(), seen) == []  # checked again: nothing


def test_columns_are_utf16_on_a_line_with_chinese_and_an_astral_character(
        editor: Editor, tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text("补助标准为640元。\n", encoding="utf-8")
    path = tmp_path / "t.policy"
    text = ('政策 t\n标题 "测试"\n通知 "notice.txt"\n\n条款 一 "补助" {\n'
            '  引文 "补助标准为640元。"\n  参数 𠀀补助 = 641 元\n}\n')
    path.write_text(text, encoding="utf-8")
    with editor.opened(path) as diagnostics:
        # "  参数 𠀀补助 = " is 11 characters but 12 UTF-16 units: 𠀀 (U+20000) takes two
        assert [(d["code"], d["range"]) for d in diagnostics] == [("E302", {
            "start": {"line": 6, "character": 12}, "end": {"line": 6, "character": 17}})]
        # a hover inside the name (on 助, UTF-16 column 8) finds it, and answers in UTF-16
        hover = editor.at("textDocument/hover", path, 6, 8)
        assert hover["range"] == {"start": {"line": 6, "character": 5},
                                  "end": {"line": 6, "character": 9}}
        assert "641 元" in hover["contents"]["value"]
        assert "补助标准为640元。" in hover["contents"]["value"]
        assert "notice.txt:1" in hover["contents"]["value"]


def test_a_note_of_a_diagnostic_points_at_its_place(editor: Editor, tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text("甲类30%，乙类50%。\n", encoding="utf-8")
    path = tmp_path / "t.policy"
    path.write_text('政策 t\n标题 "测试"\n通知 "notice.txt"\n枚举 类别 { 甲 乙 }\n条款 一 "补助" {\n'
                    '  引文 "甲类30%，乙类50%。"\n  表 比例 按 类别 {\n    甲: 30%\n    甲: 30%\n'
                    '    乙: 50%\n  }\n}\n', encoding="utf-8")
    with editor.opened(path) as diagnostics:
        assert [(d["code"], d["range"]["start"]) for d in diagnostics] == [
            ("E102", {"line": 8, "character": 4})]
        assert diagnostics[0]["relatedInformation"] == [{"message": "the first row", "location": {
            "uri": path.as_uri(), "range": {"start": {"line": 7, "character": 4},
                                            "end": {"line": 7, "character": 10}}}}]


# ---------------------------------------------------------------- hover
def test_hover_on_every_parameter_shows_the_quote_that_prints_it_and_its_notice_line(
        editor: Editor, workspace: Path) -> None:
    hovered = 0
    for path in policy_files(workspace):
        notice = tree_of(path).header.fields.get("notice")
        params = list(literal_params(path))
        if not params or notice is None:
            continue
        with editor.opened(path):
            for clause, param, number in params:
                line, character = name_position(path, param.span, param.name)
                hover = editor.at("textDocument/hover", path, line, character)
                shown = hover["contents"]["value"].replace("\\", "")
                assert f"参数 {param.name}" in shown
                assert number.text in shown
                assert f"条款 {clause.number}、{clause.heading}" in shown
                printed = [q for q in clause.quotes if Quote.of(q.text).holds(number)]
                assert any(q.text in shown for q in printed), (param.name, shown)
                quote = next(q for q in printed if q.text in shown)
                assert f"{notice}:{notice_line(path.parent / str(notice), quote.text)}" in shown
                hovered += 1
    assert hovered >= 10


def test_hover_shows_the_value_the_amendment_computes(editor: Editor, workspace: Path) -> None:
    """nmg 2024: 财政补助 = 不低于 上年.财政补助 + 财政补助增加 = 640 + 30 = 670 元."""
    path = workspace / "nmg" / "nmg_2024_resident.policy"
    param = declarations(tree_of(path))["财政补助"]
    with editor.opened(path):
        line, character = name_position(path, param.span, "财政补助")
        shown = editor.at("textDocument/hover", path, line, character)["contents"]["value"]
    assert "value: ≥670 元" in shown
    assert "qualifier: at least (不低于)" in shown
    assert "各级财政继续加大对居民医保参保缴费补助力度，补助标准增加30元" in shown
    assert "notices/nmg-2024-resident-medical-insurance.txt:9" in shown  # the notice's (一)


def test_hover_on_a_table_lists_its_rows_and_on_a_function_says_what_it_computes(
        editor: Editor, workspace: Path) -> None:
    tables = calls = 0
    for path in policy_files(workspace):
        tree = tree_of(path)
        found = [n for n in nodes(tree.items) if isinstance(n, (ast.Table, ast.Call))]
        if not found:
            continue
        with editor.opened(path):
            for node in found:
                if isinstance(node, ast.Table):
                    line, character = name_position(path, node.span, node.name)
                    shown = editor.at("textDocument/hover", path, line, character)["contents"]["value"]
                    assert f"表 {node.name}" in shown and "按 " + "、".join(node.key_enums) in shown
                    rows = {"、".join(k or "其他" for k in row.keys) for row in node.rows}
                    assert all(f"{row}: " in shown for row in rows), (node.name, shown)
                    tables += 1
                else:
                    line, character = position(path, node.span.line, node.span.column)
                    shown = editor.at("textDocument/hover", path, line, character)["contents"]["value"]
                    says = words.FUNCTIONS[node.func].says
                    assert shown.replace("\\", "") == f"**{node.func}** (function): {says}"
                    calls += 1
    assert tables >= 2 and calls >= 2


# ---------------------------------------------------------------- definition, references
def test_definition_of_every_name_lands_on_its_declaration(editor: Editor, workspace: Path) -> None:
    checked = 0
    for path in policy_files(workspace):
        tree = tree_of(path)
        declared = declarations(tree)
        uses = [n for n in nodes(tree.items) if isinstance(n, ast.Name) and n.name in declared]
        if not uses:
            continue
        with editor.opened(path):
            for use in uses:
                line, character = position(path, use.span.line, use.span.column)
                found = editor.at("textDocument/definition", path, line, character)
                target = name_position(path, declared[use.name].span, use.name)
                assert found["uri"] == path.as_uri()
                assert (found["range"]["start"]["line"], found["range"]["start"]["character"]) \
                    == target, (path.name, use)
                checked += 1
    assert checked >= 20


def amendments(root: Path) -> Iterator[tuple[Path, ast.PolicyFile, Path, ast.PolicyFile]]:
    """Every policy that amends another (修订), with the amended one."""
    for path in policy_files(root):
        tree = tree_of(path)
        if tree.header.amends is not None:
            base = (path.parent / tree.header.amends.path).resolve()
            yield path, tree, base, tree_of(base)


def test_definition_goes_into_the_amended_and_the_used_files(editor: Editor, workspace: Path) -> None:
    checked = 0
    for path in policy_files(workspace):
        tree = tree_of(path)
        targets = list(cross_file_targets(path, tree))
        with editor.opened(path):
            for (line, character), file, target in targets:
                found = editor.at("textDocument/definition", path, line, character)
                assert found["uri"] == file.as_uri(), (path.name, line, character)
                assert (found["range"]["start"]["line"], found["range"]["start"]["character"]) \
                    == target
                checked += 1
    assert checked >= 3


def cross_file_targets(path: Path, tree: ast.PolicyFile) -> Iterator[tuple[tuple[int, int], Path, tuple[int, int]]]:
    """(where a name is written, the file declaring it, where) for names declared elsewhere:
    `上年.X`, `沿用 X` and names inherited without being declared again (the amended policy),
    the enumeration of a table (a used file)."""
    base = (path.parent / tree.header.amends.path).resolve() if tree.header.amends else None
    alias = tree.header.amends.alias if tree.header.amends else None
    inherited = declarations(tree_of(base)) if base else {}
    own = declarations(tree)
    for node in nodes(tree.items):
        if base and isinstance(node, ast.Member) and node.owner == alias:
            here = position(path, node.span.end_line, node.span.end_column - len(node.name))
            yield here, base, name_position(base, inherited[node.name].span, node.name)
        if isinstance(node, ast.Name) and node.name in inherited and node.name not in own:
            here = position(path, node.span.line, node.span.column)
            yield here, base, name_position(base, inherited[node.name].span, node.name)
        if base and isinstance(node, ast.Continued):
            calc = next(c for c in tree_of(base).items
                        if isinstance(c, ast.Calculator) and c.name == node.name)
            yield name_position(path, node.span, node.name), base, \
                name_position(base, calc.span, node.name)
        if isinstance(node, ast.Table):
            line = path.read_text(encoding="utf-8").split("\n")[node.span.line - 1]
            after = line.index("按", node.span.column)
            for enum in node.key_enums:
                declared = enum_declaration(path, tree, enum)
                if declared is not None and declared[0] != path:
                    yield position(path, node.span.line, line.index(enum, after) + 1), *declared


def test_names_inherited_through_an_amendment(editor: Editor, tmp_path: Path) -> None:
    """A policy that amends another sees the names it does not declare again: definition goes
    to the amended file, hover shows the amended file's sentence, references come back."""
    (tmp_path / "notice.txt").write_text("补助标准为640元，个人缴费380元。\n补助标准为670元。\n",
                                         encoding="utf-8")
    base, new = tmp_path / "base.policy", tmp_path / "new.policy"
    base.write_text('政策 base\n标题 "上年"\n通知 "notice.txt"\n条款 一 "标准" {\n'
                    '  引文 "补助标准为640元，个人缴费380元。"\n  参数 补助 = 640 元\n'
                    '  参数 缴费 = 380 元\n  规则 合计 = 补助 + 缴费\n}\n', encoding="utf-8")
    new.write_text('政策 new\n标题 "本年"\n通知 "notice.txt"\n修订 "base.policy" 作为 上年\n'
                   '条款 一 "标准" {\n  引文 "补助标准为670元。"\n  参数 补助 = 670 元\n'
                   '  规则 总额 = 合计 + 缴费\n}\n', encoding="utf-8")
    with editor.opened(new) as diagnostics:
        assert diagnostics == []
        # line 7: "  规则 总额 = 合计 + 缴费"; 合计 at column 10, 缴费 at 15
        found = editor.at("textDocument/definition", new, 7, 15)
        assert found == {"uri": base.as_uri(), "range": {"start": {"line": 6, "character": 5},
                                                          "end": {"line": 6, "character": 7}}}
        shown = editor.at("textDocument/hover", new, 7, 15)["contents"]["value"]
        assert "value: 380 元" in shown and "补助标准为640元，个人缴费380元。" in shown
        assert "notice.txt:1" in shown
        shown = editor.at("textDocument/hover", new, 7, 10)["contents"]["value"]
        assert "**规则 合计**" in shown and "= 补助 + 缴费" in shown
        places = editor.at("textDocument/references", base, 6, 5, context={"includeDeclaration": False})
        assert {(p["uri"], p["range"]["start"]["line"]) for p in places} == {
            (base.as_uri(), 7), (new.as_uri(), 7)}  # in 合计 of base, in 总额 of new


def enum_declaration(path: Path, tree: ast.PolicyFile, name: str) -> tuple[Path, tuple[int, int]] | None:
    """Where an enumeration seen by a policy is declared: here, or in a file it uses or amends."""
    for item in tree.items:
        if isinstance(item, ast.EnumDecl) and item.name == name:
            return path, name_position(path, item.span, name)
    for use in (*tree.header.uses, *filter(None, [tree.header.amends])):
        used = (path.parent / use.path).resolve()
        found = enum_declaration(used, tree_of(used), name)
        if found is not None:
            return found
    return None


def test_references_of_an_amended_value_include_the_amendment(editor: Editor, workspace: Path) -> None:
    checked = 0
    for path, tree, base, base_tree in amendments(workspace):
        alias = tree.header.amends.alias  # type: ignore[union-attr]
        members = [n for n in nodes(tree.items) if isinstance(n, ast.Member) and n.owner == alias]
        with editor.opened(base):
            for member in members:
                decl = declarations(base_tree)[member.name]
                line, character = name_position(base, decl.span, member.name)
                found = editor.at("textDocument/references", base, line, character,
                                  context={"includeDeclaration": True})
                places = {(f["uri"], f["range"]["start"]["line"], f["range"]["start"]["character"])
                          for f in found}
                here = position(path, member.span.end_line, member.span.end_column - len(member.name))
                assert (path.as_uri(), *here) in places
                assert (base.as_uri(), line, character) in places  # the declaration itself
                checked += 1
    assert checked >= 1


# ---------------------------------------------------------------- completion, symbols
def test_completion_offers_the_policys_names_keywords_and_members(editor: Editor, workspace: Path) -> None:
    for path in policy_files(workspace):
        tree = tree_of(path)
        declared = declarations(tree)
        rules = [d for d in declared.values() if isinstance(d, ast.Rule)]
        if not rules:
            continue
        with editor.opened(path) as _:
            line, character = name_position(path, rules[0].span, "=")
            items = editor.at("textDocument/completion", path, line, character + 2)["items"]
            labels = {item["label"] for item in items}
            assert set(declared) <= labels, set(declared) - labels
            assert {"参数", "规则", "若", "不低于", "较小"} <= labels
            enums = [(e.name, [m.name for m in e.members]) for e in enum_declarations(path, tree)]
            if enums:  # while typing `地区类别.` (the file does not parse) members are offered
                enum, members = enums[0]
                text = path.read_text(encoding="utf-8") + f"\n规则 新 = {enum}."
                editor.change(path, text, 2)
                last = len(text.split("\n")) - 1
                items = editor.at("textDocument/completion", path, last,
                                  utf16(text.split("\n")[-1]))["items"]
                assert [item["label"] for item in items] == members


def enum_declarations(path: Path, tree: ast.PolicyFile) -> list[ast.EnumDecl]:
    own = [item for item in tree.items if isinstance(item, ast.EnumDecl)]
    for use in tree.header.uses:
        used = (path.parent / use.path).resolve()
        own += enum_declarations(used, tree_of(used))
    return own


def test_document_symbols_list_clauses_with_their_declarations_and_calculators(
        editor: Editor, workspace: Path) -> None:
    for path in policy_files(workspace):
        tree = tree_of(path)
        with editor.opened(path):
            symbols = editor.request("textDocument/documentSymbol",
                                     {"textDocument": {"uri": path.as_uri()}})
        by_name = {s["name"]: s for s in symbols}
        for clause in clauses(tree):
            shown = by_name[f"条款 {clause.number}"]
            assert shown["kind"] == 3 and shown["detail"] == clause.heading  # Namespace
            named = [d.name for d in clause.decls if hasattr(d, "name")]
            assert [child["name"] for child in shown["children"]] == named
        calculators = [i.name for i in tree.items if isinstance(i, ast.Calculator)]
        assert [s["name"] for s in symbols if s["kind"] == 5] == calculators  # Class


def test_formatting_goes_through_fmt(editor: Editor, workspace: Path) -> None:
    path = policy_files(workspace)[-1]
    mangled = "\n".join(line.strip() for line in path.read_text(encoding="utf-8").split("\n"))
    expected = fmt.format_text(mangled, str(path)).text
    assert expected is not None and expected != mangled
    with editor.opened(path, mangled):
        edits = editor.request("textDocument/formatting", {
            "textDocument": {"uri": path.as_uri()}, "options": {"tabSize": 2, "insertSpaces": True}})
        assert [e["newText"] for e in edits] == [expected]
        assert edits[0]["range"]["start"] == {"line": 0, "character": 0}
        editor.change(path, expected, 2)
        assert editor.request("textDocument/formatting", {
            "textDocument": {"uri": path.as_uri()}, "options": {"tabSize": 2, "insertSpaces": True}}
        ) is None  # formatted: nothing to change
