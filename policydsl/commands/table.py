"""`policydsl table`: one generated Markdown page on stdout."""

from __future__ import annotations

from pathlib import Path

import click

from .support import check_or_exit, guarded, root_option


@click.command(epilog="""\b
Examples:
  policydsl table policies                      the index of topics and policies
  policydsl table policies --topic financing    one comparison table
  policydsl table policies --topic nmg_2024_resident   a policy's reference page
""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--topic", "topic", default="index", show_default=True,
              help="A topic slug (financing, subsidy_split, …) or a policy id.")
@root_option
@guarded
def command(paths: tuple[Path, ...], topic: str, root: Path | None) -> None:
    """Print one generated Markdown page to stdout, for a quick look."""
    from ..backends import markdown

    result = check_or_exit(list(paths), root)
    pages = markdown.generate(list(result.policies))
    page = pages.get(f"{topic}.md") or pages.get(f"policy/{topic}.md")
    if page is None:
        names = sorted(n.removesuffix(".md").removeprefix("policy/") for n in pages)
        raise click.UsageError(f"no page {topic!r}; pages: " + ", ".join(names))
    click.echo(page, nl=False)
