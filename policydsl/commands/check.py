"""`policydsl check`: every problem of every policy, with file:line:col.

`--format` chooses how the diagnostics are printed (ruff's `--output-format` is the model):
`text` for people (on stderr, with the source line and a caret), `github` for GitHub Actions
(workflow commands on stdout, which become annotations on the pull request's lines), `json`
for other tools (an array on stdout).  The exit code is the same in every format.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from ..diagnostic_formats import diagnostics_json, github_annotations
from ..diagnostics import summary
from .support import guarded, report, root_option


@click.command(epilog="""\b
Examples:
  policydsl check policies/                 every .policy file below policies/
  policydsl check policies/nmg/nmg_2023_resident.policy
  policydsl check --format github policies  in GitHub Actions: annotations on the PR's lines
  policydsl check --format json policies    a JSON array of diagnostics, for other tools
  policydsl check --root . policies         a policy may name only files below . (the
                                            default: the folder holding .git or pyproject.toml)
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "github", "json"]),
              default="text", show_default=True,
              help="text: for people, on stderr. github: workflow commands (annotations) on "
                   "stdout. json: an array of {path, line, column, end_line, end_column, code, "
                   "severity, message, hint} on stdout.")
@root_option
@guarded
def command(paths: tuple[Path, ...], output_format: str, root: Path | None) -> None:
    """Check policy files (or folders, recursively) and report every problem found.

    Exit code 0 when clean (warnings allowed), 1 when there is an error.
    """
    result = api.check(list(paths), root)
    if output_format == "json":
        click.echo(diagnostics_json(result.diagnostics), nl=False)
    elif output_format == "github":
        click.echo(github_annotations(result.diagnostics), nl=False)
        if result.diagnostics:  # the count, for a person reading the job's log
            click.echo(summary(list(result.diagnostics)), err=True)
    else:
        report(result)
    if not result.ok:
        sys.exit(1)
    if output_format != "json":  # json holds nothing but diagnostics; a job's log reads the ok line
        click.echo(f"ok: {len(result.policies)} policies checked, "
                   f"{sum(len(c.quotes) for p in result.policies for c in p.clauses)} quotes verified")
