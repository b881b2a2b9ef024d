"""The multi-file driver: every policy file checked once, every diagnostic kept."""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from .. import ast, ir, provenance
from ..diagnostics import Diagnostic, Note, Span
from ..loader import Loader, display_path, real_path


@attrs.frozen
class Entry:
    """A declaration with the clause it stands in."""

    kind: str  # param, input, rule, table
    node: ast.Param | ast.InputDecl | ast.Rule | ast.Table
    citation: ir.Citation
    inherited: bool


@attrs.frozen
class Checked:
    """A checked policy, with what a policy amending or using it takes from it."""

    policy: ir.Policy | None
    entries: dict[str, Entry]
    calculators: dict[str, ast.Calculator]
    enums: dict[str, ir.Enum]
    vocabulary: dict[str, ir.Concept]
    conventions: dict[str, bool]
    doubtful: frozenset[str] = frozenset()  # names resting on a wrong number (checker/doubt.py)


NOTHING = Checked(None, {}, {}, {}, {}, {})
ARM_START = re.compile(r"(其他|[^\s:：,，、]+(\s*[,，、]\s*[^\s:：,，、]+)*)\s*[:：]")


class Compiler:
    """Checks policy files, each once, and keeps every diagnostic."""

    def __init__(self, loader: Loader | None = None) -> None:
        self.loader = loader or Loader()
        self.diagnostics: list[Diagnostic] = []
        self._checked: dict[Path, Checked] = {}
        self._in_progress: set[Path] = set()
        self._notices: dict[Path, provenance.Notice | None] = {}
        self._ids: dict[str, Span] = {}  # policy id → where it is declared
        self.doubtful: set[Span] = set()  # declarations holding a number the notice does not print

    def check(self, path: Path, cited_at: Span | None = None) -> Checked | None:
        from .policy import PolicyChecker

        key = real_path(path)
        if key in self._checked:
            return self._checked[key]
        if key in self._in_progress:
            assert cited_at is not None
            self.report(Diagnostic("E105", f"{display_path(path)} refers back to itself", cited_at,
                                   "policies may not amend or use each other in a circle"))
            return None
        source, tree, diags = self.loader.load(path)
        unreadable = tree is None and [d for d in diags if d.code == "E001"]
        if unreadable and cited_at is not None:  # said once, where the file is named
            self.report(Diagnostic("E104", unreadable[0].message, cited_at,
                                   "the path is relative to the policy that names it"))
        else:
            self.diagnostics.extend(diags)
        if tree is None:
            self._checked[key] = NOTHING
            return NOTHING
        self._in_progress.add(key)
        try:
            result = PolicyChecker(self, path, source, tree).run()
        except RecursionError:
            self.report(Diagnostic("E003", "an expression is too long or too deeply nested to check",
                                   tree.header.span, "name its parts with 规则 and refer to them"))
            result = NOTHING
        finally:
            self._in_progress.discard(key)
        self._checked[key] = result
        self._claim_id(tree.header)
        return result

    def _claim_id(self, header: ast.Header) -> None:
        """Two policies with one id would overwrite each other's generated files."""
        first = self._ids.setdefault(header.id, header.span)
        if first != header.span:
            self.report(Diagnostic("E102", f"two policies are called {header.id}", header.span,
                                   "the id names the generated files: give each policy its own",
                                   (Note(first, f"{header.id} is also declared"),)))

    def report(self, diag: Diagnostic) -> None:
        self.diagnostics.append(diag)

    def notice(self, path: Path, cited_at: Span) -> provenance.Notice | None:
        key = real_path(path)
        if key not in self._notices:
            text, problem = self.loader.read_notice(path, cited_at)
            if problem is not None:
                self.report(attrs.evolve(problem, code="E304",
                                         hint=problem.hint or "the path is relative to the policy file"))
                self._notices[key] = None
            else:
                assert text is not None
                self._notices[key] = provenance.Notice.of(display_path(path), text)
        return self._notices[key]

    def text_of(self, span: Span) -> str:
        """The source text of a span, on one line: the lines of a multi-line span joined by a
        space, or by ； before a line that starts an arm of 按 (so the arms read apart)."""
        source = self.loader.source(span.path)
        if source is None or span.line == 0:
            return ""
        lines = source.lines[span.line - 1 : span.end_line]
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][span.column - 1 : span.end_column - 1]
        lines[0] = lines[0][span.column - 1 :]
        lines[-1] = lines[-1][: span.end_column - 1]
        text = lines[0].strip()
        for line in lines[1:]:
            line = line.strip()
            arm = ARM_START.match(line) and not text.endswith(("{", "｛"))
            text += ("；" if arm else " ") + line
        return text

    def policies(self) -> list[ir.Policy]:
        return [c.policy for c in self._checked.values() if c.policy is not None]
