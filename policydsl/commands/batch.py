"""`policydsl batch`: run a calculator over every row of a file, streaming."""

from __future__ import annotations

import ctypes
import json
import re
import sys
import time
import types
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import click

from .. import ir
from .support import guarded, one_policy, root_option


@click.command(epilog="""\b
Examples:
  policydsl batch policies/nmg/nmg_2022_major_illness.policy 三重制度报销 \\
      --input claims.parquet --output paid.parquet --constants 盟市.json
  policydsl batch policies/nmg/nmg_2023_resident.policy 补缴 \\
      --input people.csv --output owed.csv --errors column
  policydsl batch policies/nmg/nmg_2022_major_illness.policy 三重制度报销 \\
      --input claims.jsonl --output paid.jsonl --constants 盟市.json \\
      --set 基本医保支付比例=0.75 --set '身份=["低保对象"]'

\b
The formats follow the suffixes: .csv, .parquet (.pq), .jsonl (.ndjson).  Each input of the
calculator is a column of the file, or one value for every row: --constants FILE.json holds
an object of such values ({"基本医保起付线": "1000", "大病保险分段": [{"上限": "50000",
"比例": "0.6"}, {"上限": null, "比例": "0.7"}]}), and --set NAME=VALUE sets one, as JSON
or as plain text (--set 基本医保支付比例=70%).  In CSV a list (身份) is one cell with its
members separated by "|": 特困人员|低保对象.

\b
The output holds the input's columns, then the calculator's outputs: money as decimal
(two places, exact), rates as decimal, booleans, members by name.  With --errors raise
(the default) the first bad row stops the run, naming the column, the row (counted from 0,
the header not counted) and the clause, and no output is left behind; with --errors column
every row is written, the bad ones with empty outputs and the reason in a column 错误.
""")
@click.argument("policy_file", type=click.Path(path_type=Path))
@click.argument("calculator")
@click.option("--input", "input_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The rows: a .csv, .parquet or .jsonl file.")
@click.option("--output", "output_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the rows with their outputs (.csv, .parquet or .jsonl).")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="An input, the same for every row (JSON, or plain text).")
@click.option("--constants", "constants_file", type=click.File("r", encoding="utf-8"),
              help="A JSON object of inputs that are the same for every row.")
@click.option("--errors", type=click.Choice(["raise", "column"]), default="raise",
              show_default=True, help="Stop at the first bad row, or report each in 错误.")
@click.option("--batch-rows", type=click.IntRange(min=1), default=500_000, show_default=True,
              help="Rows per batch: memory grows with it, not with the file.")
@root_option
@guarded
def command(policy_file: Path, calculator: str, input_path: Path, output_path: Path,
            settings: tuple[str, ...], constants_file: Any, errors: str, batch_rows: int,
            root: Path | None) -> None:
    """Run CALCULATOR of POLICY_FILE on every row of --input, writing --output.

    Rows are read, computed and written in batches, so a file of any size runs in the memory
    of one batch.  Every amount equals the one the scalar calculator (policydsl eval) gives
    for that row, to the 分.
    """
    from .. import batch_io

    policy = one_policy(policy_file, root)
    calc = next((c for c in policy.calculators if c.name == calculator), None)
    if calc is None:
        names = "、".join(c.name for c in policy.calculators) or "none"
        raise click.UsageError(f"{policy.id} has no calculator {calculator!r}; it has {names}")
    for path in (input_path, output_path):
        try:
            batch_io.format_of(path)
        except batch_io.TableError as err:
            raise click.UsageError(str(err)) from None
    constants = read_constants(policy, calc, constants_file, settings)
    function = batch_function(policy, calc)
    reader = batch_io.Reader(input_path, batch_rows)
    writer = batch_io.Writer(output_path)
    progress = Progress(calc.name, sys.stderr)
    counts = {"rows": 0, "bad": 0}

    def compute(batch: Any) -> Any:
        result = run(function, batch, errors, constants, counts["rows"])
        if "错误" in result.column_names:
            counts["bad"] += result.num_rows - result.column("错误").null_count
        counts["rows"] += batch.num_rows
        progress.show(counts["rows"], reader.fraction)
        return batch_io.joined(batch, result)

    keep_freed_memory()
    try:
        pipeline(reader, compute, writer.write)
    except (ValueError, NotImplementedError, batch_io.TableError) as err:
        writer.close(keep=False)
        progress.clear()
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except BaseException:
        writer.close(keep=False)
        raise
    writer.close(keep=True)
    progress.clear()
    seconds, done = progress.elapsed(), counts["rows"]
    errors_note = f", {counts['bad']:,} with errors (column 错误)" if errors == "column" else ""
    click.echo(f"{calc.name}: {done:,} rows in {seconds:.2f} s "
               f"({rate(done, seconds)} rows/s){errors_note} → {output_path}")


