"""Provenance: every quote is in the notice, every number of a clause is in its quotes — and
a table row's number is in the part of the quote that names the row's member.

Quotes are compared with the notice after NFKC normalisation (full-width and half-width
forms alike) with all whitespace removed, because the notices are PDF extractions whose line
breaks fall anywhere.  Numbers are compared by value and unit (numbers.py reads the quote):
`20万元` and `200000 元` both match 20万元, `2 次` matches 第二次, `50%` matches 五成, and a
number is only ever read whole, so 5% never matches inside 45%.

Row-level provenance.  In a quote, each mention of an enumeration member (its name or an
alias declared with 又称) opens a *scope* that runs to the next mention of another member;
members listed together (特困人员、低保对象取消起付标准) share one.  A table row, or a 按 arm,
must find its numbers inside the scope of its member, so a row given another row's value, or
two rows swapped, is an error (E306) whose hint quotes what the notice says for that member.
In a quoted table row (`| 二级医院 | 500元 | 75% |`) the number must also be in the same column
as in the policy's table.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

import attrs

from . import ast, ir
from .diagnostics import Diagnostic, Span
from .numbers import Quantity, scan, scan_text
from .units import unit
from .words import QUALIFIERS_BEFORE, VALUE_WORDS

CONNECTORS = re.compile(r"(?:[、和及与或,，]|以及)*")
SENTENCE_BREAKS = "；;。"


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@attrs.frozen
class Notice:
    path: str
    text: str
    normalized: str

    @classmethod
    def of(cls, path: str, text: str) -> Notice:
        return cls(path, text, normalize(text))

    @functools.cached_property
    def quantities(self) -> list[Quantity]:
        return scan(scan_text(self.text))

    def prints_date(self, date: datetime.date) -> bool:
        return any(q.kind == "date" and q.value == date for q in self.quantities)

    def prints(self, number: ast.Number) -> bool:
        return any(matches(number, q) for q in self.quantities)

    def line_of(self, quote: str) -> int | None:
        """The line of the notice where a quote starts (1-based), for hovers and reports."""
        wanted = normalize(quote)
        at = self.normalized.find(wanted)
        if not wanted or at < 0:
            return None
        seen = 0
        for number, line in enumerate(self.text.split("\n"), start=1):
            seen += len(normalize(line))
            if seen > at:
                return number
        return None


# ---------------------------------------------------------------- a number and a quantity
def matches(lit: ast.Number | ast.DateLit, q: Quantity) -> bool:
    """Whether the quote's quantity is the number the policy writes: same value, same unit."""
    if isinstance(lit, ast.DateLit):
        return q.kind == ("monthday" if lit.yearless else "date") and q.value == lit.value
    if lit.unit is None:
        return q.kind == "number" and q.value == lit.value
    spelled = unit(lit.unit)
    if q.kind != spelled.kind or q.value != lit.value:
        return False
    if spelled.kind == "money":
        return (q.period == "月") == (spelled.period == "月")
    return spelled.kind != "count" or q.label == spelled.label


def _near_miss(lit: ast.Number, quantities: list[Quantity]) -> str | None:
    """The same amount printed per month where the policy says per year, or the reverse."""
    if lit.unit is None or unit(lit.unit).kind != "money":
        return None
    for q in quantities:
        if q.kind == "money" and q.value == lit.value:
            if q.period == "月":
                return f"the notice prints {q.text} per month (每月): write {lit.value} 元/月"
            return f"the notice prints {q.text} for the year: write {lit.value} 元"
    return None


def _other_day(lit: ast.DateLit, quantities: list[Quantity]) -> str | None:
    """The same day printed with a year where the policy writes none, or the reverse."""
    for q in quantities:
        if isinstance(q.value, datetime.date) and (q.value.month, q.value.day) == \
                (lit.value.month, lit.value.day):
            if q.kind == "monthday" and not lit.yearless:
                return (f"the notice prints {q.text} without a year: write {q.text} (a day of "
                        f"every year), and 当年({q.text}, 日期) where a date's year is meant")
            if q.kind == "date" and lit.yearless:
                return f"the notice prints {q.text}, with its year: write {q.value.isoformat()}"
    return None


# ---------------------------------------------------------------- what literals a node holds
Literal = ast.Number | ast.DateLit | ast.Word


STRUCTURE = {("count", Decimal(1)), ("months", Decimal(12)), ("years", Decimal(1))}


