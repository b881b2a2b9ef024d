"""`policydsl diff OLD NEW`: what changed between two policies (a report: exit 0 either way)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import ir
from ..diff import diff, render_markdown, render_text
from ..loader import real_path
from .support import check_or_exit, guarded, root_option


def policy_at(policies: tuple[ir.Policy, ...], file: Path) -> ir.Policy:
    found = [p for p in policies if real_path(Path(p.path)) == real_path(file)]
    if not found:
        raise click.UsageError(f"{file} holds no policy")
    return found[0]


@click.command(epilog="""\b
Examples:
  policydsl diff policies/nmg/nmg_2023_resident.policy policies/nmg/nmg_2024_resident.policy
      two years of one region: 财政补助: ≥640 元 → ≥670 元 (nmg_2023_resident 一, …)
  policydsl diff policies/nmg/nmg_2023_resident.policy policies/shanxi/xinzhou_2023_resident.policy
      two regions of one year
  policydsl diff OLD.policy NEW.policy --markdown > diff.md
      a table to paste into a pull request
""")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--markdown", is_flag=True, help="Print a GitHub Markdown table instead of text.")
@root_option
@guarded
def command(old: Path, new: Path, markdown: bool, root: Path | None) -> None:
    """Show what changed from OLD to NEW: parameters, table rows, inputs, rules and
    calculators added (+), removed (-) or changed (~), with old → new values and the clauses
    they come from.

    A policy that amends another (修订) is compared with what it inherits, and the report
    says which declarations are inherited.  Exit code 0 whatever the differences (it is a
    report), 1 if either policy has errors, 2 for a usage error.
    """
    result = check_or_exit([old, new], root)
    changes = diff(policy_at(result.policies, old), policy_at(result.policies, new))
    click.echo(render_markdown(changes) if markdown else render_text(changes), nl=False)
