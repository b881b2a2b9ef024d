"""Phase 2: what the file declares — enumerations, declarations in their clauses, calculators,
topics of the vocabulary, 约定 — and that every name means one thing: once declared, and not
spelt so that it reads like (or becomes in generated code) another."""

from __future__ import annotations

import unicodedata

from .. import ast, ir
from ..diagnostics import Note, Span, did_you_mean
from ..escaping import pyident
from .compiler import Entry
from .state import PolicyState

KINDS = {ast.Param: "param", ast.InputDecl: "input", ast.Rule: "rule", ast.Table: "table"}


def collect(state: PolicyState) -> None:
    own: dict[str, Span] = {}
    continued: list[ast.Continued] = []
    for item in state.tree.items:
        if isinstance(item, ast.Clause):
            for convention in item.conventions:
                state.conventions[convention.word] = convention.includes
            for decl in item.decls:
                add_decl(state, decl, state.citation(item), own)
        elif isinstance(item, ast.EnumDecl):
            add_own_enum(state, item)
        elif isinstance(item, ast.Calculator):
            if item.name in state.calc_nodes:
                state.report("E102", f"calculator {item.name} is declared twice", item.span,
                             notes=(Note(state.calc_nodes[item.name].span, "first declared"),))
            state.calc_nodes[item.name] = item
        elif isinstance(item, ast.Continued):
            continued.append(item)
        elif not isinstance(item, ast.Topic):  # topics: check_topics
            add_decl(state, item, state.citation(None), own)
    for item in continued:
        keep_calculator(state, item)


def keep_calculator(state: PolicyState, item: ast.Continued) -> None:
    base_calcs = state.base.calculators if state.base else {}
    if item.name not in base_calcs:
        state.report("E101", f"the amended policy has no calculator {item.name}", item.span,
                     did_you_mean(item.name, base_calcs) if base_calcs else
                     "沿用 keeps a calculator of the policy named by 修订")
    elif item.name not in state.calc_nodes:
        state.calc_nodes[item.name] = base_calcs[item.name]


def add_own_enum(state: PolicyState, item: ast.EnumDecl) -> None:
    if item.name in state.enums:
        state.report("E102", f"enumeration {item.name} is declared twice", item.span)
    names = [m.name for m in item.members]
    duplicates = {m for m in names if names.count(m) > 1}
    if duplicates:
        state.report("E102", f"{item.name} lists " + "、".join(sorted(duplicates)) + " twice", item.span)
    members: dict[str, tuple[str, ...]] = {}
    for member in item.members:
        members.setdefault(member.name, member.aliases)
    state.enums[item.name] = ir.Enum(item.name, tuple(members), tuple(members.values()))


def add_decl(state: PolicyState, decl: ast.Decl, citation: ir.Citation, own: dict[str, Span]) -> None:
    if isinstance(decl, ast.Check):
        state.checks.append((decl, citation))
        return
    kind = KINDS[type(decl)]
    if decl.name in own:
        state.report("E102", f"{decl.name} is declared twice", decl.span,
                     "a name is one value in the whole policy, whatever clause declares it: keep "
                     "one declaration (a later notice changes a value with 修订)",
                     (Note(own[decl.name], f"{decl.name} is first declared"),))
        return
    previous = state.entries.get(decl.name)
    if previous is not None and previous.kind != kind:
        state.report("E102", f"{decl.name} was a {previous.kind} in the amended policy and "
                     f"cannot become a {kind}", decl.span,
                     notes=(Note(previous.node.span, f"the amended policy declares {decl.name}"),))
        return
    own[decl.name] = decl.span
    if decl.name not in state.entries:
        state.order.append(decl.name)
    state.entries[decl.name] = Entry(kind, decl, citation, False)