def structural(number: ast.Number) -> bool:
    """Numbers that are structure, not a policy's figures: zero (0 元: never negative), one
    event or member (累计 次数 = 次数 + 1 次), and the months of a year (× 12 个月)."""
    if number.value == 0:
        return True
    return number.unit is not None and (unit(number.unit).kind, number.value) in STRUCTURE


def literals(node: object) -> Iterator[Literal]:
    """Every literal below an AST node, in source order, that provenance must account for.

    Structural numbers (`structural`) and the decimal places of 四舍五入 need no source; of
    the values said in words, 是/否/不适用 are structure.
    """
    if isinstance(node, ast.Number):
        if not structural(node):
            yield node
        return
    if isinstance(node, ast.DateLit) or (isinstance(node, ast.Word) and VALUE_WORDS[node.word].checked):
        yield node
        return
    if isinstance(node, ast.Call) and node.func == "四舍五入":
        yield from literals(node.args[0])
        return
    if isinstance(node, (tuple, list)):
        for child in node:
            yield from literals(child)
        return
    cls = type(node)
    if attrs.has(cls):
        for field in attrs.fields(cls):
            if field.name != "span":
                yield from literals(getattr(node, field.name))


# ---------------------------------------------------------------- quotes and their scopes
@attrs.frozen
class Quote:
    """A quote as scanned: its text (scan_text form) and the quantities it prints."""

    text: str
    quantities: list[Quantity]

    @classmethod
    def of(cls, text: str) -> Quote:
        scanned = scan_text(text)
        return cls(scanned, scan(scanned))

    def holds(self, lit: Literal, start: int = 0, end: int | None = None) -> bool:
        stop = len(self.text) if end is None else end
        if isinstance(lit, ast.Word):
            return any(spelling in self.text[start:stop] for spelling in VALUE_WORDS[lit.word].backed_by)
        return any(start <= q.start and q.end <= stop and matches(lit, q) for q in self.quantities)

    def cells(self) -> list[tuple[int, int]] | None:
        """The cells of a quoted table row `| 二级医院 | 500元 | 75% |`, as (start, end)."""
        if not (self.text.startswith("|") and self.text.endswith("|")):
            return None
        bars = [i for i, c in enumerate(self.text) if c == "|"]
        return list(zip([b + 1 for b in bars[:-1]], bars[1:], strict=True))


Range = tuple[int, int]


def scopes(quote: Quote, enum: ir.Enum) -> dict[str, list[Range]]:
    """Where each member of `enum` is spoken of in the quote (see the module docstring)."""
    mentions: list[tuple[int, int, str]] = []
    for member in enum.members:
        for name in enum.names_of(member):
            wanted = scan_text(name)
            mentions += [(m.start(), m.start() + len(wanted), member)
                         for m in re.finditer(re.escape(wanted), quote.text)] if wanted else []
    mentions = [m for m in mentions
                if not any(o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0])
                           for o in mentions)]
    mentions.sort()
    groups: list[list[tuple[int, int, str]]] = []
    for mention in mentions:
        if groups and CONNECTORS.fullmatch(quote.text[groups[-1][-1][1]:mention[0]]):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    found: dict[str, list[Range]] = {}
    for index, group in enumerate(groups):
        end = groups[index + 1][0][0] if index + 1 < len(groups) else len(quote.text)
        for _, _, member in group:
            found.setdefault(member, []).append((group[0][0], end))
    return found


def anchor_scope(quote: Quote, anchor: str, others: list[str]) -> list[Range]:
    """From the anchor phrase to the end of its sentence (or to another parameter's anchor)."""
    wanted = scan_text(anchor)
    ranges = []
    for m in re.finditer(re.escape(wanted), quote.text):
        end = len(quote.text)
        for stop in [*SENTENCE_BREAKS, *(scan_text(o) for o in others if o != anchor)]:
            at = quote.text.find(stop, m.end())
            if at >= 0:
                end = min(end, at)
        ranges.append((m.start(), end))
    return ranges


# ---------------------------------------------------------------- checking a clause
def check_quote(quote: ast.Quote, notice: Notice) -> Diagnostic | None:
    wanted = normalize(quote.text)
    if not wanted:
        return Diagnostic("E301", "the quote is empty", quote.span)
    if wanted in notice.normalized:
        return None
    matched = _longest_prefix(wanted, notice.normalized)
    if matched:
        at = notice.normalized.index(wanted[:matched])
        says = notice.normalized[at + matched : at + matched + 12]
        hint = (f"the notice matches up to “{wanted[max(matched - 12, 0):matched]}”, then says "
                f"“{says}” where the quote says “{wanted[matched:matched + 12]}”")
    else:
        hint = "no part of the quote's start occurs in the notice"
    return Diagnostic("E301", f"quote not found in {notice.path}", quote.span, hint)


