"""One policy file, checked phase by phase into an `ir.Policy`."""

from __future__ import annotations

from pathlib import Path

from .. import ast, ir, provenance
from ..diagnostics import Diagnostic, SourceFile
from ..types import comparable
from . import arithmetic, bounds, calculators, declarations, doubt, header, resolve
from .compiler import Checked, Compiler
from .state import PolicyState


class PolicyChecker:
    def __init__(self, compiler: Compiler, path: Path, source: SourceFile, tree: ast.PolicyFile):
        self.state = PolicyState(compiler, path, source, tree)

    def run(self) -> Checked:
        state = self.state
        head = state.tree.header
        header.check_id(state, head)
        header.load_imports(state, head)
        notice = header.load_notice(state, head)
        declarations.collect(state)
        declarations.check_spelling(state)
        declarations.check_identifiers(state)
        topics = declarations.check_topics(state)
        resolve.resolve_all(state)
        check_vocabulary(state)
        bounds.check_within(state)
        calcs = calculators.check_calculators(state)
        doubt.mark(state, check_provenance(state, notice))
        doubtful = doubt.doubtful_names(state)
        checks = arithmetic.check_checks(state, doubtful)
        return Checked(build_policy(state, calcs, checks, topics), state.entries, state.calc_nodes,
                       state.enums, state.vocabulary, state.conventions, doubtful)


def check_vocabulary(state: PolicyState) -> None:
    """A name of the shared vocabulary keeps its unit in every policy that uses it."""
    for name, entry in state.entries.items():
        concept = state.vocabulary.get(name)
        resolved = state.resolve(name, entry.node.span)
        if concept is None or entry.inherited or resolved is None or entry.kind == "rule":
            continue
        typ = resolved.type.required()
        if typ.kind in ("never", "zero", "unbounded") or concept.type.kind == "never":
            continue
        same_unit = typ.kind == concept.type.kind and comparable(typ, concept.type)
        if typ != concept.type and not same_unit:
            state.report("E201", f"{name} is {typ} here but {concept.type} in the shared vocabulary",
                         entry.node.span, f"the vocabulary says {name} is “{concept.description}”; "
                         "use another name for another thing")


def check_provenance(state: PolicyState, notice: provenance.Notice | None) -> list[Diagnostic]:
    """Every quote and number against the notice; the diagnostics are reported and returned."""
    found: list[Diagnostic] = []
    for item in state.tree.items:
        if isinstance(item, ast.Clause):
            if notice is not None:
                found += provenance.check_clause(item, notice, state.enums)
        elif isinstance(item, ast.Param):
            found += provenance.check_outside_clauses(item, exempt=item.local_choice is not None)
        elif isinstance(item, (ast.InputDecl, ast.Rule, ast.Table, ast.Check, ast.Calculator)):
            found += provenance.check_outside_clauses(item)
    state.compiler.diagnostics.extend(found)
    return found


def build_policy(state: PolicyState, calcs: tuple[ir.Calculator, ...], checks: tuple[ir.Check, ...],
                 topics: tuple[ir.Topic, ...]) -> ir.Policy:
    fields = state.tree.header.fields
    return ir.Policy(
        id=state.id, path=state.source.path, title=str(fields.get("title", "")),
        doc_no=_text(fields.get("doc_no")), issuer=_text(fields.get("issuer")),
        region=_text(fields.get("region")), year=fields.get("year"),  # type: ignore[arg-type]
        date=fields.get("date"),  # type: ignore[arg-type]
        status=_text(fields.get("status")),
        effective=fields.get("effective"),  # type: ignore[arg-type]
        valid_until=fields.get("valid_until"),  # type: ignore[arg-type]
        notice=_text(fields.get("notice")),
        amends=state.base.policy.id if state.base and state.base.policy else None,
        within=state.within_id,
        clauses=tuple(
            ir.Clause(c.number, c.heading, tuple(ir.Quote(q.text, q.span.line) for q in c.quotes),
                      tuple(w.reason for w in c.waivers), c.span.line)
            for c in state.tree.items if isinstance(c, ast.Clause)
        ),
        enums=tuple(state.enums.values()),
        params=tuple(state.params[n] for n in state.order if n in state.params),
        tables=tuple(state.tables[n] for n in state.order if n in state.tables),
        inputs=tuple(state.inputs[n] for n in dict.fromkeys([*state.order, *sorted(state.inputs)])
                     if n in state.inputs),
        rules=tuple(state.rules[n] for n in resolve.rules_order(state)),
        checks=checks,
        calculators=calcs,
        topics=topics,
        conventions=tuple(sorted(state.conventions.items())),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
