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

from . import api, ir, outputs, runner
from .diagnostics import render_all, summary
from .escaping import pyident

F = TypeVar("F", bound=Callable[..., Any])

EPILOG = """\b
Examples:
  policydsl check policies/                               every problem, with file:line:col
  policydsl compile policies --out generated              calculators and tables
  policydsl eval policies/nmg/nmg_2024_resident.policy 财政分担 地区类别=二类 --json
  policydsl table policies --topic financing              one comparison table
  policydsl ir policies/nmg/nmg_2023_resident.policy      the IR as JSON

Run `policydsl COMMAND --help` for each command. docs/language.md describes the language.
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


def report(result: api.CheckResult) -> None:
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



@main.command("compile", epilog="""\b
Examples:
  policydsl compile policies --out generated          write generated/python/*.py
  policydsl compile policies --out generated --check  CI: fail if generated/ is stale
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: python/ (calculator modules) and tables/ (Markdown) below it.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 and list the stale files if OUT differs.")
@guarded
def compile_(paths: tuple[Path, ...], out: Path, check_only: bool) -> None:
    """Check the policies, then generate their calculators and tables into OUT.

    Only files whose bytes change are rewritten; generated files of policies that no longer
    exist are removed.  Output is deterministic: the same policies give the same bytes.
    """
    from .backends.python import GenerationError

    result = api.check(list(paths))
    report(result)
    if not result.ok:
        sys.exit(1)
    try:
        files = api.generated_files(result)
    except GenerationError as err:
        click.echo(f"error: cannot generate Python: {err}", err=True)
        sys.exit(1)
    if check_only:
        stale = outputs.stale_files(out, files)
        if stale:
            click.echo(f"{out} is stale; run `policydsl compile {' '.join(map(str, paths))} "
                       f"--out {out}`:", err=True)
            for rel in stale:
                click.echo(f"  {rel}", err=True)
            sys.exit(1)
        click.echo(f"ok: {out} is fresh ({len(files)} files)")
        return
    changed = outputs.write_files(out, files)
    click.echo(f"wrote {len(changed)} of {len(files)} files to {out}"
               + ("" if changed else " (all were fresh)"))


@main.command("eval", epilog="""\b
Examples:
  policydsl eval policies/nmg/nmg_2024_resident.policy 财政分担 地区类别=二类 --json
  policydsl eval policies/nmg/nmg_2022_major_illness.policy 三重制度报销 \\
      --input case.json 身份=特困人员,低保对象 --explain

Inputs come from --input (a JSON object: money as strings or integers, rates as strings
such as "0.7" or "70%", lists as arrays) and NAME=VALUE arguments, which override it.
A list argument is written with commas (身份=特困人员,低保对象); 是否 as 是/否 or true/false.
""")
@click.argument("policy_file", type=click.Path(path_type=Path))
@click.argument("calculator")
@click.argument("assignments", nargs=-1)
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"),
              help="A JSON object of inputs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of the outputs.")
@click.option("--explain", is_flag=True, help="Also print every step with its clause.")
@guarded
def eval_(policy_file: Path, calculator: str, assignments: tuple[str, ...],
          input_file: Any, as_json: bool, explain: bool) -> None:
    """Run CALCULATOR of POLICY_FILE on the inputs given and print its outputs."""
    result = api.check([policy_file])
    report(result)
    if not result.ok:
        sys.exit(1)
    policy = next(p for p in result.policies if Path(p.path).resolve() == policy_file.resolve())
    calc = next((c for c in policy.calculators if c.name == calculator), None)
    if calc is None:
        names = "、".join(c.name for c in policy.calculators) or "none"
        raise click.UsageError(f"{policy.id} has no calculator {calculator!r}; it has: {names}")
    try:
        values = runner.read_json_inputs(input_file.read()) if input_file else {}
        for item in assignments:
            name, sep, text = item.partition("=")
            if not sep:
                raise click.UsageError(f"{item!r} is not NAME=VALUE")
            if name not in calc.inputs:
                raise runner.InputError(f"{calc.name} has no input {name}; its inputs are "
                                        + "、".join(calc.inputs))
            values[name] = runner.from_text(policy.input(name).type, text)
        outcome = runner.call(policy, calc, values, explain)
    except (runner.InputError, ValueError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    types = {o.name: policy.rule(o.rule).type for o in calc.outputs}
    produced = outcome.as_dict()
    if as_json:
        data = {name: runner.to_json(produced[pyident(name)], types[name]) for name in types}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for name in types:
            click.echo(f"{name} = {runner.to_text(produced[pyident(name)], types[name])}")
    if explain:
        click.echo(outcome.explain(), err=as_json)


@main.command("table", epilog="""\b
Examples:
  policydsl table policies                      the index of topics and policies
  policydsl table policies --topic financing    one comparison table
  policydsl table policies --topic nmg_2024_resident   a policy's reference page
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--topic", "topic", default="index", show_default=True,
              help="A topic slug (financing, subsidy_split, …) or a policy id.")
@guarded
def table(paths: tuple[Path, ...], topic: str) -> None:
    """Print one generated Markdown page to stdout, for a quick look."""
    from .backends import markdown

    result = api.check(list(paths))
    report(result)
    if not result.ok:
        sys.exit(1)
    pages = markdown.generate(list(result.policies))
    page = pages.get(f"{topic}.md") or pages.get(f"policy/{topic}.md")
    if page is None:
        names = sorted(n.removesuffix(".md").removeprefix("policy/") for n in pages)
        raise click.UsageError(f"no page {topic!r}; pages: " + ", ".join(names))
    click.echo(page, nl=False)
