"""Syntax errors an author understands: size limits, and recovery statement by statement.

When a file does not parse, it is cut into statements at their keywords (every statement
starts with one: 条款, 参数, 规则 …), and each statement is parsed on its own.  So a missing
否则 gives one diagnostic on its own statement, and the statements after it are still read —
in one pass, however many mistakes the file holds.  The hint says what was expected in the
author's words (`expected 否则 after 若 … 则 …`), never a list of token names.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

import attrs
import lark

from .diagnostics import Diagnostic, SourceFile, Span
from .units import UNITS

MAX_NESTING = 200  # brackets inside brackets
MAX_CONDITIONS = 64  # 若 in one statement: a longer chain reads better as 按 or a table
MAX_SYNTAX_ERRORS = 10

ITEM_KEYWORDS = frozenset({"条款", "枚举", "计算", "沿用", "主题"})
DECL_KEYWORDS = frozenset({"参数", "输入", "地方", "累计", "规则", "表", "核对"})
CLAUSE_KEYWORDS = DECL_KEYWORDS | {"引文", "约定", "不计算"}
CALCULATOR_KEYWORDS = frozenset({"输出", "累计"})

_LEXEME = re.compile(r'"(?:[^"\\\n]|\\.)*"|「[^」]*」|“[^”]*”|[#＃][^\n]*|[(（\[［【{｛]|[)）\]］】}｝]'
                     r"|[^\W\d]+")
_OPENING = "(（[［【{｛"
_CLOSING = ")）]］】}｝"


@attrs.frozen
class Lexeme:
    text: str
    start: int
    depth: int  # brackets open before it


def lexemes(text: str) -> Iterator[Lexeme]:
    """Words and brackets outside strings and comments, with their bracket depth (reset at
    each item keyword, so one unclosed bracket does not swallow the rest of the file)."""
    depth = 0
    for m in _LEXEME.finditer(text):
        word = m.group()
        if word[0] in "\"「“#＃":
            continue
        if word in ITEM_KEYWORDS:
            depth = 0  # an item never stands inside brackets: an unclosed one ends here
        if word in _CLOSING:
            depth = max(depth - 1, 0)
        yield Lexeme(word, m.start(), depth)
        if word in _OPENING:
            depth += 1


class Lines:
    """Offsets ↔ 1-based line and column, counting lines by \\n only (as Lark does)."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def check_size(source: SourceFile, max_chars: int) -> Diagnostic | None:
    """A file too long, or brackets / 若 nested too deep for the parser and the generator."""
    if len(source.text) > max_chars:
        return Diagnostic("E003", f"the file has {len(source.text):,} characters; a policy may have at "
                          f"most {max_chars:,}", Span(source.path, 1, 1, 1, 2),
                          "split the notice into several policies")
    lines = Lines(source.text)
    conditions = 0
    for lex in lexemes(source.text):
        if lex.text in _OPENING and lex.depth + 1 > MAX_NESTING:
            return _at(source, lines, lex, f"brackets are nested more than {MAX_NESTING} deep",
                       "name the inner parts with 规则 and refer to them")
        if lex.text in ITEM_KEYWORDS or lex.text in CLAUSE_KEYWORDS:
            conditions = 0
        elif lex.text == "若":
            conditions += 1
            if conditions > MAX_CONDITIONS:
                return _at(source, lines, lex, f"one statement holds more than {MAX_CONDITIONS} 若",
                           "a long chain of conditions reads better as 按 (a match) or a 表")
    return None


def _at(source: SourceFile, lines: Lines, lex: Lexeme, message: str, hint: str) -> Diagnostic:
    line, column = lines.position(lex.start)
    return Diagnostic("E003", message, Span(source.path, line, column, line, column + len(lex.text)),
                      hint)


# ---------------------------------------------------------------- recovery
@attrs.frozen
class Piece:
    start: int
    end: int
    symbol: str  # the grammar's start symbol for it


