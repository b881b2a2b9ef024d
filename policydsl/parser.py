"""Parse policy text into the AST (`ast.PolicyFile`).

The Lark parser is built once and cached.  The Transformer has an explicit method for every
rule of the grammar that reaches it (no class-to-rule magic); `tests/test_parser.py` checks
that no raw `lark.Tree` survives into the AST.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import re
from decimal import Decimal
from typing import Any

import lark
from lark import Token, Transformer, v_args

from . import ast
from .diagnostics import Diagnostic, SourceFile, Span

MAX_FILE_CHARS = 500_000  # the longest notice has 18,000 characters; parsing 500,000 takes ~8 s
MAX_NESTING = 200

QUALIFIERS = {
    None: "exact",
    "不低于": "at_least", "及以上": "at_least", "以上": "at_least", "起": "at_least",
    "不高于": "at_most", "以下": "at_most",
    "左右": "about", "约": "about",
}
COMPARE_WORDS = {
    "不低于": ">=", "不早于": ">=", "不高于": "<=", "高于": ">", "晚于": ">", "低于": "<",
    "早于": "<",
}
COMPARE_SYMBOLS = {
    "<": "<", "＜": "<", "<=": "<=", "≤": "<=", ">": ">", "＞": ">", ">=": ">=", "≥": ">=",
    "=": "==", "＝": "==", "==": "==", "!=": "!=", "≠": "!=",
}
ARITHMETIC = {"+": "+", "＋": "+", "*": "×", "×": "×", "＊": "×", "÷": "÷", "/": "÷", "／": "÷"}


@functools.lru_cache(maxsize=1)
def grammar_parser() -> lark.Lark:
    text = importlib.resources.files("policydsl.grammar").joinpath("policy.lark").read_text("utf-8")
    return lark.Lark(text, parser="lalr", lexer="contextual", propagate_positions=True)


class SyntaxProblem(Exception):
    """A malformed literal found while building the AST (a date that does not exist)."""

    def __init__(self, message: str, span: Span, hint: str | None = None):
        super().__init__(message)
        self.diagnostic = Diagnostic("E002", message, span, hint)


MAX_SYNTAX_ERRORS = 10


def parse(source: SourceFile) -> tuple[ast.PolicyFile | None, list[Diagnostic]]:
    """Parse one file; on failure return None and the diagnostics that say why."""
    too_big = _check_size(source)
    if too_big:
        return None, [too_big]
    tree, errors = _parse_reporting_all(source)
    if tree is None:
        return None, errors
    try:
        policy = _ToAst(source.path).transform(tree)
    except lark.exceptions.VisitError as err:
        if isinstance(err.orig_exc, SyntaxProblem):
            return None, [err.orig_exc.diagnostic]
        raise
    except RecursionError:
        return None, [Diagnostic("E003", "an expression is too long or too deeply nested",
                                 Span(source.path, 1, 1, 1, 2),
                                 "name its parts with 规则 and refer to them")]
    return policy, []


def _parse_reporting_all(source: SourceFile) -> tuple[lark.Tree[Token] | None, list[Diagnostic]]:
    """Parse; after a syntax error, blank the line it is on and parse again to find the next.

    Blanking keeps every position in place.  An unexpected `}` or end of file after a blanked
    line is most likely that line's own unbalanced bracket, so it is not reported again.
    """
    errors: list[Diagnostic] = []
    lines = source.text.split("\n")
    while len(errors) < MAX_SYNTAX_ERRORS:
        try:
            tree = grammar_parser().parse("\n".join(lines))
        except lark.UnexpectedInput as err:
            diag = _syntax_error(err, source)
            cascade = errors and (
                isinstance(err, lark.UnexpectedEOF)
                or (isinstance(err, lark.UnexpectedToken) and err.token.type in ("$END", "RBRACE"))
                or diag.span.line <= errors[-1].span.line)
            if cascade:
                break
            errors.append(diag)
            if not 0 < diag.span.line <= len(lines):
                break
            lines[diag.span.line - 1] = " " * len(lines[diag.span.line - 1])
        else:
            return (tree, []) if not errors else (None, errors)
    return None, errors


def _check_size(source: SourceFile) -> Diagnostic | None:
    span = Span(source.path, 1, 1, 1, 2)
    if len(source.text) > MAX_FILE_CHARS:
        return Diagnostic(
            "E003", f"the file has {len(source.text):,} characters; a policy may have at most "
            f"{MAX_FILE_CHARS:,}", span, "split the notice into several policies",
        )
    depth = 0
    for line_no, line in enumerate(source.text.splitlines(), start=1):
        for col, char in enumerate(line, start=1):
            if char in "(（[［【{｛":
                depth += 1
                if depth > MAX_NESTING:
                    return Diagnostic(
                        "E003", f"brackets are nested more than {MAX_NESTING} deep",
                        Span(source.path, line_no, col, line_no, col + 1),
                        "name the inner parts with 规则 and refer to them",
                    )
            elif char in ")）]］】}｝":
                depth -= 1
    return None


def _syntax_error(err: lark.UnexpectedInput, source: SourceFile) -> Diagnostic:
    line = getattr(err, "line", 1) or 1
    column = getattr(err, "column", 1) or 1
    if line < 1:  # end of file
        lines = source.text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    span = Span(source.path, line, column, line, column + 1)
    if isinstance(err, lark.UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        char = source.text[pos] if pos < len(source.text) else ""
        return Diagnostic(
            "E002", f"unexpected character {char!r}", span,
            "strings are quoted with \"…\", 「…」 or “…”; comments start with #",
        )
    if isinstance(err, lark.UnexpectedEOF):
        return Diagnostic("E002", "the file ends in the middle of a statement", span,
                          "is a closing } or ) missing?")
    assert isinstance(err, lark.UnexpectedToken)
    token = err.token
    width = max(len(str(token)), 1)
    span = Span(source.path, line, column, line, column + width)
    expected = sorted({_describe(t) for t in err.expected})
    hint = "expected " + ", ".join(expected[:8]) + (" …" if len(expected) > 8 else "")
    if token.type == "$END":
        return Diagnostic("E002", "the file ends in the middle of a statement", span, hint)
    if token.type == "NAME" and re.search(r"\d", str(token)) is None and len(str(token)) > 4:
        hint += "; keywords and names must be separated by spaces"
    return Diagnostic("E002", f"unexpected {str(token)!r}", span, hint)


_TERMINAL_NAMES = {
    "NAME": "a name", "NUMBER": "a number", "STRING_ASCII": "a string", "STRING_CJK": "a string",
    "LBRACE": "{", "RBRACE": "}", "LPAR": "(", "RPAR": ")", "LBRACK": "[", "RBRACK": "]",
    "COLON": ":", "SEP": ",", "EQ": "=", "DOT": ".", "DATE": "a date", "CLAUSE_NO":
    "a clause number", "ADD_OP": "+", "SUB_OP": "-", "MUL_OP": "×", "CMP_OP": "a comparison",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def _keyword_names() -> dict[str, str]:
    """Lark names anonymous keyword tokens; map them back to the words."""
    return {t.name: t.pattern.value for t in grammar_parser().terminals}


def _describe(terminal: str) -> str:
    if terminal in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[terminal]
    return _keyword_names().get(terminal, terminal)


def _unquote(token: Token) -> str:
    text = str(token)
    if text.startswith('"'):
        body = text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return text[1:-1]


_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|年(\d{1,2})月(?:(\d{1,2})日|(底)))")


def parse_date(text: str, span: Span) -> datetime.date:
    m = _DATE.fullmatch(text)
    assert m, text
    year = int(m.group(1))
    month = int(m.group(2) or m.group(4))
    try:
        if m.group(6):  # 月底: the month's last day
            next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
            return next_month - datetime.timedelta(days=1)
        return datetime.date(year, month, int(m.group(3) or m.group(5)))
    except ValueError:
        raise SyntaxProblem(f"{text} is not a date", span) from None


@v_args(meta=True)
class _ToAst(Transformer[Token, Any]):
    """Turn the parse tree into AST nodes; every method builds one node kind."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path

    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, 0, 0, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    # ------------------------------------------------------------ file and header
    def start(self, meta: Any, children: list[Any]) -> ast.PolicyFile:
        return ast.PolicyFile(self.path, children[0], tuple(children[1:]))

    def header(self, meta: Any, children: list[Any]) -> ast.Header:
        fields: dict[str, object] = {}
        uses: list[ast.Import] = []
        amends = within = None
        for kind, value in children[1:]:
            if kind == "uses":
                uses.append(value)
            elif kind == "amends":
                amends = value
            elif kind == "within":
                within = value
            else:
                fields.setdefault(kind, value)
        return ast.Header(str(children[0]), fields, tuple(uses), amends, within, self._span(meta))

    def h_title(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("title", c[0])

    def h_doc_no(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("doc_no", c[0])

    def h_issuer(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("issuer", c[0])

    def h_region(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("region", c[0])

    def h_year(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("year", int(Decimal(str(c[0]))))

    def h_date(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("date", parse_date(str(c[0]), self._span(meta)))

    def h_status(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("status", c[0])

    def h_notice(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("notice", c[0])

    def h_uses(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("uses", ast.Import(c[0], None, self._span(meta)))

    def h_amends(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("amends", ast.Import(c[0], str(c[1]), self._span(meta)))

    def h_within(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("within", ast.Import(c[0], str(c[1]), self._span(meta)))

    def string(self, meta: Any, c: list[Token]) -> str:
        return _unquote(c[0])

    # ------------------------------------------------------------ items
    def clause(self, meta: Any, c: list[Any]) -> ast.Clause:
        number, heading = str(c[0]), c[1]
        body = c[3:-1]
        quotes = tuple(x for x in body if isinstance(x, ast.Quote))
        decls = tuple(x for x in body if not isinstance(x, ast.Quote))
        return ast.Clause(number, heading, quotes, decls, self._span(meta))

    def quote(self, meta: Any, c: list[Any]) -> ast.Quote:
        return ast.Quote(c[0], self._span(meta))

    def enum_decl(self, meta: Any, c: list[Any]) -> ast.EnumDecl:
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        return ast.EnumDecl(names[0], tuple(names[1:]), self._span(meta))

    def topic(self, meta: Any, c: list[Any]) -> ast.Topic:
        concepts = tuple(x for x in c if isinstance(x, ast.Concept))
        return ast.Topic(str(c[0]), c[1], concepts, self._span(meta))

    def concept(self, meta: Any, c: list[Any]) -> ast.Concept:
        return ast.Concept(str(c[0]), c[2], c[3], self._span(meta))

    def continued(self, meta: Any, c: list[Any]) -> ast.Continued:
        return ast.Continued(str(c[0]), self._span(meta))

    def param(self, meta: Any, c: list[Any]) -> ast.Param:
        choice = c[3] if len(c) > 3 else None
        return ast.Param(str(c[0]), c[2], choice, self._span(meta))

    def choice(self, meta: Any, c: list[Any]) -> str:
        return str(c[0])

    def input_decl(self, meta: Any, c: list[Any]) -> ast.InputDecl:
        kind, name, type_ = c[0], str(c[1]), c[3]
        default, optional, requirements = None, False, ()
        for extra in c[4:]:
            if isinstance(extra, tuple) and extra and extra[0] == "default":
                default = extra[1]
            elif extra == "optional":
                optional = True
            else:
                requirements = extra
        return ast.InputDecl(kind, name, type_, default, optional, requirements, self._span(meta))

    def input_kw(self, meta: Any, c: list[Token]) -> str:
        return str(c[0])

    def default(self, meta: Any, c: list[Any]) -> tuple[str, ast.Expr]:
        return ("default", c[1])

    def optional(self, meta: Any, c: list[Any]) -> str:
        return "optional"

    def requirements(self, meta: Any, c: list[Any]) -> tuple[ast.Requirement, ...]:
        return tuple(x for x in c if isinstance(x, ast.Requirement))

    def requirement(self, meta: Any, c: list[Any]) -> ast.Requirement:
        soft = c[0] == "原则上"
        word, bound = c[-2], c[-1]
        return ast.Requirement(COMPARE_WORDS[word], bound, soft, self._span(meta))

    def rule(self, meta: Any, c: list[Any]) -> ast.Rule:
        return ast.Rule(str(c[0]), c[2], self._span(meta))

    def table(self, meta: Any, c: list[Any]) -> ast.Table:
        rows = tuple(x for x in c if isinstance(x, ast.TableRow))
        return ast.Table(str(c[0]), str(c[1]), rows, self._span(meta))

    def table_row(self, meta: Any, c: list[Any]) -> ast.TableRow:
        key = None if c[0].type == "OTHER" else str(c[0])
        return ast.TableRow(key, c[2], self._span(meta))

    def check(self, meta: Any, c: list[Any]) -> ast.Check:
        return ast.Check(c[0], self._span(meta))

    def calculator(self, meta: Any, c: list[Any]) -> ast.Calculator:
        title = c[1] if isinstance(c[1], str) and not isinstance(c[1], Token) else None
        outputs = tuple(x for x in c if isinstance(x, ast.Output))
        return ast.Calculator(str(c[0]), title, outputs, self._span(meta))

    def output(self, meta: Any, c: list[Any]) -> ast.Output:
        return ast.Output(str(c[0]), c[2] if len(c) > 2 else None, self._span(meta))

    # ------------------------------------------------------------ types and qualifiers
    def type_name(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("name", str(c[0]), self._span(meta))

    def type_unit(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("unit", c[0], self._span(meta))

    def type_list(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("list", str(c[0]), self._span(meta))

    def qualified(self, meta: Any, c: list[Any]) -> ast.Qualified:
        soft = bool(c) and c[0] == "原则上"
        rest = c[1:] if soft else c
        pre = rest[0] if isinstance(rest[0], str) and rest[0] in QUALIFIERS else None
        expr = rest[1] if pre else rest[0]
        post = rest[-1] if isinstance(rest[-1], str) and rest[-1] in QUALIFIERS else None
        qualifier = QUALIFIERS[post or pre]
        if pre and post and QUALIFIERS[post] == "about" and QUALIFIERS[pre] != "about":
            qualifier = QUALIFIERS[pre] + "_about"  # 不低于 6% 左右: a floor of about 6 %
        return ast.Qualified(expr, qualifier, soft, self._span(meta))

    def _word(self, meta: Any, c: list[Token]) -> str:
        return str(c[0])

    soft = qual_pre = qual_post = cmp_word = adj_word = _word

    def unit(self, meta: Any, c: list[Token]) -> str:
        return {"％": "%", "元／月": "元/月"}.get(str(c[0]), str(c[0]))

    # ------------------------------------------------------------ expressions
    def if_expr(self, meta: Any, c: list[Any]) -> ast.If:
        return ast.If(c[0], c[1], c[2], self._span(meta))

    def or_expr(self, meta: Any, c: list[Any]) -> ast.Logic:
        return ast.Logic("或", c[0], c[1], self._span(meta))

    def and_expr(self, meta: Any, c: list[Any]) -> ast.Logic:
        return ast.Logic("且", c[0], c[1], self._span(meta))

    def not_expr(self, meta: Any, c: list[Any]) -> ast.Not:
        return ast.Not(c[0], self._span(meta))

    def compare(self, meta: Any, c: list[Any]) -> ast.Compare:
        return ast.Compare(COMPARE_SYMBOLS[str(c[1])], c[0], c[2], self._span(meta))

    def compare_word(self, meta: Any, c: list[Any]) -> ast.Compare:
        return ast.Compare(COMPARE_WORDS[c[1]], c[0], c[2], self._span(meta))

    def coalesce(self, meta: Any, c: list[Any]) -> ast.Coalesce:
        return ast.Coalesce(c[0], c[1], self._span(meta))

    def adjust(self, meta: Any, c: list[Any]) -> ast.Adjust:
        return ast.Adjust(c[1], c[0], c[2], self._span(meta))

    def binary(self, meta: Any, c: list[Any]) -> ast.Binary:
        op = "-" if c[1].type == "SUB_OP" else ARITHMETIC.get(str(c[1]), "-")
        return ast.Binary(op, c[0], c[2], self._span(meta))

    def negate(self, meta: Any, c: list[Any]) -> ast.Negate:
        return ast.Negate(c[1], self._span(meta))

    def lookup(self, meta: Any, c: list[Any]) -> ast.Lookup:
        table = c[0]
        if not isinstance(table, ast.Name):
            raise SyntaxProblem("only a table name can be indexed with […]", self._span(meta))
        return ast.Lookup(table.name, c[2], self._span(meta))

    def member(self, meta: Any, c: list[Any]) -> ast.Member:
        owner = c[0]
        if not isinstance(owner, ast.Name):
            raise SyntaxProblem("a member is written Owner.member", self._span(meta),
                                "for example 地区类别.一类 or 上年.财政补助")
        return ast.Member(owner.name, str(c[2]), self._span(meta))

    def number(self, meta: Any, c: list[Any]) -> ast.Number:
        text = str(c[0])
        unit = c[1] if len(c) > 1 else None
        return ast.Number(Decimal(text), unit, text, self._span(meta))

    def date(self, meta: Any, c: list[Token]) -> ast.DateLit:
        span = self._span(meta)
        return ast.DateLit(parse_date(str(c[0]), span), str(c[0]), span)

    def word_value(self, meta: Any, c: list[Token]) -> ast.Word:
        return ast.Word(str(c[0]), self._span(meta))

    def name(self, meta: Any, c: list[Token]) -> ast.Name:
        return ast.Name(str(c[0]), self._span(meta))

    def call(self, meta: Any, c: list[Any]) -> ast.Call:
        args = tuple(x for x in c[2:-1] if x is not None and not isinstance(x, Token))
        return ast.Call(str(c[0]), args, self._span(meta))

    def fail(self, meta: Any, c: list[Any]) -> ast.Fail:
        return ast.Fail(c[1], self._span(meta))

    def brackets(self, meta: Any, c: list[Any]) -> ast.Brackets:
        rows = tuple(x for x in c if isinstance(x, ast.Bracket))
        return ast.Brackets(rows, self._span(meta))

    def bracket(self, meta: Any, c: list[Any]) -> ast.Bracket:
        return ast.Bracket(c[0], c[1], c[3], self._span(meta))

    def match(self, meta: Any, c: list[Any]) -> ast.Match:
        arms = tuple(x for x in c if isinstance(x, ast.Arm))
        return ast.Match(c[0], arms, self._span(meta))

    def arm(self, meta: Any, c: list[Any]) -> ast.Arm:
        patterns = tuple(x for x in c if isinstance(x, tuple))
        value = [x for x in c if not isinstance(x, (tuple, Token))][0]
        return ast.Arm(tuple(p[0] for p in patterns), value, self._span(meta))

    def pattern(self, meta: Any, c: list[Token]) -> tuple[str | None]:
        return (None,) if c[0].type == "OTHER" else (str(c[0]),)

    def atom(self, meta: Any, c: list[Any]) -> Any:  # ( expr )
        return c[1]
