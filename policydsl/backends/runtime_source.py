"""Copying helpers out of a real module: the source of each top-level definition, and the
definitions it uses.  The Python backend takes from `python_runtime` only what a generated
module needs (a module that never converts a rate carries no `_rate`)."""

from __future__ import annotations

import ast
import inspect
from types import ModuleType

import attrs


@attrs.frozen
class Definition:
    name: str
    source: str
    uses: frozenset[str]  # the module's other top-level names it reads


@attrs.frozen
class HelperSource:
    definitions: dict[str, Definition]  # in the order of the module

    @classmethod
    def of(cls, module: ModuleType) -> HelperSource:
        text = inspect.getsource(module)
        tree = ast.parse(text)
        lines = text.split("\n")
        found: dict[str, Definition] = {}
        for node in tree.body:
            names = _names(node)
            if not names:
                continue
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            assert node.end_lineno is not None
            source = "\n".join(lines[start - 1 : node.end_lineno])
            used = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
            for name in names:
                found[name] = Definition(name, source, used)
        return cls({name: attrs.evolve(d, uses=d.uses & found.keys() - {name})
                    for name, d in found.items()})

    def source_of(self, wanted: set[str]) -> list[str]:
        """The source of the wanted definitions and of everything they use, in module order."""
        needed: set[str] = set()
        pending = [name for name in wanted if name in self.definitions]
        unknown = wanted - self.definitions.keys()
        if unknown:
            raise KeyError(f"no helper {sorted(unknown)} in the runtime module")
        while pending:
            name = pending.pop()
            if name not in needed:
                needed.add(name)
                pending.extend(self.definitions[name].uses)
        sources: list[str] = []
        for name, definition in self.definitions.items():
            if name in needed and definition.source not in sources:
                sources.append(definition.source)
        return sources


def _names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    return []