def pipeline(batches: Iterable[Any], compute: Callable[[Any], Any],
             write: Callable[[Any], None]) -> None:
    """Compute each batch while the next is read and the last is written, in two threads
    (Arrow reads, parses, encodes and compresses without holding the interpreter)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        source = iter(batches)
        reading = pool.submit(next, source, None)
        writing: Future[None] | None = None
        while (batch := reading.result()) is not None:
            reading = pool.submit(next, source, None)
            table = compute(batch)
            if writing is not None:
                writing.result()
            writing = pool.submit(write, table)
        if writing is not None:
            writing.result()


def keep_freed_memory() -> None:
    """Ask the C library to keep freed memory for the next batch instead of returning it to
    the system at once: each numpy array would otherwise be new memory, paid for in page
    faults, and the arithmetic runs several times slower.  (glibc only; elsewhere nothing.)"""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD: keep up to 128 MB free at the top of the heap
    mallopt(-2, 16 << 20)  # M_TOP_PAD: grow the heap 16 MB at a time
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays of up to 32 MB come from the heap


def run(function: Callable[..., Any], batch: Any, errors: str, constants: dict[str, Any],
        offset: int) -> Any:
    """One batch through the calculator; a bad row is named by its row in the whole file."""
    try:
        return function(batch, errors=errors, **constants)
    except ValueError as err:
        text = re.sub(r"^row (\d+):", lambda m: f"row {int(m.group(1)) + offset}:", str(err))
        raise ValueError(text) from None


def batch_function(policy: ir.Policy, calc: ir.Calculator) -> Callable[..., Any]:
    """The calculator's batch function, generated from the policy and run in memory."""
    from ..backends import batch

    name = f"_policydsl_batch_{policy.id}"
    module = types.ModuleType(name)
    module.__file__ = f"<policydsl batch {policy.id}>"
    sys.modules[name] = module
    try:
        exec(compile(batch.generate(policy), module.__file__, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    function: Callable[..., Any] = getattr(module, batch.ident(calc.name))
    return function


def read_constants(policy: ir.Policy, calc: ir.Calculator, constants_file: IO[str] | None,
                   settings: tuple[str, ...]) -> dict[str, Any]:
    """--constants FILE.json, then each --set NAME=VALUE over it."""
    constants: dict[str, Any] = {}
    if constants_file is not None:
        try:
            loaded = json.load(constants_file, parse_float=Decimal)
        except json.JSONDecodeError as err:
            raise click.BadParameter(f"not JSON: {err}", param_hint="--constants") from None
        if not isinstance(loaded, dict):
            raise click.BadParameter("expected a JSON object {\"name\": value, …}",
                                     param_hint="--constants")
        constants.update(loaded)
    for setting in settings:
        name, equals, text = setting.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{setting!r} is not NAME=VALUE", param_hint="--set")
        constants[name.strip()] = setting_value(policy, calc, name.strip(), text)
    unknown = [name for name in constants if name not in calc.inputs]
    if unknown:
        raise click.UsageError(f"{calc.name} has no input {'、'.join(unknown)}; its inputs are "
                               + "、".join(calc.inputs))
    return constants


def setting_value(policy: ir.Policy, calc: ir.Calculator, name: str, text: str) -> Any:
    """A --set value: JSON if it reads as JSON (numbers exact), else the text itself; a list
    of members may also be written 特困人员|低保对象."""
    try:
        value: Any = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        value = text
    is_list = name in calc.inputs and policy.input(name).type.kind == "list"
    if is_list and isinstance(value, str):
        value = [part.strip() for part in value.split("|") if part.strip()]
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        value = str(value)  # exact: 0.7 stays 0.7, never a float
    return value


def rate(rows: int, seconds: float) -> str:
    per_second = rows / seconds if seconds > 0 else 0.0
    return f"{per_second / 1e6:.2f} M" if per_second >= 1e6 else f"{per_second:,.0f}"


class Progress:
    """A progress line on a terminal (rows, share of the file, rows/s), redrawn in place at
    most five times a second; nothing when stderr is not a terminal."""

    def __init__(self, title: str, stream: IO[str]):
        self.title = title
        self.stream = stream
        self.live = stream.isatty()
        self.start = time.perf_counter()
        self.last = 0.0
        self.width = 0

    def show(self, rows: int, fraction: float | None) -> None:
        now = time.perf_counter()
        if not self.live or now - self.last < 0.2:
            return
        self.last = now
        seconds = now - self.start
        share = f" {fraction:4.0%} {bar(fraction)}" if fraction is not None else ""
        line = f"{self.title}:{share} {rows:,} rows, {seconds:.1f} s, {rate(rows, seconds)} rows/s"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(fraction, 1.0)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"
