"""`policydsl fmt`: the one canonical layout of a policy file.

The formatter never changes a token.  It reads the tokens exactly as the parser's contextual
lexer produces them, keeps the author's line breaks, and decides only what lies between two
tokens: indentation, spaces, blank lines and where comments go.  The parse tree tells it where
each statement, header field, row, match arm or enumeration member starts (a line that starts
anything else is a continuation, indented one level deeper), which brackets belong to a call
or a lookup, which `-` is unary and which unit follows a number.  It names no rule of the
grammar except `header`, whose fields stand on lines of their own without braces, and it knows
one keyword, `表`, whose rows it aligns; keywords, literals and constructs added to the grammar
are formatted without a change here.

A layout is returned only after it has been parsed again: its tokens, its comments and its AST
must be those of the input, or `LayoutChangedMeaning` is raised and nothing is written.

docs/fmt.md states the rules with examples.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import attrs
from lark import Token, Tree

from . import ast, parser
from .diagnostics import Diagnostic, SourceFile, display_width

INDENT = "  "
TRAILING_COMMENT_GAP = "  "
ROW_GAP = "  "  # between two rows written on one line: `{ 一般县: 60%  西部政策县: 80% }`
LINE_CONTAINERS = {"header"}  # besides the file itself: rules whose children stand on own lines
ALIGNED_BLOCK_KEYWORD = "表"

OPENERS = {"LBRACE", "LPAR", "LBRACK"}
CLOSERS = {"RBRACE", "RPAR", "RBRACK"}
CALL_BRACKETS = {"LPAR", "LBRACK"}
SIGNS = {"ADD_OP", "SUB_OP"}  # unary when they start an expression
GLUED_MARKS = {"INCLUSION_MARK"}  # written against the value before them: 5万元（含）
COLUMN_SEPARATOR = "PIPE"  # the `|` between the cells of a grid table


@attrs.frozen
class FormatResult:
    """The formatted text, or None and the diagnostics that say why the text cannot be parsed."""

    text: str | None
    diagnostics: list[Diagnostic]


class LayoutChangedMeaning(Exception):
    """The new layout does not read as the old one did: a bug in fmt; nothing is written."""


def format_text(text: str, path: str = "<text>") -> FormatResult:
    """Format one file's text (an editor's buffer); `path` is used in diagnostics only."""
    source = SourceFile(path, text)
    before, diagnostics = parser.parse(source)
    if before is None:
        return FormatResult(None, diagnostics)
    formatted = layout(text)
    _verify(source, before, formatted)
    return FormatResult(formatted, [])


# ---------------------------------------------------------------- tokens and gaps
@attrs.frozen
class Tok:
    """A token as the lexer produced it: its terminal's name (a keyword's is the keyword)."""

    kind: str
    text: str
    start: int
    end: int


@functools.lru_cache(maxsize=1)
def _ignored_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The grammar's own COMMENT and WS patterns (both %ignore'd by the parser)."""
    grammar = parser.grammar_parser()
    comment = grammar.get_terminal("COMMENT").pattern.to_regexp()
    space = grammar.get_terminal("WS").pattern.to_regexp()
    return re.compile(comment), re.compile(f"(?:{space})*")


def lex(text: str) -> tuple[list[Tok], Tree[Token]]:
    """The tokens of a text that parses, as the parser's contextual lexer produced them, and
    the parse tree (with positions)."""
    interactive = parser.grammar_parser().parse_interactive(text, start="start")
    tokens = list(interactive.iter_parse())
    last = tokens[-1] if tokens else None
    tree: Tree[Token] = interactive.feed_eof(last)  # type: ignore[no-untyped-call]
    return [Tok(t.type, str(t), _pos(t.start_pos), _pos(t.end_pos)) for t in tokens], tree


def _pos(value: int | None) -> int:
    assert value is not None, "the lexer gives every token a position"
    return value


@attrs.frozen
class Gap:
    """What lies between two tokens: line breaks and comments."""

    trailing: str | None  # a comment on the line of the token before
    comments: tuple[tuple[int, str], ...]  # comments on lines of their own, with the breaks before
    breaks: int  # line breaks between the last comment (or token) and the next token


def read_gap(text: str, at_file_start: bool = False) -> Gap:
    """Split the text between two tokens into its comments and line breaks."""
    comment_re, space_re = _ignored_patterns()
    trailing: str | None = None
    comments: list[tuple[int, str]] = []
    position = 0
    for match in comment_re.finditer(text):
        _check_blank(text[position:match.start()], space_re)
        breaks = text.count("\n", position, match.start())
        body = match.group().rstrip()
        if breaks == 0 and not comments and trailing is None and not at_file_start:
            trailing = body
        else:
            comments.append((breaks, body))
        position = match.end()
    _check_blank(text[position:], space_re)
    return Gap(trailing, tuple(comments), text.count("\n", position))


