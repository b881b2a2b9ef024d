"""Provenance: every quote is in the notice, every number of a clause is in its quotes.

Texts are compared after NFKC normalisation (full-width and half-width forms alike) with all
whitespace removed, because the notices are PDF extractions whose line breaks fall anywhere.
A number is found with its unit and on digit boundaries: 5% does not match inside 45%,
640 元 does not match 1640元, and the date 2016-01-01 matches 2016年1月1日.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import attrs

from . import ast
from .diagnostics import Diagnostic

WORDS_CHECKED = ("全额", "取消")


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


def number_pattern(node: ast.Number | ast.DateLit) -> re.Pattern[str]:
    """How a literal may be printed in a notice."""
    if isinstance(node, ast.DateLit):
        d = node.value
        month_end = node.text.endswith("底")
        day = "底" if month_end else f"0?{d.day}日"
        iso = "" if month_end else f"|{d.year}-{d.month:02d}-{d.day:02d}"
        return re.compile(f"{d.year}年0?{d.month}月{day}{iso}")
    digits = re.escape(node.text)
    if node.unit == "元/月":  # printed 300元/月 or 每月300元
        return re.compile(rf"(?<![\d.]){digits}元/月|每月(?<![\d.]){digits}元")
    if node.unit is None:
        return re.compile(rf"(?<![\d.]){digits}(?![\d])(?!\.\d)")
    return re.compile(rf"(?<![\d.]){digits}{re.escape(normalize(node.unit))}")


def literals(node: object) -> Iterator[ast.Number | ast.DateLit | ast.Word]:
    """Every literal below an AST node, in source order, that provenance must account for.

    Zero (0 元, 取消 aside) is structure, not a policy figure, and so is the number of decimal
    places of 四舍五入; neither needs a source.
    """
    if isinstance(node, ast.Number):
        if node.value != 0:
            yield node
        return
    if isinstance(node, ast.DateLit) or (isinstance(node, ast.Word) and node.word in WORDS_CHECKED):
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


def check_clause(clause: ast.Clause, notice: Notice) -> list[Diagnostic]:
    diags = [d for q in clause.quotes if (d := check_quote(q, notice)) is not None]
    quotes = [normalize(q.text) for q in clause.quotes]
    for decl in clause.decls:
        if isinstance(decl, ast.Param) and decl.local_choice is not None:
            continue
        for lit in literals(decl):
            diag = _check_literal(lit, quotes, clause)
            if diag is not None:
                diags.append(diag)
    return diags


def _check_literal(lit: ast.Number | ast.DateLit | ast.Word, quotes: list[str],
                   clause: ast.Clause) -> Diagnostic | None:
    if isinstance(lit, ast.Word):
        if any(lit.word in q for q in quotes):
            return None
        return Diagnostic("E305", f"{lit.word} is not in the quotes of clause {clause.number}",
                          lit.span, "quote the sentence that says it")
    pattern = number_pattern(lit)
    if any(pattern.search(q) for q in quotes):
        return None
    hint = ("quote the sentence that prints it, derive it from other values, "
            "or mark a parameter as the author's own choice with 自定 \"reason\"")
    if not quotes:
        hint = "the clause has no 引文: " + hint
    return Diagnostic("E302", f"{_shown(lit)} is not in the quotes of clause {clause.number}",
                      lit.span, hint)


def check_outside_clauses(node: object, exempt: bool = False) -> list[Diagnostic]:
    """Numbers written outside any clause have no source: an error unless 自定."""
    if exempt:
        return []
    return [
        Diagnostic("E303", f"{_shown(lit)} is written outside any clause, so no sentence of the "
                   "notice backs it", lit.span,
                   "move it into the clause that says it, or mark the parameter 自定 \"reason\"")
        for lit in literals(node)
    ]


def _shown(lit: ast.Number | ast.DateLit | ast.Word) -> str:
    if isinstance(lit, ast.Word):
        return lit.word
    if isinstance(lit, ast.Number):
        return lit.text + (lit.unit or "")
    return lit.text
