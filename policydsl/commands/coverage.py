"""`policydsl coverage`: which numbered statements of each notice the policies encode."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import click

from .support import check_or_exit, guarded, root_option


@click.command(epilog="""\b
Examples:
  policydsl coverage policies
      what is missing, as notice-file:line: sentence, then per notice:
      N statements, E encoded, W waived, M missing (P %)
  policydsl coverage policies --json
      {"notices": [{"notice": …, "statements": 23, "encoded": 21, "waived": 1,
                    "missing": [{"line": 35, "text": "…"}], …}]}
  policydsl coverage policies --fail-under 100
      exit 1 when a notice is below 100 % (encoded + waived): what CI runs
  policydsl coverage policies/shanxi --all
      every statement, its status and the clauses that use each of its numbers

docs/coverage.md says what a statement is and when it counts as encoded.
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--fail-under", "fail_under", type=click.FloatRange(0, 100), metavar="PCT",
              help="Exit 1 if (encoded + waived) / statements of any notice is below PCT %.")
@click.option("--all", "every", is_flag=True,
              help="List every statement with its status, not only the missing ones.")
@root_option
@guarded
def command(paths: tuple[Path, ...], as_json: bool, fail_under: float | None, every: bool,
            root: Path | None) -> None:
    """For each notice the policies cite, every statement (sentence, or clause of a sentence)
    that prints a normative number — amount, rate, count, period, date, age — and whether it
    is encoded (a clause quotes it and uses each of its numbers), waived (a clause quoting it
    says 不计算 "reason") or missing.  Structural numbers (文号, headings, the notice's own
    date, page and phone numbers) are not statements.

    Exit code 0, or 1 if the policies have errors or a notice is below --fail-under.
    """
    from .. import coverage

    result = check_or_exit(list(paths), root)
    try:
        coverages = coverage.of_policies(result.policies)
    except coverage.CoverageError as err:
        raise click.ClickException(str(err)) from err
    if not coverages:
        click.echo("no policy among these cites a notice (通知 \"….txt\")", err=True)
    if as_json:
        click.echo(json.dumps(coverage.to_json(coverages), ensure_ascii=False, indent=2))
    else:
        click.echo(coverage.render_text(coverages, every=every), nl=False)
    if fail_under is None:
        return
    threshold = Decimal(str(fail_under))
    below = [c for c in coverages if c.below(threshold)]
    for item in below:
        click.echo(f"{item.notice}: coverage {item.percent} % is below {fail_under:g} % "
                   f"({len(item.missing)} missing)", err=True)
    if below:
        sys.exit(1)
