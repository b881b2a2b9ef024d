"""The `policydsl` command line: a group whose commands live one per module in `commands/`.

Commands are imported only when they run (or when --help lists them), so `policydsl check`
does not pay for numpy, pyarrow or the language server.  Adding a command is one module in
`commands/` and one line in `COMMANDS`.

Exit codes: 0 clean, 1 errors in the policies (or stale output with --check), 2 usage error.
No input, however broken, shows a Python traceback: an unexpected exception is reported as an
internal error with exit code 3, and a bug report is asked for.
"""

from __future__ import annotations

import importlib

import click

# name → (module in policydsl.commands, one-line help shown by `policydsl --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "Check policies: names, units, arithmetic, provenance."),
    "compile": ("compile", "Generate calculators and tables (--check: verify only)."),
    "eval": ("eval", "Run one calculator on inputs given on the command line."),
    "table": ("table", "Print one generated Markdown page."),
    "ir": ("ir", "Print the checked IR of a policy as JSON."),
    "test": ("test", "Run the golden cases of <policy>.cases.yaml files."),
    "coverage": ("coverage", "Which numbered sentences of each notice the policies encode."),
    "fmt": ("fmt", "Format policy files in the one canonical layout (--check: verify only)."),
    "diff": ("diff", "What changed between two policies (two years, or two regions)."),
    "batch": ("batch", "Run a calculator over a CSV, Parquet or JSON Lines file of rows."),
    "lsp": ("lsp", "The language server (stdio), for editors."),
}

EPILOG = """\b
Examples:
  policydsl check policies/                               every problem, with file:line:col
  policydsl compile policies --out generated              calculators, batch modules, tables, charts
  policydsl test policies                                 the hand-worked cases of every policy
  policydsl coverage policies                             which sentences of each notice are encoded
  policydsl eval policies/nmg/nmg_2024_resident.policy 财政分担 地区类别=二类 --json
  policydsl table policies --topic financing              one comparison table
  policydsl fmt policies                                  the canonical layout

Run `policydsl COMMAND --help` for each command. docs/language.md describes the language;
docs/adding-a-notice.md walks through encoding a new notice.
"""


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"policydsl.commands.{COMMANDS[cmd_name][0]}")
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policydsl")
def main() -> None:
    """policydsl: compile medical-insurance policy notices into calculators and tables.

    A .policy file mirrors a notice (通知) clause by clause. `check` verifies it: names,
    units, the notice's own arithmetic, and that every quote and number occurs in the notice.
    """
