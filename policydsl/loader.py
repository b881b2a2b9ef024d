"""Read policy files and notices from disk, once each.

Policies refer to each other (`使用`, `修订`, `遵循`) and to their notice by a path relative
to the file that names it, so a policy folder can be moved or copied whole.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import ast, parser
from .diagnostics import Diagnostic, SourceFile, Span


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def read_text(path: Path, cited_at: Span | None = None) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a diagnostic saying why it cannot be read as UTF-8 text."""
    span = cited_at or Span(display_path(path), 1, 1, 1, 2)
    try:
        data = path.read_bytes()
    except OSError as err:
        return None, Diagnostic("E001", f"cannot read {display_path(path)}: {err.strerror}", span)
    if len(data) > parser.MAX_FILE_CHARS * 4:
        return None, Diagnostic("E003", f"{display_path(path)} is {len(data):,} bytes; "
                                f"a policy may have at most {parser.MAX_FILE_CHARS:,} characters", span)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, Diagnostic("E001", f"{display_path(path)} is not UTF-8 text (byte {err.start})",
                                span, "save the file as UTF-8")
    if "\x00" in text:
        return None, Diagnostic("E001", f"{display_path(path)} contains NUL bytes: it is not text", span)
    return text, None


class Loader:
    """Parses each policy file once; `load` returns its source, its AST and the diagnostics."""

    def __init__(self) -> None:
        self._parsed: dict[Path, tuple[SourceFile, ast.PolicyFile | None, list[Diagnostic]]] = {}
        self._by_display: dict[str, SourceFile] = {}

    def load(self, path: Path) -> tuple[SourceFile, ast.PolicyFile | None, list[Diagnostic]]:
        key = path.resolve()
        if key not in self._parsed:
            name = display_path(path)
            text, problem = read_text(path)
            if problem is not None:
                self._parsed[key] = (SourceFile(name, ""), None, [problem])
            else:
                assert text is not None
                source = SourceFile(name, text)
                tree, diags = parser.parse(source)
                self._parsed[key] = (source, tree, diags)
        return self._parsed[key]

    def read_notice(self, path: Path, cited_at: Span) -> tuple[str | None, Diagnostic | None]:
        """A notice's text (a subclass may serve it from an editor's memory)."""
        return read_text(path, cited_at)

    def sources(self) -> dict[str, SourceFile]:
        return {source.path: source for source, _, _ in self._parsed.values()}

    def source(self, display: str) -> SourceFile | None:
        """A loaded file by the path messages show."""
        if display not in self._by_display:
            self._by_display = self.sources()
        return self._by_display.get(display)
