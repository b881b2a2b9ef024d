"""Resolve names, check types and provenance, evaluate constants: AST → IR.

`Compiler` checks each policy file once (policies refer to each other through 使用, 修订 and
遵循).  `PolicyChecker` does one file:

1. the header, and the policies it names;
2. the declarations (own, plus those inherited from the policy it amends);
3. each declaration resolved on first use, so that order in the file does not matter and a
   cycle is found where it closes;
4. calculators, checks, provenance of every clause, and the bounds of a `遵循` policy.
"""

from __future__ import annotations

import keyword
import re
from decimal import Decimal
from pathlib import Path

import attrs

from . import ast, ir, provenance
from .diagnostics import Diagnostic, SourceFile, Span, did_you_mean
from .display import show_value
from .evaluator import EvalError, NotConstant, Scope, compare, evaluate
from .expressions import ExprChecker
from .loader import Loader, display_path, read_text
from .types import MONEY, NEVER, UNIT_KINDS, Type, comparable, of_unit

POLICY_ID = re.compile(r"[a-z_][a-z0-9_]*")


@attrs.frozen
class Entry:
    """A declaration with the clause it stands in."""

    kind: str  # param, input, rule, table
    node: ast.Param | ast.InputDecl | ast.Rule | ast.Table
    citation: ir.Citation
    inherited: bool


@attrs.frozen
class Checked:
    """A checked policy, with what a policy amending it inherits."""

    policy: ir.Policy | None
    entries: dict[str, Entry]
    calculators: dict[str, ast.Calculator]
    enums: dict[str, ir.Enum]
    vocabulary: dict[str, ir.Concept]


class Compiler:
    """Checks policy files, each once, and keeps every diagnostic."""

    def __init__(self) -> None:
        self.loader = Loader()
        self.diagnostics: list[Diagnostic] = []
        self._checked: dict[Path, Checked] = {}
        self._in_progress: set[Path] = set()
        self._notices: dict[Path, provenance.Notice | None] = {}

    def check(self, path: Path, cited_at: Span | None = None) -> Checked | None:
        key = path.resolve()
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
            self._checked[key] = Checked(None, {}, {}, {}, {})
            return self._checked[key]
        self._in_progress.add(key)
        try:
            result = PolicyChecker(self, path, source, tree).run()
        except RecursionError:
            self.report(Diagnostic("E003", "an expression is too long or too deeply nested to check",
                                   tree.header.span, "name its parts with 规则 and refer to them"))
            result = Checked(None, {}, {}, {}, {})
        finally:
            self._in_progress.discard(key)
        self._checked[key] = result
        return result

    def report(self, diag: Diagnostic) -> None:
        self.diagnostics.append(diag)

    def notice(self, path: Path, cited_at: Span) -> provenance.Notice | None:
        key = path.resolve()
        if key not in self._notices:
            text, problem = read_text(path, cited_at)
            if problem is not None:
                self.report(Diagnostic("E304", problem.message, cited_at,
                                       "the path is relative to the policy file"))
                self._notices[key] = None
            else:
                assert text is not None
                self._notices[key] = provenance.Notice.of(display_path(path), text)
        return self._notices[key]

    def text_of(self, span: Span) -> str:
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
        return " ".join(line.strip() for line in lines)

    def policies(self) -> list[ir.Policy]:
        return [c.policy for c in self._checked.values() if c.policy is not None]