def recover(source: SourceFile, parser: lark.Lark) -> list[Diagnostic]:
    """Parse statement by statement; one diagnostic per statement that fails."""
    lines = Lines(source.text)
    found: list[Diagnostic] = []
    for piece in _top_pieces(source.text):
        found += _parse_piece(source, parser, lines, piece)
    if not found:  # every statement reads on its own: the file as a whole does not
        found = [_whole_file_problem(source, parser, lines)]
    if len(found) > MAX_SYNTAX_ERRORS:
        rest = len(found) - MAX_SYNTAX_ERRORS
        found = found[:MAX_SYNTAX_ERRORS] + [Diagnostic(
            "E002", f"… and {rest} more syntax error(s) in this file", found[MAX_SYNTAX_ERRORS].span,
            "fix the ones above first")]
    return found


def _top_pieces(text: str) -> list[Piece]:
    """The header, then each item: cut at item keywords (whatever the brackets say, since an
    item cannot stand inside another) and at declarations outside any block."""
    cuts: list[tuple[int, str]] = []
    for lex in lexemes(text):
        if lex.text in ITEM_KEYWORDS or (lex.text in DECL_KEYWORDS and lex.depth == 0):
            cuts.append((lex.start, "item"))
    starts = [(0, "header")] + cuts
    ends = [start for start, _ in cuts] + [len(text)]
    return [Piece(start, end, symbol) for (start, symbol), end in zip(starts, ends, strict=True)]


def _parse_piece(source: SourceFile, parser: lark.Lark, lines: Lines, piece: Piece) -> list[Diagnostic]:
    text = source.text[piece.start:piece.end]
    try:
        parser.parse(text, start=piece.symbol)
        return []
    except lark.UnexpectedInput as err:
        own = _diagnostic(err, source, lines, piece, text)
    inner = list(_inner_pieces(source.text, piece))
    problems = [d for p in inner for d in _parse_piece(source, parser, lines, p)]
    return problems or [own]


def _inner_pieces(text: str, piece: Piece) -> Iterator[Piece]:
    """The statements inside a 条款 { … } or 计算 { … } block."""
    head = text[piece.start:piece.end].lstrip()
    if piece.symbol != "item" or not head.startswith(("条款", "计算")):
        return
    keywords = CLAUSE_KEYWORDS if head.startswith("条款") else CALCULATOR_KEYWORDS
    symbol = "clause_item" if head.startswith("条款") else "calc_item"
    block_depth = None
    starts: list[int] = []
    close = piece.end
    for lex in lexemes(text[piece.start:piece.end]):
        if lex.text in "{｛" and block_depth is None:
            block_depth = lex.depth + 1
        elif block_depth is not None and lex.text in keywords and lex.depth >= block_depth:
            starts.append(piece.start + lex.start)
        elif block_depth is not None and lex.text in "}｝" and lex.depth == block_depth - 1:
            close = piece.start + lex.start
    if starts:
        for start, end in zip(starts, [*starts[1:], close], strict=True):
            yield Piece(start, end, symbol)


def _whole_file_problem(source: SourceFile, parser: lark.Lark, lines: Lines) -> Diagnostic:
    try:
        parser.parse(source.text, start="start")
    except lark.UnexpectedInput as err:
        return _diagnostic(err, source, lines, Piece(0, len(source.text), "start"), source.text)
    raise AssertionError("the file parses")


def _diagnostic(err: lark.UnexpectedInput, source: SourceFile, lines: Lines, piece: Piece,
                text: str) -> Diagnostic:
    if isinstance(err, lark.UnexpectedCharacters):
        offset = piece.start + (err.pos_in_stream or 0)
        line, column = lines.position(offset)
        char = source.text[offset] if offset < len(source.text) else ""
        return Diagnostic("E002", f"unexpected character {char!r}",
                          Span(source.path, line, column, line, column + 1),
                          "strings are quoted with \"…\", 「…」 or “…”; comments start with #")
    token = getattr(err, "token", None)
    expected = _expected(text, piece.symbol, None if token is None or token.type == "$END"
                         else token.start_pos)
    at_end = isinstance(err, lark.UnexpectedEOF) or (token is not None and token.type == "$END")
    if at_end:
        offset = piece.start + len(text.rstrip()) - 1
        line, column = lines.position(max(offset, 0))
        span = Span(source.path, line, column, line, column + 1)
        hint = _PHRASES["RBRACE"] if "RBRACE" in expected else \
            expected_hint(expected, None, source.text, offset)
        return Diagnostic("E002", "the statement ends too early", span, hint)
    assert token is not None
    offset = piece.start + (token.start_pos or 0)
    line, column = lines.position(offset)
    span = Span(source.path, line, column, line, column + max(len(str(token)), 1))
    return Diagnostic("E002", f"unexpected {str(token)!r}", span,
                      expected_hint(expected, token, source.text, offset))


