"""The notices' own numbers and hand-worked cases, computed by the committed calculators.

Each case shows its arithmetic in a comment.  The 三重制度 cases share one 盟市's local
settings (SETTINGS) and are worked per identity below.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from policydsl.cli import main

from .conftest import POLICIES, load_generated

D = Decimal


# ---------------------------------------------------------------- 1. 财政分担 (内蒙古)
@pytest.mark.parametrize(("area", "central", "region", "local"), [
    ("一类", "512", "38.4", "89.6"),  # 640 × 80% = 512; 128 × 30% = 38.4; 128 − 38.4 = 89.6
    ("二类", "512", "64", "64"),      # 128 × 50% = 64
    ("三类", "512", "89.6", "38.4"),  # 128 × 70% = 89.6
])
def test_nmg_2023_split(area: str, central: str, region: str, local: str) -> None:
    result = load_generated("nmg_2023_resident").财政分担(地区类别=area)
    assert (result.中央, result.自治区, result.盟市旗县) == (D(central), D(region), D(local))
    assert result.中央 + result.自治区 + result.盟市旗县 == 640


@pytest.mark.parametrize(("area", "central", "region", "local"), [
    ("一类", "536", "40.2", "93.8"),  # 670 × 80% = 536; 134 × 30% = 40.2; 134 − 40.2 = 93.8
    ("二类", "536", "67", "67"),      # 134 × 50% = 67
    ("三类", "536", "93.8", "40.2"),  # 134 × 70% = 93.8
])
def test_nmg_2024_split(area: str, central: str, region: str, local: str) -> None:
    result = load_generated("nmg_2024_resident").财政分担(地区类别=area)
    assert (result.中央, result.自治区, result.盟市旗县) == (D(central), D(region), D(local))
    assert result.中央 + result.自治区 + result.盟市旗县 == 670


def test_nmg_2024_amends_the_subsidy_by_30() -> None:
    nmg_2023, nmg_2024 = load_generated("nmg_2023_resident"), load_generated("nmg_2024_resident")
    assert nmg_2023.财政补助 == 640 and nmg_2024.财政补助 == 670  # 640 + 30 = 670
    assert nmg_2023.筹资标准 == 1020 and nmg_2024.筹资标准 == 1070
    assert nmg_2023.个人缴费 == 380 and nmg_2024.个人缴费 == 400
    assert not hasattr(nmg_2024, "补缴")  # the 2023 back payment is not carried into 2024


# ---------------------------------------------------------------- 2. 补缴
@pytest.mark.parametrize(("paid", "due"), [
    ("350", "30"),   # 380 − 350 = 30
    ("0", "380"),
    ("380", "0"),
    ("400", "0"),    # paid more than 380: nothing to make up, never negative
])
def test_back_payment(paid: str, due: str) -> None:
    assert load_generated("nmg_2023_resident").补缴(已缴金额=paid).补缴金额 == D(due)


# ---------------------------------------------------------------- 3. 忻州 财政分担
def test_xinzhou_split_prints_the_notices_amounts() -> None:
    xinzhou = load_generated("xinzhou_2023_resident")
    general = xinzhou.财政分担(县类别="一般县")
    assert (general.中央, general.省级, general.市级, general.县级) == (D(384), D(128), D(26), D(102))
    assert general.中央 + general.省级 + general.市级 + general.县级 == 640  # 384+128+26+102
    west = xinzhou.财政分担(县类别="西部政策县")
    assert (west.中央, west.省级, west.市级, west.县级) == (D(512), D(64), D("13.5"), D("50.5"))
    assert west.中央 + west.省级 + west.市级 + west.县级 == 640  # 512+64+13.5+50.5


# ---------------------------------------------------------------- 4. 资助参保
@pytest.mark.parametrize(("identities", "aid", "own"), [
    (["特困人员"], "380", "0"),                 # 全额资助: 380 × 100%
    (["低保对象"], "200", "180"),               # 定额 200 (≥ 380 × 45% = 171)
    (["返贫致贫人口"], "200", "180"),
    (["低保边缘家庭成员"], "0", "380"),          # not aided
    (["普通参保人"], "0", "380"),
    (["低保对象", "特困人员"], "380", "0"),      # 就高不就低: 特困 wins, aided once
    (["返贫致贫人口", "低保对象"], "200", "180"),  # both fixed: once, never 400
])
def test_contribution_aid(identities: list[str], aid: str, own: str) -> None:
    result = load_generated("nmg_2022_major_illness").资助参保(
        身份=identities, 个人缴费标准="380", 定额资助标准="200")
    assert (result.资助金额, result.个人实缴) == (D(aid), D(own))


@pytest.mark.parametrize("fixed", ["170", "380.01"])
def test_contribution_aid_bounds(fixed: str) -> None:
    """定额资助标准 must lie in [380 × 45% = 171, 380]."""
    with pytest.raises(ValueError, match="定额资助标准"):
        load_generated("nmg_2022_major_illness").资助参保(
            身份=["低保对象"], 个人缴费标准="380", 定额资助标准=fixed)


# ---------------------------------------------------------------- 5. 三重制度报销
SETTINGS = dict(
    基本医保起付线="1000", 基本医保支付比例="0.7", 基本医保封顶线="150000",
    大病保险起付线="15000",
    大病保险分段=[{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}],
    大病保险封顶线="300000",
    全体居民人均可支配收入="36000", 农村牧区居民人均可支配收入="20000",
    医疗救助年度限额="50000",
)


def settle(cost: str, identities: list[str], **extra: object):  # type: ignore[no-untyped-def]
    inputs = {"政策范围内费用": cost, "身份": identities, **SETTINGS, **extra}
    return load_generated("nmg_2022_major_illness").三重制度报销(**inputs)


# Every identity, 政策范围内费用 100000:
#   基本医保 = min((100000 − 1000) × 70%, 150000) = 69300; 自付1 = 30700.
#   大病 (普通): (30700 − 15000) × 60% = 9420 (first tier only), under the 300000 cap.
#   大病 (特困/低保/返贫致贫): deductible 15000 × 50% = 7500, rates 65% / 75%, no cap:
#        (30700 − 7500) × 65% = 15080.
#   自付2 = 30700 − 大病: 21280 (others) or 15620 (the three).
@pytest.mark.parametrize(("identity", "serious", "aid", "own", "poverty", "relapse", "extra"), [
    # 普通参保人: no assistance; 21280 > 20000 (致贫) and > 10000 (返贫).
    ("普通参保人", "9420.00", "0.00", "21280.00", True, True, {}),
    # 特困人员: deductible 0, 100%: 15620 paid, nothing left.
    ("特困人员", "15080.00", "15620.00", "0.00", False, True, {}),
    # 低保对象: deductible 0, 70%: 15620 × 70% = 10934; 15620 − 10934 = 4686.
    ("低保对象", "15080.00", "10934.00", "4686.00", False, True, {}),
    # 返贫致贫人口: the 盟市 gives 救助起付线 2000, 60%: (15620 − 2000) × 60% = 8172.
    ("返贫致贫人口", "15080.00", "8172.00", "7448.00", False, True, {"救助起付线": "2000"}),
    # 低保边缘家庭成员: deductible 36000 × 10% = 3600: (21280 − 3600) × 60% = 10608.
    ("低保边缘家庭成员", "9420.00", "10608.00", "10672.00", True, True, {}),
    # 因病致贫重病患者: deductible 36000 × 25% = 9000: (21280 − 9000) × 60% = 7368.
    ("因病致贫重病患者", "9420.00", "7368.00", "13912.00", True, True, {}),
])
def test_three_layers_per_identity(identity: str, serious: str, aid: str, own: str,
                                   poverty: bool, relapse: bool, extra: dict[str, str]) -> None:
    result = settle("100000", [identity], **extra)
    assert result.基本医保支付 == D("69300.00")
    assert result.大病保险支付 == D(serious)
    assert result.医疗救助支付 == D(aid)
    assert result.个人负担 == D(own)
    assert result.适用身份.value == identity
    assert (result.因病致贫监测, result.因病返贫监测) == (poverty, relapse)
    total = result.基本医保支付 + result.大病保险支付 + result.医疗救助支付 + result.个人负担
    assert total == 100000


def test_caps_and_annual_limit() -> None:
    # 费用 1000000. 基本 = min(999000 × 70% = 699300, 150000) = 150000; 自付1 = 850000.
    # 普通: tiers (50000 − 15000) × 60% + 800000 × 70% = 21000 + 560000 = 581000 → cap 300000.
    ordinary = settle("1000000", ["普通参保人"])
    assert (ordinary.基本医保支付, ordinary.大病保险支付, ordinary.个人负担) == (
        D("150000.00"), D("300000.00"), D("550000.00"))
    # 特困: no cap: 42500 × 65% + 800000 × 75% = 27625 + 600000 = 627625; 自付2 = 222375;
    # assistance 100% but within the annual limit 50000.
    extreme = settle("1000000", ["特困人员"])
    assert (extreme.大病保险支付, extreme.医疗救助支付, extreme.个人负担) == (
        D("627625.00"), D("50000.00"), D("172375.00"))
    # 45000 of the limit already used: 5000 left.
    assert settle("1000000", ["特困人员"], 已用救助额度="45000").医疗救助支付 == D("5000.00")


def test_no_referral_no_assistance() -> None:
    assert settle("100000", ["特困人员"], 规范转诊=False).医疗救助支付 == 0


def test_rounding_once_half_up_to_the_fen() -> None:
    # (10000.005 − 1000) × 70% = 6300.0035 → 6300.00; (2000.01 − 1000) × 70% = 700.007 → 700.01
    assert settle("10000.005", ["普通参保人"]).基本医保支付 == D("6300.00")
    assert settle("2000.01", ["普通参保人"]).基本医保支付 == D("700.01")


def test_assistance_deductible_override_is_bounded() -> None:
    # 特困/低保: an override may not exceed 36000 × 5% = 1800.
    assert settle("100000", ["低保对象"], 救助起付线="1800").医疗救助支付 == D("9674.00")  # (15620 − 1800) × 70%
    with pytest.raises(ValueError, match="救助起付线"):
        settle("100000", ["低保对象"], 救助起付线="1800.01")
    with pytest.raises(ValueError, match="救助起付线"):
        settle("100000", ["返贫致贫人口"])  # the 盟市 must give it


@pytest.mark.parametrize(("name", "value"), [
    ("大病保险分段", [{"上限": "50000", "比例": "0.59"}, {"上限": None, "比例": "0.7"}]),
    ("低保救助比例", "0.69"),
    ("其他救助比例", "0.5"),
    ("政策范围内费用", "-1"),
    ("基本医保支付比例", "1.2"),
])
def test_local_values_outside_the_notices_bounds(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        settle("100000", ["低保对象"], **{name: value})


# ---------------------------------------------------------------- 6. 因病致贫重病患者认定
@pytest.mark.parametrize(("income", "paid", "eligible"), [
    ("20000", "15000", True),   # 20000 < 35000; 20000 − 15000 = 5000 < 8000 × 1.5 = 12000
    ("40000", "35000", False),  # income above the disposable income
    ("20000", "5000", False),   # 15000 ≥ 12000
])
def test_serious_illness_poverty_test(income: str, paid: str, eligible: bool) -> None:
    result = load_generated("nmg_2022_major_illness").因病致贫重病患者认定(
        家庭人均年收入=income, 家庭人均医疗自付=paid, 上年人均可支配收入="35000", 低保标准="8000")
    assert result.符合 is eligible


# ---------------------------------------------------------------- 7–9. 职工医保 (draft)
@pytest.mark.parametrize(("payroll", "base", "due"), [
    ("1000000", "1000000", "70000.00"),  # average 100000 within 96000–360000; × 7%
    ("800000", "960000", "67200.00"),    # average 80000 < 120000 × 80%: 96000 × 10
    ("4000000", "3600000", "252000.00"),  # average 400000 > 120000 × 300%: 360000 × 10
])
def test_employer_contribution(payroll: str, base: str, due: str) -> None:
    result = load_generated("nmg_pooling_draft").单位缴费(
        上年度职工工资总额=payroll, 职工人数=10, 全区上年度平均工资="120000")
    assert (result.缴费基数, result.单位缴费) == (D(base), D(due))


def test_employer_rate_is_at_least_7_percent() -> None:
    draft = load_generated("nmg_pooling_draft")
    higher = draft.单位缴费(上年度职工工资总额="1000000", 职工人数=10, 全区上年度平均工资="120000",
                         单位费率="0.08")
    assert higher.单位缴费 == D("80000.00")
    with pytest.raises(ValueError, match="单位费率"):
        draft.单位缴费(上年度职工工资总额="1000000", 职工人数=10, 全区上年度平均工资="120000",
                    单位费率="0.06")


@pytest.mark.parametrize(("kind", "wage", "base", "own"), [
    ("单位职工", "90000", "90000", "1800.00"),    # own wage; × 2%
    ("灵活就业人员", None, "96000", None),         # 120000 × 80%
    ("领取失业保险金人员", None, "72000", None),   # 120000 × 60%
])
def test_personal_base(kind: str, wage: str | None, base: str, own: str | None) -> None:
    result = load_generated("nmg_pooling_draft").个人缴费基数(
        参保类型=kind, 本人工资=wage, 全区上年度平均工资="120000")
    assert result.缴费基数 == D(base)
    assert result.个人缴费 == (None if own is None else D(own))


def test_personal_base_needs_the_wage_of_an_employee() -> None:
    with pytest.raises(ValueError, match="本人工资"):
        load_generated("nmg_pooling_draft").个人缴费基数(参保类型="单位职工", 全区上年度平均工资="120000")


@pytest.mark.parametrize(("joined", "years", "old_rule", "exempt", "left"), [
    ("2016-03-01", "25", None, True, "0"),
    ("2016-01-01", "20", None, False, "5"),   # from 2016-01-01: 25 years
    ("2010-05-01", "20", "30", False, "5"),   # old rule 30, capped at 25
    ("2010-05-01", "22", "20", True, "0"),    # old rule 20 kept
])
def test_retirement_exemption(joined: str, years: str, old_rule: str | None, exempt: bool,
                              left: str) -> None:
    result = load_generated("nmg_pooling_draft").退休免缴(
        首次参保日期=joined, 累计缴费年限=years, 原规定缴费年限=old_rule)
    assert (result.免缴, result.还需缴费年限) == (exempt, D(left))


# ---------------------------------------------------------------- 10. 大病保险核验
def test_serious_illness_settings_check() -> None:
    check = load_generated("nmg_2024_resident").大病保险核验
    ok = check(大病保险起付线="20000", 上年居民人均可支配收入="35000", 基本医保封顶线="150000",
               大病保险封顶线="65250")
    # 150000 + 65250 = 215250; 215250 ÷ 35000 = 6.15
    assert (ok.起付线合规, ok.总体最高支付限额, ok.限额倍数) == (True, D("215250"), D("6.15"))
    high = check(大病保险起付线="40000", 上年居民人均可支配收入="35000", 基本医保封顶线="1",
                 大病保险封顶线="1")
    assert high.起付线合规 is False  # 原则上 a soft rule: reported, not refused


# ---------------------------------------------------------------- eval --json
def test_eval_json_prints_money_with_two_decimals() -> None:
    out = CliRunner().invoke(main, ["eval", str(POLICIES / "nmg/nmg_2024_resident.policy"),
                                    "财政分担", "地区类别=二类", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"中央": "536.00", "自治区": "67.00", "盟市旗县": "67.00"}


def test_eval_json_of_the_three_layers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"政策范围内费用": 100000, **SETTINGS}), encoding="utf-8")
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
