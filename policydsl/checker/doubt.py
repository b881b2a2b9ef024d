"""One wrong number, one error.

A number the notice does not print (E302), or prints for another member (E306, E307), is
reported where it is written.  A bracket boundary mistyped also leaves a gap in the schedule
(E204): that is withdrawn.  A 核对 that reads it, directly or through the declarations
built on it, in this policy or in one that amends it (`上年.财政补助`), would fail as well:
that failure is a consequence, not a second mistake, so it is not reported.  Fix the number
and the check is checked again.

A declaration is *doubtful* when a provenance error lies inside it; the compiler keeps those
declarations' spans, so a policy inheriting or using one sees it too.  A name is doubtful when
its declaration is, or when its declaration reads a doubtful name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .. import ast
from ..diagnostics import Diagnostic, Span
from .state import PolicyState

# the provenance errors that say a written value is not the notice's
WRONG_VALUE = frozenset({"E302", "E306", "E307"})
# what a wrong value inside a declaration makes the checker say of the declaration itself
CONSEQUENCES = frozenset({"E204"})


def _inside(inner: Span, outer: Span) -> bool:
    return (inner.path == outer.path
            and (outer.line, outer.column) <= (inner.line, inner.column)
            and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column))


def mark(state: PolicyState, diagnostics: Iterable[Diagnostic]) -> None:
    """Record the declarations of this policy that hold a value the notice does not print,
    and withdraw what was said of their shape because of it (a bracket boundary mistyped
    leaves a gap or an overlap with the next bracket: E204)."""
    wrong = [d.span for d in diagnostics if d.code in WRONG_VALUE]
    for entry in state.entries.values():
        if not entry.inherited and any(_inside(span, entry.node.span) for span in wrong):
            state.compiler.doubtful.add(entry.node.span)
            state.compiler.diagnostics[:] = [
                d for d in state.compiler.diagnostics
                if not (d.code in CONSEQUENCES and _inside(d.span, entry.node.span))]


def doubtful_names(state: PolicyState) -> frozenset[str]:
    """Every name of the policy whose value rests on a doubtful declaration."""
    memo: dict[str, bool] = {}

    def doubtful(name: str) -> bool:
        if name not in memo:
            entry = state.entries.get(name)
            memo[name] = False  # a cycle is reported elsewhere
            memo[name] = entry is not None and (
                entry.node.span in state.compiler.doubtful
                or any(reads(state, read, doubtful) for read in _reads(entry.node)))
        return memo[name]

    return frozenset(name for name in state.entries if doubtful(name))


def check_is_doubtful(state: PolicyState, check: ast.Check, names: frozenset[str]) -> bool:
    """Whether a 核对 reads a doubtful name (its failure then says nothing new)."""
    return any(reads(state, read, names.__contains__) for read in _reads(check.expr))


def reads(state: PolicyState, read: tuple[str | None, str], doubtful: Callable[[str], bool]) -> bool:
    """Whether what is read is doubtful: a name of this policy, or `上年.name` of the amended."""
    owner, name = read
    if owner is None:
        return doubtful(name)
    base = state.base
    return owner == state.base_alias and base is not None and name in base.doubtful


def _reads(node: object) -> Iterator[tuple[str | None, str]]:
    """The names an AST node reads: (None, name), or (alias, name) for `上年.name`."""
    for below in ast.walk(node):
        if isinstance(below, ast.Name):
            yield None, below.name
        elif isinstance(below, ast.Member):
            yield below.owner, below.name
        elif isinstance(below, ast.Lookup):
            yield None, below.table
        elif isinstance(below, ast.With):
            yield None, below.name
