"""`policydsl fmt`: rewrite policy files in the one canonical layout (docs/fmt.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from ..diagnostics import Diagnostic, SourceFile, Span, render_all, summary
from ..fmt import FormatResult, format_text
from ..loader import display_path, read_text
from .support import guarded


@click.command(epilog="""\b
Examples:
  policydsl fmt policies/                   format every .policy file below policies/
  policydsl fmt --check policies examples   change nothing; list the files fmt would change
  policydsl fmt policies/nmg/nmg_2024_resident.policy
""")
@click.option("--check", is_flag=True,
              help="Write nothing: list the files that would change and exit 1 if there are any.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@guarded
def command(check: bool, paths: tuple[Path, ...]) -> None:
    """Format policy files (or folders, recursively): indentation, spaces, aligned table rows,
    blank lines. Comments and quoted text are kept byte for byte; a file is written only when
    it reads exactly as before.

    A file with a syntax error is left untouched and its error shown. Exit code 0 when every
    file is formatted (or, with --check, already was), 1 on a syntax error or, with --check,
    when a file would change.
    """
    files, problems = api.find_policy_files(list(paths))
    sources: dict[str, SourceFile] = {}
    changed: list[str] = []
    untouched = 0
    for path in files:
        name = display_path(path)
        source, result = _format_file(path, name)
        if source is not None:
            sources[name] = source
        if result.text is None:
            problems.extend(result.diagnostics)
            untouched += 1
        elif result.text.encode("utf-8") != path.read_bytes():
            if path.is_symlink() and not check:  # the link may lead anywhere; write only what is named
                problems.append(Diagnostic("E001", f"{name} is a symbolic link; fmt does not write "
                                           "through links", Span(name, 0, 0, 0, 0),
                                           "format the file it leads to by its own name"))
                untouched += 1
                continue
            changed.append(name)
            if not check:
                path.write_text(result.text, encoding="utf-8", newline="")
            click.echo(f"would reformat {name}" if check else f"reformatted {name}")
    _report(problems, sources)
    verb = "would be reformatted" if check else "reformatted"
    click.echo(f"{len(changed)} file(s) {verb}, {len(files) - len(changed) - untouched} unchanged"
               + (f", {untouched} left untouched (errors above)" if untouched else ""), err=True)
    if problems or (check and changed):
        sys.exit(1)


def _format_file(path: Path, name: str) -> tuple[SourceFile | None, FormatResult]:
    """The file's source and its formatted text (None when it cannot be read or parsed)."""
    text, problem = read_text(path)
    if text is None:
        return None, FormatResult(None, [problem] if problem else [])
    return SourceFile(name, text), format_text(text, name)


def _report(problems: list[Diagnostic], sources: dict[str, SourceFile]) -> None:
    """Syntax errors and unreadable files, rendered as `policydsl check` renders them."""
    if problems:
        click.echo(render_all(problems, sources), err=True)
        click.echo(summary(problems), err=True)
