"""The stages of policydsl as functions, so that tools and tests can stop anywhere.

    parse_file(path)        → AST and diagnostics
    check(paths)            → IR of every policy and all diagnostics
    compile_python(policy)  → the source of the generated calculator module
    compile_tables(policies)→ the Markdown pages
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from . import ast, ir
from .checker import Compiler
from .diagnostics import Diagnostic, SourceFile, Span, sort_key
from .loader import Loader, display_path, real_path


@attrs.frozen
class CheckResult:
    policies: tuple[ir.Policy, ...]  # ordered by path
    diagnostics: tuple[Diagnostic, ...]  # sorted by file and position
    sources: dict[str, SourceFile]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def find_policy_files(paths: Iterable[Path], loader: Loader | None = None,
                      ) -> tuple[list[Path], list[Diagnostic]]:
    """The .policy files named, or found below the folders named, in a stable order.  Each path
    is told to the loader, which reads a file found below a folder only inside that folder's
    project (a link out of it is refused).  A file found twice (through a link) is kept once."""
    loader = loader or Loader()
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            loader.name(path)
            found.extend(p.absolute() for p in sorted(path.rglob("*.policy")))
        elif os.path.lexists(path):
            loader.name(path)
            found.append(path.absolute())
        else:
            problems.append(Diagnostic("E001", f"{path} does not exist",
                                       Span(display_path(path), 0, 0, 0, 0)))
    unique = {real_path(p): p for p in reversed(found)}  # the first path of each
    return sorted(unique.values(), key=display_path), problems


def parse_file(path: Path) -> tuple[ast.PolicyFile | None, list[Diagnostic]]:
    _, tree, diags = Loader().load(path)
    return tree, diags


def check(paths: Sequence[Path], root: Path | None = None) -> CheckResult:
    """Check the policy files named or found below the folders named.  `root` is the project
    root (`--root`); without it, each file's is the nearest folder above it with .git or
    pyproject.toml (policydsl/loader.py says what a policy may read)."""
    loader = Loader(root)
    files, problems = find_policy_files(paths, loader)
    compiler = Compiler(loader)
    for path in files:
        compiler.check(path)
    policies = sorted(compiler.policies(), key=lambda p: (p.path, p.id))
    diags = sorted(set(problems + compiler.diagnostics), key=sort_key)
    return CheckResult(tuple(policies), tuple(diags), compiler.loader.sources())


def generated_files(result: CheckResult) -> dict[str, str]:
    """Every file `policydsl compile` writes, by path relative to the output folder: the files
    of each registered backend (backends.BACKENDS), below the folder it owns."""
    from .backends import BACKENDS

    files: dict[str, str] = {}
    for backend in BACKENDS:
        for name, text in backend.generate(result.policies).items():
            files[f"{backend.folder}/{name}"] = text
    return dict(sorted(files.items()))