def _longest_prefix(wanted: str, text: str) -> int:
    """Length of the longest prefix of `wanted` that occurs in `text` (binary search)."""
    low, high = 0, len(wanted)
    while low < high:
        mid = (low + high + 1) // 2
        if wanted[:mid] in text:
            low = mid
        else:
            high = mid - 1
    return low


class ClauseCheck:
    """The provenance of one clause's declarations against its quotes."""

    def __init__(self, clause: ast.Clause, enums: dict[str, ir.Enum]):
        self.clause = clause
        self.enums = enums
        self.quotes = [Quote.of(q.text) for q in clause.quotes]
        self.anchors = [d.anchor for d in clause.decls if isinstance(d, ast.Param) and d.anchor]
        self.diagnostics: list[Diagnostic] = []

    def run(self) -> list[Diagnostic]:
        for decl in self.clause.decls:
            if isinstance(decl, ast.Param):
                self.param(decl)
            elif isinstance(decl, ast.Table):
                self.table(decl)
            else:  # a rule or a 核对 may combine the clause's sentences
                self.anywhere(decl)
        return self.diagnostics

    def sentences_above(self, decl: ast.Param) -> list[int]:
        """The quotes a parameter stands under: the run of 引文 nearest above it (every quote
        of the clause when none is above).  A parameter's number belongs to the sentence it is
        written under; found only in another sentence of the clause, it is most likely another
        figure (640 元 written where the notice's 380 元 belongs)."""
        position = (decl.span.line, decl.span.column)
        starts = [(q.span.line, q.span.column) for q in self.clause.quotes]
        above = [i for i, start in enumerate(starts) if start < position]
        if not above:
            return list(range(len(self.quotes)))
        run = [above[-1]]
        declared = [(d.span.line, d.span.column) for d in self.clause.decls]
        for i in reversed(above[:-1]):
            if any(starts[i] < d < starts[run[-1]] for d in declared):
                break
            run.append(i)
        return sorted(run)

    # ------------------------------------------------------------ declarations
    def param(self, param: ast.Param) -> None:
        if param.local_choice is not None:
            return
        if param.value.qualifier == "exact" and not param.value.soft:
            self.dropped_qualifier(param)
        if param.anchor is None:
            self.anywhere(param, self.sentences_above(param))
            return
        places = [(quote, anchor_scope(quote, param.anchor, self.anchors)) for quote in self.quotes]
        if not any(ranges for _, ranges in places):
            self.error("E302", f"出自 “{param.anchor}”: the quotes of clause {self.clause.number} do "
                       "not say it", param.span, "the anchor is a phrase of a quote of the clause")
            return
        for lit in literals(param.value):
            if not any(quote.holds(lit, a, b) for quote, ranges in places for a, b in ranges):
                said = _said([quote.text[a:b] for quote, ranges in places for a, b in ranges])
                self.error("E306", f"{shown(lit)} is not what the notice says after “{param.anchor}”",
                           lit.span, f"there it says {said}")

    def dropped_qualifier(self, param: ast.Param) -> None:
        """A parameter written as an exact value where the notice qualifies it (平均达到 85%,
        不低于 640元, 70%左右): a warning, since a qualifier changes what the value means."""
        found = list(literals(param.value))
        if len(found) != 1 or not isinstance(found[0], ast.Number):
            return
        for quote in self.quotes:
            for q in quote.quantities:
                if not matches(found[0], q):
                    continue
                start = max([quote.text.rfind(c, 0, q.start) for c in "，,；;。：:、"]) + 1
                before = [w for w in QUALIFIERS_BEFORE if w in quote.text[start:q.start]]
                after = [w for w in ("左右",) if quote.text.startswith(w, q.end)]
                if before or after:
                    word = max(before, key=len) if before else after[0]
                    self.error("W302", f"the notice says {word} {q.text}, but {param.name} is written "
                               "as an exact value", param.value.span,
                               f"say it as the notice does: 参数 {param.name} = "
                               + (f"{word} {shown(found[0])}" if before else f"{shown(found[0])} {word}"))
                    return

    def table(self, table: ast.Table) -> None:
        enums = [self.enums.get(name) for name in table.key_enums]
        for row in table.rows:
            if row.local_choice is not None:
                continue
            found = literals(row.value)
            members = [(key, enum) for key, enum in zip(row.keys, enums, strict=True)
                       if key is not None and enum is not None and key in enum.members]
            if not members:
                self.check_anywhere(list(found))
                continue
            labels = self.column_labels(table, row, enums)
            self.row(list(found), members, labels, row.column, f"table {table.name}", row.span)
        self.left_to_other(table, enums)

    def column_labels(self, table: ast.Table, row: ast.TableRow, enums: list[ir.Enum | None]
                      ) -> tuple[str, ...]:
        """How a quoted table's header names the row's column: the column member (two keys),
        or the table itself (a table of several columns)."""
        if len(row.keys) == 2 and row.keys[1] is not None and enums[1] is not None \
                and row.keys[1] in enums[1].members:
            return enums[1].names_of(row.keys[1])
        return (table.name,) if row.column else ()

    def anywhere(self, node: object, sentences: list[int] | None = None) -> None:
        """Numbers that need to be in the clause's quotes (in `sentences` of them, when given);
        按 arms row by row."""
        for match in _matches(node):
            self.match(match)
        self.check_anywhere([lit for lit in literals(_without_matches(node))], sentences)

    def match(self, match: ast.Match) -> None:
        enum = self._enum_of(match)
        for arm in match.arms:
            found = list(literals(arm.value))
            nested = {id(lit) for m in _matches(arm.value) for lit in literals(m)}
            own = [lit for lit in found if id(lit) not in nested]
            for m in _matches(arm.value):
                self.match(m)
            named = [(p, enum) for p in arm.patterns if p is not None and enum is not None]
            if named:
                self.row(own, named, (), 0, "this arm", arm.span)
            else:
                self.check_anywhere(own)

    # ------------------------------------------------------------ rows
    def row(self, found: list[Literal], members: list[tuple[str, ir.Enum]], labels: tuple[str, ...],
            column: int, what: str, span: Span) -> None:
        """Each literal within the scope of the row's member (and of its column's member)."""
        places = self.places(members, labels, column)
        if not places:
            if found:
                names = "、".join(m for m, _ in members)
                self.error("E307", f"the quotes of clause {self.clause.number} do not name {names}",
                           span, "quote the sentence that names it, add 又称 \"…\" to the member when "
                           "the notice calls it otherwise, derive the row from other values, or mark "
                           "it 自定 \"reason\"")
            return
        for lit in found:
            if any(quote.holds(lit, a, b) for quote, a, b in places):
                continue
            said = _said([quote.text[a:b] for quote, a, b in places])
            member = members[0][0] if len(members) == 1 else " × ".join(m for m, _ in members)
            self.error("E306", f"{shown(lit)} is not what the notice says for {member} ({what})",
                       lit.span, f"for {member} the notice says {said}")

    def places(self, members: list[tuple[str, ir.Enum]], labels: tuple[str, ...], column: int
               ) -> list[tuple[Quote, int, int]]:
        """Where the quotes speak of the row's member (and of its column's member, where a
        sentence names both); in a quoted table row, only the cell of the row's column, found
        by the quoted header (or, without one, by its place in the policy's table)."""
        index = self.header_index(labels) if labels else None
        if index is None and column:
            index = column
        found: list[tuple[Quote, int, int]] = []
        for quote in self.quotes:
            (member, enum), others = members[0], members[1:]
            ranges = scopes(quote, enum).get(member)
            for other, other_enum in others:
                theirs = scopes(quote, other_enum).get(other)
                if ranges is not None and theirs is not None:
                    ranges = _intersect(ranges, theirs)
            if not ranges:
                continue
            cells = quote.cells()
            if cells is not None and index is not None and index < len(cells):
                ranges = _intersect(ranges, [cells[index]])
            found += [(quote, a, b) for a, b in ranges]
        return found

    def header_index(self, labels: tuple[str, ...]) -> int | None:
        """The cell of a quoted header row that names the column."""
        for quote in self.quotes:
            for index, (a, b) in enumerate(quote.cells() or []):
                if any(scan_text(label) in quote.text[a:b] for label in labels):
                    return index
        return None

    def left_to_other(self, table: ast.Table, enums: list[ir.Enum | None]) -> None:
        """A member the quote gives a number for, whose value the table leaves to 其他."""
        if len(enums) != 1 or enums[0] is None or not any(r.keys == (None,) for r in table.rows):
            return
        enum = enums[0]
        own = {r.keys[0] for r in table.rows}
        for quote in self.quotes:
            for member, ranges in scopes(quote, enum).items():
                numbered = any(a <= q.start and q.end <= b for q in quote.quantities for a, b in ranges)
                if member not in own and numbered:
                    said = _said([quote.text[a:b] for a, b in ranges])
                    self.error("E307", f"the notice names {member} but table {table.name} leaves it to 其他",
                               table.span, f"for {member} the notice says {said}: give it a row")

    # ------------------------------------------------------------ helpers
    def check_anywhere(self, found: list[Literal], sentences: list[int] | None = None) -> None:
        for lit in found:
            if any(self.quotes[i].holds(lit) for i in sentences or range(len(self.quotes))):
                continue
            elsewhere = next((i for i, quote in enumerate(self.quotes) if quote.holds(lit)), None)
            if elsewhere is not None:
                self.another_sentence(lit, elsewhere)
                continue
            if isinstance(lit, ast.Word):
                self.error("E305", f"{lit.word} is not in the quotes of clause {self.clause.number}",
                           lit.span, "quote the sentence that says it")
                continue
            hint = ("quote the sentence that prints it, derive it from other values, "
                    "or mark a parameter as the author's own choice with 自定 \"reason\"")
            printed = [q for quote in self.quotes for q in quote.quantities]
            if isinstance(lit, ast.Number):
                hint = _near_miss(lit, printed) or hint
            elif isinstance(lit, ast.DateLit):
                hint = _other_day(lit, printed) or hint
            if not self.quotes:
                hint = "the clause has no 引文: " + hint
            self.error("E302", f"{shown(lit)} is not in the quotes of clause {self.clause.number}",
                       lit.span, hint)

    def another_sentence(self, lit: Literal, index: int) -> None:
        """A number the clause prints, but in a sentence other than the one it stands under."""
        quote = self.clause.quotes[index]
        self.error("E302", f"{shown(lit)} is not in the quote above it (clause {self.clause.number})",
                   lit.span, f"the clause prints it in another sentence, “{_excerpt(quote.text)}” "
                   f"(line {quote.span.line}): if the value is that sentence's, declare it below "
                   "that 引文; if not, the number is wrong")

    def _enum_of(self, match: ast.Match) -> ir.Enum | None:
        patterns = [p for arm in match.arms for p in arm.patterns if p is not None]
        owners = [e for e in self.enums.values() if patterns and all(p in e.members for p in patterns)]
        return owners[0] if len(owners) == 1 else None

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))