class PolicyChecker:
    def __init__(self, compiler: Compiler, path: Path, source: SourceFile, tree: ast.PolicyFile):
        self.compiler = compiler
        self.path = path
        self.source = source
        self.tree = tree
        self.id = tree.header.id
        self.enums: dict[str, ir.Enum] = {}
        self.entries: dict[str, Entry] = {}
        self.order: list[str] = []  # declaration order of entries
        self.base: Checked | None = None
        self.base_alias: str | None = None
        self.calc_nodes: dict[str, ast.Calculator] = {}
        self.vocabulary: dict[str, ir.Concept] = {}  # concepts of the 主题 this policy uses
        self.within: Checked | None = None  # the policy named by 遵循
        self.within_id: str | None = None
        self.checks: list[tuple[ast.Check, ir.Citation]] = []
        # resolution state
        self.resolving: list[str] = []
        self.constant_context: list[bool] = []
        self.params: dict[str, ir.Param] = {}
        self.param_values: dict[str, ir.Value] = {}
        self.inputs: dict[str, ir.Input] = {}
        self.rules: dict[str, ir.Rule] = {}
        self.tables: dict[str, ir.Table] = {}
        self.exprs = ExprChecker(self, compiler.report)

    # ------------------------------------------------------------ the Names protocol
    def reference(self, name: str, span: Span) -> ir.Expr | None:
        entry = self.entries.get(name)
        if entry is None:
            return None
        if entry.kind == "table":
            self.report("E202", f"{name} is a table: pick a row with {name}[…]", span)
            return ir.Fail("", NEVER)
        if entry.kind in ("input", "rule") and self.constant_context and self.constant_context[-1]:
            self.report("E207", f"{name} is known only when a calculator runs", span,
                        "a 参数, a table row, a 核对 or a default must be computed from constants; "
                        "use 规则 for a value that depends on inputs")
            return ir.Fail("", NEVER)
        resolved = self.resolve(name, span)
        if resolved is None:
            return ir.Fail("", NEVER)
        return ir.Ref(entry.kind, name, resolved.type)

    def table_type(self, name: str) -> tuple[str, Type] | None:
        entry = self.entries.get(name)
        if entry is None or entry.kind != "table":
            return None
        table = self.resolve(name, entry.node.span)
        if not isinstance(table, ir.Table):
            return (entry.node.key_enum, NEVER)  # type: ignore[union-attr]
        return (table.enum, table.type)

    def base_value(self, alias: str, name: str) -> ir.Const | None:
        if alias != self.base_alias or self.base is None or self.base.policy is None:
            return None
        for param in self.base.policy.params:
            if param.name == name:
                return ir.Const(param.value, param.type, f"{alias}.{name}")
        return None

    def known_names(self) -> list[str]:
        return list(self.entries) + list(self.enums)

    # ------------------------------------------------------------ helpers
    def report(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.compiler.report(Diagnostic(code, message, span, hint))

    def scope(self) -> Scope:
        return Scope(self.param_values, self.tables, self.enums)

    def relative(self, path: str) -> Path:
        return self.path.parent / path

    def citation(self, clause: ast.Clause | None) -> ir.Citation:
        if clause is None:
            return ir.Citation(self.id, None, None)
        return ir.Citation(self.id, clause.number, clause.heading)

    def constant(self, e: ast.Expr) -> tuple[ir.Expr, ir.Value]:
        """Check an expression that must be known at compile time, and compute it."""
        self.constant_context.append(True)
        try:
            expr = self.exprs.check(e)
        finally:
            self.constant_context.pop()
        if ir.poisoned(expr):
            return expr, None
        try:
            return expr, evaluate(expr, self.scope())
        except EvalError as err:
            self.report("E403", f"cannot compute {self.compiler.text_of(e.span)}: {err}", e.span)
        except NotConstant as err:  # an inherited rule or input reached through a table
            self.report("E207", f"{err.name} is known only when a calculator runs", e.span)
        return ir.Fail("", NEVER), None

    def runtime(self, e: ast.Expr) -> ir.Expr:
        self.constant_context.append(False)
        try:
            return self.exprs.check(e)
        finally:
            self.constant_context.pop()

    # ------------------------------------------------------------ 1. header
    def run(self) -> Checked:
        header = self.tree.header
        fields = header.fields
        if not POLICY_ID.fullmatch(self.id) or keyword.iskeyword(self.id):
            self.report("E106", f"policy id {self.id!r} must be lower-case ASCII letters, digits "
                        "and _, and not a Python keyword", header.span,
                        "it becomes the name of the generated Python module")
        if "title" not in fields:
            self.report("E106", f"policy {self.id} has no 标题", header.span)
        self.load_imports(header)
        notice = self.load_notice(header)
        self.collect()
        topics = self.check_topics()
        self.resolve_all()
        self.check_vocabulary()
        calculators = self.check_calculators()
        checks = self.check_checks()
        self.check_provenance(notice)
        self.check_within(header)
        policy = ir.Policy(
            id=self.id, path=self.source.path, title=str(fields.get("title", "")),
            doc_no=_opt_str(fields.get("doc_no")), issuer=_opt_str(fields.get("issuer")),
            region=_opt_str(fields.get("region")), year=fields.get("year"),  # type: ignore[arg-type]
            date=fields.get("date"),  # type: ignore[arg-type]
            status=_opt_str(fields.get("status")), notice=_opt_str(fields.get("notice")),
            amends=self.base.policy.id if self.base and self.base.policy else None,
            within=self.within_id,
            clauses=tuple(
                ir.Clause(c.number, c.heading, tuple(ir.Quote(q.text, q.span.line) for q in c.quotes),
                          c.span.line)
                for c in self.tree.items if isinstance(c, ast.Clause)
            ),
            enums=tuple(self.enums.values()),
            params=tuple(self.params[n] for n in self.order if n in self.params),
            tables=tuple(self.tables[n] for n in self.order if n in self.tables),
            inputs=tuple(self.inputs[n] for n in self.order if n in self.inputs),
            rules=tuple(self.rules[n] for n in self.rules_order()),
            checks=checks,
            calculators=calculators,
            topics=topics,
        )
        return Checked(policy, self.entries, self.calc_nodes, self.enums, self.vocabulary)

    def load_imports(self, header: ast.Header) -> None:
        for use in header.uses:
            used = self.compiler.check(self.relative(use.path), use.span)
            if used is None or used.policy is None:
                continue
            for enum in used.enums.values():
                self.add_enum(enum, use.span)
            self.vocabulary.update(used.vocabulary)
        if header.within is not None:
            self.within = self.compiler.check(self.relative(header.within.path), header.within.span)
            if self.within and self.within.policy:
                self.within_id = self.within.policy.id
        if header.amends is not None:
            base = self.compiler.check(self.relative(header.amends.path), header.amends.span)
            if base is None or base.policy is None:
                return
            self.base, self.base_alias = base, header.amends.alias
            for enum in base.enums.values():
                self.add_enum(enum, header.amends.span)
            self.vocabulary.update(base.vocabulary)
            for name, entry in base.entries.items():
                self.entries[name] = attrs.evolve(entry, inherited=True)
                self.order.append(name)

    def load_notice(self, header: ast.Header) -> provenance.Notice | None:
        notice_path = header.fields.get("notice")
        has_clauses = any(isinstance(i, ast.Clause) for i in self.tree.items)
        if notice_path is None:
            if has_clauses:
                self.report("E106", f"policy {self.id} has clauses but no 通知 (the notice file)",
                            header.span, '通知 "notices/….txt", relative to this file')
            return None
        notice = self.compiler.notice(self.relative(str(notice_path)), header.span)
        date = header.fields.get("date")
        if notice is not None and date is not None:
            lit = ast.DateLit(date, str(date), header.span)  # type: ignore[arg-type]
            if not provenance.number_pattern(lit).search(notice.normalized):
                self.report("E302", f"the date {date} does not occur in the notice", header.span)
        return notice

    def add_enum(self, enum: ir.Enum, span: Span) -> None:
        known = self.enums.get(enum.name)
        if known is not None and known != enum:
            self.report("E102", f"two different enumerations are called {enum.name}", span)
        self.enums[enum.name] = enum

    # ------------------------------------------------------------ 2. declarations
    def collect(self) -> None:
        own: set[str] = set()
        continued: list[ast.Continued] = []
        for item in self.tree.items:
            if isinstance(item, ast.Clause):
                for decl in item.decls:
                    self.add_decl(decl, self.citation(item), own)
            elif isinstance(item, ast.EnumDecl):
                self.add_own_enum(item)
            elif isinstance(item, ast.Calculator):
                if item.name in self.calc_nodes:
                    self.report("E102", f"calculator {item.name} is declared twice", item.span)
                self.calc_nodes[item.name] = item
            elif isinstance(item, ast.Continued):
                continued.append(item)
            elif isinstance(item, ast.Topic):
                pass  # check_topics
            else:
                self.add_decl(item, self.citation(None), own)
        for item in continued:
            base_calcs = self.base.calculators if self.base else {}
            if item.name not in base_calcs:
                self.report("E101", f"the amended policy has no calculator {item.name}", item.span,
                            did_you_mean(item.name, base_calcs) if base_calcs else
                            "沿用 keeps a calculator of the policy named by 修订")
            elif item.name not in self.calc_nodes:
                self.calc_nodes[item.name] = base_calcs[item.name]

    def add_own_enum(self, item: ast.EnumDecl) -> None:
        if item.name in self.enums:
            self.report("E102", f"enumeration {item.name} is declared twice", item.span)
        duplicates = {m for m in item.members if item.members.count(m) > 1}
        if duplicates:
            self.report("E102", f"{item.name} lists " + "、".join(sorted(duplicates)) + " twice",
                        item.span)
        self.enums[item.name] = ir.Enum(item.name, tuple(dict.fromkeys(item.members)))

    def add_decl(self, decl: ast.Decl, citation: ir.Citation, own: set[str]) -> None:
        if isinstance(decl, ast.Check):
            self.checks.append((decl, citation))
            return
        kind = {ast.Param: "param", ast.InputDecl: "input", ast.Rule: "rule", ast.Table: "table"}[
            type(decl)]
        if decl.name in own:
            self.report("E102", f"{decl.name} is declared twice", decl.span,
                        "a later notice changes a value with 修订, not by declaring it again")
            return
        previous = self.entries.get(decl.name)
        if previous is not None and previous.kind != kind:
            self.report("E102", f"{decl.name} was a {previous.kind} in the amended policy and "
                        f"cannot become a {kind}", decl.span)
            return
        own.add(decl.name)
        if decl.name not in self.entries:
            self.order.append(decl.name)
        self.entries[decl.name] = Entry(kind, decl, citation, False)

    def check_topics(self) -> tuple[ir.Topic, ...]:
        topics: list[ir.Topic] = []
        for item in self.tree.items:
            if not isinstance(item, ast.Topic):
                continue
            if any(t.slug == item.slug for t in topics):
                self.report("E102", f"topic {item.slug} is declared twice", item.span)
            concepts = []
            for node in item.concepts:
                if node.name in self.vocabulary:
                    self.report("E102", f"concept {node.name} is already in the vocabulary", node.span,
                                "a name means one thing: declare each concept in one topic")
                    continue
                concept = ir.Concept(node.name, self.type_of(node.type), node.description)
                self.vocabulary[node.name] = concept
                concepts.append(concept)
            topics.append(ir.Topic(item.slug, item.title, tuple(concepts)))
        return tuple(topics)

    def check_vocabulary(self) -> None:
        """A name of the shared vocabulary keeps its unit in every policy that uses it."""
        for name, entry in self.entries.items():
            concept = self.vocabulary.get(name)
            resolved = self.resolve(name, entry.node.span)
            if concept is None or entry.inherited or resolved is None or entry.kind == "rule":
                continue
            typ = resolved.type.required()
            if typ.kind in ("never", "zero", "unbounded") or concept.type.kind == "never":
                continue
            if typ != concept.type:
                self.report("E201", f"{name} is {typ} here but {concept.type} in the shared vocabulary",
                            entry.node.span, f"the vocabulary says {name} is “{concept.description}”; "
                            "use another name for another thing")

    # ------------------------------------------------------------ 3. resolution
    def resolve_all(self) -> None:
        for name in list(self.order):
            self.resolve(name, self.entries[name].node.span)

    def resolve(self, name: str, span: Span) -> ir.Param | ir.Input | ir.Rule | ir.Table | None:
        for done in (self.params, self.inputs, self.rules, self.tables):
            if name in done:
                return done[name]
        if name in self.resolving:
            cycle = self.resolving[self.resolving.index(name):] + [name]
            self.report("E105", "cycle: " + " → ".join(cycle), span,
                        "a value cannot be computed from itself")
            return None
        entry = self.entries[name]
        self.resolving.append(name)
        try:
            return getattr(self, "resolve_" + entry.kind)(entry)  # type: ignore[no-any-return]
        finally:
            self.resolving.pop()

    def resolve_param(self, entry: Entry) -> ir.Param:
        node = entry.node
        assert isinstance(node, ast.Param)
        expr, value = self.constant(node.value.expr)
        param = ir.Param(node.name, expr.type, value, node.value.qualifier, node.value.soft, expr,
                         self.compiler.text_of(node.value.span), entry.citation, node.local_choice,
                         node.span.line)
        self.params[node.name] = param
        self.param_values[node.name] = value
        return param

    def resolve_rule(self, entry: Entry) -> ir.Rule:
        node = entry.node
        assert isinstance(node, ast.Rule)
        expr = self.runtime(node.expr)
        rule = ir.Rule(node.name, expr.type, expr, self.compiler.text_of(node.expr.span),
                       ir.refs(expr), entry.citation, node.span.line)
        self.rules[node.name] = rule
        return rule

    def resolve_input(self, entry: Entry) -> ir.Input:
        node = entry.node
        assert isinstance(node, ast.InputDecl)
        declared = self.type_of(node.type)
        default: ir.Expr | None = None
        if node.default is not None:
            expr, value = self.constant(node.default)
            default = ir.Const(value, expr.type, self.compiler.text_of(node.default.span))
            if expr.type != NEVER and declared != NEVER and not comparable(expr.type, declared):
                self.report("E201", f"the default of {node.name} is {expr.type}, not {declared}",
                            node.default.span)
        typ = attrs.evolve(declared, optional=node.optional and default is None)
        # The input exists (with its type) before its requirements are checked: a bound may
        # refer to another input, and that one's bound back to this one.
        self.inputs[node.name] = ir.Input(node.name, node.kind, typ, default, (), entry.citation,
                                          node.span.line)
        requirements = tuple(self.requirement(node, req, typ, entry.citation)
                             for req in node.requirements)
        result = attrs.evolve(self.inputs[node.name], requirements=requirements)
        self.inputs[node.name] = result
        if isinstance(default, ir.Const) and default.value is not None:
            self.check_default(node, result, default.value)
        return result

    def requirement(self, node: ast.InputDecl, req: ast.Requirement, typ: Type,
                    citation: ir.Citation) -> ir.Requirement:
        bound = self.runtime(req.bound)
        if bound.type != NEVER and typ != NEVER:
            fits = comparable(typ.required(), bound.type) or (
                typ.kind == "schedule" and bound.type.kind == "rate")
            if not fits:
                self.report("E201", f"{node.name} is {typ}; it cannot be bounded by {bound.type}",
                            req.span)
        if ir.refs(bound, ("rule",)):
            self.report("E207", "a bound may read parameters and inputs, not rules", req.span)
        return ir.Requirement(req.op, bound, req.soft, self.compiler.text_of(req.span),
                              self.compiler.text_of(req.bound.span), citation)

    def check_default(self, node: ast.InputDecl, inp: ir.Input, value: ir.Value) -> None:
        for req in inp.requirements:
            if ir.poisoned(req.bound):
                continue
            try:
                bound = evaluate(req.bound, self.scope())
            except (NotConstant, EvalError):
                continue
            if not req.soft and isinstance(value, Decimal) and isinstance(bound, Decimal) and \
                    not compare(req.op, value, bound):
                self.report("E402", f"the default of {node.name} breaks its own bound "
                            f"{req.source}", node.span)

    def resolve_table(self, entry: Entry) -> ir.Table:
        node = entry.node
        assert isinstance(node, ast.Table)
        enum = self.enums.get(node.key_enum)
        rows: list[ir.TableRow] = []
        value_type: Type = NEVER
        seen: set[str | None] = set()
        for row in node.rows:
            if enum is not None and row.key is not None and row.key not in enum.members:
                self.report("E103", f"{enum.name} has no member {row.key}", row.span,
                            did_you_mean(row.key, enum.members))
            if row.key in seen:
                self.report("E102", f"table {node.name} has two rows for {row.key or '其他'}", row.span)
            seen.add(row.key)
            expr, value = self.constant(row.value.expr)
            value_type = self.exprs.unify(value_type, expr.type, row.span)
            rows.append(ir.TableRow(row.key, value, row.value.qualifier,
                                    self.compiler.text_of(row.value.span)))
        if enum is None:
            self.report("E101", f"unknown enumeration {node.key_enum}", node.span,
                        did_you_mean(node.key_enum, self.enums))
            enum = ir.Enum(node.key_enum, ())
        missing = [m for m in enum.members if m not in seen]
        if missing and None not in seen:
            self.report("E203", f"table {node.name} has no row for " +
                        "、".join(f"{enum.name}.{m}" for m in missing), node.span,
                        "add the rows, or a 其他 row for the members the notice does not name")
        table = ir.Table(node.name, enum.name, value_type, tuple(rows), entry.citation,
                         node.span.line)
        self.tables[node.name] = table
        return table

    def type_of(self, ref: ast.TypeRef) -> Type:
        if ref.kind == "unit":
            return of_unit(ref.value) if ref.value in UNIT_KINDS else MONEY
        if ref.value not in self.enums:
            self.report("E101", f"unknown type {ref.value}", ref.span,
                        did_you_mean(ref.value, self.enums) or
                        "types: 元 % 个百分点 倍 年 个月 人 次 日期 是否 分段, an enumeration, 一组 <枚举>")
            return NEVER
        return Type("list" if ref.kind == "list" else "enum", ref.value)

    def rules_order(self) -> list[str]:
        own = [n for n in self.order if n in self.rules]
        return own + [n for n in self.rules if n not in own]

    # ------------------------------------------------------------ 4. calculators, checks
    def check_calculators(self) -> tuple[ir.Calculator, ...]:
        return tuple(self.calculator(node) for node in self.calc_nodes.values())

    def calculator(self, node: ast.Calculator) -> ir.Calculator:
        outputs: list[ir.Output] = []
        for out in node.outputs:
            if any(o.name == out.name for o in outputs):
                self.report("E102", f"output {out.name} is declared twice", out.span)
                continue
            expr = self.runtime(out.expr if out.expr is not None else ast.Name(out.name, out.span))
            if isinstance(expr, ir.Ref) and expr.kind == "rule":  # 输出 X or 输出 X = 规则名
                outputs.append(ir.Output(out.name, expr.name))
                continue
            if out.expr is not None and self.entries.get(out.name, None) is not None and \
                    self.entries[out.name].kind == "rule":
                self.report("E102", f"output {out.name} has the name of a rule but another formula",
                            out.span, f"write `输出 {out.name}` to output the rule")
            local = f"{node.name}.{out.name}"
            self.rules[local] = ir.Rule(
                local, expr.type, expr, self.compiler.text_of(out.span).split("=", 1)[-1].strip(),
                ir.refs(expr), ir.Citation(self.id, None, None), out.span.line)
            outputs.append(ir.Output(out.name, local))
        rules = self.rule_closure([o.rule for o in outputs])
        inputs = self.input_closure(rules)
        base_policy = self.base.policy if self.base else None
        origin = base_policy.id if base_policy and node not in self.tree.items else self.id
        return ir.Calculator(node.name, node.title, inputs, tuple(rules), tuple(outputs), origin)

    def rule_closure(self, roots: list[str]) -> list[str]:
        ordered: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in ordered or name in path or name not in self.rules:
                return
            for dep in self.rules[name].deps:
                visit(dep, path + (name,))
            ordered.append(name)

        for root in roots:
            visit(root, ())
        return ordered

    def input_closure(self, rules: list[str]) -> tuple[str, ...]:
        needed: set[str] = set()
        pending = [d for r in rules for d in self.rules[r].deps if d in self.inputs]
        while pending:
            name = pending.pop()
            if name in needed:
                continue
            needed.add(name)
            for req in self.inputs[name].requirements:
                pending.extend(ir.refs(req.bound, ("input",)))
        return tuple(n for n in self.order if n in needed)

    def check_checks(self) -> tuple[ir.Check, ...]:
        results: list[ir.Check] = []
        for node, citation in self.checks:
            expr, value = self.constant(node.expr)
            if value is None:  # an error inside it was reported already
                continue
            if expr.type.kind != "bool":
                self.report("E202", f"核对 needs a statement that is true or false, not {expr.type}",
                            node.span, "for example 核对 筹资标准 = 财政补助 + 个人缴费")
                continue
            detail = self.check_detail(expr, holds=value is True)
            if value is False:
                self.report("E401", f"the check does not hold: {detail}", node.span,
                            "the notice's own arithmetic disagrees with the values of the policy")
            results.append(ir.Check(self.compiler.text_of(node.expr.span), expr, bool(value), detail,
                                    citation, node.span.line))
        return tuple(results)

    def check_detail(self, expr: ir.Expr, holds: bool) -> str:
        """Both sides' values: `1030 元 ≠ 1020 元` when a comparison fails."""
        if not isinstance(expr, ir.Compare) or ir.poisoned(expr):
            return ""
        try:
            left = evaluate(expr.left, self.scope())
            right = evaluate(expr.right, self.scope())
        except (EvalError, NotConstant):
            return ""
        op = SHOWN_OPS[expr.op] if holds else NEGATED_OPS[expr.op]
        return f"{show_value(left, expr.left.type)} {op} {show_value(right, expr.right.type)}"

    # ------------------------------------------------------------ 5. provenance, bounds
    def check_provenance(self, notice: provenance.Notice | None) -> None:
        for item in self.tree.items:
            if isinstance(item, ast.Clause):
                if notice is not None:
                    for diag in provenance.check_clause(item, notice):
                        self.compiler.report(diag)
            elif isinstance(item, ast.Param):
                self.compiler.diagnostics.extend(
                    provenance.check_outside_clauses(item, exempt=item.local_choice is not None))
            elif isinstance(item, (ast.InputDecl, ast.Rule, ast.Table, ast.Check, ast.Calculator)):
                self.compiler.diagnostics.extend(provenance.check_outside_clauses(item))

    def check_within(self, header: ast.Header) -> None:
        if self.within is None or self.within.policy is None or header.within is None:
            return
        bounds = {p.name: p for p in self.within.policy.params}
        for param in self.params.values():
            outer = bounds.get(param.name)
            if outer is None or self.entries[param.name].inherited:
                continue
            if not (isinstance(param.value, Decimal) and isinstance(outer.value, Decimal)):
                continue
            broken = (outer.qualifier.startswith("at_least") and param.value < outer.value) or (
                outer.qualifier.startswith("at_most") and param.value > outer.value)
            if broken:
                self.report(
                    "W401" if outer.soft or outer.qualifier.endswith("about") else "E402",
                    f"{param.name} = {show_value(param.value, param.type)} breaks "
                    f"{self.within.policy.id}'s {outer.source} ({outer.citation})",
                    self.entries[param.name].node.span)


SHOWN_OPS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
NEGATED_OPS = {"==": "≠", "!=": "=", "<": "≥", "<=": ">", ">": "≤", ">=": "<"}


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)

