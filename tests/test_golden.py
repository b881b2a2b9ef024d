"""The notices' own numbers, and properties of the calculators over many inputs.

The hand-worked cases of each calculator are golden cases beside the policies
(`policies/**/<policy>.cases.yaml`, run by tests/test_cases.py and `policydsl test`).  What
stays here is not one case: the printed totals a calculator's outputs must add up to, the
amendment of 2023 by 2024, a property of 三重制度报销 over identities and amounts, and what
`policydsl eval --json` prints.
"""

from __future__ import annotations

import json
import types
from decimal import Decimal

import pytest
from click.testing import CliRunner

from policydsl import api, runner
from policydsl.cli import main

from .conftest import POLICIES, load_generated

D = Decimal


# ---------------------------------------------------------------- the printed totals
def test_each_split_adds_up_to_the_printed_subsidy(shipped: api.CheckResult) -> None:
    """Every 财政分担, for every kind of area, divides exactly the 财政补助 the notice prints:
    nmg 2023 512 + 38.4 + 89.6 = 640, nmg 2024 536 + 40.2 + 93.8 = 670, 忻州
    384 + 128 + 26 + 102 = 640 and 512 + 64 + 13.5 + 50.5 = 640."""
    found = [(p, c) for p in shipped.policies for c in p.calculators if c.name == "财政分担"]
    assert found
    for policy, calc in found:
        (key,) = calc.inputs
        members = policy.enum(policy.input(key).type.arg).members
        function = getattr(runner.load_module(policy), calc.name)
        for member in members:
            result = function(**{key: member})
            total = sum((getattr(result, o.name) for o in calc.outputs), D(0))
            assert total == policy.param("财政补助").value, (policy.id, member)


def test_nmg_2024_amends_the_subsidy_by_30() -> None:
    nmg_2023, nmg_2024 = load_generated("nmg_2023_resident"), load_generated("nmg_2024_resident")
    assert nmg_2023.财政补助 == 640 and nmg_2024.财政补助 == 670  # 640 + 30 = 670
    assert nmg_2023.筹资标准 == 1020 and nmg_2024.筹资标准 == 1070
    assert nmg_2023.个人缴费 == 380 and nmg_2024.个人缴费 == 400
    assert not hasattr(nmg_2024, "补缴")  # the 2023 back payment is not carried into 2024


# ---------------------------------------------------------------- 三重制度报销: the parts add up
SETTINGS = dict(
    基本医保起付线="1000", 基本医保支付比例="0.7", 基本医保封顶线="150000",
    大病保险起付线="15000",
    大病保险分段=[{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}],
    大病保险封顶线="300000",
    全体居民人均可支配收入="36000", 农村牧区居民人均可支配收入="20000",
    医疗救助年度限额="50000", 救助起付线=None,
)
IDENTITIES = ["特困人员", "低保对象", "返贫致贫人口", "低保边缘家庭成员", "因病致贫重病患者", "普通参保人"]


@pytest.fixture(scope="module")
def major_illness(shipped: api.CheckResult) -> types.ModuleType:
    return runner.load_module(next(p for p in shipped.policies if p.id == "nmg_2022_major_illness"))


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("cost", ["0", "999.99", "15000", "100000", "1000000"])
def test_three_layers_add_up_to_the_cost(major_illness: types.ModuleType, identity: str,
                                         cost: str) -> None:
    """基本医保 + 大病保险 + 医疗救助 + 个人负担 = 政策范围内费用, for every identity and amount
    (返贫致贫人口 needs the 盟市's 救助起付线: 2000)."""
    extra = {"救助起付线": "2000"} if identity == "返贫致贫人口" else {}
    result = major_illness.三重制度报销(政策范围内费用=cost, 身份=[identity], **{**SETTINGS, **extra})
    parts = result.基本医保支付 + result.大病保险支付 + result.医疗救助支付 + result.个人负担
    assert parts == D(cost)
    assert min(result.基本医保支付, result.大病保险支付, result.医疗救助支付, result.个人负担) >= 0


# ---------------------------------------------------------------- eval --json
def test_eval_json_prints_money_with_two_decimals() -> None:
    out = CliRunner().invoke(main, ["eval", str(POLICIES / "nmg/nmg_2024_resident.policy"),
                                    "财政分担", "地区类别=二类", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"中央": "536.00", "自治区": "67.00", "盟市旗县": "67.00"}


def test_eval_json_of_the_three_layers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = tmp_path / "case.json"
    settings = {k: v for k, v in SETTINGS.items() if v is not None}
    case.write_text(json.dumps({"政策范围内费用": 100000, **settings}), encoding="utf-8")
    out = CliRunner().invoke(main, ["eval", str(POLICIES / "nmg/nmg_2022_major_illness.policy"),
                                    "三重制度报销", "--input", str(case), "身份=低保对象", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {
        "基本医保支付": "69300.00", "大病保险支付": "15080.00", "医疗救助支付": "10934.00",
        "个人负担": "4686.00", "适用身份": "低保对象", "因病致贫监测": False, "因病返贫监测": True,
    }


def test_eval_ratio_is_a_decimal_string() -> None:
    out = CliRunner().invoke(main, [
        "eval", str(POLICIES / "nmg/nmg_2024_resident.policy"), "大病保险核验",
        "大病保险起付线=20000", "上年居民人均可支配收入=35000", "基本医保封顶线=150000",
        "大病保险封顶线=65250", "--json"])
    assert json.loads(out.output)["限额倍数"] == "6.15"
