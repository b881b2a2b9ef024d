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
from ..loader import Loader, display_path, read_text

Loaded = tuple[SourceFile, "ast.PolicyFile | None", list[Diagnostic]]


class BufferLoader(Loader):
    """Reads open files from the editor's buffers (keyed by resolved path), others from disk."""

    def __init__(self, buffers: Mapping[Path, str]):
        super().__init__()
        self._buffers = buffers
        self._from_buffers: dict[Path, Loaded] = {}

    def load(self, path: Path) -> Loaded:
        key = path.resolve()
        text = self._buffers.get(key)
        if text is None:
            return super().load(path)
        if key not in self._from_buffers:
            source = SourceFile(display_path(path), text)
            tree, diags = parser.parse(source)
            self._from_buffers[key] = (source, tree, diags)
        return self._from_buffers[key]

    def sources(self) -> dict[str, SourceFile]:
        from_buffers = {source.path: source for source, _, _ in self._from_buffers.values()}
        return {**super().sources(), **from_buffers}


class Analysis:
    """One check of the open policies, and what the requests read from it."""

    def __init__(self, buffers: Mapping[Path, str]):
        self.loader = BufferLoader(buffers)
        self.compiler = Compiler(self.loader)
        for path in sorted(buffers):
            self.compiler.check(path)
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
        key = path.resolve()
        if key not in self._notices:
            text = read_text(path)[0]
            self._notices[key] = provenance.Notice.of(display_path(path), text) if text else None
        return self._notices[key]
