"""`policydsl ir`: the checked IR of one policy as JSON, for tooling."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import ir
from .support import guarded, one_policy, root_option


@click.command(epilog="""\b
Example:
  policydsl ir policies/nmg/nmg_2023_resident.policy > nmg_2023.json
""")
@click.argument("file", type=click.Path(path_type=Path))
@root_option
@guarded
def command(file: Path, root: Path | None) -> None:
    """Print the checked IR of one policy as JSON (stable key order)."""
    policy = one_policy(file, root)
    click.echo(json.dumps(ir.to_json(policy), ensure_ascii=False, indent=2))
