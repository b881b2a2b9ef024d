"""Benchmark the batch calculators (generated/batch/) and `policydsl batch`.  Run by hand:

    pip install openfisca-core                  # benchmark-only, never a runtime dependency
    python benchmarks/batch_bench.py            # 1 M persons in memory, 10 M rows file to file
    python benchmarks/batch_bench.py --persons 200000 --file-rows 1000000   # quicker

1. The 三重制度报销 chain on the same population of persons, in one process: the batch
   calculator (exact int64 分) against OpenFisca's vectorised chain (benchmarks/batch_openfisca.py,
   float32 money as OpenFisca has it), persons per second, best of three runs each.
2. For each, how many amounts differ from the scalar calculator (generated/python/), which is
   run on every person.
3. `policydsl batch` file to file on Parquet and on CSV: rows per second and the peak memory
   (resident set) of the process.

Figures are printed, never asserted; benchmarks/README.md keeps the last ones.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

ROOT = Path(__file__).absolute().parent.parent
POLICY = ROOT / "policies" / "nmg" / "nmg_2022_major_illness.policy"
IDENTITIES = ("特困人员", "低保对象", "返贫致贫人口", "低保边缘家庭成员", "因病致贫重病患者", "普通参保人")
SHARES = (0.02, 0.05, 0.03, 0.05, 0.05, 0.80)  # most insured persons hold no identity
LOCAL = {  # a 盟市's settings, the same for every person
    "基本医保起付线": "1000", "基本医保支付比例": "0.7", "基本医保封顶线": "150000",
    "大病保险起付线": "15000", "大病保险封顶线": "300000", "全体居民人均可支配收入": "36000",
    "农村牧区居民人均可支配收入": "20000", "医疗救助年度限额": "50000", "救助起付线": "1000",
    "大病保险分段": [{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}],
}
OUTPUTS = ("基本医保支付", "大病保险支付", "医疗救助支付", "个人负担")


def load(folder: str, policy_id: str) -> ModuleType:
    name = f"{folder}_{policy_id}"
    spec = importlib.util.spec_from_file_location(name, ROOT / "generated" / folder / f"{policy_id}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the population
def population(count: int, seed: int = 2026) -> dict[str, np.ndarray[Any, Any]]:
    """Costs in 分 spread over five orders of magnitude (most small, some catastrophic), an
    identity per person, referral, and what the year's assistance already paid."""
    rng = np.random.default_rng(seed)
    cost = (10 ** rng.uniform(2, 6.5, count) * 100).astype(np.int64)
    return {
        "cost": cost,
        "identity": rng.choice(len(IDENTITIES), count, p=SHARES),
        "referred": rng.random(count) < 0.9,
        "used": np.where(rng.random(count) < 0.2, (rng.random(count) * 5_000_000).astype(np.int64), 0),
    }


def decimal_column(units: np.ndarray[Any, Any]) -> pa.Array:
    """int64 分 as decimal128(18, 2), without a detour through Python objects."""
    words = np.stack([units, units >> 63], axis=1).copy()
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(units), [None, pa.py_buffer(words)])


def arrow_table(people: dict[str, np.ndarray[Any, Any]]) -> pa.Table:
    identities = pa.DictionaryArray.from_arrays(people["identity"].astype(np.int32), list(IDENTITIES))
    return pa.table({"政策范围内费用": decimal_column(people["cost"]), "身份": identities,
                     "规范转诊": pa.array(people["referred"]),
                     "已用救助额度": decimal_column(people["used"])})


def best_of(runs: int, *works: Callable[[], Any]) -> list[tuple[float, float, Any]]:
    """The best wall-clock and processor time of each piece of work over `runs` rounds, the
    pieces taking turns (so that a busy moment of a shared machine does not fall on one of them
    only), and its result.  Processor time is what other processes on the machine disturb least."""
    best: list[tuple[float, float, Any]] = [(float("inf"), float("inf"), None) for _ in works]
    for _ in range(runs):
        for index, work in enumerate(works):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = work()
            seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            wall, fastest, kept = best[index]
            best[index] = (min(wall, seconds), min(fastest, cpu), result if seconds < wall else kept)
    return best


# ---------------------------------------------------------------- exact answers
def scalar_amounts(people: dict[str, np.ndarray[Any, Any]], rows: np.ndarray[Any, Any]) -> dict[str, list[Decimal]]:
    """The scalar calculator's amounts for the given persons."""
    calculate = load("python", "nmg_2022_major_illness").三重制度报销
    found: dict[str, list[Decimal]] = {name: [] for name in OUTPUTS}
    for row in rows.tolist():
        result = calculate(政策范围内费用=str(Decimal(int(people["cost"][row])).scaleb(-2)),
                           身份=[IDENTITIES[people["identity"][row]]],
                           规范转诊=bool(people["referred"][row]),
                           已用救助额度=str(Decimal(int(people["used"][row])).scaleb(-2)), **LOCAL)
        for name in OUTPUTS:
            found[name].append(getattr(result, name))
    return found


def differing(exact: dict[str, list[Decimal]], got: dict[str, list[Decimal]]) -> int:
    return sum(a != b for name in OUTPUTS for a, b in zip(exact[name], got[name], strict=True))


