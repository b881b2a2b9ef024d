"""三重制度单次结算 (nmg_2022_major_illness): a year settled stay by stay adds up to the year.

The calculator settles one stay: 基本医保 on the stay's own cost and deductible, within what is
left of the year's 封顶线; 大病保险 and 医疗救助 as the person-year rules of 三重制度报销 on the
year's running 基本医保后自付, after this stay minus before it.  So, over any sequence of stays:

- the year-so-far amounts each stay returns are those the next stay starts from, and they add
  up what the stays paid and left;
- each stay's four parts are never negative and add up to its cost, to the 分;
- the stays' 大病保险, 医疗救助 and 个人负担 add up — exactly, to the 分 — to what 三重制度报销
  gives for the year's 基本医保后自付 (called with a 基本医保 that pays nothing, so that its
  政策范围内费用 is that 基本医保后自付), less what it gives for the amount the year began with.

The calculator is generated from the policy as it is now (`runner.load_module`), not read from
the committed generated/ folder.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from policydsl import api
from policydsl.runner import load_module

from .conftest import POLICIES

POLICY = "nmg_2022_major_illness"
PER_STAY_PARTS = ("基本医保支付", "大病保险支付", "医疗救助支付", "个人负担")
ZERO = Decimal(0)


@functools.cache
def calculators() -> types.ModuleType:
    """The calculators of the policy, generated from its current text."""
    result = api.check([POLICIES / "nmg" / f"{POLICY}.policy"])
    assert result.ok, [d.message for d in result.diagnostics]
    return load_module(next(p for p in result.policies if p.id == POLICY))


def identities() -> list[str]:
    return [member.name for member in calculators().救助对象身份]


# ---------------------------------------------------------------- random inputs
def whole_fen(high: int) -> st.SearchStrategy[Decimal]:
    """An amount in 元 of whole 分, up to `high` 元; often round, often ending in 5 分."""
    fen = st.one_of(st.integers(0, high * 100),
                    st.integers(0, high // 1000).map(lambda n: n * 100_000),
                    st.integers(0, high * 10).map(lambda n: n * 10 + 5))
    return fen.map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def local_settings(draw: st.DrawFn) -> dict[str, Any]:
    """A 盟市's settings and a person's identities, within the bounds the notice sets."""
    bounds = sorted(draw(st.sets(st.integers(1, 400_000), max_size=3)))
    rates = [draw(st.integers(60, 100)) for _ in range(len(bounds) + 1)]
    tiers: list[dict[str, str | None]] = [
        {"上限": str(bound), "比例": f"{rate}%"} for bound, rate in zip(bounds, rates[:-1], strict=True)]
    tiers.append({"上限": None, "比例": f"{rates[-1]}%"})
    income = draw(st.integers(10_000, 80_000))
    limit = draw(st.integers(0, 200_000))
    return dict(
        身份=draw(st.lists(st.sampled_from(identities()), min_size=1, max_size=3, unique=True)),
        基本医保支付比例=f"{draw(st.integers(0, 100))}%",
        基本医保封顶线=draw(st.integers(0, 400_000)),
        大病保险起付线=draw(st.integers(0, 40_000)),
        大病保险分段=tiers,
        大病保险封顶线=draw(st.integers(0, 600_000)),
        全体居民人均可支配收入=income,
        救助起付线=draw(st.integers(0, income * 5 // 100)),  # within every identity's bound
        低保救助比例=f"{draw(st.integers(70, 100))}%",
        其他救助比例=f"{draw(st.integers(60, 100))}%",
        医疗救助年度限额=limit,
        已用救助额度=draw(st.integers(0, limit + 10_000)),
        规范转诊=draw(st.booleans()),
        未按规定转诊不纳入救助=draw(st.booleans()),
    )


def stay() -> st.SearchStrategy[dict[str, Any]]:
    """One stay: its cost and its own deductible (a second stay's may differ)."""
    return st.fixed_dictionaries({"本次政策范围内费用": whole_fen(400_000),
                                  "基本医保起付线": st.integers(0, 3000)})


@st.composite
def year_so_far(draw: st.DrawFn) -> dict[str, Decimal]:
    """Where the year stands before the first stay listed: at its start, or further on."""
    if draw(st.booleans()):
        return {}
    return {"年内基本医保已支付": draw(whole_fen(400_000)), "年内基本医保后自付": draw(whole_fen(400_000))}


# ---------------------------------------------------------------- the person-year rules
def person_year(after_basic: Decimal, local: Mapping[str, Any]) -> Any:
    """三重制度报销 for a year whose 基本医保后自付 is `after_basic`: its 基本医保 pays nothing
    (rate 0, no deductible), so its 政策范围内费用 is the 基本医保后自付."""
    person_year_inputs = {name: value for name, value in local.items() if name != "基本医保支付比例"}
    return calculators().三重制度报销(
        政策范围内费用=after_basic, 基本医保起付线=0, 基本医保支付比例=0,
        农村牧区居民人均可支配收入=0, **person_year_inputs)


def settle_year(stays: Sequence[Mapping[str, Any]], local: Mapping[str, Any],
                start: Mapping[str, Decimal]) -> tuple[Any, ...]:
    return calculators().三重制度单次结算逐次(list(stays), **local, **start)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- properties
EXAMPLE_SETTINGS = dict(  # the worked example of the case file: one 盟市, a 普通参保人
    身份=["普通参保人"], 基本医保支付比例="0.7", 基本医保封顶线=150000, 大病保险起付线=15000,
    大病保险分段=[{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}], 大病保险封顶线=300000,
    全体居民人均可支配收入=36000, 救助起付线=0, 低保救助比例="0.7", 其他救助比例="0.6",
    医疗救助年度限额=50000, 已用救助额度=0, 规范转诊=True, 未按规定转诊不纳入救助=True)
EXAMPLE_STAYS = [{"本次政策范围内费用": Decimal(cost), "基本医保起付线": 1000}
                 for cost in ("30000", "30000", "200000", "10000")]
SEQUENCES = settings(max_examples=300, deadline=None)


@SEQUENCES
@given(stays=st.lists(stay(), min_size=1, max_size=6), local=local_settings(), start=year_so_far())
@example(stays=EXAMPLE_STAYS, local=EXAMPLE_SETTINGS, start={})
@example(stays=EXAMPLE_STAYS, local={**EXAMPLE_SETTINGS, "身份": ["特困人员"]}, start={})
def test_the_stays_add_up_to_the_person_year_rules(stays: list[dict[str, Any]], local: dict[str, Any],
                                                    start: dict[str, Decimal]) -> None:
    results = settle_year(stays, local, start)
    first = start.get("年内基本医保后自付", ZERO)
    last = results[-1].年内基本医保后自付
    year_end, year_start = person_year(last, local), person_year(first, local)
    for part in ("大病保险支付", "医疗救助支付", "个人负担"):
        paid = sum((getattr(r, part) for r in results), ZERO)
        assert paid == getattr(year_end, part) - getattr(year_start, part), part


@SEQUENCES
@given(stays=st.lists(stay(), min_size=1, max_size=6), local=local_settings(), start=year_so_far())
def test_each_stay_adds_up_and_feeds_the_next(stays: list[dict[str, Any]], local: dict[str, Any],
                                              start: dict[str, Decimal]) -> None:
    paid_basic = start.get("年内基本医保已支付", ZERO)
    after_basic = start.get("年内基本医保后自付", ZERO)
    for event, r in zip(stays, settle_year(stays, local, start), strict=True):
        cost = event["本次政策范围内费用"]
        parts = [getattr(r, part) for part in PER_STAY_PARTS]
        assert all(part >= 0 for part in parts)
        assert sum(parts) == cost  # to the 分
        room = max(Decimal(local["基本医保封顶线"]) - paid_basic, ZERO)
        assert r.基本医保支付 <= room
        paid_basic += r.基本医保支付
        after_basic += cost - r.基本医保支付
        assert (r.年内基本医保已支付, r.年内基本医保后自付) == (paid_basic, after_basic)


@settings(max_examples=100, deadline=None)
@given(stays=st.lists(stay(), min_size=1, max_size=5), local=local_settings(), start=year_so_far())
def test_one_call_per_stay_with_the_outputs_fed_back_is_the_sequence(
        stays: list[dict[str, Any]], local: dict[str, Any], start: dict[str, Decimal]) -> None:
    """What a billing system does: call the calculator once per stay, passing the year-so-far
    outputs of one stay as the inputs of the next."""
    carried: dict[str, Decimal] = dict(start)
    for event, expected in zip(stays, settle_year(stays, local, start), strict=True):
        r = calculators().三重制度单次结算(**local, **event, **carried)
        assert r.as_dict() == expected.as_dict()
        carried = {"年内基本医保已支付": r.年内基本医保已支付, "年内基本医保后自付": r.年内基本医保后自付}


def test_one_stay_from_the_start_of_the_year_is_the_person_year_settlement() -> None:
    """A year of one stay is 三重制度报销 on that stay (the notice's 10万元 example, 低保对象)."""
    local = {**EXAMPLE_SETTINGS, "身份": ["低保对象"]}
    stay_result = calculators().三重制度单次结算(本次政策范围内费用="100000", 基本医保起付线=1000, **local)
    year_result = calculators().三重制度报销(
        政策范围内费用="100000", 基本医保起付线=1000, 农村牧区居民人均可支配收入=20000, **local)
    for part in PER_STAY_PARTS:
        assert getattr(stay_result, part) == getattr(year_result, part), part
    assert (stay_result.基本医保支付, stay_result.大病保险支付, stay_result.医疗救助支付) == (
        Decimal("69300.00"), Decimal("15080.00"), Decimal("10934.00"))
