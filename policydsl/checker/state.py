"""What the phases of checking one policy file share: its declarations, what is resolved so
far, and the `Names` the expression checker asks (expressions.Names)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .. import ast, ir
from ..diagnostics import Diagnostic, Note, SourceFile, Span
from ..evaluator import EvalError, NotConstant, Scope, evaluate
from ..expressions import ExprChecker
from ..types import NEVER, Type
from ..words import CONVENTION_WORDS
from .compiler import Checked, Compiler, Entry


class PolicyState:
    def __init__(self, compiler: Compiler, path: Path, source: SourceFile, tree: ast.PolicyFile):
        self.compiler = compiler
        self.path = path
        self.source = source
        self.tree = tree
        self.id = tree.header.id
        # what the file declares (phase 2)
        self.enums: dict[str, ir.Enum] = {}
        self.entries: dict[str, Entry] = {}
        self.order: list[str] = []  # declaration order of entries
        self.calc_nodes: dict[str, ast.Calculator] = {}
        self.vocabulary: dict[str, ir.Concept] = {}  # concepts of the 主题 this policy uses
        self.conventions: dict[str, bool] = {}  # 约定: word → includes its number
        self.checks: list[tuple[ast.Check, ir.Citation]] = []
        # the policies it names (phase 1)
        self.base: Checked | None = None
        self.base_alias: str | None = None
        self.within: Checked | None = None  # the policy named by 遵循
        self.within_id: str | None = None
        # resolution (phase 3)
        self.resolving: list[str] = []
        self.constant_context: list[bool] = []
        self.params: dict[str, ir.Param] = {}
        self.param_values: dict[str, ir.Value] = {}
        self.inputs: dict[str, ir.Input] = {}
        self.rules: dict[str, ir.Rule] = {}
        self.tables: dict[str, ir.Table] = {}
        self.partial_tables: dict[str, ir.Table] = {}  # a table whose rows read its earlier rows
        self.exprs = ExprChecker(self, compiler.report)

    # ------------------------------------------------------------ helpers
    def report(self, code: str, message: str, span: Span, hint: str | None = None,
               notes: tuple[Note, ...] = ()) -> None:
        self.compiler.report(Diagnostic(code, message, span, hint, notes))

    def scope(self) -> Scope:
        tables = {**self.tables, **self.partial_tables}
        return Scope(self.param_values, tables, self.enums, self.rules)

    def relative(self, path: str) -> Path:
        return self.path.parent / path

    def citation(self, clause: ast.Clause | None) -> ir.Citation:
        if clause is None:
            return ir.Citation(self.id, None, None)
        return ir.Citation(self.id, clause.number, clause.heading)

    def text_of(self, span: Span) -> str:
        return self.compiler.text_of(span)

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
            self.report("E403", f"cannot compute {self.text_of(e.span)}: {err}", e.span)
        except NotConstant as err:  # an inherited rule or input reached through a table
            self.report("E207", f"{err.name} is known only when a calculator runs", e.span)
        return ir.Fail("", NEVER), None

    def runtime(self, e: ast.Expr) -> ir.Expr:
        self.constant_context.append(False)
        try:
            return self.exprs.check(e)
        finally:
            self.constant_context.pop()

    @property
    def in_constant(self) -> bool:
        return bool(self.constant_context) and self.constant_context[-1]

    def resolve(self, name: str, span: Span) -> ir.Param | ir.Input | ir.Rule | ir.Table | None:
        from .resolve import resolve

        return resolve(self, name, span)

    # ------------------------------------------------------------ the Names protocol
    def reference(self, name: str, span: Span) -> ir.Expr | None:
        entry = self.entries.get(name)
        if entry is None:
            return None
        if entry.kind == "table":
            self.report("E202", f"{name} is a table: pick a row with {name}[…]", span)
            return ir.Fail("", NEVER)
        if entry.kind in ("input", "rule") and self.in_constant:
            self.report("E207", f"{name} is known only when a calculator runs", span,
                        "a 参数, a table row, a 核对 or a default must be computed from constants; "
                        "use 规则 for a value that depends on inputs")
            return ir.Fail("", NEVER)
        resolved = self.resolve(name, span)
        if resolved is None:
            return ir.Fail("", NEVER)
        if isinstance(resolved, ir.Param) and not self.in_constant:
            return self._param_at_run_time(resolved, span)
        return ir.Ref(entry.kind, name, resolved.type)

    def _param_at_run_time(self, param: ir.Param, span: Span) -> ir.Expr:
        """A 平均达到 target is never a value for one person; a 原则上 value is a default the
        caller may replace (it becomes an input of the calculators that read it)."""
        if param.qualifier == "average":
            self.report("E208", f"{param.name} is a target over a population (平均达到), not a value "
                        "for one person", span, "a calculator cannot use it; the tables show it")
            return ir.Fail("", NEVER)
        if param.soft and isinstance(param.value, (Decimal, bool)):
            if param.name not in self.inputs:
                default = ir.Const(param.value, param.type, param.source)
                self.inputs[param.name] = ir.Input(param.name, "原则上", param.type, default, (),
                                                   param.citation, param.line)
            return ir.Ref("input", param.name, param.type)
        return ir.Ref("param", param.name, param.type)

    def table_type(self, name: str) -> tuple[tuple[str, ...], Type] | None:
        entry = self.entries.get(name)
        if entry is None or entry.kind != "table":
            return None
        node = entry.node
        assert isinstance(node, ast.Table)
        if name in self.partial_tables:  # a row reading an earlier row of its own table
            partial = self.partial_tables[name]
            return (partial.keys, partial.type)
        table = self.resolve(name, node.span)
        if not isinstance(table, ir.Table):
            return (node.key_enums, NEVER)
        return (table.keys, table.type)

    def base_value(self, alias: str, name: str) -> ir.Const | None:
        if alias != self.base_alias or self.base is None or self.base.policy is None:
            return None
        if not self.base.policy.has("param", name):
            return None
        param = self.base.policy.param(name)
        return ir.Const(param.value, param.type, f"{alias}.{name}")

    def known_names(self) -> list[str]:
        return list(self.entries) + list(self.enums)

    def includes(self, word: str) -> bool:
        """Whether 以上 (以下, 未满 …) includes its number: the notice's 约定, else the civil
        code's reading."""
        return self.conventions.get(word, CONVENTION_WORDS.get(word, (">", True))[1])

    def recomputed(self, rule: str, name: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """For `rule 当 name 为 …`: the rules from `name` up to `rule` (dependencies first), and
        what else they read."""
        depends: dict[str, bool] = {}
        chain: list[str] = []

        def visit(current: str) -> bool:
            if current in depends:
                return depends[current]
            depends[current] = False  # a cycle is reported by resolve
            resolved = self.resolve(current, Span(str(self.path), 0, 0, 0, 0))
            if not isinstance(resolved, ir.Rule):
                return False
            hit = False
            for dep in resolved.deps:
                hit = (dep == name or (self.entries.get(dep) is not None
                                       and self.entries[dep].kind == "rule" and visit(dep))) or hit
            depends[current] = hit
            if hit:
                chain.append(current)
            return hit

        visit(rule)
        reads: dict[tuple[str, str], None] = {}
        for member in chain:
            for dep in self.rules[member].deps:
                if dep != name and dep not in chain:
                    reads.setdefault(("input" if dep in self.inputs else "rule", dep))
        return tuple(chain), tuple(reads)
