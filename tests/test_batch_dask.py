"""Beyond one machine: a batch calculator is a pure table → table function, so it runs unchanged
inside Dask's map_partitions (the recipe of docs/batch.md), and the partitions' results equal
one in-process run."""

from __future__ import annotations

import importlib.util
import sys
import types
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from . import strategies
from .conftest import GENERATED
from .test_batch import LOCAL, TRIPLE, functions

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def committed_module(policy_id: str) -> types.ModuleType:
    """generated/batch/<policy id>.py, imported as a user would (by its file)."""
    name = f"batch_{policy_id}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, GENERATED / "batch" / f"{policy_id}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def claims(count: int) -> pd.DataFrame:
    policy, calc, _, _ = functions(*TRIPLE)
    plan = strategies.Plan({**LOCAL, "救助起付线": None}, seed=11, bad_share=0.0)
    population = strategies.population(policy, calc, count, plan)
    return pd.DataFrame({
        "政策范围内费用": [Decimal(v) for v in population.columns["政策范围内费用"]],
        "身份": ["|".join(v) for v in population.columns["身份"]],
        "已用救助额度": [Decimal(v) for v in population.columns["已用救助额度"]],
    })


def test_dask_map_partitions_equals_one_run() -> None:
    module = committed_module(TRIPLE[0])
    frame = claims(20_000)
    constants = {**LOCAL, "救助起付线": None}

    def calculate(part: pd.DataFrame) -> pd.DataFrame:
        result: pa.Table = module.三重制度报销(part, errors="column", **constants)
        return result.to_pandas().set_axis(part.index)

    whole = calculate(frame)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        parts = dd.from_pandas(frame, npartitions=4)
        assert parts.npartitions == 4
        spread = parts.map_partitions(calculate, meta=whole.iloc[:0]).compute()
    pd.testing.assert_frame_equal(spread, whole)
    assert whole["错误"].isna().sum() > 10_000  # most rows are computed, not refused
    assert whole["基本医保支付"].map(lambda v: isinstance(v, Decimal) or v is None).all()
