"""What a name means where it is written: scopes across 使用 and 修订, references.

A file sees its own declarations; the declarations (参数, 输入, 规则, 表), enumerations and
vocabulary of the policy it amends (`修订 … 作为 上年`), which its own declarations replace;
and the enumerations and vocabulary of the files it uses (`使用`).  `上年.X` is X of the
amended policy; `沿用 X` is a calculator of it.  This mirrors the checker's rules (the
checker resolves to IR, which keeps no source positions, so the editor resolves again).
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .. import ast
from ..loader import real_path
from .analysis import Analysis
from .symbols import FileIndex, Symbol, Use, index

ENTRY_KINDS = ("param", "input", "rule", "table")


@attrs.frozen
class Scope:
    file: FileIndex
    entries: dict[str, Symbol]  # 参数, 输入, 规则, 表: own, else inherited
    enums: dict[str, Symbol]
    members: dict[tuple[str, str], Symbol]  # (enumeration, member)
    concepts: dict[str, Symbol]  # the vocabulary (主题)
    calculators: dict[str, Symbol]  # own only: 沿用 names the amended policy's
    aliases: dict[str, Symbol]  # 上年 → the alias in the header
    base: Scope | None  # the amended policy


class Project:
    """The files an analysis reaches, indexed on demand, each once."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self._indexes: dict[Path, FileIndex | None] = {}
        self._scopes: dict[Path, Scope | None] = {}

    def index(self, path: Path) -> FileIndex | None:
        key = real_path(path)
        if key not in self._indexes:
            source, tree, _ = self.analysis.load(key)
            self._indexes[key] = index(key, source, tree) if tree is not None else None
        return self._indexes[key]

    def scope(self, path: Path) -> Scope | None:
        key = real_path(path)
        if key not in self._scopes:
            self._scopes[key] = None  # a file that uses itself sees nothing of itself
            file = self.index(key)
            if file is not None:
                self._scopes[key] = self._build(file)
        return self._scopes[key]

    def _build(self, file: FileIndex) -> Scope:
        entries: dict[str, Symbol] = {}
        enums: dict[str, Symbol] = {}
        members: dict[tuple[str, str], Symbol] = {}
        concepts: dict[str, Symbol] = {}
        base: Scope | None = None
        for use in file.imports("uses"):
            used = self.scope(file.relative(use.name))
            if used is not None:
                enums.update(used.enums)
                members.update(used.members)
                concepts.update(used.concepts)
        for use in file.imports("amends"):
            base = self.scope(file.relative(use.name))
            if base is not None:
                entries.update(base.entries)
                enums.update(base.enums)
                members.update(base.members)
                concepts.update(base.concepts)
        own = file.symbols
        entries.update({s.name: s for s in own if s.kind in ENTRY_KINDS})
        enums.update({s.name: s for s in own if s.kind == "enum"})
        members.update({(s.owner or "", s.name): s for s in own if s.kind == "member"})
        concepts.update({s.name: s for s in own if s.kind == "concept"})
        calculators = {s.name: s for s in own if s.kind == "calculator"}
        aliases = {s.name: s for s in own if s.kind == "alias"}
        return Scope(file, entries, enums, members, concepts, calculators, aliases, base)

    # ------------------------------------------------------------ resolution
    def resolve(self, scope: Scope, use: Use) -> Symbol | None:
        """The declaration a use refers to, if any."""
        if use.kind == "name":
            return scope.entries.get(use.name) or bare_member(scope, use.name)
        if use.kind == "table":
            return scope.entries.get(use.name)
        if use.kind == "enum":
            return scope.enums.get(use.name)
        if use.kind == "owner":
            return scope.aliases.get(use.name) or scope.enums.get(use.name)
        if use.kind == "member":
            if use.owner in scope.aliases:
                return scope.base.entries.get(use.name) if scope.base else None
            return scope.members.get((use.owner or "", use.name))
        if use.kind == "pattern":
            return scope.members.get((subject_enum(scope, use.owner), use.name)) or \
                bare_member(scope, use.name)
        if use.kind == "continued":
            return scope.base.calculators.get(use.name) if scope.base else None
        if use.kind == "import":
            target = self.index(scope.file.relative(use.name))
            return next((s for s in target.symbols if s.kind == "policy"), None) if target else None
        return None

    def at(self, path: Path, line: int, column: int) -> tuple[Scope, Symbol | Use] | None:
        """The declaration or use whose name covers a position (1-based line and column)."""
        scope = self.scope(path)
        if scope is None:
            return None
        items: list[Symbol | Use] = [*scope.file.symbols, *scope.file.uses]
        for item in items:
            span = item.span
            if span.line == line and span.end_line == line and \
                    span.column <= column <= span.end_column:
                return scope, item
        return None

    def target(self, path: Path, line: int, column: int) -> tuple[Scope, Symbol] | None:
        """The declaration meant at a position: the one named there, or declared there."""
        found = self.at(path, line, column)
        if found is None:
            return None
        scope, item = found
        symbol = item if isinstance(item, Symbol) else self.resolve(scope, item)
        return (scope, symbol) if symbol is not None else None

    def references(self, symbol: Symbol, files: list[Path]) -> list[tuple[Path, Use]]:
        """Every use, in the given files, that refers to `symbol`."""
        found: list[tuple[Path, Use]] = []
        for path in files:
            scope = self.scope(path)
            if scope is not None:
                found += [(path, u) for u in scope.file.uses if self.resolve(scope, u) == symbol]
        return found


def bare_member(scope: Scope, name: str) -> Symbol | None:
    """A member written without its enumeration: allowed when one enumeration has it."""
    found = [s for (_, member), s in scope.members.items() if member == name]
    return found[0] if len(found) == 1 else None


def subject_enum(scope: Scope, subject: str | None) -> str:
    """The enumeration of a 按 subject that is an input typed by one."""
    declared = scope.entries.get(subject or "")
    node = declared.node if declared else None
    if isinstance(node, ast.InputDecl) and node.type.kind == "name":
        return node.type.value
    return ""
