"""`policydsl batch`: file to file in CSV, Parquet and JSON Lines, streamed in batches, every
row equal to the scalar calculator; bad rows named by their row in the file; a progress line on
a terminal and none elsewhere."""

from __future__ import annotations

import csv
import json
import os
import pty
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from policydsl import batch_io
from policydsl.cli import main

from . import strategies
from .conftest import POLICIES, ROOT
from .test_batch import LOCAL, functions, plain

POLICY_FILE = POLICIES / "nmg" / "nmg_2022_major_illness.policy"
TRIPLE = ("nmg_2022_major_illness", "三重制度报销")
ROWS = 3000


@pytest.fixture(scope="module")
def claims() -> strategies.Population:
    """ROWS claims the scalar calculator accepts (the bad ones are tested on their own)."""
    policy, calc, scalar, _ = functions(*TRIPLE)
    plan = strategies.Plan(dict(LOCAL), seed=7, bad_share=0.0)
    drawn = strategies.population(policy, calc, 2 * ROWS, plan)
    good = [row for row in range(drawn.count) if accepted(scalar, drawn.call(row))][:ROWS]
    columns = {name: [values[row] for row in good] for name, values in drawn.columns.items()}
    columns["身份"] = ["|".join(members) for members in columns["身份"]]  # one cell, as in CSV
    return strategies.Population(ROWS, columns, drawn.constants)


def accepted(scalar: Any, call: dict[str, Any]) -> bool:
    try:
        scalar(**call)
    except ValueError:
        return False
    return True


def write_input(path: Path, population: strategies.Population) -> None:
    table = pa.table({"编号": [str(i) for i in range(population.count)],
                      **{name: pa.array(values) for name, values in population.columns.items()}})
    if path.suffix == ".csv":
        pa_csv.write_csv(table, path)
    elif path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n"
                                for row in table.to_pylist()), encoding="utf-8")


def read_output(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        return rows
    if path.suffix == ".csv":  # as text, cell by cell (an empty cell is None)
        with open(path, encoding="utf-8", newline="") as file:
            return [{k: v if v != "" else None for k, v in row.items()}
                    for row in csv.DictReader(file)]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def batch(*args: str) -> Any:
    return CliRunner().invoke(main, ["batch", str(POLICY_FILE), "三重制度报销", *args])


def constants_file(tmp_path: Path) -> Path:
    path = tmp_path / "local.json"
    path.write_text(json.dumps(LOCAL, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_round_trip_equals_the_scalar_calculator(tmp_path: Path, claims: strategies.Population,
                                                 suffix: str) -> None:
    source, target = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    write_input(source, claims)
    done = batch("--input", str(source), "--output", str(target),
                 "--constants", str(constants_file(tmp_path)), "--batch-rows", "700")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"三重制度报销: {ROWS:,} rows in ")
    rows = read_output(target)
    assert len(rows) == ROWS
    _, calc, scalar, _ = functions(*TRIPLE)
    assert list(rows[0]) == ["编号", *claims.columns, *(o.name for o in calc.outputs)]
    for index in range(0, ROWS, 7):
        row = rows[index]
        assert row["编号"] == str(index)  # the input columns come back as they were
        call = claims.call(index)
        call["身份"] = call["身份"].split("|")
        want = {k: plain(v) for k, v in scalar(**call).as_dict().items()}
        for name, value in want.items():
            got = row[name]
            if isinstance(value, Decimal):  # CSV and JSON Lines hold decimal text
                got = Decimal(str(got))
            elif suffix == ".csv" and isinstance(value, bool):
                got = {"true": True, "false": False}[got]
            assert got == value, (index, name)


def test_a_bad_row_is_named_by_its_row_in_the_file_and_nothing_is_written(
        tmp_path: Path, claims: strategies.Population) -> None:
    bad = strategies.Population(claims.count, {k: list(v) for k, v in claims.columns.items()},
                                claims.constants)
    bad.columns["政策范围内费用"][2100] = "-12.50"
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    write_input(source, bad)
    done = batch("--input", str(source), "--output", str(target),
                 "--constants", str(constants_file(tmp_path)), "--batch-rows", "700")
    assert done.exit_code == 1
    assert ("error: row 2100: 政策范围内费用 (nmg_2022_major_illness 二（五）、促进三重制度互补衔接): "
            "must not be negative, got -12.5") in done.output
    assert not target.exists()
    assert list(tmp_path.glob(".out.parquet*")) == []


def test_errors_column_writes_every_row(tmp_path: Path, claims: strategies.Population) -> None:
    bad = strategies.Population(claims.count, {k: list(v) for k, v in claims.columns.items()},
                                claims.constants)
    bad.columns["身份"][5] = "外星人"
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_input(source, bad)
    done = batch("--input", str(source), "--output", str(target), "--errors", "column",
                 "--constants", str(constants_file(tmp_path)))
    assert done.exit_code == 0, done.output
    assert ", 1 with errors (column 错误)" in done.output
    rows = read_output(target)
    assert rows[5]["错误"].startswith("身份 (nmg_2022_major_illness 二（三）、做好分类资助参保工作): "
                                     "unknown 救助对象身份 '外星人'")
    assert rows[5]["基本医保支付"] is None and rows[4]["错误"] is None


def test_set_takes_json_or_plain_text(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("政策范围内费用\n100000\n", encoding="utf-8")
    done = batch("--input", str(source), "--output", str(target),
                 "--constants", str(constants_file(tmp_path)),
                 "--set", "身份=特困人员|低保对象", "--set", "基本医保支付比例=75%",
                 "--set", '大病保险分段=[{"上限": null, "比例": 0.65}]')
    assert done.exit_code == 0, done.output
    row = read_output(target)[0]
    assert row["基本医保支付"] == "74250.00"  # (100000 − 1000) × 75 %
    assert row["适用身份"] == "特困人员"
    assert "政策范围内费用" in row


def test_set_refuses_a_member_given_twice_before_reading_a_row(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("政策范围内费用\n100000\n", encoding="utf-8")
    done = batch("--input", str(source), "--output", str(target),
                 "--constants", str(constants_file(tmp_path)), "--set", "身份=低保对象|低保对象")
    assert done.exit_code == 1
    assert "身份 (nmg_2022_major_illness 二（三）、做好分类资助参保工作): 低保对象 is given more " \
        "than once" in done.output
    assert "Traceback" not in done.output


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "不存在=1"], "三重制度报销 has no input 不存在"),
    (["--set", "没有等号"], "is not NAME=VALUE"),
])
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text("政策范围内费用,身份\n1,低保对象\n", encoding="utf-8")
    done = batch("--input", str(source), "--output", str(tmp_path / "out.csv"), *args)
    assert done.exit_code == 2
    assert message in done.output