def in_fen(values: Any, rows: np.ndarray[Any, Any]) -> list[Decimal]:
    """Float amounts as the 分 they print as (rounded to two decimals)."""
    return [Decimal(f"{float(v):.2f}") for v in np.asarray(values)[rows]]


# ---------------------------------------------------------------- 1 and 2: in memory
def chain(count: int, check: int) -> None:
    people = population(count)
    table = arrow_table(people)
    batch = load("batch", "nmg_2022_major_illness").三重制度报销
    try:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import batch_openfisca as of
    except ImportError as err:
        of = None
        print(f"OpenFisca cannot run ({err}); `pip install openfisca-core` to compare")
    works = [lambda: batch(table, **LOCAL)]
    if of is not None:
        tbs = of.system(LOCAL)
        inputs = {"政策范围内费用": people["cost"] / 100, "已用救助额度": people["used"] / 100,
                  "规范转诊": people["referred"],
                  **{f"是{name}": people["identity"] == i for i, name in enumerate(IDENTITIES[:-1])}}
        works.append(lambda: of.run(tbs, inputs))
    timed = best_of(7, *works)
    seconds, cpu, result = timed[0]
    print(f"batch 三重制度报销 (exact, int64 分): {count:,} persons in {seconds * 1000:.0f} ms = "
          f"{count / seconds / 1e6:.1f} M persons/s ({cpu * 1000:.0f} ms of processor time)")
    rows = np.sort(np.random.default_rng(1).choice(count, min(check, count), replace=False))
    print(f"  scalar calculator on {len(rows):,} of them for the exact amounts …", flush=True)
    start = time.perf_counter()
    exact = scalar_amounts(people, rows)
    print(f"  (scalar: {len(rows) / (time.perf_counter() - start):,.0f} persons/s)")
    got = {name: [result.column(name)[int(r)].as_py() for r in rows] for name in OUTPUTS}
    print(f"  amounts differing from the scalar calculator: {differing(exact, got)} of "
          f"{len(rows) * len(OUTPUTS):,}")
    if of is None:
        return
    of_seconds, of_cpu, of_result = timed[1]
    print(f"OpenFisca vectorised chain (float32): {count:,} persons in {of_seconds * 1000:.0f} ms "
          f"= {count / of_seconds / 1e6:.1f} M persons/s ({of_cpu * 1000:.0f} ms of processor time)")
    of_amounts = {name: in_fen(of_result[name], rows) for name in OUTPUTS}
    print(f"  amounts differing from the scalar calculator: {differing(exact, of_amounts)} of "
          f"{len(rows) * len(OUTPUTS):,}")
    print(f"batch / OpenFisca: {of_seconds / seconds:.1f}× the persons per second "
          f"({of_cpu / cpu:.1f}× by processor time)")


# ---------------------------------------------------------------- 3: file to file
def write_files(folder: Path, count: int) -> dict[str, Path]:
    """The same rows as Parquet and CSV, written a million at a time."""
    paths = {"parquet": folder / "claims.parquet", "csv": folder / "claims.csv"}
    parquet = csv = None
    for start in range(0, count, 1_000_000):
        people = population(min(1_000_000, count - start), seed=start)
        table = arrow_table(people).append_column("编号", pa.array(
            np.arange(start, start + len(people["cost"]))))
        table = table.set_column(1, "身份", table.column("身份").cast(pa.string()))
        parquet = parquet or pq.ParquetWriter(paths["parquet"], table.schema,
                                              store_decimal_as_integer=True)  # as Spark writes them
        parquet.write_table(table)
        csv = csv or pa_csv.CSVWriter(paths["csv"], table.schema)
        csv.write_table(table)
    for writer in (parquet, csv):
        assert writer is not None
        writer.close()
    return paths


def file_to_file(count: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        print(f"writing {count:,} rows as Parquet and CSV …", flush=True)
        paths = write_files(folder, count)
        constants = folder / "local.json"
        constants.write_text(json.dumps(LOCAL, ensure_ascii=False), encoding="utf-8")
        for kind, source in paths.items():
            target = folder / f"out.{kind}"
            seconds, peak = measure([sys.executable, "-m", "policydsl", "batch", str(POLICY),
                                     "三重制度报销", "--input", str(source), "--output", str(target),
                                     "--constants", str(constants)])
            size = source.stat().st_size / 1e6
            print(f"policydsl batch {kind} → {kind}: {count:,} rows ({size:,.0f} MB) in {seconds:.1f} s"
                  f" = {count / seconds / 1e6:.2f} M rows/s, peak memory {peak:,.0f} MB")


def measure(command: list[str]) -> tuple[float, float]:
    """Wall time and peak resident memory (MB) of a command, in a process of its own."""
    probe = ("import resource, subprocess, sys, time\n"
             "start = time.perf_counter()\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "seconds = time.perf_counter() - start\n"
             "assert done.returncode == 0, done.stderr\n"
             "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    seconds, kilobytes = done.stdout.split()
    return float(seconds), int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--check", type=int, default=1_000_000,
                        help="persons also run through the scalar calculator (all by default)")
    parser.add_argument("--file-rows", type=int, default=10_000_000)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, pyarrow {pa.__version__}, Python {sys.version.split()[0]}, "
          f"peak memory so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    chain(args.persons, args.check)
    if args.file_rows:
        file_to_file(args.file_rows)


if __name__ == "__main__":
    main()
