"""The `policydsl` command line.

Exit codes: 0 clean, 1 errors in the policies (or stale output with --check), 2 usage error.
No input, however broken, shows a Python traceback: an unexpected exception is reported as an
internal error with exit code 3, and a bug report is asked for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import api, ir
from .diagnostics import render_all, summary

F = TypeVar("F", bound=Callable[..., Any])

EPILOG = """\b
Examples:
  policydsl check policies/
  policydsl ir policies/nmg/nmg_2023_resident.policy
"""


def guarded(func: F) -> F:
    """Turn an unexpected exception into a one-line internal error, never a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except RecursionError:
            click.echo("error[E003]: the input is nested too deeply to process", err=True)
            sys.exit(1)
        except Exception as err:  # pragma: no cover - a bug, reported as such
            click.echo(f"internal error: {type(err).__name__}: {err}\n"
                       "please report this with the input that caused it", err=True)
            sys.exit(3)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policydsl")
def main() -> None:
    """policydsl: compile medical-insurance policy notices into calculators and tables.

    A .policy file mirrors a notice (通知) clause by clause. `check` verifies it: names,
    units, the notice's own arithmetic, and that every quote and number occurs in the notice.
    """


def report(result: api.CheckResult, quiet_ok: bool = False) -> None:
    if result.diagnostics:
        click.echo(render_all(result.diagnostics, result.sources), err=True)
        click.echo(summary(list(result.diagnostics)), err=True)


@main.command(epilog="""\b
Examples:
  policydsl check policies/                 every .policy file below policies/
  policydsl check policies/nmg/nmg_2023_resident.policy
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@guarded
def check(paths: tuple[Path, ...]) -> None:
    """Check policy files (or folders, recursively) and report every problem found.

    Exit code 0 when clean (warnings allowed), 1 when there is an error.
    """
    result = api.check(list(paths))
    report(result)
    if not result.ok:
        sys.exit(1)
    click.echo(f"ok: {len(result.policies)} policies checked, "
               f"{sum(len(c.quotes) for p in result.policies for c in p.clauses)} quotes verified")


@main.command("ir", epilog="""\b
Example:
  policydsl ir policies/nmg/nmg_2023_resident.policy > nmg_2023.json
""")
@click.argument("file", type=click.Path(path_type=Path))
@guarded
def ir_(file: Path) -> None:
    """Print the checked IR of one policy as JSON (stable key order)."""
    result = api.check([file])
    report(result)
    if not result.ok:
        sys.exit(1)
    policy = next(p for p in result.policies if Path(p.path).resolve() == file.resolve())
    click.echo(json.dumps(ir.to_json(policy), ensure_ascii=False, indent=2))

