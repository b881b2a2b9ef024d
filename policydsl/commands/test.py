"""`policydsl test`: run the golden cases of `<policy>.cases.yaml` files (policydsl/cases.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import cases
from .support import guarded, report, root_option


@click.command(epilog="""\b
Examples:
  policydsl test policies examples          every case file below both folders
  policydsl test policies/nmg/nmg_2022_major_illness.policy        that policy's cases
  policydsl test policies/nmg/nmg_2022_major_illness.cases.yaml    the same
  policydsl test --json policies            one JSON object, for other tools

\b
A case file sits beside its policy and is named after it: nmg_2022_major_illness.policy →
nmg_2022_major_illness.cases.yaml.  It is a YAML list of cases:
\b
  - name: 低保对象 10万元 住院，先保险后救助
    calculator: 三重制度报销
    sentence: "特困人员、低保对象、返贫致贫人口大病保险起付标准降低 50%"
    arithmetic: |
      (100000 − 1000) × 70% = 69300
    input:
      政策范围内费用: "100000"
      身份: [低保对象]
    output:
      基本医保支付: "69300.00"
\b
Write money and rates in quotes ("0.7" or "70%"): an unquoted 0.7 is a YAML float, which is
not exact, and is refused.  docs/cases.md describes the format (error:, events:).
\b
A failed case prints its file:line, each output got and wanted, the arithmetic and the
calculator's explain() trace.  The last line counts: `N cases, M failed`.
Exit code 0 when every case passes, 1 when one fails (or a case file or policy has a mistake),
2 for a usage error.
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print {cases: [...], errors: [...], total, failed} on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Also list every case that passes.")
@root_option
@guarded
def command(paths: tuple[Path, ...], as_json: bool, verbose: bool, root: Path | None) -> None:
    """Run the golden cases of the policies in PATHS (folders, .policy or .cases.yaml files)."""
    try:
        suite = cases.load(list(paths), root)
    except cases.UsageError as err:
        raise click.UsageError(str(err)) from None
    report(suite.checked)
    if not suite.checked.ok:
        sys.exit(1)
    for error in suite.errors:
        click.echo(str(error), err=True)
    run = cases.Runner()
    outcomes = [run.run(case) for case in suite.cases]
    total = len(outcomes) + suite.invalid
    failed = sum(not o.passed for o in outcomes) + suite.invalid
    if as_json:
        click.echo(json.dumps({"cases": [cases.outcome_json(o) for o in outcomes],
                               "errors": [str(e) for e in suite.errors],
                               "total": total, "failed": failed}, ensure_ascii=False, indent=2))
    else:
        for outcome in outcomes:
            if not outcome.passed:
                click.echo(cases.failure_text(outcome) + "\n")
            elif verbose:
                click.echo(f"ok {outcome.case.file}:{outcome.case.line}: {outcome.case.name}")
        click.echo(cases.count_line(total, failed))
    sys.exit(1 if failed or suite.errors else 0)
