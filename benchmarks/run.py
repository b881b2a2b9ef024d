"""Measure policydsl: compile time, calculator throughput, peak memory.  Run by hand:

    python benchmarks/run.py            # everything
    python benchmarks/run.py --quick    # fewer repetitions

Figures are printed, never asserted.  Calculators are called with inputs given as strings on
every call (as a billing system that reads them from a file or a request would), on one core.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policydsl import api  # noqa: E402

SETTINGS = dict(
    基本医保起付线="1000", 基本医保支付比例="0.7", 基本医保封顶线="150000", 大病保险起付线="15000",
    大病保险分段=[{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}],
    大病保险封顶线="300000", 全体居民人均可支配收入="36000", 农村牧区居民人均可支配收入="20000",
    医疗救助年度限额="50000",
)


def load(policy_id: str) -> ModuleType:
    path = ROOT / "generated" / "python" / f"{policy_id}.py"
    spec = importlib.util.spec_from_file_location(policy_id, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[policy_id] = module
    spec.loader.exec_module(module)
    return module


def rate(call: Callable[[], object], seconds: float) -> float:
    """Calls per second: the best of five runs of about `seconds` / 5 each."""
    call()
    n = 1
    while True:  # find a batch size that takes about 20 ms
        start = time.perf_counter()
        for _ in range(n):
            call()
        if time.perf_counter() - start > 0.02:
            break
        n *= 2
    best = 0.0
    for _ in range(5):
        batches = max(1, int(seconds / 5 / 0.02))
        start = time.perf_counter()
        for _ in range(batches):
            for _ in range(n):
                call()
        best = max(best, batches * n / (time.perf_counter() - start))
    return best


# ---------------------------------------------------------------- hand-written baselines
FEN = Decimal("0.01")
_80, _20 = Decimal("0.8"), Decimal("0.2")
SHARES = {"一类": Decimal("0.3"), "二类": Decimal("0.5"), "三类": Decimal("0.7")}


def hand_split(area: str) -> tuple[Decimal, Decimal, Decimal]:
    subsidy = Decimal("670")
    central = subsidy * _80
    region = subsidy * _20 * SHARES[area]
    return central, region, subsidy - central - region


RANK = ("特困人员", "低保对象", "返贫致贫人口", "易返贫致贫人口", "低保边缘家庭成员", "因病致贫重病患者",
        "普通参保人")
FAVOURED = ("特困人员", "低保对象", "返贫致贫人口")
AID_RATIO = {"特困人员": Decimal(1), "低保对象": Decimal("0.7"), "普通参保人": Decimal(0)}


def hand_chain(cost: str, identities: list[str]) -> tuple[object, ...]:
    """三重制度报销 written by hand: the same seven outputs from the same text inputs, with
    no input checked (the generated calculator checks every input and every bound)."""
    c = Decimal(cost)
    base = min(max(c - Decimal(SETTINGS["基本医保起付线"]), Decimal(0)) * Decimal(SETTINGS["基本医保支付比例"]),
               Decimal(SETTINGS["基本医保封顶线"])).quantize(FEN, ROUND_HALF_UP)
    left1 = c - base
    identity = min(identities, key=RANK.index)
    favoured = identity in FAVOURED
    deductible = Decimal(SETTINGS["大病保险起付线"]) * (Decimal("0.5") if favoured else 1)
    bonus = Decimal("0.05") if favoured else Decimal(0)
    total, lower = Decimal(0), Decimal(0)
    for tier in SETTINGS["大病保险分段"]:  # type: ignore[union-attr]
        upper = Decimal("Infinity") if tier["上限"] is None else Decimal(tier["上限"])  # type: ignore[index]
        low, high = max(lower, deductible), min(left1, upper)
        if high > low:
            total += (high - low) * min(Decimal(tier["比例"]) + bonus, Decimal(1))  # type: ignore[index]
        lower = upper
    cap = Decimal("Infinity") if favoured else Decimal(SETTINGS["大病保险封顶线"])
    serious = min(total, cap).quantize(FEN, ROUND_HALF_UP)
    left2 = left1 - serious
    income = Decimal(SETTINGS["全体居民人均可支配收入"])
    aid_deductible = income * Decimal("0.1") if identity == "低保边缘家庭成员" else \
        income * Decimal("0.25") if identity == "因病致贫重病患者" else Decimal(0)
    ratio = AID_RATIO.get(identity, Decimal("0.6"))
    room = max(Decimal(SETTINGS["医疗救助年度限额"]) - Decimal(0), Decimal(0))
    aid = min(max(left2 - aid_deductible, Decimal(0)) * ratio, room).quantize(FEN, ROUND_HALF_UP) \
        if identity != "普通参保人" else Decimal(0)
    rural = Decimal(SETTINGS["农村牧区居民人均可支配收入"])
    return base, serious, aid, left2 - aid, identity, left2 > rural, left2 > rural * Decimal("0.5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 3.0

    start = time.perf_counter()
    api.check([ROOT / "policies"])
    cold = time.perf_counter() - start  # includes building the Lark parser once
    checks = []
    for _ in range(5):
        start = time.perf_counter()
        result = api.check([ROOT / "policies"])
        checks.append(time.perf_counter() - start)
    compiles = []
    for _ in range(5):
        start = time.perf_counter()
        result = api.check([ROOT / "policies"])
        api.generated_files(result)
        compiles.append(time.perf_counter() - start)
    everything = []
    for _ in range(5):
        start = time.perf_counter()
        api.check([ROOT / "policies", ROOT / "examples"])
        everything.append(time.perf_counter() - start)
    tracemalloc.start()
    api.generated_files(api.check([ROOT / "policies"]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    lines = sum(len(p.read_text("utf-8").splitlines()) for p in (ROOT / "policies").rglob("*.policy"))
    print(f"policies: {len(result.policies)} files, {lines} lines")
    print(f"check, first run in the process (builds the parser): {cold * 1000:8.1f} ms")
    print(f"check all policies (parse, resolve, types, provenance):  {min(checks) * 1000:8.1f} ms")
    print(f"check + generate every module, page and chart:           {min(compiles) * 1000:8.1f} ms")
    print(f"check policies/ and examples/ together:                   {min(everything) * 1000:8.1f} ms")
    print(f"peak memory allocated by one check + generate:           {peak / 2**20:8.1f} MiB")

    nmg_2024, nmg_2022 = load("nmg_2024_resident"), load("nmg_2022_major_illness")
    xinzhou, draft = load("xinzhou_2023_resident"), load("nmg_pooling_draft")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("hand-written split (baseline)", lambda: hand_split("二类")),
        ("nmg_2024 财政分担", lambda: nmg_2024.财政分担(地区类别="二类")),
        ("nmg_2024 财政分担, explain=True", lambda: nmg_2024.财政分担(地区类别="二类", explain=True)),
        ("xinzhou 财政分担", lambda: xinzhou.财政分担(县类别="一般县")),
        ("nmg_2022 资助参保", lambda: nmg_2022.资助参保(身份=["低保对象"], 个人缴费标准="380",
                                                   定额资助标准="200")),
        ("hand-written 三重 chain (baseline)", lambda: hand_chain("100000", ["低保对象"])),
        ("nmg_2022 三重制度报销", lambda: nmg_2022.三重制度报销(
            政策范围内费用="100000", 身份=["低保对象"], **SETTINGS)),
        ("nmg_2022 三重制度报销, explain=True", lambda: nmg_2022.三重制度报销(
            政策范围内费用="100000", 身份=["低保对象"], explain=True, **SETTINGS)),
        ("draft 单位缴费", lambda: draft.单位缴费(上年度职工工资总额="1000000", 职工人数="10",
                                            全区上年度平均工资="120000")),
        ("draft 退休免缴", lambda: draft.退休免缴(首次参保日期="2010-05-01", 累计缴费年限="20",
                                            原规定缴费年限="30")),
    ]
    print(f"\n{'calculator (inputs as strings, one core)':45} {'calls/s':>12}")
    for name, call in cases:
        print(f"{name:45} {rate(call, seconds):12,.0f}")

    rows = [dict(政策范围内费用=str(1000 + 37 * i), 身份=[["低保对象"], ["普通参保人"], ["特困人员"]][i % 3],
                 **SETTINGS) for i in range(100_000)]
    start = time.perf_counter()
    paid = sum(nmg_2022.三重制度报销(**row).医疗救助支付 for row in rows)
    batch = time.perf_counter() - start
    print(f"\nscalar loop: 100,000 三重制度报销 claims in {batch:.2f} s "
          f"({100_000 / batch:,.0f} claims/s; 医疗救助 total {paid})")
    print(f"peak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("(batch rows per second, beside OpenFisca: benchmarks/batch_bench.py)")


if __name__ == "__main__":
    main()
