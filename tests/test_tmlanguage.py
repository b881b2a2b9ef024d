"""The editor grammar (grammar/policy.tmLanguage.json) colours policies as the parser reads them.

Every shipped policy is tokenized with vscode-textmate, VS Code's own tokenizer (node runs
tests/js/tokenize.js; the npm packages are installed into tests/js/node_modules on first use),
and compared token by token with the Lark lexer of grammar/policy.lark: every keyword, unit,
number, date, string, comment, name and operator the parser sees must carry its scope.  The
tests skip when node or npm is missing, or the packages cannot be installed (offline).
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import lark
import pytest

from policydsl import parser
from policydsl.units import unit_words

from .conftest import POLICIES, ROOT

GRAMMAR = ROOT / "grammar" / "policy.tmLanguage.json"
JS = Path(__file__).resolve().parent / "js"
EXTENSION = ROOT / "editors" / "vscode"

Tokens = list[list[tuple[int, int, list[str]]]]  # per line: (start, end, scopes), UTF-16 indexes

# The scope a token of the Lark lexer must have (a prefix of one of the TextMate scopes).
NAME_SCOPES = ("variable.other", "entity.name", "support.function")
KEYWORD_SCOPES = ("keyword.", "constant.language", "storage.type")
BY_TERMINAL = {
    "COMMENT": ("comment.line",), "STRING_ASCII": ("string.quoted",),
    "STRING_CJK": ("string.quoted",), "NUMBER": ("constant.numeric",),
    "DATE": ("constant.numeric.date",), "MONTHDAY": ("constant.numeric.date",), "CN_QUANTITY": ("constant.numeric",),
    "CLAUSE_NO": ("entity.name.section",), "NAME": NAME_SCOPES, "OTHER": ("constant.language",),
    "INCLUSION_MARK": ("keyword.operator",),
}
BY_RULE = {"unit": ("keyword.other.unit",), "word_value": ("constant.language",)}
OPERATORS = {"EQ", "ADD_OP", "SUB_OP", "MUL_OP", "CMP_OP"}


@pytest.fixture(scope="module")
def tokenize() -> Callable[[list[Path]], dict[str, Tokens]]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run vscode-textmate")
    installed = all((JS / "node_modules" / p / "package.json").exists()
                    for p in json.loads((JS / "package.json").read_text())["dependencies"])
    if not installed:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock"],
                              cwd=JS, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.skip("npm install of vscode-textmate failed (offline?): " + done.stderr[-300:])

    def run(files: list[Path]) -> dict[str, Tokens]:
        done = subprocess.run([node, str(JS / "tokenize.js"), str(GRAMMAR), *map(str, files)],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        tokens: dict[str, Tokens] = json.loads(done.stdout)
        return tokens

    return run


@functools.lru_cache(maxsize=1)
def lark_with_all_tokens() -> tuple[lark.Lark, list[lark.Token]]:
    """The policy grammar, keeping every token in the tree; comments are collected aside."""
    comments: list[lark.Token] = []
    built = lark.Lark(parser.grammar_text(), parser="lalr", lexer="contextual", start="start",
                      keep_all_tokens=True, lexer_callbacks={"COMMENT": comments.append})
    return built, comments


def expected_scopes(text: str) -> Iterator[tuple[lark.Token, tuple[str, ...]]]:
    """Every token the parser reads in the text, with the scopes it may carry."""
    built, comments = lark_with_all_tokens()
    comments.clear()
    tree = built.parse(text)
    keywords = {t.name for t in built.terminals if t.pattern.type == "str"}
    for token, rules in _tokens_with_rules(tree, ()):
        inside = [r for r in reversed(rules) if r in BY_RULE]  # innermost first
        if inside:
            yield token, BY_RULE[inside[0]]
        elif token.type in BY_TERMINAL:
            yield token, BY_TERMINAL[token.type]
        elif token.type in OPERATORS:
            yield token, ("keyword.operator",)
        elif token.type in keywords and any(c.isalpha() for c in token):
            yield token, KEYWORD_SCOPES
        else:
            yield token, ("punctuation",)
    yield from ((c, BY_TERMINAL["COMMENT"]) for c in list(comments))


def _tokens_with_rules(tree: lark.Tree[lark.Token], outer: tuple[str, ...]
                       ) -> Iterator[tuple[lark.Token, tuple[str, ...]]]:
    """Every token with the rules it stands in, outermost first."""
    rules = (*outer, str(tree.data))
    for child in tree.children:
        if isinstance(child, lark.Tree):
            yield from _tokens_with_rules(child, rules)
        else:
            yield child, rules


def scopes_over(tokens: Tokens, lines: list[str], token: lark.Token) -> list[list[str]]:
    """The scopes of the TextMate tokens covering a Lark token (line by line)."""
    found = []
    line = (token.line or 1) - 1
    start = (token.column or 1) - 1
    for number, part in enumerate(str(token).split("\n")):
        text = lines[line + number]
        begin = utf16(text[:start]) if number == 0 else 0
        end = begin + utf16(part)
        found += [scopes for s, e, scopes in tokens[line + number] if s < end and e > begin]
        start = 0
    return found


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shipped() -> list[Path]:
    return sorted([*POLICIES.rglob("*.policy"), *(ROOT / "examples").rglob("*.policy")])


def test_every_token_of_every_shipped_policy_has_its_scope(tokenize) -> None:  # type: ignore[no-untyped-def]
    files = shipped()
    assert files
    tokens = tokenize(files)
    wrong: list[str] = []
    counted: dict[str, int] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        for token, wanted in expected_scopes(text):
            covering = scopes_over(tokens[str(path)], lines, token)
            ok = bool(covering) and all(any(s.startswith(wanted) for s in scopes)
                                        for scopes in covering)
            counted[wanted[0]] = counted.get(wanted[0], 0) + 1
            if not ok:
                shown = sorted({s for scopes in covering for s in scopes[1:]})
                wrong.append(f"{path.name}:{token.line}:{token.column} {str(token)!r} "
                             f"({token.type}) wants {wanted[0]}…, has {shown}")
    assert not wrong, "\n".join(wrong[:40])
    # the shipped policies hold every kind of token the test is about
    for kind in ("keyword.", "string.quoted", "constant.numeric", "keyword.other.unit",
                 "comment.line", "variable.other", "constant.numeric.date"):
        assert counted.get(kind, 0) > 0, kind


def test_every_keyword_of_the_grammar_is_a_keyword(tokenize, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built, _ = lark_with_all_tokens()
    words = sorted({t.pattern.value for t in built.terminals
                    if t.pattern.type == "str" and any(c.isalpha() for c in t.pattern.value)}
                   | set(unit_words()))  # 元/月, ‰ …: units the grammar may write as a pattern
    assert "参数" in words and "不低于" in words
    sample = tmp_path / "keywords.policy"
    sample.write_text("\n".join(f"  {w}  " for w in words), encoding="utf-8")
    lines = tokenize([sample])[str(sample)]
    missing = []
    for word, line in zip(words, lines, strict=True):
        scopes = [sc for s, e, sc in line if s == 2 and e == 2 + utf16(word)]
        if not scopes or not any(s.startswith(KEYWORD_SCOPES) for s in scopes[0]):
            missing.append(word)
    assert not missing, "keywords coloured as names: " + "、".join(missing)


def test_a_keyword_glued_to_letters_is_a_name_and_units_follow_numbers(tokenize, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sample = tmp_path / "glued.policy"
    sample.write_text("参数 标准 = 不低于640元  # 注\n规则 x = 不低于标准 + 20万元 × 80%\n"
                      "参数 d = 2025年2月底\n", encoding="utf-8")
    lines = tokenize([sample])[str(sample)]

    def scope_of(line: int, text: str) -> str:
        source = sample.read_text(encoding="utf-8").split("\n")[line]
        start = utf16(source[: source.index(text)])
        return next(sc[-1] for s, e, sc in lines[line] if s == start and e == start + utf16(text))

    assert scope_of(0, "不低于") == "keyword.operator.word.policy"
    assert scope_of(0, "640") == "constant.numeric.policy"
    assert scope_of(0, "元") == "keyword.other.unit.policy"
    assert scope_of(0, "# 注") == "comment.line.number-sign.policy"
    assert scope_of(0, "标准") == "entity.name.variable.parameter.policy"
    assert scope_of(1, "不低于标准") == "variable.other.policy"
    assert scope_of(1, "20") == "constant.numeric.policy"
    assert scope_of(1, "万元") == "keyword.other.unit.policy"
    assert scope_of(1, "%") == "keyword.other.unit.policy"
    assert scope_of(2, "2025年2月底") == "constant.numeric.date.policy"


def test_the_vscode_extension_wires_this_grammar_and_the_server() -> None:
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    contributes = package["contributes"]
    language = contributes["languages"][0]
    assert language["extensions"] == [".policy"]
    assert (EXTENSION / language["configuration"]).exists()
    wired = contributes["grammars"][0]
    assert wired["language"] == language["id"]
    assert wired["scopeName"] == grammar["scopeName"]
    # the extension carries a copy of the grammar (`npm run grammar` makes it)
    assert wired["path"] == "./syntaxes/policy.tmLanguage.json"
    assert "grammar/policy.tmLanguage.json" in package["scripts"]["grammar"]
    assert package["main"] == "./extension.js"
    assert "vscode-languageclient" in package["dependencies"]
    extension = (EXTENSION / "extension.js").read_text(encoding="utf-8")
    assert '"lsp"' in extension and "LanguageClient" in extension


def test_the_functions_coloured_are_the_registrys() -> None:
    """The editor colours as a function every word of policydsl.words.FUNCTIONS, and no other."""
    from policydsl.words import FUNCTIONS

    pattern = json.loads(GRAMMAR.read_text("utf-8"))["repository"]["function-call"]["match"]
    found = re.search(r"\(\?:([^)]*)\)", pattern)
    assert found, pattern
    listed = found.group(1).split("|")
    assert sorted(listed) == sorted(FUNCTIONS)
