"""Phase 7: the floors and ceilings of the policy named by 遵循.

A value of this policy must respect the outer policy's bound on the same concept: a
parameter (and every value its qualifier admits — 不高于 700 元 can fall below a floor of
640 元), and the default of an input or 地方 value of that name; the calculators check the
value a caller gives (`outer_requirements`)."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .. import ir
from ..diagnostics import Note
from ..display import show_value
from .state import PolicyState

FLOOR_OPS = {"at_least": ">=", "at_least_about": ">=", "above": ">"}
CEILING_OPS = {"at_most": "<=", "at_most_about": "<=", "below": "<"}


def outer_bounds(state: PolicyState) -> dict[str, ir.Param]:
    if state.within is None or state.within.policy is None:
        return {}
    return {p.name: p for p in state.within.policy.params
            if p.qualifier in FLOOR_OPS or p.qualifier in CEILING_OPS}


def check_within(state: PolicyState) -> None:
    bounds = outer_bounds(state)
    for name, outer in bounds.items():
        entry = state.entries.get(name)
        if entry is None or entry.inherited:
            continue
        if name in state.params:
            check_param(state, state.params[name], outer)
        elif name in state.inputs:
            check_input_default(state, state.inputs[name], outer)


def check_param(state: PolicyState, param: ir.Param, outer: ir.Param) -> None:
    if not (isinstance(param.value, Decimal) and isinstance(outer.value, Decimal)):
        return
    floor = outer.qualifier in FLOOR_OPS
    broken = (param.value < outer.value) if floor else (param.value > outer.value)
    escapes = param.qualifier in (CEILING_OPS if floor else FLOOR_OPS) or param.qualifier == "about"
    if broken or escapes:
        why = "breaks" if broken else f"({param.source}) can fall {'below' if floor else 'above'}"
        _report(state, param.name, f"{param.name} = {show_value(param.value, param.type)} {why} "
                f"{outer.source}", outer)


def check_input_default(state: PolicyState, inp: ir.Input, outer: ir.Param) -> None:
    """The default must respect the outer bound, and so must what a caller gives: the bound
    becomes a requirement the calculators check."""
    if not isinstance(outer.value, Decimal):
        return
    floor = outer.qualifier in FLOOR_OPS
    op = FLOOR_OPS[outer.qualifier] if floor else CEILING_OPS[outer.qualifier]
    assert state.within is not None and state.within.policy is not None
    bound = ir.Requirement(op, ir.Const(outer.value, outer.type, outer.source), outer.soft,
                           f"{outer.source}（{state.within.policy.id}）", outer.source, outer.citation)
    state.inputs[inp.name] = attrs.evolve(inp, requirements=(*inp.requirements, bound))
    if not isinstance(inp.default, ir.Const) or not isinstance(inp.default.value, Decimal):
        return
    value = inp.default.value
    if (value < outer.value) if floor else (value > outer.value):
        _report(state, inp.name, f"the default of {inp.name} ({show_value(value, inp.type)}) breaks "
                f"{outer.source}", outer)


def _report(state: PolicyState, name: str, message: str, outer: ir.Param) -> None:
    assert state.within is not None and state.within.policy is not None
    soft = outer.soft or outer.qualifier.endswith("about")
    state.report("W401" if soft else "E402",
                 f"{message}, the bound set by {state.within.policy.id} ({outer.citation})",
                 state.entries[name].node.span,
                 notes=(Note(state.within.entries[outer.name].node.span,
                             f"{state.within.policy.id} sets {outer.name}"),))
