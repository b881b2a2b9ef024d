"""Positions: policydsl spans ↔ LSP positions.

A `Span` counts lines from 1 and columns in characters from 1.  LSP counts both from 0, and
columns in the code units of the encoding agreed at initialisation: UTF-16 unless the client
offers another.  In UTF-16 a Chinese character is one unit and a character beyond the Basic
Multilingual Plane (𠀀, an emoji) two, so `参数 𠀀补助` puts 补助 at character 5 but UTF-16
column 6.  Lines are split at "\\n" only, as the parser counts them.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from ..diagnostics import Span

Units = Callable[[str], int]  # how many client code units a piece of a line is


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8_units(text: str) -> int:
    return len(text.encode("utf-8"))


UNITS: dict[str, Units] = {"utf-16": utf16_units, "utf-8": utf8_units, "utf-32": len}


class Lines:
    """The lines of one text, converting positions in both directions."""

    def __init__(self, text: str, units: Units = utf16_units):
        self.lines = text.split("\n")
        self.units = units

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of a 1-based line and character column (clamped into the text)."""
        if line < 1:
            return types.Position(line=0, character=0)
        if line > len(self.lines):
            last = len(self.lines) - 1
            return types.Position(line=last, character=self.units(self.lines[last]))
        text = self.lines[line - 1]
        return types.Position(line=line - 1, character=self.units(text[: max(column - 1, 0)]))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.line, span.column),
                           end=self.position(span.end_line, span.end_column))

    def location(self, position: types.Position) -> tuple[int, int]:
        """The 1-based line and character column of an LSP position."""
        if not 0 <= position.line < len(self.lines):
            return position.line + 1, 1
        text = self.lines[position.line]
        counted = 0
        for index, char in enumerate(text):
            if counted >= position.character:
                return position.line + 1, index + 1
            counted += self.units(char)
        return position.line + 1, len(text) + 1

    def before(self, position: types.Position) -> str:
        """The text of the position's line up to the position."""
        line, column = self.location(position)
        return self.lines[line - 1][: column - 1] if 0 < line <= len(self.lines) else ""
