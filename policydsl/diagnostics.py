"""Source positions and diagnostics.

A diagnostic is a value, never an exception that escapes to the user: every stage returns the
diagnostics it found and the CLI renders them all at the end, in the form

    policies/nmg/x.policy:12:9: error[P201]: 元 + % is not defined
       |
    12 |   参数 合计 = 财政补助 + 中央比例
       |               ^^^^^^^^^^^^^^^^^^^
       = hint: did you mean 元 × %?

Columns count characters (1-based); the caret line pads East Asian wide characters to two
cells so that the caret sits under the span in a terminal.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

import attrs


@attrs.frozen
class SourceFile:
    """The text of one policy file, with a path for messages."""

    path: str
    text: str

    @functools.cached_property
    def lines(self) -> list[str]:
        """The lines as the parser counts them: split at \n only (U+2028, \f, \v, \x85 and
        their kind are characters within a line, as they are to Lark)."""
        return self.text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""


@attrs.frozen
class Span:
    """A range of a source file: 1-based line and column of its start and end (exclusive)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


# Stable error codes, one per kind of mistake (docs/diagnostics.md lists them).
CODES: dict[str, str] = {
    "E001": "file cannot be read",
    "E002": "syntax error",
    "E003": "input too large or too deeply nested",
    "E101": "unknown name",
    "E102": "name declared twice",
    "E103": "unknown enumeration member",
    "E104": "imported or amended policy cannot be loaded",
    "E105": "cycle between definitions",
    "E106": "bad policy header",
    "E107": "name that reads like another (invisible or look-alike letters)",
    "E201": "unit mismatch",
    "E202": "wrong type",
    "E203": "table does not cover its enumeration",
    "E204": "numeric brackets have a gap or an overlap",
    "E205": "value may be missing",
    "E206": "wrong number of arguments",
    "E207": "value is not known at compile time",
    "E208": "a population target (平均达到) used as a value for one person",
    "E301": "quote not found in the notice",
    "E302": "number not found in the clause's quotes",
    "E303": "number outside any clause",
    "E304": "notice file cannot be read",
    "E305": "word not found in the clause's quotes",
    "E306": "a row's value is not what the notice says for that member",
    "E307": "a row the quotes do not name",
    "E401": "check does not hold",
    "E402": "value breaks a bound set by the notice",
    "E403": "division by zero or invalid arithmetic",
    "W302": "a value written as exact where the notice qualifies it (不低于, 平均达到, 左右 …)",
    "W401": "soft rule (原则上) does not hold",
}


@attrs.frozen
class Note:
    """Another place a diagnostic is about: `first declared here`."""

    span: Span
    message: str


@attrs.frozen
class Diagnostic:
    code: str
    message: str
    span: Span
    hint: str | None = None
    notes: tuple[Note, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E")


def char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


MAX_SHOWN_LINE = 200


def render(diag: Diagnostic, source: SourceFile | None) -> str:
    """Render one diagnostic with its source line and a caret under the span."""
    level = "error" if diag.is_error else "warning"
    out = [f"{diag.span}: {level}[{diag.code}]: {diag.message}"]
    if source is not None and diag.span.line > 0:
        line = source.line(diag.span.line).replace("\t", " ")
        start = max(diag.span.column - 1, 0)
        if diag.span.end_line == diag.span.line:
            end = max(diag.span.end_column - 1, start + 1)
        else:
            end = len(line)
        if len(line) > MAX_SHOWN_LINE:  # a huge line: show a window around the span
            lo = max(start - 40, 0)
            line, start, end = line[lo : lo + 120], start - lo, min(end, lo + 120) - lo
        number = str(diag.span.line)
        gutter = " " * len(number)
        caret = " " * display_width(line[:start]) + "^" * max(display_width(line[start:end]), 1)
        out += [f"{gutter} |", f"{number} | {line}", f"{gutter} | {caret}"]
        if diag.hint:
            out.append(f"{gutter} = hint: {diag.hint}")
    elif diag.hint:
        out.append(f"  = hint: {diag.hint}")
    out += [f"  = note: {note.message} at {note.span}" for note in diag.notes]
    return "\n".join(out)


def render_all(diags: Iterable[Diagnostic], sources: dict[str, SourceFile]) -> str:
    return "\n\n".join(render(d, sources.get(d.span.path)) for d in diags)


def summary(diags: list[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def sort_key(diag: Diagnostic) -> tuple[str, int, int, str]:
    return (diag.span.path, diag.span.line, diag.span.column, diag.code)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, for a hint."""
    import difflib

    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.5)
    return f"did you mean {matches[0]}?" if matches else None
