"""`policydsl compile`: calculators and tables into an output folder (or --check it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api, outputs
from .support import check_or_exit, guarded, root_option


@click.command(epilog="""\b
Examples:
  policydsl compile policies --out generated          write generated/python/*.py
  policydsl compile policies --out generated --check  CI: fail if generated/ is stale
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: python/ (calculator modules) and tables/ (Markdown) below it.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 and list the stale files if OUT differs.")
@root_option
@guarded
def command(paths: tuple[Path, ...], out: Path, check_only: bool, root: Path | None) -> None:
    """Check the policies, then generate their calculators and tables into OUT.

    Only files whose bytes change are rewritten; generated files of policies that no longer
    exist are removed.  Output is deterministic: the same policies give the same bytes.
    """
    from ..backends.python import GenerationError

    result = check_or_exit(list(paths), root)
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
