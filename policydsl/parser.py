"""Parse policy text into the AST (`ast.PolicyFile`).

The Lark parser is built once and cached, from `grammar/policy.lark` with its keyword lists
filled in from the registries (`units.py`, `words.py`).  The Transformer has an explicit
method for every rule of the grammar that reaches it (no class-to-rule magic);
`tests/test_parser.py` checks that no raw `lark.Tree` survives into the AST.

A file with syntax errors is parsed again statement by statement (`syntax.py`), so that each
mistake gives one diagnostic and the statements after it are still read.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import re
from decimal import Decimal
from typing import Any

import attrs
import lark
from lark import Token, Transformer, v_args

from . import ast, numbers, syntax
from .diagnostics import Diagnostic, SourceFile, Span
from .units import SPELLINGS
from .words import (
    ADJUST_WORDS,
    COMPARE_WORDS,
    CONVENTION_WORDS,
    INCLUDES,
    QUALIFIERS_AFTER,
    QUALIFIERS_BEFORE,
    grammar_lists,
)

MAX_FILE_CHARS = 500_000  # the longest notice has 18,000 characters; parsing 500,000 takes ~8 s

COMPARE_SYMBOLS = {
    "<": "<", "＜": "<", "<=": "<=", "≤": "<=", ">": ">", "＞": ">", ">=": ">=", "≥": ">=",
    "=": "==", "＝": "==", "==": "==", "!=": "!=", "≠": "!=",
}
ARITHMETIC = {"+": "+", "＋": "+", "*": "×", "×": "×", "＊": "×", "÷": "÷", "/": "÷", "／": "÷"}
START_SYMBOLS = ["start", "header", "item", "clause_item", "calc_item"]


def grammar_text() -> str:
    """The grammar file with every `// @registry NAME` keyword list filled in."""
    text = importlib.resources.files("policydsl.grammar").joinpath("policy.lark").read_text("utf-8")
    lists = grammar_lists()

    def fill(m: re.Match[str]) -> str:
        words = " | ".join(_lark_string(w) for w in lists[m.group(2)])
        return f"{m.group(1)}: {words}"

    return re.sub(r"^(!?[\w.]+):[^\n]*// @registry (\w+)$", fill, text, flags=re.M)


def _lark_string(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


@functools.lru_cache(maxsize=1)
def grammar_parser() -> lark.Lark:
    return lark.Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                     start=START_SYMBOLS)


class SyntaxProblem(Exception):
    """A malformed construct found while building the AST (a date that does not exist)."""

    def __init__(self, message: str, span: Span, hint: str | None = None):
        super().__init__(message)
        self.diagnostic = Diagnostic("E002", message, span, hint)


def parse(source: SourceFile) -> tuple[ast.PolicyFile | None, list[Diagnostic]]:
    """Parse one file; on failure return None and the diagnostics that say why."""
    problem = syntax.check_size(source, MAX_FILE_CHARS)
    if problem:
        return None, [problem]
    try:
        tree = grammar_parser().parse(source.text, start="start")
    except lark.UnexpectedInput:
        return None, syntax.recover(source, grammar_parser())
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


def _unquote(token: Token) -> str:
    text = str(token)
    if text.startswith('"'):
        body = text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return text[1:-1]


_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|年(\d{1,2})月(?:(\d{1,2})日|(底)))")


YEARLESS = 2000  # the year of a day printed without one: a leap year, so 2月29日 is a day


def parse_date(text: str, span: Span, shown: str | None = None) -> datetime.date:
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
        raise SyntaxProblem(f"{shown or text} is not a date", span) from None


def _qualifier(pre: str | None, post: str | None) -> str:
    if pre is None and post is None:
        return "exact"
    before = QUALIFIERS_BEFORE.get(pre or "")
    after = QUALIFIERS_AFTER.get(post or "")
    if before and after == "about" and before in ("at_least", "at_most"):
        return before + "_about"  # 不低于 6% 左右: a floor of about 6 %
    return before or after or "exact"


class _Several(tuple[Any, ...]):
    """Several nodes made by one statement (`约定 以上 含本数，以下 不含本数`; a table of
    several columns); the enclosing block lists them one by one."""


def _flat(children: list[Any]) -> list[Any]:
    out: list[Any] = []
    for child in children:
        out.extend(child if isinstance(child, _Several) else [child])
    return out


def _header_field(method: Any) -> Any:
    """Keep where a header field is written, for diagnostics about it (`通知 "…"`)."""

    def build(self: _ToAst, meta: Any, c: list[Any]) -> tuple[str, object]:
        self._field_metas.append(self._span(meta))
        result: tuple[str, object] = method(self, meta, c)
        return result

    build.__name__ = method.__name__
    return build


@v_args(meta=True)
class _ToAst(Transformer[Token, Any]):
    """Turn the parse tree into AST nodes; every method builds one node kind."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self._field_metas: list[Span] = []  # the spans of the header's fields, in order

    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, 0, 0, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, token: Token) -> Span:
        return Span(self.path, token.line or 0, token.column or 0, token.end_line or 0,
                    token.end_column or 0)

    # ------------------------------------------------------------ file and header
    def start(self, meta: Any, children: list[Any]) -> ast.PolicyFile:
        return ast.PolicyFile(self.path, children[0], tuple(_flat(children[1:])))

    def header(self, meta: Any, children: list[Any]) -> ast.Header:
        fields: dict[str, object] = {}
        spans: dict[str, Span] = {}
        uses: list[ast.Import] = []
        amends = within = None
        for (kind, value), field in zip(children[1:], self._field_metas, strict=True):
            if kind == "uses":
                uses.append(value)
            elif kind == "amends":
                amends = value
            elif kind == "within":
                within = value
            elif kind not in fields:
                fields[kind] = value
                spans[kind] = field
        self._field_metas = []
        return ast.Header(str(children[0]), fields, tuple(uses), amends, within, spans, self._span(meta))

    @_header_field
    def h_title(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("title", c[0])

    @_header_field
    def h_doc_no(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("doc_no", c[0])

    @_header_field
    def h_issuer(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("issuer", c[0])

    @_header_field
    def h_region(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("region", c[0])

    @_header_field
    def h_year(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("year", int(Decimal(str(c[0]))))

    @_header_field
    def h_date(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("date", parse_date(str(c[0]), self._span(meta)))

    @_header_field
    def h_effective(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("effective", parse_date(str(c[0]), self._span(meta)))

    @_header_field
    def h_valid_until(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("valid_until", parse_date(str(c[0]), self._span(meta)))

    @_header_field
    def h_valid_for(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("valid_for", c[0])

    @_header_field
    def h_status(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("status", c[0])

    @_header_field
    def h_notice(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("notice", c[0])

    @_header_field
    def h_uses(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("uses", ast.Import(c[0], None, self._span(meta)))

    @_header_field
    def h_amends(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("amends", ast.Import(c[0], str(c[1]), self._span(meta)))

    @_header_field
    def h_within(self, meta: Any, c: list[Any]) -> tuple[str, object]:
        return ("within", ast.Import(c[0], str(c[1]), self._span(meta)))

    def string(self, meta: Any, c: list[Token]) -> str:
        return _unquote(c[0])

    # ------------------------------------------------------------ items
    def clause(self, meta: Any, c: list[Any]) -> ast.Clause:
        number, heading = str(c[0]), c[1]
        body = list(_flat(c[3:-1]))
        return ast.Clause(
            number, heading,
            quotes=tuple(x for x in body if isinstance(x, ast.Quote)),
            decls=tuple(x for x in body if isinstance(x, (ast.Param, ast.InputDecl, ast.Rule,
                                                          ast.Table, ast.Check))),
            conventions=tuple(x for x in body if isinstance(x, ast.Convention)),
            waivers=tuple(x for x in body if isinstance(x, ast.Waiver)),
            span=self._span(meta),
        )

    def quote(self, meta: Any, c: list[Any]) -> ast.Quote:
        return ast.Quote(c[0], self._span(meta))

    def convention(self, meta: Any, c: list[Any]) -> _Several:
        return _Several(x for x in c if isinstance(x, ast.Convention))

    def convention_term(self, meta: Any, c: list[Any]) -> ast.Convention:
        return ast.Convention(c[0], INCLUDES[c[1]], self._span(meta))

    def waiver(self, meta: Any, c: list[Any]) -> ast.Waiver:
        return ast.Waiver(c[0], self._span(meta))

    def enum_decl(self, meta: Any, c: list[Any]) -> ast.EnumDecl:
        members = tuple(x for x in c if isinstance(x, ast.EnumMember))
        return ast.EnumDecl(str(c[0]), members, self._span(meta))

    def enum_member(self, meta: Any, c: list[Any]) -> ast.EnumMember:
        return ast.EnumMember(str(c[0]), tuple(x for x in c[1:] if isinstance(x, str)
                                               and not isinstance(x, Token)), self._span(meta))

    def topic(self, meta: Any, c: list[Any]) -> ast.Topic:
        concepts = tuple(x for x in c if isinstance(x, ast.Concept))
        return ast.Topic(str(c[0]), c[1], concepts, self._span(meta))

    def concept(self, meta: Any, c: list[Any]) -> ast.Concept:
        notes = [x for x in c[4:] if isinstance(x, tuple)]
        aliases = tuple(name for kind, name in notes if kind == "alias")
        base = next((name for kind, name in notes if kind == "base"), None)
        return ast.Concept(str(c[0]), c[2], c[3], aliases, base, self._span(meta))

    def concept_alias(self, meta: Any, c: list[Token]) -> tuple[str, str]:
        return ("alias", str(c[0]))

    def concept_base(self, meta: Any, c: list[Token]) -> tuple[str, str]:
        return ("base", str(c[0]))

    def continued(self, meta: Any, c: list[Any]) -> ast.Continued:
        return ast.Continued(str(c[0]), self._span(meta))

    def param(self, meta: Any, c: list[Any]) -> ast.Param:
        notes = dict(x for x in c[3:])
        return ast.Param(str(c[0]), c[2], notes.get("choice"), notes.get("anchor"),
                         notes.get("effective"), self._span(meta))

    def choice(self, meta: Any, c: list[Any]) -> tuple[str, str]:
        return ("choice", str(c[0]))

    def anchor(self, meta: Any, c: list[Any]) -> tuple[str, str]:
        return ("anchor", str(c[0]))

    def effective(self, meta: Any, c: list[Any]) -> tuple[str, ast.Expr]:
        when = c[0]
        if isinstance(when, Token):
            span = self._token_span(when)
            when = ast.DateLit(parse_date(str(when), span), str(when), span)
        return ("effective", when)

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

    # ------------------------------------------------------------ tables
    def table(self, meta: Any, c: list[Any]) -> ast.Table:
        rows = tuple(x for x in c if isinstance(x, ast.TableRow))
        return ast.Table(str(c[0]), (str(c[1]),), rows, self._span(meta))

    def table_row(self, meta: Any, c: list[Any]) -> ast.TableRow:
        key = None if c[0].type == "OTHER" else str(c[0])
        choice = next((x[1] for x in c[3:] if isinstance(x, tuple)), None)
        return ast.TableRow((key,), c[2], choice, 0, self._span(meta))

    def table_two_keys(self, meta: Any, c: list[Any]) -> ast.Table:
        name, row_enum, column_enum = str(c[0]), str(c[1]), str(c[3])
        grid = [x for x in c if isinstance(x, list)]
        header, body = self._grid_parts(grid, meta)
        if not all(column is None or isinstance(column, str) for column in header):
            raise SyntaxProblem("the first row of a two-key table names the second key's members",
                                self._span(meta), "| 等级 | 在职职工 | 退休人员 |")
        rows = tuple(
            attrs.evolve(cell, keys=(row_key, column))
            for row_key, cells in body for column, cell in zip(header, cells, strict=True)
        )
        return ast.Table(name, (row_enum, column_enum), rows, self._span(meta))

    def table_columns(self, meta: Any, c: list[Any]) -> _Several:
        """`表 按 医院等级 { | 等级 | 起付线 | 报销比例 | … }`: one table per column; with a second
        key, a column headed `支付比例[退休人员]` is that member's column of a two-key table."""
        enums = [str(x) for x in c if isinstance(x, Token) and x.type == "NAME"]
        grid = [x for x in c if isinstance(x, list)]
        header, body = self._grid_parts(grid, meta)
        tables: dict[str, list[ast.TableRow]] = {}
        for index, column in enumerate(header):
            name, member = self._column(column, len(enums), meta)
            tables.setdefault(name, []).extend(
                attrs.evolve(cells[index], keys=(row_key,) if member is None else (row_key, member))
                for row_key, cells in body)
        span = self._span(meta)
        return _Several(ast.Table(name, (enums[0],) if rows[0].keys[1:] == () else tuple(enums),
                                  tuple(rows), span) for name, rows in tables.items())

    def _column(self, column: ast.Qualified | str | None, keys: int, meta: Any) -> tuple[str, str | None]:
        """A column's table, and the second key's member it holds (None for a one-key table)."""
        if isinstance(column, str):
            return column, None
        if keys == 2 and isinstance(column, ast.Qualified) and isinstance(column.expr, ast.Lookup) \
                and len(column.expr.keys) == 1 and isinstance(column.expr.keys[0], ast.Name):
            return column.expr.table, column.expr.keys[0].name
        raise SyntaxProblem("a column of the table is named by a concept (起付线), or, with a second "
                            "key, by a member's column of a table (支付比例[退休人员])", self._span(meta))

    def _grid_parts(self, grid: list[list[Any]], meta: Any
                    ) -> tuple[list[Any], list[tuple[str | None, list[ast.TableRow]]]]:
        """The column names (header row, its first cell a label) and each row's key and cells."""
        header_cells = grid[0]
        names: list[Any] = [self._cell_name(header_cells[0], meta)]
        names += [cell if isinstance(cell, ast.Qualified) and isinstance(cell.expr, ast.Lookup)
                  else self._cell_name(cell, meta) for cell in header_cells[1:]]
        width = len(names)
        body: list[tuple[str | None, list[ast.TableRow]]] = []
        for cells in grid[1:]:
            if len(cells) != width:
                raise SyntaxProblem(f"this row has {len(cells)} cells but the first row has {width}",
                                    self._row_span(cells, meta),
                                    "every row has a cell under each column of the first row")
            key = self._cell_name(cells[0], meta)
            body.append((key, [self._cell_value(cell, column, meta)
                               for column, cell in enumerate(cells[1:], start=1)]))
        return names[1:], body

    def _cell_name(self, cell: Any, meta: Any) -> str | None:
        if isinstance(cell, Token) and cell.type == "OTHER":
            return None
        if isinstance(cell, ast.Qualified) and isinstance(cell.expr, ast.Name) and \
                cell.qualifier == "exact" and not cell.soft:
            return cell.expr.name
        span = cell.span if isinstance(cell, ast.Qualified) else self._span(meta)
        raise SyntaxProblem("the first row and the first column of a table hold names",
                            span, "the first row names the columns, each other row starts with "
                            "the member it is for: | 一级 | 200 元 | 85% |")

    def _cell_value(self, cell: Any, column: int, meta: Any) -> ast.TableRow:
        if not isinstance(cell, ast.Qualified):
            raise SyntaxProblem("其他 names a row, not a value", self._span(meta))
        return ast.TableRow((None,), cell, None, column, cell.span)

    def _row_span(self, cells: list[Any], meta: Any) -> Span:
        spans = [cell.span for cell in cells if isinstance(cell, ast.Qualified)]
        return spans[0] if spans else self._span(meta)

    def grid_row(self, meta: Any, c: list[Any]) -> list[Any]:
        return [x for x in c if not (isinstance(x, Token) and x.type == "PIPE")]

    def other_cell(self, meta: Any, c: list[Token]) -> Token:
        return c[0]

    # ------------------------------------------------------------ checks and calculators
    def check(self, meta: Any, c: list[Any]) -> ast.Check:
        return ast.Check(c[0], None, None, self._span(meta))

    def check_each(self, meta: Any, c: list[Any]) -> ast.Check:
        return ast.Check(c[3], str(c[0]), str(c[1]), self._span(meta))

    def calculator(self, meta: Any, c: list[Any]) -> ast.Calculator:
        title = c[1] if isinstance(c[1], str) and not isinstance(c[1], Token) else None
        outputs = tuple(x for x in c if isinstance(x, ast.Output))
        updates = tuple(x for x in c if isinstance(x, ast.Update))
        return ast.Calculator(str(c[0]), title, outputs, updates, self._span(meta))

    def output(self, meta: Any, c: list[Any]) -> ast.Output:
        return ast.Output(str(c[0]), c[2] if len(c) > 2 else None, self._span(meta))

    def update(self, meta: Any, c: list[Any]) -> ast.Update:
        return ast.Update(str(c[0]), c[2], self._span(meta))

    # ------------------------------------------------------------ types and qualifiers
    def type_name(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("name", str(c[0]), self._span(meta))

    def type_unit(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("unit", c[0], self._span(meta))

    def type_word(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("word", c[0], self._span(meta))

    def type_list(self, meta: Any, c: list[Any]) -> ast.TypeRef:
        return ast.TypeRef("list", str(c[0]), self._span(meta))

    def qualified(self, meta: Any, c: list[Any]) -> ast.Qualified:
        soft = bool(c) and c[0] == "原则上"
        rest = c[1:] if soft else c
        previous = None
        if rest and isinstance(rest[0], tuple):  # 由 … 调整为
            previous = rest[0][0]
            rest = rest[1:]
        pre = rest[0] if isinstance(rest[0], str) and rest[0] in QUALIFIERS_BEFORE else None
        expr = rest[1] if pre else rest[0]
        post = rest[-1] if isinstance(rest[-1], str) and rest[-1] in QUALIFIERS_AFTER else None
        return ast.Qualified(expr, _qualifier(pre, post), soft, previous,
                             post if post in CONVENTION_WORDS else None, self._span(meta))

    def change(self, meta: Any, c: list[Any]) -> tuple[ast.Expr, str]:
        return (c[0], c[1])

    def _word(self, meta: Any, c: list[Token]) -> str:
        return str(c[0])

    soft = qual_pre = qual_post = cmp_word = adj_word = change_word = _word
    convention_word = range_word = inclusion = type_word_kw = unit_word = _word

    def unit(self, meta: Any, c: list[Token]) -> str:
        return SPELLINGS.get(str(c[0]), str(c[0]))

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
        return ast.Compare(COMPARE_SYMBOLS[str(c[1])], c[0], c[2], None, self._span(meta))

    def compare_word(self, meta: Any, c: list[Any]) -> ast.Compare:
        return ast.Compare(COMPARE_WORDS[c[1]], c[0], c[2], None, self._span(meta))

    def compare_convention(self, meta: Any, c: list[Any]) -> ast.Compare:
        return ast.Compare(None, c[0], c[2], c[1], self._span(meta))

    def compare_range(self, meta: Any, c: list[Any]) -> ast.Compare:
        return ast.Compare(None, c[0], c[1], c[2], self._span(meta))

    def coalesce(self, meta: Any, c: list[Any]) -> ast.Coalesce:
        return ast.Coalesce(c[0], c[1], self._span(meta))

    def adjust(self, meta: Any, c: list[Any]) -> ast.Adjust:
        assert c[1] in ADJUST_WORDS
        return ast.Adjust(c[1], c[0], c[2], self._span(meta))

    def halve(self, meta: Any, c: list[Any]) -> ast.Adjust:
        span = self._span(meta)
        return ast.Adjust("减半", c[0], ast.Word("减半", span), span)

    def binary(self, meta: Any, c: list[Any]) -> ast.Binary:
        op = "-" if c[1].type == "SUB_OP" else ARITHMETIC.get(str(c[1]), "-")
        return ast.Binary(op, c[0], c[2], self._span(meta))

    def negate(self, meta: Any, c: list[Any]) -> ast.Negate:
        return ast.Negate(c[1], self._span(meta))

    def lookup(self, meta: Any, c: list[Any]) -> ast.Lookup:
        table = c[0]
        if not isinstance(table, ast.Name):
            raise SyntaxProblem("only a table name can be indexed with […]", self._span(meta))
        keys = tuple(x for x in c[2:-1] if not isinstance(x, Token))
        return ast.Lookup(table.name, keys, self._span(meta))

    def member(self, meta: Any, c: list[Any]) -> ast.Member:
        owner = c[0]
        if not isinstance(owner, ast.Name):
            raise SyntaxProblem("a member is written Owner.member", self._span(meta),
                                "for example 地区类别.一类 or 上年.财政补助")
        return ast.Member(owner.name, str(c[2]), self._span(meta))

    def with_value(self, meta: Any, c: list[Any]) -> ast.With:
        return ast.With(c[0], str(c[1]), c[2], self._span(meta))

    def number(self, meta: Any, c: list[Any]) -> ast.Number:
        digits = str(c[0])
        word = c[1] if len(c) > 1 else None
        text = digits + (word or "") if word in (None, "%") else f"{digits} {word}"
        literal = numbers.Literal(Decimal(digits), word)
        return ast.Number(literal.value, word, text, False, self._span(meta))

    def cn_number(self, meta: Any, c: list[Token]) -> ast.Number:
        literal = numbers.read_cn_literal(str(c[0]))
        return ast.Number(literal.value, literal.unit, str(c[0]), literal.ordinal, self._span(meta))

    def date(self, meta: Any, c: list[Token]) -> ast.DateLit:
        span = self._span(meta)
        return ast.DateLit(parse_date(str(c[0]), span), str(c[0]), span)

    def month_day(self, meta: Any, c: list[Token]) -> ast.DateLit:
        span = self._span(meta)
        value = parse_date(f"{YEARLESS}年{c[0]}", span, shown=str(c[0]))
        return ast.DateLit(value, str(c[0]), span, yearless=True)

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
        low, rest = c[0], c[1:]
        high = rest[0] if isinstance(rest[0], ast.Bound) else None
        rate = rest[-1] if not isinstance(rest[-1], Token) else rest[-2]
        if high is None and not low.above:
            raise SyntaxProblem("a bracket without 至 is the open last one, written `X 以上: 比例`",
                                self._span(meta), "or give its upper bound: `X 至 Y: 比例`")
        return ast.Bracket(low, high, rate, self._span(meta))

    def bracket_low(self, meta: Any, c: list[Any]) -> ast.Bound:
        return self._bound(c, meta)

    def bracket_high(self, meta: Any, c: list[Any]) -> ast.Bound:
        return self._bound(c, meta)

    def _bound(self, c: list[Any], meta: Any) -> ast.Bound:
        marks = [str(x) for x in c[1:] if isinstance(x, Token)]
        included = None
        for mark in marks:
            if "含" in mark:
                included = "不" not in mark
        return ast.Bound(c[0], included, "以上" in marks, self._span(meta))

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