def _matches(node: object) -> list[ast.Match]:
    """The outermost 按 expressions below a node."""
    if isinstance(node, ast.Match):
        return [node]
    if isinstance(node, (tuple, list)):
        return [m for child in node for m in _matches(child)]
    if attrs.has(type(node)):
        return [m for f in attrs.fields(type(node))  # type: ignore[arg-type]
                if f.name != "span" for m in _matches(getattr(node, f.name))]
    return []


def _without_matches(node: object) -> object:
    """The node with its 按 expressions taken out (they are checked arm by arm)."""
    if isinstance(node, ast.Match):
        return ast.Match(node.subject, (), node.span)
    if isinstance(node, tuple):
        return tuple(_without_matches(child) for child in node)
    if attrs.has(type(node)) and not isinstance(node, (ast.Number, ast.DateLit, ast.Word)):
        fields = attrs.fields(type(node))  # type: ignore[arg-type]
        changes = {f.name: _without_matches(getattr(node, f.name)) for f in fields
                   if f.name != "span" and f.init}
        return attrs.evolve(node, **changes)  # type: ignore[misc]
    return node


def _intersect(a: list[Range], b: list[Range]) -> list[Range]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo < hi:
                out.append((lo, hi))
    return out


def _excerpt(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _said(parts: list[str], limit: int = 60) -> str:
    """What the notice says in each place, quoted one by one: “一类地区分担30%”、“…”."""
    shown = []
    for part in dict.fromkeys(p.strip("，,、;；。|") for p in parts):
        shown.append("“" + (part if len(part) <= limit else part[:limit] + "…") + "”")
    return "、".join(shown)


def check_clause(clause: ast.Clause, notice: Notice, enums: dict[str, ir.Enum]) -> list[Diagnostic]:
    diags = [d for q in clause.quotes if (d := check_quote(q, notice)) is not None]
    return diags + ClauseCheck(clause, enums).run()


def check_outside_clauses(node: object, exempt: bool = False) -> list[Diagnostic]:
    """Numbers written outside any clause have no source: an error unless 自定."""
    if exempt:
        return []
    return [
        Diagnostic("E303", f"{shown(lit)} is written outside any clause, so no sentence of the "
                   "notice backs it", lit.span,
                   "move it into the clause that says it, or mark the parameter 自定 \"reason\"")
        for lit in literals(node)
    ]


def shown(lit: Literal) -> str:
    if isinstance(lit, ast.Word):
        return lit.word
    return lit.text
