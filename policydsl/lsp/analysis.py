"""Check what the editor shows: open buffers, not the files on disk.

`BufferLoader` is the compiler's `Loader` with one difference: a file open in the editor is
read from its buffer (unsaved edits included), every other file from disk.  `Analysis` runs
the checker once over every open policy (a policy's 使用 and 修订 files come along) and keeps
the result for the requests that follow, until the next edit replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .. import ast, ir, parser, provenance
from ..checker import Compiler
from ..diagnostics import Diagnostic, SourceFile, sort_key
from ..loader import Loader, display_path, read_text, real_path

Loaded = tuple[SourceFile, "ast.PolicyFile | None", list[Diagnostic]]


class BufferLoader(Loader):
    """Reads open files from the editor's buffers (keyed by real path), others from disk.

    A file the parser fails on (a bug of policydsl, not of the file) loads as a file without
    a tree, and `failures` says why: the server reports it on the file and goes on.
    """

    def __init__(self, buffers: Mapping[Path, str]):
        super().__init__()
        self._buffers = buffers
        self._loaded: dict[Path, Loaded] = {}
        self.failures: dict[Path, str] = {}

    def load(self, path: Path) -> Loaded:
        key = real_path(path)
        if key not in self._loaded:
            text = self._buffers.get(key)
            try:
                self._loaded[key] = super().load(path) if text is None else self._parse(path, text)
            except Exception as err:
                self.failures[key] = f"{type(err).__name__}: {err}"
                self._loaded[key] = (SourceFile(display_path(path), text or ""), None, [])
        return self._loaded[key]

    @staticmethod
    def _parse(path: Path, text: str) -> Loaded:
        source = SourceFile(display_path(path), text)
        tree, diags = parser.parse(source)
        return source, tree, diags

    def sources(self) -> dict[str, SourceFile]:
        loaded = {source.path: source for source, _, _ in self._loaded.values()}
        return {**super().sources(), **loaded}


class Analysis:
    """One check of the open policies, and what the requests read from it."""

    def __init__(self, buffers: Mapping[Path, str]):
        self.loader = BufferLoader(buffers)
        self.compiler = Compiler(self.loader)
        self.internal_errors = self.loader.failures  # bugs of policydsl, by file
        for path in sorted(buffers):
            try:
                self.compiler.check(path)
            except Exception as err:  # said on the file; the other files are still served
                self.internal_errors[path] = f"{type(err).__name__}: {err}"
        self._policies = {policy.path: policy for policy in self.compiler.policies()}
        self._notices: dict[Path, provenance.Notice | None] = {}

    def load(self, path: Path) -> Loaded:
        return self.loader.load(path)

    def shown_path(self, path: Path) -> str:
        """The path by which diagnostics and the IR name a file (as the loader first read it)."""
        return self.load(path)[0].path

    def diagnostics(self, path: Path) -> list[Diagnostic]:
        """The diagnostics of one file, in source order, each once."""
        shown = self.shown_path(path)
        return sorted({d for d in self.compiler.diagnostics if d.span.path == shown}, key=sort_key)

    def policy(self, path: Path) -> ir.Policy | None:
        """The checked policy of a file (checked even when it has errors; None if it does not
        parse or was not reached)."""
        return self._policies.get(self.shown_path(path))

    def notice(self, path: Path) -> provenance.Notice | None:
        """A notice read from disk (None if it cannot be read: the check reports why)."""
        key = real_path(path)
        if key not in self._notices:
            text = read_text(path)[0]
            self._notices[key] = provenance.Notice.of(display_path(path), text) if text else None
        return self._notices[key]