def check_topics(state: PolicyState) -> tuple[ir.Topic, ...]:
    from .resolve import type_of

    topics: list[ir.Topic] = []
    for item in state.tree.items:
        if not isinstance(item, ast.Topic):
            continue
        if any(t.slug == item.slug for t in topics):
            state.report("E102", f"topic {item.slug} is declared twice", item.span)
        if item.slug in ("index", "policy"):
            state.report("E106", f"topic {item.slug!r} would overwrite the page tables/{item.slug}",
                         item.span, "give the topic another slug")
        concepts = []
        for node in item.concepts:
            taken = [n for n in (node.name, *node.aliases) if n in state.vocabulary]
            if taken:
                state.report("E102", f"concept {taken[0]} is already in the vocabulary", node.span,
                             "a name means one thing: declare each concept in one topic")
                continue
            concept = ir.Concept(node.name, type_of(state, node.type), node.description,
                                 node.aliases, node.base)
            for name in (node.name, *node.aliases):
                state.vocabulary[name] = concept
            concepts.append(concept)
        topics.append(ir.Topic(item.slug, item.title, tuple(concepts)))
    for topic in topics:
        for concept in topic.concepts:
            if concept.base is not None and concept.base not in state.vocabulary:
                state.report("E101", f"concept {concept.name} is a share of {concept.base}, which is "
                             "not in the vocabulary", item.span)
    return tuple(topics)


# ---------------------------------------------------------------- one name, one meaning
def check_spelling(state: PolicyState) -> None:
    """Names that read like others: invisible or default-ignorable letters (U+3164 …), and
    letters of two scripts that look alike (Latin a with Cyrillic а)."""
    for name, span in _declared_names(state):
        invisible = [c for c in name if _invisible(c)]
        if invisible:
            shown = "、".join(f"U+{ord(c):04X}" for c in invisible)
            state.report("E107", f"the name {name!r} holds invisible characters ({shown})", span,
                         "retype the name with visible letters only")
        elif _mixed_scripts(name):
            state.report("E107", f"the name {name!r} mixes letters of scripts that look alike", span,
                         "use one alphabet: a Latin letter and its Cyrillic or Greek twin read the same")


def check_identifiers(state: PolicyState) -> None:
    """Two names that generated code would spell the same (after NFKC and escaping) are one
    name there: 参数 ﬁ beside 输入 fi.  Checked over every scope a name lands in: the module
    (parameters, tables, enumerations, calculators, rule functions) and the calculators'
    parameters and results (inputs, rules, outputs, 累计)."""
    module: dict[str, tuple[str, Span]] = {}
    for name, span in _declared_names(state, members=False, outputs=False):
        entry = state.entries.get(name)
        if entry is not None and entry.inherited:
            continue
        _claim(state, module, pyident(name), name, span)
        if entry is not None and entry.kind == "rule":
            _claim(state, module, pyident("规则_" + name), name, span)
    for calc in state.calc_nodes.values():
        fields: dict[str, tuple[str, Span]] = {}
        for output in calc.outputs:
            _claim(state, fields, pyident(output.name), output.name, output.span)
    for enum in state.enums.values():
        seen: dict[str, tuple[str, Span]] = {}
        for member in enum.members:
            _claim(state, seen, pyident(member), member, state.tree.header.span)


def _claim(state: PolicyState, taken: dict[str, tuple[str, Span]], ident: str, name: str,
           span: Span) -> None:
    first = taken.setdefault(ident, (name, span))
    if first[0] != name:
        state.report("E102", f"{name} and {first[0]} are one name in generated code ({ident})",
                     span, "Python reads names after NFKC normalisation and policydsl escapes "
                     "some letters: rename one of them",
                     (Note(first[1], f"{first[0]} is declared"),))


def _declared_names(state: PolicyState, members: bool = True, outputs: bool = True
                    ) -> list[tuple[str, Span]]:
    names = [(name, entry.node.span) for name, entry in state.entries.items() if not entry.inherited]
    names += [(name, node.span) for name, node in state.calc_nodes.items()]
    for item in state.tree.items:
        if isinstance(item, ast.EnumDecl):
            names.append((item.name, item.span))
            if members:
                names += [(m.name, m.span) for m in item.members]
        elif isinstance(item, ast.Calculator) and outputs:
            names += [(o.name, o.span) for o in item.outputs]
    return names


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Co", "Cn") or char in "\u3164\uffa0\u115f\u1160\u2800\u200b"


_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _mixed_scripts(name: str) -> bool:
    scripts = {next((s for s in _SCRIPTS if unicodedata.name(c, "").startswith(s)), None)
               for c in name if c.isalpha()}
    return len(scripts - {None}) > 1
