"""Phase 1: the header — the policy's id, the policies it uses, amends and follows, and the
notice it encodes (whose dates must be the ones the header gives)."""

from __future__ import annotations

import keyword
import re
import sys

import attrs

from .. import ast, ir, provenance
from .state import PolicyState

POLICY_ID = re.compile(r"[a-z][a-z0-9_]*")
HEADER_DATES = {"date": "发文日期", "effective": "执行日期", "valid_until": "有效期至"}


def check_id(state: PolicyState, header: ast.Header) -> None:
    """The id becomes a Python module and file names: lower-case ASCII, not a keyword, not a
    module of the standard library (it would shadow it), not private."""
    policy_id = state.id
    if not POLICY_ID.fullmatch(policy_id) or keyword.iskeyword(policy_id):
        state.report("E106", f"policy id {policy_id!r} must be lower-case ASCII letters, digits and _, "
                     "start with a letter, and not be a Python keyword", header.span,
                     "it becomes the name of the generated Python module")
    elif policy_id in sys.stdlib_module_names or policy_id in ("index", "policy"):
        state.report("E106", f"policy id {policy_id!r} is taken: it is the name of "
                     + ("a module of Python's standard library" if policy_id in sys.stdlib_module_names
                        else "a generated page"), header.span,
                     "choose an id that names the notice: region, year, subject (nmg_2024_resident)")
    if "title" not in header.fields:
        state.report("E106", f"policy {policy_id} has no 标题", header.span)


def load_imports(state: PolicyState, header: ast.Header) -> None:
    """使用 brings enumerations and the vocabulary; 遵循 the outer bounds; 修订 everything."""
    for use in header.uses:
        used = state.compiler.check(state.relative(use.path), use.span)
        if used is None or used.policy is None:
            continue
        for enum in used.enums.values():
            add_enum(state, enum, use)
        state.vocabulary.update(used.vocabulary)
    if header.within is not None:
        state.within = state.compiler.check(state.relative(header.within.path), header.within.span)
        if state.within and state.within.policy:
            state.within_id = state.within.policy.id
    if header.amends is None:
        return
    base = state.compiler.check(state.relative(header.amends.path), header.amends.span)
    if base is None or base.policy is None:
        return
    state.base, state.base_alias = base, header.amends.alias
    for enum in base.enums.values():
        add_enum(state, enum, header.amends)
    state.vocabulary.update(base.vocabulary)
    state.conventions.update(base.conventions)
    for name, entry in base.entries.items():
        state.entries[name] = attrs.evolve(entry, inherited=True)
        state.order.append(name)


def add_enum(state: PolicyState, enum: ir.Enum, where: ast.Import) -> None:
    known = state.enums.get(enum.name)
    if known is not None and known != enum:
        state.report("E102", f"two different enumerations are called {enum.name}", where.span)
    state.enums[enum.name] = enum


def load_notice(state: PolicyState, header: ast.Header) -> provenance.Notice | None:
    """The notice file, and the header's dates checked against it."""
    notice_path = header.fields.get("notice")
    has_clauses = any(isinstance(i, ast.Clause) for i in state.tree.items)
    if notice_path is None:
        if has_clauses:
            state.report("E106", f"policy {state.id} has clauses but no 通知 (the notice file)",
                         header.span, '通知 "notices/….txt", relative to this file')
        return None
    notice = state.compiler.notice(state.relative(str(notice_path)),
                                   header.field_spans.get("notice", header.span))
    if notice is None:
        return None
    for field, word in HEADER_DATES.items():
        date = header.fields.get(field)
        if date is not None and not notice.prints_date(date):  # type: ignore[arg-type]
            state.report("E302", f"the {word} {date} does not occur in {notice.path}",
                         header.field_spans.get(field, header.span),
                         "the header's dates are checked against the notice like any number")
    valid_for = header.fields.get("valid_for")
    if isinstance(valid_for, ast.Number) and not notice.prints(valid_for):
        state.report("E302", f"the 有效期 {valid_for.text} does not occur in the notice", valid_for.span)
    return notice