def _expected(text: str, symbol: str, stop: int | None) -> set[str]:
    """The terminals the parser would take before the token at `stop` (or at the end)."""
    from .parser import grammar_parser

    interactive = grammar_parser().parse_interactive(text, start=symbol)
    try:
        for token in interactive.iter_parse():
            if stop is not None and (token.start_pos or 0) >= stop:
                break
    except lark.UnexpectedInput:
        pass  # the state before the bad token is what we want
    terminals = {t.name for t in grammar_parser().terminals} | {"$END"}
    accepted = set()
    for name in interactive.choices():  # type: ignore[no-untyped-call]
        if name not in terminals:
            continue
        trial = interactive.copy()  # type: ignore[no-untyped-call]
        try:
            trial.feed_token(lark.Token(name, ""))
        except (lark.UnexpectedInput, KeyError):  # Lark raises KeyError for a misplaced end
            continue
        accepted.add(name)
    return accepted


# ---------------------------------------------------------------- hints in the author's words
_PHRASES = {
    "否则": "expected 否则 after 若 … 则 …",
    "则": "expected 则 after the condition of 若",
    "COLON": "expected : between the name and its value",
    "EQ": "expected = before the value",
    "RBRACE": "expected } to close the block",
    "RPAR": "expected ) to close the bracket",
    "RBRACK": "expected ] after the table's key",
    "作为": "expected 作为 and the name it is known by: 修订 \"base.policy\" 作为 上年",
    "至": "expected 至 between the bounds of a bracket: 0 元 至 1万元: 60%",
    "NUMBER": "expected a value: a number with its unit, a name, or a formula",
}


def expected_hint(expected: set[str], token: lark.Token | None, text: str, offset: int) -> str:
    """What the parser wanted there, said as an author would."""
    words = {_keyword(t) for t in expected}
    if token is not None and token.type == "NAME" and re.search(r"\d\s*$", text[:offset]):
        return f"{token} is not a unit policydsl knows; the units are " + "、".join(UNITS)
    for key, phrase in _PHRASES.items():
        if key in words and not (key in ("RBRACE", "EQ") and len(words) > 3):
            return phrase
    if token is not None and token.type == "SEP" and re.search(r"\d$", text[:offset]) and \
            re.match(r"\d{3}", text[offset + 1:]):
        return "write the number without thousands separators: 1500 元 matches the notice's 1,500元"
    if token is not None and token.type == "NAME" and len(str(token)) > 4:
        return "a keyword glued to a name is read as part of the name: separate them with spaces"
    if token is not None and "$END" in expected:
        return (f"the statement is complete before {token}: remove {token}, or start a new "
                "statement with its keyword (参数, 规则, 输入 …)")
    described = sorted({_describe(t) for t in expected})
    if not described:
        return "check the statement against docs/language.md"
    return "expected " + "、".join(described[:6]) + (" …" if len(described) > 6 else "")


_TERMINAL_NAMES = {
    "NAME": "a name", "NUMBER": "a number", "CN_QUANTITY": "a number", "STRING_ASCII": "a string",
    "STRING_CJK": "a string", "LBRACE": "{", "RBRACE": "}", "LPAR": "(", "RPAR": ")",
    "LBRACK": "[", "RBRACK": "]", "COLON": ":", "SEP": "，", "EQ": "=", "DOT": ".",
    "DATE": "a date", "CLAUSE_NO": "a clause number", "ADD_OP": "+", "SUB_OP": "-", "MUL_OP": "×",
    "CMP_OP": "a comparison", "PIPE": "|", "OTHER": "其他", "INCLUSION_MARK": "（含）",
    "ABOVE_WORD": "以上", "$END": "the end of the statement",
}


def _keyword(terminal: str) -> str:
    return _keywords().get(terminal, terminal)


@functools.lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    """Lark names the keyword terminals; map them back to the words."""
    from .parser import grammar_parser

    return {t.name: str(t.pattern.value) for t in grammar_parser().terminals if t.pattern.type == "str"}


def _describe(terminal: str) -> str:
    return _TERMINAL_NAMES.get(terminal) or _keyword(terminal)
