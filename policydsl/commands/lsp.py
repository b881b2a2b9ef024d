"""`policydsl lsp`: the language server, over stdin and stdout."""

from __future__ import annotations

import sys

import click

from .support import guarded


@click.command(epilog="""\b
Examples:
  policydsl lsp              what an editor runs; it speaks JSON-RPC on stdin/stdout
  policydsl lsp --stdio      the same (some editors add --stdio)

Editors: editors/vscode/ is a VS Code extension; docs/editors.md shows Neovim, Emacs and
Helix.  The server checks the buffers as you type (the same diagnostics and codes as
`policydsl check`), shows a name's value and the notice's sentence on hover, goes to
definitions (also in 使用 and 修订 files), finds references, completes names and members,
lists clauses and declarations, and formats through `policydsl fmt`.
""")
@click.option("--stdio", is_flag=True, help="Use stdin and stdout (the only transport; the default).")
@guarded
def command(stdio: bool) -> None:
    """Run the language server for editors, over stdin and stdout."""
    try:
        from ..lsp import server
    except ImportError as err:  # pygls or lsprotocol missing
        click.echo(f"error: the language server needs {err.name}: pip install 'policydsl[lsp]'",
                   err=True)
        sys.exit(1)
    server.serve()
