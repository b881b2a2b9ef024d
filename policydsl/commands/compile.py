"""`policydsl compile`: calculators and tables into an output folder (or --check it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api, outputs
from .support import check_or_exit, guarded, root_option


@click.command(epilog="""\b
Examples:
  policydsl compile policies --out generated          write generated/{python,tables,batch,charts}/
  policydsl compile policies --out generated --check  CI: fail if generated/ is stale
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: python/ (calculators), tables/ (Markdown), batch/ (numpy + "
                   "pyarrow modules) and charts/ (SVG) below it.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 and list the stale files if OUT differs.")
@root_option
@guarded
def command(paths: tuple[Path, ...], out: Path, check_only: bool, root: Path | None) -> None:
    """Check the policies, then generate their calculators, batch modules, tables and charts
    into OUT.

    Only files whose bytes change are rewritten (to a temporary file, then renamed over the
    old one).  Generated files of policies that no longer exist are removed: only files whose
    first lines say policydsl generated them, in the folders this compile writes to; a
    hand-written file or a sub-folder of your own is left alone.  A symbolic link where a
    generated file or folder belongs is an error: nothing is written through it.  Output is
    deterministic: the same policies give the same bytes.
    """
    from ..backends.python import GenerationError

    result = check_or_exit(list(paths), root)
    try:
        files = api.generated_files(result)
    except GenerationError as err:
        click.echo(f"error: cannot generate Python: {err}", err=True)
        sys.exit(1)
    try:
        if check_only:
            report_stale(paths, out, outputs.stale_files(out, files), len(files))
        else:
            report_written(out, outputs.write_files(out, files), len(files))
    except outputs.OutputError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)


def report_stale(paths: tuple[Path, ...], out: Path, stale: list[str], total: int) -> None:
    """`--check`: the stale files and exit 1, or say OUT is fresh."""
    if stale:
        click.echo(f"{out} is stale; run `policydsl compile {' '.join(map(str, paths))} "
                   f"--out {out}`:", err=True)
        for rel in stale:
            click.echo(f"  {rel}", err=True)
        sys.exit(1)
    click.echo(f"ok: {out} is fresh ({total} files)")


def report_written(out: Path, done: outputs.Written, total: int) -> None:
    """wrote N of M files to OUT, removed K."""
    click.echo(f"wrote {len(done.written)} of {total} files to {out}, removed {len(done.removed)}"
               + ("" if done.written or done.removed else " (all were fresh)"))
