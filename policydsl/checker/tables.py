"""Tables: keyed by one enumeration or two, complete (every member has a row, or a 其他 row
stands for the rest), their rows computed at compile time.  A row may be derived from an
earlier row of its own table (`退休人员: 支付比例[在职职工] 提高 10 个百分点`)."""

from __future__ import annotations

import itertools

from .. import ast, ir
from ..diagnostics import Note, did_you_mean
from ..types import NEVER, Type
from .compiler import Entry
from .state import PolicyState


def resolve_table(state: PolicyState, entry: Entry) -> ir.Table:
    node = entry.node
    assert isinstance(node, ast.Table)
    enums = [known_enum(state, name, node) for name in node.key_enums]
    rows: list[ir.TableRow] = []
    value_type: Type = NEVER
    seen: dict[tuple[str | None, ...], ast.TableRow] = {}
    state.partial_tables[node.name] = ir.Table(node.name, node.key_enums, NEVER, (), entry.citation,
                                               node.span.line)
    try:
        for row in node.rows:
            check_keys(state, node, row, enums, seen)
            expr, value = state.constant(row.value.expr)
            value_type = state.exprs.unify(value_type, expr.type, row.span)
            rows.append(ir.TableRow(row.keys, value, row.value.qualifier, state.text_of(row.value.span),
                                    row.local_choice))
            state.partial_tables[node.name] = ir.Table(node.name, node.key_enums, value_type,
                                                       tuple(rows), entry.citation, node.span.line)
    finally:
        del state.partial_tables[node.name]
    check_complete(state, node, enums, seen)
    table = ir.Table(node.name, node.key_enums, value_type, tuple(rows), entry.citation, node.span.line)
    state.tables[node.name] = table
    return table


def known_enum(state: PolicyState, name: str, node: ast.Table) -> ir.Enum:
    enum = state.enums.get(name)
    if enum is None:
        state.report("E101", f"unknown enumeration {name}", node.span, did_you_mean(name, state.enums))
        return ir.Enum(name, ())
    return enum


def check_keys(state: PolicyState, node: ast.Table, row: ast.TableRow, enums: list[ir.Enum],
               seen: dict[tuple[str | None, ...], ast.TableRow]) -> None:
    for key, enum in zip(row.keys, enums, strict=True):
        if key is not None and enum.members and key not in enum.members:
            state.report("E103", f"{enum.name} has no member {key}", row.span,
                         did_you_mean(key, enum.members) or "members: " + "、".join(enum.members))
    if row.keys in seen:
        shown = ", ".join(k or "其他" for k in row.keys)
        state.report("E102", f"table {node.name} has two rows for {shown}", row.span,
                     notes=(Note(seen[row.keys].span, "the first row"),))
    seen[row.keys] = row


def check_complete(state: PolicyState, node: ast.Table, enums: list[ir.Enum],
                   seen: dict[tuple[str | None, ...], ast.TableRow]) -> None:
    """Every combination of members has a row, or a 其他 row stands for it."""
    missing = []
    for combination in itertools.product(*(e.members for e in enums)):
        covered = any(all(k is None or k == m for k, m in zip(keys, combination, strict=True))
                      for keys in seen)
        if not covered:
            missing.append(" × ".join(f"{e.name}.{m}" for e, m in zip(enums, combination, strict=True)))
    if missing:
        shown = "、".join(missing[:6]) + (f" … ({len(missing)} in all)" if len(missing) > 6 else "")
        state.report("E203", f"table {node.name} has no row for {shown}", node.span,
                     "add the rows, or a 其他 row for the members the notice does not name")
