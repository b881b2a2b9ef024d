"""`policydsl check`: every problem of every policy, with file:line:col."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .support import guarded, report


@click.command(epilog="""\b
Examples:
  policydsl check policies/                 every .policy file below policies/
  policydsl check policies/nmg/nmg_2023_resident.policy
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@guarded
def command(paths: tuple[Path, ...]) -> None:
    """Check policy files (or folders, recursively) and report every problem found.

    Exit code 0 when clean (warnings allowed), 1 when there is an error.
    """
    result = api.check(list(paths))
    report(result)
    if not result.ok:
        sys.exit(1)
    click.echo(f"ok: {len(result.policies)} policies checked, "
               f"{sum(len(c.quotes) for p in result.policies for c in p.clauses)} quotes verified")