def _check_blank(text: str, space_re: re.Pattern[str]) -> None:
    if not space_re.fullmatch(text):
        raise LayoutChangedMeaning(f"text between tokens is neither space nor comment: {text!r}")


# ---------------------------------------------------------------- what the tree says
@attrs.frozen
class Element:
    """A child of a container that may start a line: a top-level item, a header field, a
    statement of a block, a row, a match arm, an enumeration member.

    `colon` is the index of its own `:` when it is a row (`一般县: 60%`); `pipes` are those of
    its own `|` when it is a row of a grid table (`| 一级 | 300 元 |`).
    """

    first: int
    last: int
    colon: int | None = None
    pipes: tuple[int, ...] = ()


@attrs.define
class Shape:
    """What the parse tree says about the tokens, by token index."""

    element_starts: set[int] = attrs.Factory(set)
    top_level: set[int] = attrs.Factory(set)  # starts of top-level items after the first
    glued: set[int] = attrs.Factory(set)  # no space before: `%`, the ( of a call, the [ of a lookup
    prefix: set[int] = attrs.Factory(set)  # unary operators: no space after
    after_row: set[int] = attrs.Factory(set)  # an element after a row on one line: ROW_GAP
    tables: list[list[Element]] = attrs.Factory(list)  # the elements of each 表 block


Part = tuple[int, int, "Tree[Token] | Token"]  # a tree child: its first and last token index


class _Analyser:
    """Walks the parse tree once and fills a Shape."""

    def __init__(self, tree: Tree[Token], tokens: list[Tok]):
        self.tree = tree
        self.tokens = tokens
        self.by_start = {t.start: i for i, t in enumerate(tokens)}
        self.by_end = {t.end: i for i, t in enumerate(tokens)}
        self.shape = Shape()

    def run(self) -> Shape:
        for node in self.tree.iter_subtrees():
            if not node.meta.empty:
                self.visit(node)
        return self.shape

    def parts(self, node: Tree[Token]) -> list[Part]:
        found: list[Part] = []
        for child in node.children:
            if isinstance(child, Token):
                index = self.by_start[_pos(child.start_pos)]
                found.append((index, index, child))
            elif isinstance(child, Tree) and not child.meta.empty:
                found.append((self.by_start[child.meta.start_pos],
                              self.by_end[child.meta.end_pos], child))
        return found

    def visit(self, node: Tree[Token]) -> None:
        parts = self.parts(node)
        first = self.by_start[node.meta.start_pos]
        last = self.by_end[node.meta.end_pos]
        self.note_spacing(parts, first, last)
        is_root = node is self.tree
        elements = [self.element(p) for p in _children_on_lines(node, parts, is_root)]
        self.shape.element_starts.update(e.first for e in elements)
        self.shape.after_row.update(b.first for a, b in zip(elements, elements[1:], strict=False)
                                    if a.colon is not None)
        if is_root:
            self.shape.top_level.update(e.first for e in elements[1:])
        elif elements and self.tokens[first].text == ALIGNED_BLOCK_KEYWORD:
            self.shape.tables.append(elements)

    def note_spacing(self, parts: list[Part], first: int, last: int) -> None:
        """Brackets of calls and lookups, units after numbers, marks, unary operators."""
        for index, _, child in parts:
            if not isinstance(child, Token):
                continue
            kind = self.tokens[index].kind
            if kind in CALL_BRACKETS and index != first:
                self.shape.glued.add(index)  # 较大(…), 自治区分担比例[…], 错误(…)
            if kind in GLUED_MARKS:
                self.shape.glued.add(index)  # 5万元（含）
            if kind == "NUMBER" and index < last and not self.tokens[index + 1].text[0].isalpha():
                self.shape.glued.add(index + 1)  # 80%: no space before a unit that is a symbol
        if len(parts) > 1 and parts[0][0] == first and self.tokens[first].kind in SIGNS:
            self.shape.prefix.add(first)  # -x

    def element(self, part: Part) -> Element:
        first, last, child = part
        if isinstance(child, Token):
            return Element(first, last)
        own = [i for i, _, c in self.parts(child) if isinstance(c, Token)]
        colons = [i for i in own if self.tokens[i].kind == "COLON"]
        pipes = tuple(i for i in own if self.tokens[i].kind == COLUMN_SEPARATOR)
        return Element(first, last, colons[0] if colons else None, pipes)


