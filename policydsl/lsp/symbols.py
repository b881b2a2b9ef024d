"""The names of one policy file: every declaration and every use, with the span of the name.

AST nodes carry the span of the whole construct (`参数 财政补助 = …` starts at 参数); the name's
own span is found by scanning the file's name tokens from the start of the construct.  The
tokens are found with the grammar's own terminals (NAME, and the strings, comments, dates and
numbers it skips), so a heading or a quote that contains a name is never mistaken for it.

Expressions are walked generically: a new kind of AST node needs code here only if it holds
a name as a plain string (as `Lookup.table` and `Call.func` do).
"""

from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path

import attrs

from .. import ast, parser
from ..diagnostics import SourceFile, Span

# Terminals of grammar/policy.lark that may hold letters without being a name, in the order
# they are tried before NAME.
SKIPPED = ("COMMENT", "STRING_ASCII", "STRING_CJK", "DATE", "CN_QUANTITY", "NUMBER")
STRINGS = ("STRING_ASCII", "STRING_CJK")


@functools.lru_cache(maxsize=1)
def terminals() -> dict[str, str]:
    """The regular expression of each terminal of the grammar, by name."""
    return {t.name: t.pattern.to_regexp() for t in parser.grammar_parser().terminals}


def _either(names: tuple[str, ...]) -> str:
    return "|".join(f"(?:{terminals()[n]})" for n in names if n in terminals())


@functools.lru_cache(maxsize=1)
def token_pattern() -> re.Pattern[str]:
    return re.compile(f"(?P<skip>{_either(SKIPPED)})|(?P<name>{terminals()['NAME']})")


@functools.lru_cache(maxsize=1)
def string_pattern() -> re.Pattern[str]:
    return re.compile(_either(STRINGS))


@attrs.frozen
class Symbol:
    """A declared name."""

    kind: str  # policy alias clause param input rule table enum member calculator output topic concept
    name: str
    path: Path  # the file declaring it
    span: Span  # the name as written
    node: object = attrs.field(eq=False, repr=False)  # the AST node that declares it
    clause: ast.Clause | None = attrs.field(default=None, eq=False, repr=False)
    owner: str | None = None  # the enumeration of a member, calculator of an output, topic of a concept


@attrs.frozen
class Use:
    """A name written where something declared elsewhere is meant.

    kind: name (a value in an expression, or `输出 X`), table (`表[…]`), enum (a type, the
    key of a table), member (`地区类别.一类`, a table row's key), owner (what stands before the
    dot: an enumeration or the alias of the amended policy), pattern (an arm of 按), function,
    continued (沿用), import (the path of 使用, 修订, 遵循).
    """

    kind: str
    name: str
    span: Span
    owner: str | None = None  # member: the name before the dot; pattern: the subject's name


class NameTokens:
    """The name tokens of a text, by offset."""

    def __init__(self, source: SourceFile):
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source.text)]
        self.tokens = [(m.start(), m.group()) for m in token_pattern().finditer(source.text)
                       if m.lastgroup == "name"]
        self.offsets = [offset for offset, _ in self.tokens]

    def offset(self, line: int, column: int) -> int:
        if line < 1:
            return 0
        if line > len(self.line_starts):
            return len(self.source.text)
        return self.line_starts[line - 1] + column - 1

    def span(self, offset: int, length: int) -> Span:
        line = bisect.bisect_right(self.line_starts, offset)
        column = offset - self.line_starts[line - 1] + 1
        return Span(self.source.path, line, column, line, column + length)

    def find(self, name: str, start: int, end: int) -> Span | None:
        """The first token `name` at or after offset start and before end."""
        index = bisect.bisect_left(self.offsets, start)
        while index < len(self.tokens) and self.tokens[index][0] < end:
            offset, text = self.tokens[index]
            if text == name:
                return self.span(offset, len(text))
            index += 1
        return None


@attrs.frozen
class FileIndex:
    path: Path
    source: SourceFile
    tree: ast.PolicyFile
    symbols: tuple[Symbol, ...]
    uses: tuple[Use, ...]

    def imports(self, kind: str) -> list[Use]:
        """The 使用 ("uses"), 修订 ("amends") or 遵循 ("within") paths of the header."""
        return [u for u in self.uses if u.kind == "import" and u.owner == kind]

    def relative(self, written: str) -> Path:
        return self.path.parent / written


def index(path: Path, source: SourceFile, tree: ast.PolicyFile) -> FileIndex:
    indexer = _Indexer(path, NameTokens(source))
    indexer.header(tree.header)
    for item in tree.items:
        indexer.item(item, None)
    return FileIndex(path, source, tree, tuple(indexer.symbols), tuple(indexer.uses))


