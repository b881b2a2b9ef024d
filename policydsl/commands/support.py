"""What the commands share: no tracebacks, diagnostics on stderr, one policy picked by path."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import api, ir
from ..diagnostics import render_all, summary
from ..loader import real_path

F = TypeVar("F", bound=Callable[..., Any])


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


def report(result: api.CheckResult) -> None:
    """Every diagnostic on stderr, then the count line."""
    if result.diagnostics:
        click.echo(render_all(result.diagnostics, result.sources), err=True)
        click.echo(summary(list(result.diagnostics)), err=True)


def root_option(func: F) -> F:
    """The `--root` option of the commands that read policies."""
    option = click.option(
        "--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="The project root: a policy may name only files inside it. Default: the nearest "
             "folder above each policy holding .git or pyproject.toml, else the folder named.")
    return option(func)


def check_or_exit(paths: list[Path], root: Path | None = None) -> api.CheckResult:
    """Check the paths; on an error, report and exit 1."""
    result = api.check(paths, root)
    report(result)
    if not result.ok:
        sys.exit(1)
    return result


def one_policy(file: Path, root: Path | None = None) -> ir.Policy:
    """The checked policy of one .policy file (a usage error for a folder)."""
    if file.is_dir():
        raise click.UsageError(f"{file} is a folder; name one .policy file")
    result = check_or_exit([file], root)
    found = [p for p in result.policies if real_path(Path(p.path)) == real_path(file)]
    if not found:
        raise click.UsageError(f"{file} holds no policy")
    return found[0]