def _children_on_lines(node: Tree[Token], parts: list[Part], is_root: bool) -> list[Part]:
    """The children of a container (the file, the header, a brace block) other than separators:
    each may start a line of its own at the container's indentation."""
    if is_root or node.data in LINE_CONTAINERS:
        inside = parts
    else:
        kinds = [c.type if isinstance(c, Token) else "" for _, _, c in parts]
        if "LBRACE" not in kinds or "RBRACE" not in kinds:
            return []
        inside = parts[kinds.index("LBRACE") + 1:len(kinds) - kinds[::-1].index("RBRACE") - 1]
    return [p for p in inside if not (isinstance(p[2], Token) and p[2].type == "SEP")]


# ---------------------------------------------------------------- lines
@attrs.define
class Piece:
    """A token on an output line and the space written before it."""

    index: int
    text: str
    space: str


@attrs.define
class Line:
    """One output line: tokens, or a comment of its own, or both (a trailing comment)."""

    indent: int
    blank_before: bool
    pieces: list[Piece] = attrs.Factory(list)
    comment: str | None = None

    def code(self) -> str:
        return "".join(p.space + p.text for p in self.pieces)

    def render(self) -> str:
        code = self.code()
        if self.comment is None:
            return INDENT * self.indent + code
        return INDENT * self.indent + (code + TRAILING_COMMENT_GAP if code else "") + self.comment


@attrs.frozen
class _Open:
    """An open bracket and the indentation of the line it is on."""

    kind: str
    line_indent: int


class _Layout:
    """Lays out the tokens line by line, keeping the author's line breaks."""

    def __init__(self, text: str, tokens: list[Tok], shape: Shape):
        self.text = text
        self.tokens = tokens
        self.shape = shape
        self.lines: list[Line] = []
        self.open: list[_Open] = []

    def run(self) -> list[Line]:
        end = 0
        for index, token in enumerate(self.tokens):
            gap = read_gap(self.text[end:token.start], at_file_start=index == 0)
            if index == 0 or self.breaks_before(index, gap):
                self.start_line(index, gap)
            else:
                self.lines[-1].pieces.append(Piece(index, token.text, self.space_before(index)))
            self.track_brackets(index)
            end = token.end
        self.finish(read_gap(self.text[end:]))
        return self.lines

    def breaks_before(self, index: int, gap: Gap) -> bool:
        """A line break is kept where the author wrote one, except before an opening `{`;
        a top-level item always starts a line."""
        if index in self.shape.top_level or gap.trailing is not None or gap.comments:
            return True
        return gap.breaks > 0 and self.tokens[index].kind != "LBRACE"

    def start_line(self, index: int, gap: Gap) -> None:
        token = self.tokens[index]
        indent = self.indent_of(index)
        if gap.trailing is not None:
            self.lines[-1].comment = gap.trailing
        comment_indent = indent + 1 if token.kind in CLOSERS else indent
        last = len(gap.comments)
        for number, (breaks, body) in enumerate(gap.comments):
            blank = self.blank_line(index, number, last, breaks)
            self.lines.append(Line(comment_indent, blank, comment=body))
        blank = self.blank_line(index, last, last, gap.breaks)
        self.lines.append(Line(indent, blank, [Piece(index, token.text, "")]))

    def blank_line(self, index: int, number: int, last: int, breaks: int) -> bool:
        """Whether a blank line comes before the `number`-th line of a gap (its comments, then
        the token at `index`): one between top-level items; at most one between statements,
        rows and comments; none at the start of the file or of a block, before its closing
        bracket, or inside a statement."""
        token = self.tokens[index]
        if number == 0 and (index == 0 or self.tokens[index - 1].kind in OPENERS):
            return False
        if number == 0 and index in self.shape.top_level:
            return True
        if token.kind in CLOSERS:
            return number < last and breaks > 1
        return index in self.shape.element_starts and breaks > 1

    def indent_of(self, index: int) -> int:
        """A closing bracket: the indentation of its opener's line; a statement, row or arm:
        its block's; a continuation line: one level deeper, or inside ( or [ one level deeper
        than the opener's line."""
        if self.tokens[index].kind in CLOSERS:
            return self.open[-1].line_indent
        starts = index in self.shape.element_starts
        if not self.open:
            return 0 if starts else 1
        innermost = self.open[-1]
        if innermost.kind == "LBRACE":
            return innermost.line_indent + (1 if starts else 2)
        return innermost.line_indent + 1

    def space_before(self, index: int) -> str:
        before, token = self.tokens[index - 1], self.tokens[index]
        if index in self.shape.glued or index - 1 in self.shape.prefix:
            return ""
        if token.kind in ("RPAR", "RBRACK", "SEP", "COLON") or before.kind in ("LPAR", "LBRACK"):
            return ""
        if before.kind in ("SEP", "COLON"):
            return "" if _full_width(before.text) else " "
        if "DOT" in (before.kind, token.kind):
            return ""
        return ROW_GAP if index in self.shape.after_row else " "

    def track_brackets(self, index: int) -> None:
        kind = self.tokens[index].kind
        if kind in OPENERS:
            self.open.append(_Open(kind, self.lines[-1].indent))
        elif kind in CLOSERS:
            self.open.pop()

    def finish(self, gap: Gap) -> None:
        if gap.trailing is not None:
            self.lines[-1].comment = gap.trailing
        for breaks, body in gap.comments:
            self.lines.append(Line(0, breaks > 1, comment=body))