class _Indexer:
    def __init__(self, path: Path, tokens: NameTokens):
        self.path = path
        self.tokens = tokens
        self.symbols: list[Symbol] = []
        self.uses: list[Use] = []

    # ------------------------------------------------------------ finding names
    def locate(self, name: str, within: Span, after: Span | None = None) -> Span | None:
        """The span of `name` inside `within`, after `after` if given."""
        start = self.tokens.offset(after.end_line, after.end_column) if after else \
            self.tokens.offset(within.line, within.column)
        end = self.tokens.offset(within.end_line, within.end_column)
        return self.tokens.find(name, start, end)

    def declare(self, kind: str, name: str, node: object, within: Span,
                clause: ast.Clause | None = None, owner: str | None = None,
                after: Span | None = None) -> Span:
        span = self.locate(name, within, after) or within  # (the construct, if not found)
        self.symbols.append(Symbol(kind, name, self.path, span, node, clause, owner))
        return span

    def use(self, kind: str, name: str, within: Span, owner: str | None = None,
            after: Span | None = None) -> Span | None:
        span = self.locate(name, within, after)
        if span is not None:
            self.uses.append(Use(kind, name, span, owner))
        return span

    def after_keyword(self, span: Span) -> int:
        """The offset of what follows the keyword a construct starts with."""
        text = self.tokens.source.text
        offset = self.tokens.offset(span.line, span.column)
        while offset < len(text) and not text[offset].isspace():
            offset += 1
        while offset < len(text) and text[offset].isspace():
            offset += 1
        return offset

    # ------------------------------------------------------------ header and items
    def header(self, header: ast.Header) -> None:
        self.declare("policy", header.id, header, header.span)
        imports = [("uses", i) for i in header.uses] + [
            (kind, i) for kind, i in (("amends", header.amends), ("within", header.within)) if i]
        for kind, node in imports:
            start = self.tokens.offset(node.span.line, node.span.column)
            found = string_pattern().search(self.tokens.source.text, start)
            span = self.tokens.span(found.start(), len(found.group())) if found else node.span
            self.uses.append(Use("import", node.path, span, kind))
            if node.alias is not None:
                self.declare("alias", node.alias, node, node.span, after=span)

    def item(self, item: ast.Item, clause: ast.Clause | None) -> None:
        if isinstance(item, ast.Clause):
            offset = self.after_keyword(item.span)
            span = self.tokens.span(offset, len(item.number))
            self.symbols.append(Symbol("clause", item.number, self.path, span, item, item))
            for decl in item.decls:
                self.item(decl, item)
        elif isinstance(item, ast.Param):
            self.declare("param", item.name, item, item.span, clause)
            self.walk((item.value, item.effective))
        elif isinstance(item, ast.InputDecl):
            self.declare("input", item.name, item, item.span, clause)
            self.type_ref(item.type)
            self.walk((item.default, item.requirements))
        elif isinstance(item, ast.Rule):
            self.declare("rule", item.name, item, item.span, clause)
            self.walk(item.expr)
        elif isinstance(item, ast.Table):
            self.table(item, clause)
        elif isinstance(item, ast.Check):
            if item.each_enum is not None:  # 核对 每个 级 属于 医院等级: …
                self.use("enum", item.each_enum, item.span)
            self.walk(item.expr)
        elif isinstance(item, ast.EnumDecl):
            self.declare("enum", item.name, item, item.span)
            for member in item.members:
                self.declare("member", member.name, member, member.span, owner=item.name)
        elif isinstance(item, ast.Calculator):
            self.calculator(item)
        elif isinstance(item, ast.Continued):
            self.use("continued", item.name, item.span)
        elif isinstance(item, ast.Topic):
            self.topic(item)

    def table(self, table: ast.Table, clause: ast.Clause | None) -> None:
        previous: Span | None = self.declare("table", table.name, table, table.span, clause)
        for enum in table.key_enums:
            previous = self.use("enum", enum, table.span, after=previous)
        for row in table.rows:  # a grid cell's keys stand in the grid's margins, not in it
            for enum, key in zip(table.key_enums, row.keys, strict=False):
                if key is not None:
                    self.use("member", key, row.span, owner=enum)
            self.walk(row.value)

    def calculator(self, calc: ast.Calculator) -> None:
        self.declare("calculator", calc.name, calc, calc.span)
        for out in calc.outputs:
            if out.expr is None:  # 输出 X: the rule X
                self.use("name", out.name, out.span)
            else:
                self.declare("output", out.name, out, out.span, owner=calc.name)
                self.walk(out.expr)
        for update in calc.updates:  # 累计 X = …: X is a 累计 input
            self.use("name", update.name, update.span)
            self.walk(update.expr)

    def topic(self, topic: ast.Topic) -> None:
        self.declare("topic", topic.slug, topic, topic.span)
        for concept in topic.concepts:
            self.declare("concept", concept.name, concept, concept.span, owner=topic.slug)
            self.type_ref(concept.type)

    def type_ref(self, ref: ast.TypeRef) -> None:
        if ref.kind in ("name", "list"):
            self.use("enum", ref.value, ref.span)

    # ------------------------------------------------------------ expressions
    def walk(self, node: object) -> None:
        if isinstance(node, ast.Name):
            self.uses.append(Use("name", node.name, node.span))
        elif isinstance(node, ast.Member):
            owner = self.use("owner", node.owner, node.span)
            self.use("member", node.name, node.span, owner=node.owner, after=owner)
        elif isinstance(node, ast.Match):
            self.match(node)
            return
        elif isinstance(node, ast.Lookup):
            self.use("table", node.table, node.span)
        elif isinstance(node, ast.With):  # x 当 名 为 y
            self.use("name", node.name, node.span, after=node.value.span)
        elif isinstance(node, ast.Call):
            self.use("function", node.func, node.span)
        if isinstance(node, (tuple, list)):
            for child in node:
                self.walk(child)
            return
        cls = type(node)
        if attrs.has(cls):
            for field in attrs.fields(cls):
                if field.name != "span":
                    self.walk(getattr(node, field.name))

    def match(self, node: ast.Match) -> None:
        self.walk(node.subject)
        subject = node.subject.name if isinstance(node.subject, ast.Name) else None
        for arm in node.arms:
            previous: Span | None = None
            for pattern in arm.patterns:
                if pattern is not None:
                    previous = self.use("pattern", pattern, arm.span, owner=subject, after=previous)
            self.walk(arm.value)
