"""`policydsl eval`: run one calculator from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import runner
from ..escaping import pyident
from .support import guarded, one_policy, root_option


@click.command(epilog="""\b
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
@click.option("--input", "input_file", metavar="FILE",
              help="A JSON object of inputs (- reads standard input).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of the outputs.")
@click.option("--explain", is_flag=True, help="Also print every step with its clause.")
@root_option
@guarded
def command(policy_file: Path, calculator: str, assignments: tuple[str, ...],
            input_file: str | None, as_json: bool, explain: bool, root: Path | None) -> None:
    """Run CALCULATOR of POLICY_FILE on the inputs given and print its outputs."""
    policy = one_policy(policy_file, root)
    calc = next((c for c in policy.calculators if c.name == calculator), None)
    if calc is None:
        names = "、".join(c.name for c in policy.calculators) or "none"
        raise click.UsageError(f"{policy.id} has no calculator {calculator!r}; it has: {names}")
    try:
        values = runner.read_input_file(input_file) if input_file else {}
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
    types = {o.name: policy.rule(o.rule).type for o in (*calc.outputs, *calc.updates)}
    produced = outcome.as_dict()
    if as_json:
        data = {name: runner.to_json(produced[pyident(name)], types[name]) for name in types}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for name in types:
            click.echo(f"{name} = {runner.to_text(produced[pyident(name)], types[name])}")
    if explain:
        click.echo(outcome.explain(), err=as_json)