def _full_width(text: str) -> bool:
    """`，` `：` `、` carry their own space."""
    return all(unicodedata.east_asian_width(c) in ("W", "F") for c in text)


# ---------------------------------------------------------------- tables
def align_table(line_starting: dict[int, Line], elements: list[Element]) -> None:
    """Align the rows of a 表 block that stand on lines of their own (`line_starting` maps a
    token index to the line it starts): the values of `key: value` rows start in one column
    (the `:` stays on its key), and the `|` of grid rows line up.  Widths are display widths:
    a Chinese character is two columns wide."""
    rows: list[tuple[Line, Element]] = []
    for row in elements:
        line = line_starting.get(row.first)
        if line and row.last == line.pieces[-1].index and "\n" not in line.code():
            rows.append((line, row))
    _align_values([(line, row.colon) for line, row in rows
                   if row.colon is not None and row.colon < row.last])
    _align_pipes([(line, row.pipes) for line, row in rows if row.pipes])


def _align_values(rows: list[tuple[Line, int]]) -> None:
    """The widest key keeps its usual space after the `:` (none after `：`); others are padded."""
    keys = [(_width(line, line.pieces[0].index, colon), _piece(line, colon + 1))
            for line, colon in rows]
    column = max((width + len(value.space) for width, value in keys), default=0)
    for width, value in keys:
        value.space = " " * (column - width)


def _align_pipes(rows: list[tuple[Line, tuple[int, ...]]]) -> None:
    """Pad each cell to its column's widest, so that every `|` of a column lines up."""
    widths: dict[int, int] = {}
    for line, pipes in rows:
        for column, (left, right) in enumerate(zip(pipes, pipes[1:], strict=False)):
            widths[column] = max(widths.get(column, 0), _width(line, left + 1, right - 1))
    for line, pipes in rows:
        for column, (left, right) in enumerate(zip(pipes, pipes[1:], strict=False)):
            pad = widths[column] - _width(line, left + 1, right - 1)
            _piece(line, right).space = " " * (1 + pad)


def _piece(line: Line, index: int) -> Piece:
    return next(p for p in line.pieces if p.index == index)


def _width(line: Line, first: int, last: int) -> int:
    """Display width of tokens first..last of a line, without the space before the first."""
    pieces = [p for p in line.pieces if first <= p.index <= last]
    if not pieces:
        return 0
    return display_width("".join(p.space + p.text for p in pieces)[len(pieces[0].space):])


# ---------------------------------------------------------------- the whole file
def layout(text: str) -> str:
    """The canonical layout of a text that parses."""
    tokens, tree = lex(text)
    shape = _Analyser(tree, tokens).run()
    lines = _Layout(text, tokens, shape).run()
    line_starting = {line.pieces[0].index: line for line in lines if line.pieces}
    for elements in shape.tables:
        align_table(line_starting, elements)
    out: list[str] = []
    for line in lines:
        if line.blank_before and out:
            out.append("")
        out.append(line.render())
    return "\n".join(out) + "\n"


def _verify(source: SourceFile, before: ast.PolicyFile, formatted: str) -> None:
    """Raise LayoutChangedMeaning unless the formatted text has the input's tokens, comments
    and AST (spans aside)."""
    after, diagnostics = parser.parse(SourceFile(source.path, formatted))
    if after is None:
        problem = f"the result does not parse ({diagnostics[0].message})"
    elif after != before:
        problem = "the result reads differently"
    elif _fingerprint(formatted) != _fingerprint(source.text):
        problem = "the result has other tokens or comments"
    else:
        return
    raise LayoutChangedMeaning(f"fmt would change the meaning of {source.path}: {problem}")


def _fingerprint(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The tokens of a text and its comments (without trailing whitespace), in order."""
    tokens, _ = lex(text)
    comment_re, _ = _ignored_patterns()
    edges = [0] + [x for t in tokens for x in (t.start, t.end)] + [len(text)]
    comments = [m.group().rstrip() for start, end in zip(edges[::2], edges[1::2], strict=True)
                for m in comment_re.finditer(text, start, end)]
    return [(t.kind, t.text) for t in tokens], comments
