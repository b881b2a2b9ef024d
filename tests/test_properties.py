"""Properties that hunt for failures: of the generated calculators (money is never wrong or
negative) and of the front end (no input raises an unhandled exception)."""

from __future__ import annotations

import random
import re
import shutil
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from policydsl import api
from policydsl.backends.python import GenerationError
from policydsl.parser import grammar_parser

from .conftest import POLICIES, load_generated

IDENTITIES = ["特困人员", "低保对象", "返贫致贫人口", "低保边缘家庭成员", "因病致贫重病患者", "普通参保人"]
cents = st.integers(min_value=0, max_value=300_000_000).map(lambda n: Decimal(n).scaleb(-2))
percent = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)


@st.composite
def local_settings(draw: st.DrawFn) -> dict[str, object]:
    """A 盟市's local values, drawn within the bounds the notice sets."""
    bounds = sorted(draw(st.sets(st.integers(1, 400_000), min_size=0, max_size=3)))
    rates = [draw(st.integers(60, 100)) for _ in range(len(bounds) + 1)]
    tiers = [{"上限": str(b), "比例": f"{r}%"} for b, r in zip(bounds, rates, strict=False)]
    tiers.append({"上限": None, "比例": f"{rates[-1]}%"})
    income = draw(st.integers(10_000, 80_000))
    limit = draw(st.integers(0, 200_000))
    return dict(
        基本医保起付线=draw(st.integers(0, 3000)), 基本医保支付比例=draw(percent),
        基本医保封顶线=draw(st.integers(0, 400_000)), 大病保险起付线=draw(st.integers(0, 40_000)),
        大病保险分段=tiers, 大病保险封顶线=draw(st.integers(0, 600_000)),
        全体居民人均可支配收入=income, 农村牧区居民人均可支配收入=draw(st.integers(5_000, 40_000)),
        医疗救助年度限额=limit, 已用救助额度=draw(st.integers(0, limit + 10_000)),
        低保救助比例=f"{draw(st.integers(70, 100))}%", 其他救助比例=f"{draw(st.integers(60, 100))}%",
        救助起付线=draw(st.integers(0, income * 5 // 100)),  # within every identity's bound
    )


def settle(cost: Decimal, identity: str, local: dict[str, object]):  # type: ignore[no-untyped-def]
    return load_generated("nmg_2022_major_illness").三重制度报销(
        政策范围内费用=cost, 身份=[identity], **local)


LAYERS = ("基本医保支付", "大病保险支付", "医疗救助支付", "个人负担")
CALCULATOR_SETTINGS = settings(max_examples=300, deadline=None)


@CALCULATOR_SETTINGS
@given(cost=cents, identity=st.sampled_from(IDENTITIES), local=local_settings())
def test_layers_are_non_negative_and_add_up_to_the_cost(cost: Decimal, identity: str,
                                                        local: dict[str, object]) -> None:
    r = settle(cost, identity, local)
    layers = [getattr(r, name) for name in LAYERS]
    assert all(x >= 0 for x in layers)
    assert sum(layers) == cost  # to the 分, exactly
    assert r.基本医保支付 <= min(cost, Decimal(local["基本医保封顶线"]))  # type: ignore[arg-type]
    assert r.大病保险支付 <= cost - r.基本医保支付
    assert r.医疗救助支付 <= cost - r.基本医保支付 - r.大病保险支付
    room = max(Decimal(local["医疗救助年度限额"]) - Decimal(local["已用救助额度"]), Decimal(0))  # type: ignore[arg-type]
    assert r.医疗救助支付 <= room
    if identity not in ("特困人员", "低保对象", "返贫致贫人口"):
        assert r.大病保险支付 <= Decimal(local["大病保险封顶线"])  # type: ignore[arg-type]
    if identity == "普通参保人":
        assert r.医疗救助支付 == 0


@CALCULATOR_SETTINGS
@given(cost=cents, more=cents, identity=st.sampled_from(IDENTITIES), local=local_settings())
def test_nothing_decreases_when_the_cost_increases(cost: Decimal, more: Decimal, identity: str,
                                                   local: dict[str, object]) -> None:
    low, high = settle(cost, identity, local), settle(cost + more, identity, local)
    for name in LAYERS:
        assert getattr(low, name) <= getattr(high, name), name


@CALCULATOR_SETTINGS
@given(cost=cents, local=local_settings())
@example(cost=Decimal(100000), local=dict(  # the worked example of test_golden
    基本医保起付线=1000, 基本医保支付比例="0.7", 基本医保封顶线=150000, 大病保险起付线=15000,
    大病保险分段=[{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}], 大病保险封顶线=300000,
    全体居民人均可支配收入=36000, 农村牧区居民人均可支配收入=20000, 医疗救助年度限额=50000,
    救助起付线=1800))
def test_a_more_protected_person_never_pays_more(cost: Decimal, local: dict[str, object]) -> None:
    pays = {i: settle(cost, i, local).个人负担 for i in IDENTITIES}
    assert pays["特困人员"] <= pays["低保对象"] <= pays["普通参保人"]
    assert pays["低保边缘家庭成员"] <= pays["因病致贫重病患者"] <= pays["普通参保人"]
    assert pays["返贫致贫人口"] <= pays["普通参保人"]


@settings(max_examples=100, deadline=None)
@given(policy=st.sampled_from(["nmg_2023_resident", "nmg_2024_resident"]), area=st.sampled_from(["一类", "二类", "三类"]))
def test_nmg_split_adds_up_to_the_subsidy(policy: str, area: str) -> None:
    module = load_generated(policy)
    r = module.财政分担(地区类别=area)
    assert min(r.中央, r.自治区, r.盟市旗县) >= 0
    assert r.中央 + r.自治区 + r.盟市旗县 == module.财政补助


@pytest.mark.parametrize("county", ["一般县", "西部政策县"])
def test_xinzhou_split_adds_up_to_the_subsidy(county: str) -> None:
    module = load_generated("xinzhou_2023_resident")
    r = module.财政分担(县类别=county)
    assert r.中央 + r.省级 + r.市级 + r.县级 == module.财政补助


@settings(max_examples=300, deadline=None)
@given(identities=st.lists(st.sampled_from(IDENTITIES), min_size=1, max_size=6, unique=True),
       contribution=st.integers(0, 2000), share=st.integers(45, 100))
def test_highest_identity_wins_and_aid_never_exceeds_the_contribution(
        identities: list[str], contribution: int, share: int) -> None:
    aid = load_generated("nmg_2022_major_illness").资助参保
    fixed = (Decimal(contribution) * share / 100).quantize(Decimal("0.01"), rounding="ROUND_CEILING")
    fixed = min(fixed, Decimal(contribution))
    r = aid(身份=identities, 个人缴费标准=contribution, 定额资助标准=fixed)
    best = min(identities, key=IDENTITIES.index)
    alone = aid(身份=[best], 个人缴费标准=contribution, 定额资助标准=fixed)
    assert r.资助金额 == alone.资助金额  # the highest identity alone decides, once
    assert 0 <= r.资助金额 <= contribution
    assert r.资助金额 + r.个人实缴 == contribution


# ---------------------------------------------------------------- the front end never crashes
def outcome(paths: list[Path]) -> None:
    """Check and generate; any exception other than a reported problem fails the test."""
    result = api.check(paths)
    if not result.ok:
        assert result.diagnostics
        return
    try:
        files = api.generated_files(result)
    except GenerationError:
        return
    for name, source in files.items():
        if not name.endswith(".py"):
            continue
        module = types.ModuleType("fuzzed")
        sys.modules["fuzzed"] = module  # dataclasses look the module up
        try:
            exec(compile(source, name, "exec"), module.__dict__)  # noqa: S102 - must import cleanly
        finally:
            del sys.modules["fuzzed"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(POLICIES, root / "policies")
    return root / "policies"


ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=st.text(alphabet=ALPHABET, max_size=300))
def test_arbitrary_text(workspace: Path, text: str) -> None:
    path = workspace / "fuzz.policy"
    path.write_text(text, encoding="utf-8")
    outcome([path])


@FUZZ
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(workspace: Path, data: bytes) -> None:
    path = workspace / "fuzz.policy"
    path.write_bytes(data)
    outcome([path])


def terminal_words() -> list[str]:
    words = []
    for terminal in grammar_parser().terminals:
        pattern = terminal.pattern
        if pattern.type == "str":
            words.append(pattern.value)
    return sorted(set(words)) + ["640", "80%", "一类", "财政补助", '"引文"', "2023-09-01", "{", "}", "(", ")"]


@FUZZ
@given(tokens=st.lists(st.sampled_from(terminal_words()), max_size=60))
def test_token_soup(workspace: Path, tokens: list[str]) -> None:
    path = workspace / "fuzz.policy"
    path.write_text('政策 fuzz\n标题 "x"\n' + " ".join(tokens), encoding="utf-8")
    outcome([path])


SHIPPED = sorted(p.relative_to(POLICIES).as_posix() for p in POLICIES.rglob("*.policy"))
NAMES = ["财政补助", "中央", "地区类别", "一类", "身份", "适用身份", "个人缴费", "未知名"]
UNITS = ["元", "%", "个百分点", "倍", "年", "人"]


def mutate(text: str, rnd: random.Random) -> str:
    lines = text.splitlines()
    kind = rnd.randrange(6)
    i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(j, lines[i])
    elif kind == 2:
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        lines[i] = re.sub(r"\d+(\.\d+)?", lambda m: str(rnd.choice([0, 1, 5, 45, 640, 99999])), lines[i], count=1)
    elif kind == 4:
        lines[i] = re.sub("|".join(UNITS), lambda m: rnd.choice(UNITS), lines[i], count=1)
    else:
        lines[i] = re.sub("|".join(NAMES), lambda m: rnd.choice(NAMES), lines[i], count=1)
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(SHIPPED), seed=st.integers(0, 2**32), rounds=st.integers(1, 4))
def test_mutated_shipped_policies(workspace: Path, name: str, seed: int, rounds: int) -> None:
    original = (POLICIES / name).read_text("utf-8")
    rnd = random.Random(seed)
    text = original
    for _ in range(rounds):
        text = mutate(text, rnd)
    assume(text != original)
    target = workspace / name
    target.write_text(text, encoding="utf-8")
    try:
        outcome([workspace])
    finally:
        target.write_text(original, encoding="utf-8")


# ---------------------------------------------------------------- resource bounds
def test_a_5_mb_file_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "big.policy"
    path.write_text('政策 big\n标题 "t"\n' + "参数 甲 = 1 元 自定 \"x\"\n" * 200_000, encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    result = api.check([path])
    assert [d.code for d in result.diagnostics] == ["E003"]


@pytest.mark.parametrize("expression", [
    "(" * 10_000 + "a" + ")" * 10_000,   # 10,000 deep
    " + ".join(["a"] * 10_000),          # 10,000 terms: a tree 10,000 deep
    "- " * 10_000 + "a",
])
def test_deep_expressions_give_a_clear_error(tmp_path: Path, expression: str) -> None:
    path = tmp_path / "deep.policy"
    path.write_text('政策 deep\n标题 "t"\n输入 a: 元\n规则 r = ' + expression + "\n", encoding="utf-8")
    result = api.check([path])
    assert [d.code for d in result.diagnostics] == ["E003"]


REGRESSIONS = Path(__file__).parent / "fixtures" / "regressions"


@pytest.mark.parametrize("name", sorted(p.name for p in REGRESSIONS.glob("*.policy")))
def test_regression_corpus(name: str) -> None:
    """Inputs that once crashed the compiler: each must now give diagnostics only."""
    result = api.check([REGRESSIONS / name])
    assert [d.code for d in result.diagnostics] == ["E201"]