def test_an_unknown_calculator_and_format_are_named(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["batch", str(POLICY_FILE), "没有", "--input", str(source),
                                     "--output", str(tmp_path / "o.csv")])
    assert done.exit_code == 2 and "has no calculator '没有'" in done.output
    done = batch("--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert done.exit_code == 2 and "unknown format .txt" in done.output


def test_the_reader_streams_in_batches(tmp_path: Path, claims: strategies.Population) -> None:
    for suffix in (".csv", ".parquet", ".jsonl"):
        source = tmp_path / f"in{suffix}"
        write_input(source, claims)
        reader = batch_io.Reader(source, 1000)
        sizes = [b.num_rows for b in reader]
        assert sum(sizes) == ROWS and max(sizes) <= 1000 and len(sizes) >= 3, suffix


def run_on(tmp_path: Path, claims: strategies.Population, terminal: bool) -> tuple[int, bytes]:
    """The command in a child process, its stderr a terminal (a pty) or a pipe."""
    source = tmp_path / "in.parquet"
    write_input(source, claims)
    command = [sys.executable, "-m", "policydsl", "batch", str(POLICY_FILE), "三重制度报销",
               "--input", str(source), "--output", str(tmp_path / "out.parquet"),
               "--constants", str(constants_file(tmp_path)), "--batch-rows", "500"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not terminal:
        done = subprocess.run(command, capture_output=True, env=env, timeout=120)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return child.wait(timeout=120), seen


def test_a_progress_line_on_a_terminal_only(tmp_path: Path, claims: strategies.Population) -> None:
    code, shown = run_on(tmp_path, claims, terminal=True)
    assert code == 0, shown.decode()
    text = shown.decode("utf-8")
    assert "\r三重制度报销: " in text and "rows/s" in text and "%" in text and "[" in text
    code, shown = run_on(tmp_path, claims, terminal=False)
    assert code == 0 and shown == b""
