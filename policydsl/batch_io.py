"""Tables streamed in record batches for `policydsl batch`: CSV, Parquet and JSON Lines.

Memory is bounded by the batch, not by the file: a reader yields record batches of about
`rows` rows, a writer appends them.  The batch calculators read CSV text as it is (every column
a string, an empty cell a null), so a CSV file round-trips to the character; a list of members
in CSV is one cell with the members separated by `|` (特困人员|低保对象), and is written back so.
JSON Lines numbers are read by Arrow as integers or floats (a float is taken only within 1e-6
元 of a whole 分); JSON Lines output writes decimals as strings, so that no 分 is lost to a
float by whoever reads them.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
import pyarrow.json as pa_json  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

# Text is parsed 8 MB at a time (about 150,000 rows of CSV): Arrow's reader holds several such
# blocks and their columns at once, so the block, not the file, sets the memory.
BLOCK_BYTES = 8 << 20
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
           ".ndjson": "jsonl"}


class TableError(Exception):
    """A file that cannot be read or written as a table (the message names it)."""


def format_of(path: Path) -> str:
    """The format a file's suffix names."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise TableError(f"{path}: unknown format {path.suffix or '(no suffix)'}; use one of "
                         + ", ".join(sorted(FORMATS)))
    return found


class Reader:
    """Record batches of a file, and how far through it the last one reached (0–1)."""

    def __init__(self, path: Path, rows: int):
        self.path = path
        self.format = format_of(path)
        self.rows = rows
        self.total_rows: int | None = None
        self._file: IO[bytes] | None = None
        self._size = max(os.path.getsize(path), 1)
        self._done_rows = 0

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from getattr(self, "_" + self.format)()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as err:
            raise TableError(f"{self.path}: {err}") from None
        finally:
            if self._file is not None:
                self._file.close()

    @property
    def fraction(self) -> float | None:
        if self.total_rows:
            return self._done_rows / self.total_rows
        if self._file is not None and not self._file.closed:
            return min(self._file.tell() / self._size, 1.0)
        return None

    def _parquet(self) -> Iterator[Any]:
        schema = pq.read_schema(self.path)
        text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        source = pq.ParquetFile(self.path, read_dictionary=text, pre_buffer=True)
        self.total_rows = source.metadata.num_rows
        for batch in source.iter_batches(batch_size=self.rows):
            self._done_rows += batch.num_rows
            yield batch

    def _csv(self) -> Iterator[Any]:
        names = csv_header(self.path)
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed by __iter__
        reader = pa_csv.open_csv(
            self._file,
            read_options=pa_csv.ReadOptions(block_size=BLOCK_BYTES),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=True),
        )
        yield from _rebatched(reader, self.rows)

    def _jsonl(self) -> Iterator[Any]:
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed by __iter__
        reader = pa_json.open_json(
            self._file, read_options=pa_json.ReadOptions(block_size=BLOCK_BYTES))
        yield from _rebatched(reader, self.rows)


def _rebatched(reader: Any, rows: int) -> Iterator[Any]:
    """The reader's batches (a block of text each), cut to at most `rows` rows."""
    for batch in reader:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file), None)
    if not header:
        raise TableError(f"{path}: the file is empty; a CSV file starts with a header line")
    return header


class Writer:
    """Appends record batches to a file, written to a temporary name beside it and moved into
    place by `close()` (so a failed run leaves no half-written output)."""

    def __init__(self, path: Path):
        self.path = path
        self.format = format_of(path)
        self.partial = path.with_name(f".{path.name}.partial")
        self._sink: Any = None
        self._text: IO[str] | None = None

    def write(self, batch: Any) -> None:
        """Append a table (or record batch) of rows."""
        if self.format == "csv":
            batch = _csv_ready(batch)
        if self.format == "jsonl":
            self._write_jsonl(batch)
            return
        if self._sink is None:
            self.partial.parent.mkdir(parents=True, exist_ok=True)
            if self.format == "csv":
                self._sink = pa_csv.CSVWriter(str(self.partial), batch.schema)
            else:
                self._sink = pq.ParquetWriter(str(self.partial), batch.schema, **parquet_options(batch.schema))
        self._sink.write_table(batch)

    def _write_jsonl(self, batch: Any) -> None:
        if self._text is None:
            self._text = open(self.partial, "w", encoding="utf-8")  # noqa: SIM115
        lines = [json.dumps(row, ensure_ascii=False, default=_json_value)
                 for row in batch.to_pylist()]
        if lines:
            self._text.write("\n".join(lines) + "\n")

    def close(self, keep: bool) -> None:
        """Finish the file (keep=True) or throw the partial file away."""
        if self._sink is not None:
            self._sink.close()
        if self._text is not None:
            self._text.close()
        if keep:
            if not self.partial.exists():  # no batch at all: an empty file
                self.partial.write_bytes(b"")
            self.partial.replace(self.path)
        elif self.partial.exists():
            self.partial.unlink()


def parquet_options(schema: Any) -> dict[str, Any]:
    """Dictionary pages only for text (amounts are nearly all distinct), decimals of up to 18
    digits stored as 64-bit integers (still decimals to every reader), no statistics: writing
    is what a batch run spends most of its time on."""
    text = [f.name for f in schema if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)
            or pa.types.is_large_string(f.type)]
    return {"use_dictionary": text, "store_decimal_as_integer": True, "write_statistics": False}


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _csv_ready(batch: Any) -> Any:
    """Lists of members as one cell, joined by "|" (CSV has no lists); members by name."""
    columns = []
    for column in batch.itercolumns() if hasattr(batch, "itercolumns") else batch.columns:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = pc.binary_join(column, "|")
        elif pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=batch.schema.names)


def joined(batch: Any, result: Any) -> Any:
    """A table of the input batch's columns followed by the calculator's."""
    clash = [name for name in result.column_names if name in batch.schema.names]
    if clash:
        raise TableError("the input already has a column named like an output: " + "、".join(clash))
    table = pa.Table.from_batches([batch])
    for name, column in zip(result.column_names, result.columns, strict=True):
        table = table.append_column(name, column)
    return table
