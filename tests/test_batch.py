"""The batch calculators (generated/batch/): every row equals the scalar calculator.

Each calculator of every policy of policies/ and examples/ runs on 100,000 random rows
(tests/strategies.py) and on hypothesis-drawn plans (which inputs are constants, how many values
are bad); every row's outputs must equal the scalar calculator's, and a row must fail exactly
when the scalar call raises.  Then hand-worked cases: the notices' example, half-分 ties, amounts
beyond int64 and beyond 28 digits, floats, lists and the values per member of a list, and the
messages that name column, row and clause.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from policydsl import api, ir, runner
from policydsl.backends import batch

from . import strategies
from .conftest import GENERATED, POLICIES, ROOT, check_source

SHIPPED = api.check([POLICIES])  # the policies whose modules generated/batch/ holds
EVERY = api.check([POLICIES, ROOT / "examples"])  # … and the practice notices' policies
CALCULATORS = [(p.id, c.name) for p in EVERY.policies for c in p.calculators]
POLICY = {p.id: p for p in EVERY.policies}


@functools.cache
def batch_module(policy: ir.Policy) -> types.ModuleType:
    """The batch module of a policy, generated from the current IR and run in memory."""
    name = f"_batch_{policy.id}_{id(policy)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(batch.generate(policy), f"<batch {policy.id}>", "exec"), module.__dict__)
    return module


@functools.cache
def scalar_module(policy: ir.Policy) -> types.ModuleType:
    return runner.load_module(policy)


def functions(policy_id: str, calc_name: str) -> tuple[ir.Policy, ir.Calculator, Any, Any]:
    policy = POLICY[policy_id]
    calc = next(c for c in policy.calculators if c.name == calc_name)
    scalar = getattr(scalar_module(policy), batch.pyident(calc.name))
    vectorised = getattr(batch_module(policy), batch.ident(calc.name))
    return policy, calc, scalar, vectorised


# ---------------------------------------------------------------- comparing with the scalar
def plain(value: object) -> object:
    """A scalar result's value as the batch table holds it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def scalar_rows(scalar: Any, population: strategies.Population) -> list[dict[str, object] | None]:
    """Each row's outputs from the scalar calculator, or None where it raises ValueError."""
    results: list[dict[str, object] | None] = []
    for row in range(population.count):
        try:
            results.append({k: plain(v) for k, v in scalar(**population.call(row)).as_dict().items()})
        except ValueError:
            results.append(None)
    return results


def table_of(policy: ir.Policy, population: strategies.Population, style: int) -> pa.Table:
    """The population as an Arrow table, each column in one of the forms a caller may use
    (decimal text, decimal128, floats, list<string> or "a|b" text, dictionary, date32)."""
    columns = {"编号": pa.array(range(population.count))}  # not an input: ignored
    for index, (name, values) in enumerate(population.columns.items()):
        typ = policy.input(name).type
        columns[name] = column_of(typ, values, (style + index) % 3)
    return pa.table(columns)


def column_of(typ: ir.Type, values: list[Any], form: int) -> pa.Array:
    present = [v for v in values if v is not None]
    if typ.kind in strategies.NUMBER_KINDS:
        numbers = [_decimal(v) for v in present]
        if form == 1 and all(n is not None for n in numbers):
            return pa.array([None if v is None else Decimal(v) for v in values])
        if form == 2 and all(n is not None and abs(n) < 10**9 for n in numbers):
            return pa.array([None if v is None else float(v) for v in values], pa.float64())
        return pa.array(values, pa.string())
    if typ.kind == "list":
        if form == 1 and all(isinstance(v, list) and all("|" not in m for m in v) for v in present):
            return pa.array([None if v is None else "|".join(v) for v in values], pa.string())
        return pa.array(values, pa.list_(pa.string()))
    if typ.kind == "enum" and form == 1:
        return pa.array(values, pa.string()).dictionary_encode()
    if typ.kind == "date" and form == 1 and all(_date(v) for v in present):
        return pa.array([None if v is None else datetime.date.fromisoformat(v) for v in values])
    return pa.array(values)


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def mismatches(calc: ir.Calculator, got: pa.Table, expected: list[dict[str, object] | None]) -> list[str]:
    """Rows where the batch table differs from the scalar results (the first ten)."""
    errors = got.column("错误").to_pylist() if "错误" in got.column_names else [None] * got.num_rows
    outputs = {key: got.column(column).to_pylist() for key, column in result_keys(calc).items()}
    if same_columns(outputs, errors, expected):
        return []
    found = []
    for row, want in enumerate(expected):
        if want is None:
            if errors[row] is None:
                found.append(f"row {row}: the scalar calculator raises, the batch one does not")
            continue
        if errors[row] is not None:
            found.append(f"row {row}: the batch calculator refuses it: {errors[row]}")
            continue
        for name, value in want.items():
            if outputs[name][row] != value or type(outputs[name][row]) is not type(value):
                found.append(f"row {row}: {name} = {outputs[name][row]!r}, scalar {value!r}")
        if len(found) >= 10:
            break
    return found[:10]


def same_columns(outputs: dict[str, list[object]], errors: list[str | None],
                 expected: list[dict[str, object] | None]) -> bool:
    """Whether every row is as the scalar calculator has it, column by column (the quick test
    before `mismatches` looks row by row): each value equal and of the same type, and an error
    exactly on the rows the scalar calculator raises on (their outputs empty)."""
    if [error is None for error in errors] != [want is not None for want in expected]:
        return False
    for name, values in outputs.items():
        wanted = [None if want is None else want[name] for want in expected]
        if values != wanted or list(map(type, values)) != list(map(type, wanted)):
            return False
    return True


def result_keys(calc: ir.Calculator) -> dict[str, str]:
    """The scalar result's keys (as_dict) and the batch table's column of each: the outputs, and
    each 累计 amount after the event (a column named so beside the input of the same name)."""
    keys = {out.name: out.name for out in calc.outputs}
    keys.update({update.name: update.name + batch.AFTER for update in calc.updates})
    return keys


def check_population(calc_key: tuple[str, str], population: strategies.Population, style: int) -> None:
    policy, calc, scalar, vectorised = functions(*calc_key)
    expected = scalar_rows(scalar, population)
    table = table_of(policy, population, style)
    try:
        got = vectorised(table, errors="column", **population.constants)
    except NotImplementedError as refused:  # a construct the batch backend does not compute
        pytest.skip(str(refused))
    assert got.column_names == [*result_keys(calc).values(), "错误"]
    assert mismatches(calc, got, expected) == []
    good = [row for row, want in enumerate(expected) if want is not None]
    if len(good) < len(expected):  # errors="raise": the first bad row, named
        first_bad = next(row for row, want in enumerate(expected) if want is None)
        with pytest.raises(ValueError, match=rf"^row {first_bad}: "):
            vectorised(table, **population.constants)
    rows = pa.array(good, pa.int64())
    clean = vectorised(table.take(rows), **population.constants)
    assert clean.column_names == list(result_keys(calc).values())
    assert clean.equals(got.drop_columns(["错误"]).take(rows))  # the good rows, as checked above


# ---------------------------------------------------------------- every calculator, every row
@pytest.mark.parametrize("calc_key", CALCULATORS, ids=["/".join(k) for k in CALCULATORS])
def test_100000_random_rows_equal_the_scalar_calculator(calc_key: tuple[str, str]) -> None:
    policy, calc, _, _ = functions(*calc_key)
    plan = strategies.default_plan(policy, calc, seed=20261202, bad_share=0.002)
    population = strategies.population(policy, calc, 100_000, plan)
    check_population(calc_key, population, style=0)


@pytest.mark.parametrize("calc_key", CALCULATORS, ids=["/".join(k) for k in CALCULATORS])
def test_random_plans_equal_the_scalar_calculator(calc_key: tuple[str, str]) -> None:
    policy, calc, _, _ = functions(*calc_key)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plan=strategies.plans(policy, calc))
    def run(plan: strategies.Plan) -> None:
        population = strategies.population(policy, calc, 300, plan)
        try:
            check_population(calc_key, population, style=plan.seed % 3)
        except ValueError as err:  # a bad constant: both calculators refuse the call
            with pytest.raises(ValueError):
                functions(*calc_key)[2](**population.call(0))
            assert "(" in str(err)

    run()


# ---------------------------------------------------------------- hand-worked cases
TRIPLE = ("nmg_2022_major_illness", "三重制度报销")
LOCAL = {  # the docs/calculators.md example: a 盟市's settings
    "基本医保起付线": "1000", "基本医保支付比例": "0.7", "基本医保封顶线": "150000",
    "大病保险起付线": "15000", "大病保险封顶线": "300000", "全体居民人均可支配收入": "36000",
    "农村牧区居民人均可支配收入": "20000", "医疗救助年度限额": "50000",
    "大病保险分段": [{"上限": "50000", "比例": "0.6"}, {"上限": None, "比例": "0.7"}],
}


def triple(table: object, **constants: object) -> pa.Table:
    result: pa.Table = functions(*TRIPLE)[3](table, **{**LOCAL, **constants})
    return result


def test_the_worked_example_of_the_docs() -> None:
    out = triple({"政策范围内费用": ["100000"], "身份": [["低保对象"]]})
    row = out.to_pylist()[0]
    assert row["基本医保支付"] == Decimal("69300.00")  # (100000 − 1000) × 70 %
    assert row["医疗救助支付"] == Decimal("10934.00")
    assert row["适用身份"] == "低保对象"
    assert out.schema.field("基本医保支付").type == pa.decimal128(18, 2)
    assert out.schema.field("适用身份").type == pa.dictionary(pa.int16(), pa.string())
    assert out.schema.field("因病致贫监测").type == pa.bool_()


def test_half_a_fen_rounds_up_and_nothing_else_is_rounded() -> None:
    # (1000.05 − 1000) × 70 % = 0.035 元 → 0.04; (1000.15 − 1000) × 70 % = 0.105 → 0.11
    out = triple({"政策范围内费用": ["1000.05", "1000.15", "1000.01"], "身份": ["普通参保人"] * 3})
    assert out.column("基本医保支付").to_pylist() == [Decimal("0.04"), Decimal("0.11"), Decimal("0.01")]
    # 0.007 元 rounds to 0.01: the remainder 1000.01 − 0.01 = 1000.00 is exact
    assert out.column("个人负担").to_pylist()[2] == Decimal("1000.00")


def test_amounts_beyond_int64_are_exact() -> None:
    """9e12 元 × 0.99999999 needs 9e22 units: Python integers, and the same 分 as Decimal."""
    policy, calc, scalar, vectorised = functions(*TRIPLE)
    costs = ["9000000000000.05", "1234567890123.57"]
    constants = {**LOCAL, "基本医保支付比例": "0.99999999", "基本医保封顶线": "9999999999999"}
    out = vectorised({"政策范围内费用": costs, "身份": ["普通参保人", "低保对象"]}, **constants)
    for row, cost in enumerate(costs):
        want = scalar(政策范围内费用=cost, 身份=[out.column("适用身份")[row].as_py()], **constants)
        assert out.column("基本医保支付")[row].as_py() == want.基本医保支付
        assert out.column("个人负担")[row].as_py() == want.个人负担


def test_beyond_28_digits_still_exact(tmp_path: Path) -> None:
    """Products of many decimals need more than 28 digits: computed exactly, as the scalar
    calculator computes + − × (it never rounds them)."""
    policy = check_source(tmp_path, """
条款 一 "测试" {
  输入 金额: 元
  输入 比例一: %
  输入 比例二: %
  规则 结果 = 四舍五入(金额 × 比例一 × 比例二 × 比例一)
}
计算 连乘 { 输出 结果 }
""").policies[0]
    module, scalar = batch_module(policy), scalar_module(policy)
    rates = {"比例一": "0.12345678", "比例二": "0.65432101"}
    amounts = ["1234567890123.45", "12345.67", "0.05"]  # up to 1.2e14 分 × three 8-decimal rates
    out = module.连乘({"金额": amounts}, **rates)
    assert out.column("结果").to_pylist() == [scalar.连乘(金额=a, **rates).结果 for a in amounts]


def test_a_quotient_used_before_rounding_refuses_its_calculator(tmp_path: Path) -> None:
    """The scalar calculator keeps 28 significant digits of a quotient: one that goes on into
    more arithmetic before 四舍五入 cannot be matched exactly, so the calculator refuses to run."""
    policy = check_source(tmp_path, """
条款 一 "测试" {
  输入 甲: 元
  输入 乙: %
  规则 商 = 四舍五入(甲 ÷ 乙 × 乙 ÷ 乙, 2)
}
计算 除 { 输出 商 }
""").policies[0]
    module = batch_module(policy)
    with pytest.raises(NotImplementedError, match="÷"):
        module.除({"甲": ["1"], "乙": ["0.3"]})


def test_floats_are_taken_only_within_a_millionth_of_a_yuan_of_a_fen() -> None:
    out = triple({"政策范围内费用": [100000.0, 1000.05, 2000.1], "身份": ["低保对象"] * 3})
    assert out.column("基本医保支付").to_pylist()[0] == Decimal("69300.00")
    with pytest.raises(ValueError) as err:
        triple({"政策范围内费用": [100000.0, 1000.001], "身份": ["低保对象"] * 2})
    assert str(err.value).startswith("row 1: 政策范围内费用 (nmg_2022_major_illness 二（五）")
    assert "the float 1000.001" in str(err.value)


@pytest.mark.parametrize(("table", "constants", "message"), [
    ({"政策范围内费用": ["100", "-5"], "身份": ["低保对象"] * 2}, {},
     "row 1: 政策范围内费用 (nmg_2022_major_illness 二（五）、促进三重制度互补衔接): must not be "
     "negative, got -5"),
    ({"政策范围内费用": ["100", "100"], "身份": ["低保对象", "四类人员"]}, {},
     "row 1: 身份 (nmg_2022_major_illness 二（三）、做好分类资助参保工作): unknown 救助对象身份 "
     "'四类人员'; expected one of 特困人员、低保对象"),
    ({"政策范围内费用": ["100", "1.234"], "身份": ["低保对象"] * 2}, {},
     "row 1: 政策范围内费用 (nmg_2022_major_illness 二（五）、促进三重制度互补衔接): 1.234 has a "
     "fraction of a 分"),
    ({"政策范围内费用": ["100", "100"], "身份": [["低保对象"], []]}, {},  # as the scalar calculator says
     "row 1: 适用身份 (nmg_2022_major_illness 二（三）、做好分类资助参保工作): 身份: the list is empty; "
     "就高不就低 needs at least one member"),
    ({"政策范围内费用": ["100", None], "身份": ["低保对象"] * 2}, {},
     "row 1: 政策范围内费用 (nmg_2022_major_illness 二（五）、促进三重制度互补衔接): no value (null)"),
    ({"政策范围内费用": ["1", "2", "3"], "身份": ["普通参保人", "返贫致贫人口", "返贫致贫人口"]}, {},
     "row 1: 医疗救助起付线 (nmg_2022_major_illness 二（七）、合理确定医疗救助标准): 救助起付线："),
])
def test_bad_rows_name_the_column_the_row_and_the_clause(table: dict[str, list[Any]],
                                                          constants: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as err:
        triple(table, **constants)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(("constants", "message"), [
    ({"大病保险分段": [{"上限": "50000", "比例": "0.55"}, {"上限": None, "比例": "0.7"}]},
     "大病保险分段 = 0.55 breaks the bound 不低于 大病保险最低支付比例 (= 0.6) set by "
     "nmg_2022_major_illness 二（五）、促进三重制度互补衔接"),
    ({"大病保险分段": [{"上限": "50000", "比例": "0.6"}, {"上限": "10", "比例": "0.7"}]},
     "the last tier must be open"),
    ({"基本医保支付比例": "1.2"}, "a rate must not exceed 100%, got 1.2"),
    ({"基本医保起付线": "-1"}, "基本医保起付线 (nmg_2022_major_illness 二（五）、促进三重制度互补衔接): "
     "must not be negative"),
    ({"基本医保封顶线": "10000000000000"}, "10000000000000 is out of range; money (元, to the 分) is "
     "below 10^13"),
    ({"低保救助比例": "0.65"}, "低保救助比例 = 0.65 breaks the bound 不低于 70%"),
    ({"没有这个输入": "1"}, "no input 没有这个输入"),
    ({"规范转诊": None}, "规范转诊 (nmg_2022_major_illness 二（十五）、提高综合服务管理水平): None is not a value"),
])
def test_a_bad_constant_is_refused_at_once(constants: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=None) as err:
        triple({"政策范围内费用": ["100"], "身份": ["低保对象"]}, **constants)
    assert message in str(err.value)


def test_the_message_counts_the_other_bad_rows() -> None:
    with pytest.raises(ValueError) as err:
        triple({"政策范围内费用": ["-1", "2", "-3", "-4"], "身份": ["低保对象"] * 4})
    assert str(err.value).startswith("row 0: ")
    assert str(err.value).endswith('(2 more bad rows among rows 0–3; errors="column" reports every one)')


def test_a_missing_column_is_named() -> None:
    with pytest.raises(ValueError) as err:
        triple({"身份": ["低保对象"]})
    assert str(err.value).startswith("政策范围内费用 (nmg_2022_major_illness 二（五）、促进三重制度互补"
                                     "衔接): no column '政策范围内费用' and no keyword 政策范围内费用=…")


def test_a_column_and_a_keyword_for_one_input_are_refused() -> None:
    with pytest.raises(ValueError, match="given both as a column and as a keyword"):
        triple({"政策范围内费用": ["1"], "身份": ["低保对象"], "基本医保起付线": ["1"]})


def test_a_bound_set_per_row_fails_only_its_rows() -> None:
    """定额资助标准 must lie between 45 % and 100 % of 个人缴费标准, row by row."""
    _, _, scalar, vectorised = functions("nmg_2022_major_illness", "资助参保")
    table = {"身份": ["低保对象", "低保对象", "特困人员"], "个人缴费标准": ["380", "380", "380"],
             "定额资助标准": ["171", "170.99", "380"]}
    out = vectorised(table, errors="column")
    assert out.column("资助金额").to_pylist() == [Decimal("171.00"), None, Decimal("380.00")]
    assert out.column("个人实缴").to_pylist() == [Decimal("209.00"), None, Decimal("0.00")]
    assert out.column("错误").to_pylist() == [
        None, "定额资助标准 = 170.99 breaks the bound 不低于 个人缴费标准 × 定额资助最低比例 (= 171) "
        "set by nmg_2022_major_illness 二（三）、做好分类资助参保工作", None]
    with pytest.raises(ValueError, match="breaks the bound"):
        scalar(身份=["低保对象"], 个人缴费标准="380", 定额资助标准="170.99")


def test_errors_column_keeps_every_row_and_says_why() -> None:
    out = triple({"政策范围内费用": ["100000", "-1", "abc"], "身份": ["低保对象"] * 3},
                 errors="column")
    assert out.num_rows == 3
    assert out.column("基本医保支付").to_pylist() == [Decimal("69300.00"), None, None]
    errors = out.column("错误").to_pylist()
    assert errors[0] is None
    assert errors[1].endswith("must not be negative, got -1")
    assert errors[2].endswith("'abc' is not a number")
    with pytest.raises(ValueError, match="errors must be"):
        triple({"政策范围内费用": ["1"], "身份": ["低保对象"]}, errors="ignore")


def test_dataframes_and_mappings_are_tables() -> None:
    frame = pd.DataFrame({"政策范围内费用": [Decimal("100000"), Decimal("5000")],
                          "身份": [["低保对象"], ["普通参保人", "特困人员"]]})
    from_pandas = triple(frame)
    from_mapping = triple({"政策范围内费用": [100000, 5000], "身份": ["低保对象", "普通参保人|特困人员"]})
    assert from_pandas.equals(from_mapping)
    assert from_pandas.column("适用身份").to_pylist() == ["低保对象", "特困人员"]
    assert triple(pa.table({"政策范围内费用": ["1"], "身份": ["低保对象"]}).to_batches()[0]).num_rows == 1
    with pytest.raises(TypeError, match="expected a pyarrow Table"):
        triple([1, 2, 3])


def test_a_large_table_is_computed_a_slice_at_a_time_with_the_same_result(
        monkeypatch: pytest.MonkeyPatch) -> None:
    policy, calc, _, vectorised = functions(*TRIPLE)
    population = strategies.population(policy, calc, 5000, strategies.Plan(dict(LOCAL), 3, 0.01))
    table = table_of(policy, population, 0)
    whole = vectorised(table, errors="column", **population.constants)
    monkeypatch.setattr(batch_module(policy), "_CHUNK_ROWS", 700)
    sliced = vectorised(table, errors="column", **population.constants)
    assert sliced.num_rows == 5000 and sliced.equals(whole)
    first_bad = whole.column("错误").to_pylist().index(
        next(e for e in whole.column("错误").to_pylist() if e is not None))
    with pytest.raises(ValueError, match=rf"^row {first_bad}: "):
        vectorised(table, **population.constants)


def test_a_keyword_constant_equals_a_column_of_it() -> None:
    vectorised = functions(*TRIPLE)[3]
    rows = {"政策范围内费用": ["100000", "20000"], "身份": ["低保对象", "普通参保人"]}
    local = {k: v for k, v in LOCAL.items() if k != "医疗救助年度限额"}
    as_column = vectorised({**rows, "医疗救助年度限额": ["1000", "1000"]}, **local)
    assert as_column.equals(vectorised(rows, 医疗救助年度限额="1000", **local))


# ---------------------------------------------------------------- lists and values per member
DISEASE_NOTICE = ("高血压每人每年600元，糖尿病每人每年800元，冠心病每人每年1000元。"
                  "住院的，高血压200元，糖尿病300元，冠心病400元。")
DISEASES = """
枚举 病种 { 高血压 糖尿病 冠心病 }
枚举 就诊方式 { 门诊 住院 }
条款 一 "限额" {
  引文 "高血压每人每年600元，糖尿病每人每年800元，冠心病每人每年1000元。"
  表 门诊限额 按 病种 {
    高血压: 600 元
    糖尿病: 800 元
    冠心病: 1000 元
  }
  输入 所患病种: 一组 病种
  规则 病种数 = 个数(所患病种)
  规则 最高限额 = 最高(门诊限额[所患病种])
  规则 次高限额 = 次高(门诊限额[所患病种])
  规则 限额合计 = 合计(门诊限额[所患病种])
  规则 患冠心病 = 所患病种 包含 冠心病
  规则 首要病种 = 就高不就低(所患病种)
}
条款 二 "住院" {
  引文 "住院的，高血压200元，糖尿病300元，冠心病400元。"
  表 住院限额 按 病种 {
    高血压: 200 元
    糖尿病: 300 元
    冠心病: 400 元
  }
  输入 方式: 就诊方式
  输入 住院: 是否
  规则 各病种限额 = 若 住院 则 住院限额[所患病种] 否则 门诊限额[所患病种]
  规则 按方式限额 = 按 方式 { 住院: 住院限额[所患病种] 其他: 门诊限额[所患病种] }
  规则 适用最高限额 = 最高(各病种限额)
  规则 按方式合计 = 合计(按方式限额)
  规则 住院最高限额 = 最高(若 住院 则 住院限额[所患病种] 否则 错误("门诊不按住院限额"))
}
计算 列表 { 输出 病种数 输出 最高限额 输出 次高限额 输出 限额合计 输出 患冠心病 }
计算 首要 { 输出 首要病种 }
计算 选择 { 输出 适用最高限额 输出 按方式合计 }
计算 仅住院 { 输出 住院最高限额 }
"""
WHOLE = """
条款 三 "其他" {
  规则 各门诊限额 = 门诊限额[所患病种]
  输入 享受月数: 个月
  规则 折算 = 按月折算(最高限额, 享受月数)
}
计算 各值 { 输出 各门诊限额 }
计算 病种 { 输出 首要病种 输出 所患病种 }
计算 折算 { 输出 折算 }
"""


@pytest.fixture
def diseases(tmp_path: Path) -> tuple[types.ModuleType, types.ModuleType]:
    """The batch and the scalar module of a policy of lists: (batch, scalar)."""
    result = check_source(tmp_path, DISEASES, DISEASE_NOTICE)
    assert result.ok, [d.message for d in result.diagnostics]
    policy = result.policies[0]
    return batch_module(policy), scalar_module(policy)


def scalar_column(scalar: Any, output: str, calls: list[dict[str, Any]]) -> list[object]:
    return [plain(getattr(scalar(**call), output)) for call in calls]


def test_count_highest_second_and_sum_over_a_list(
        diseases: tuple[types.ModuleType, types.ModuleType]) -> None:
    module, scalar = diseases
    lists = [["高血压", "糖尿病", "冠心病"], ["冠心病", "高血压"], [], ["糖尿病"]]
    out = module.列表({"所患病种": lists})
    assert out.column("病种数").to_pylist() == [3, 2, 0, 1]
    assert out.column("最高限额").to_pylist() == [Decimal("1000.00"), Decimal("1000.00"), 0,
                                              Decimal("800.00")]
    assert out.column("次高限额").to_pylist() == [Decimal("800.00"), Decimal("600.00"), 0, 0]
    assert out.column("限额合计").to_pylist() == [Decimal("2400.00"), Decimal("1600.00"), 0,
                                              Decimal("800.00")]
    assert out.column("患冠心病").to_pylist() == [True, True, False, False]
    calls = [{"所患病种": members} for members in lists]
    for name in out.column_names:
        assert out.column(name).to_pylist() == scalar_column(scalar.列表, name, calls)


IDENTITY = "身份 (nmg_2022_major_illness 二（三）、做好分类资助参保工作)"


@pytest.mark.parametrize("identities", [
    pa.array(["低保对象", "低保对象|低保对象", "特困人员", "低保对象|低保对象|四类人员"]),
    pa.array([["低保对象"], ["低保对象", "特困人员", "低保对象"], ["特困人员"],
              ["低保对象", "低保对象", "四类人员"]], pa.list_(pa.string())),
], ids=["text", "list"])
def test_a_member_given_twice_fails_its_row(identities: pa.Array) -> None:
    """A list says which members a person holds: 低保对象 twice is refused, as the scalar
    calculator refuses it (an unknown name is named first, as there)."""
    table = {"政策范围内费用": ["100000"] * 4, "身份": identities}
    with pytest.raises(ValueError) as err:
        triple(table)
    assert str(err.value) == (f"row 1: {IDENTITY}: 低保对象 is given more than once (1 more bad "
                              "row among rows 1–3; errors=\"column\" reports every one)")
    out = triple(table, errors="column")
    assert out.column("错误").to_pylist() == [
        None, f"{IDENTITY}: 低保对象 is given more than once", None,
        f"{IDENTITY}: unknown 救助对象身份 '四类人员'; expected one of 特困人员、低保对象、返贫致贫人口、"
        "低保边缘家庭成员、易返贫致贫人口、纳入监测范围的农村牧区易返贫致贫人口、农村牧区易返贫致贫人口、"
        "因病致贫重病患者、普通参保人"]
    assert out.column("基本医保支付").to_pylist() == [Decimal("69300.00"), None,
                                                Decimal("69300.00"), None]
    scalar = functions(*TRIPLE)[2]
    with pytest.raises(ValueError, match="^身份: 低保对象 is given more than once$"):
        scalar(政策范围内费用="100000", 身份=["低保对象", "特困人员", "低保对象"], **LOCAL)
    with pytest.raises(ValueError, match="^身份: unknown 救助对象身份 '四类人员'"):
        scalar(政策范围内费用="100000", 身份=["低保对象", "低保对象", "四类人员"], **LOCAL)


@pytest.mark.parametrize("identities", [["低保对象", "特困人员", "低保对象"], "低保对象|特困人员|低保对象"],
                         ids=["list", "text"])
@pytest.mark.parametrize("errors", ["raise", "column"])
def test_a_member_given_twice_in_a_constant_is_refused_at_once(identities: object,
                                                                errors: str) -> None:
    with pytest.raises(ValueError) as err:
        triple({"政策范围内费用": ["100000", "5000"]}, errors=errors, 身份=identities)
    assert str(err.value) == f"{IDENTITY}: 低保对象 is given more than once"


def test_an_empty_list_is_a_list(diseases: tuple[types.ModuleType, types.ModuleType]) -> None:
    module, scalar = diseases
    out = module.列表({"编号": [1, 2]}, 所患病种=[])  # a keyword constant: an empty list for every row
    assert out.column("病种数").to_pylist() == [0, 0]
    assert out.column("最高限额").to_pylist() == [0, 0]
    chosen = module.首要({"所患病种": [["糖尿病", "高血压"], []]}, errors="column")
    assert chosen.column("首要病种").to_pylist() == ["高血压", None]
    assert chosen.column("错误").to_pylist() == [
        None, "首要病种 (t 一、限额): 所患病种: the list is empty; 就高不就低 needs at least one member"]
    with pytest.raises(ValueError, match="^所患病种: the list is empty; 就高不就低 needs"):
        scalar.首要(所患病种=[])
    with pytest.raises(ValueError, match="row 0: 所患病种 .*: unknown 病种 ''"):  # a name, not no name
        module.列表({"所患病种": [[""]]})


def test_values_per_member_chosen_by_if_and_match(
        diseases: tuple[types.ModuleType, types.ModuleType]) -> None:
    module, scalar = diseases
    rows = [(["高血压", "冠心病"], "住院", True), (["高血压", "冠心病"], "门诊", False),
            (["糖尿病"], "住院", False), ([], "门诊", True)]
    table = {"所患病种": [r[0] for r in rows], "方式": [r[1] for r in rows], "住院": [r[2] for r in rows]}
    out = module.选择(table)
    assert out.column("适用最高限额").to_pylist() == [Decimal("400.00"), Decimal("1000.00"),
                                                Decimal("800.00"), 0]
    assert out.column("按方式合计").to_pylist() == [Decimal("600.00"), Decimal("1600.00"),
                                              Decimal("300.00"), 0]
    calls = [{"所患病种": a, "方式": b, "住院": c} for a, b, c in rows]
    for name in out.column_names:
        assert out.column(name).to_pylist() == scalar_column(scalar.选择, name, calls)
    only = module.仅住院(table, errors="column")
    assert only.column("住院最高限额").to_pylist() == [Decimal("400.00"), None, None, 0]
    assert only.column("错误").to_pylist()[1].endswith(": 门诊不按住院限额")


def test_values_per_member_used_as_a_whole_refuse_their_calculator(tmp_path: Path) -> None:
    """A list, or values per member, as an output: the scalar calculator returns its tuple in
    the order the list was given, which a batch list does not keep.  按月折算 not rounded at
    once keeps 28 digits of a quotient."""
    result = check_source(tmp_path, DISEASES + WHOLE, DISEASE_NOTICE)
    assert result.ok, [d.message for d in result.diagnostics]
    module = batch_module(result.policies[0])
    table = {"所患病种": [["高血压"]], "方式": ["门诊"], "住院": [False], "享受月数": ["7"]}
    for name, why in [("各值", "in the order the list was given"),
                      ("病种", "in the order the list was given"),
                      ("折算", "28 significant digits")]:
        with pytest.raises(NotImplementedError, match=f"^{name} cannot run in batch: .*{why}"):
            getattr(module, name)(table)
    assert module.列表(table).column("病种数").to_pylist() == [1]  # the others run


def test_a_month_share_rounded_at_once_is_exact(tmp_path: Path) -> None:
    """四舍五入(按月折算(年度限额, 月数)) = 年度限额 × 月数 ÷ 12, rounded half-up to the 分."""
    policy = check_source(tmp_path, """
条款 一 "测试" {
  输入 年度限额: 元
  输入 享受月数: 个月
  规则 折算限额 = 四舍五入(按月折算(年度限额, 享受月数))
}
计算 折算 { 输出 折算限额 }
""").policies[0]
    module, scalar = batch_module(policy), scalar_module(policy)
    cases = [("1000", "7"), ("1500", "5"), ("100.01", "1"), ("0.06", "1"), ("9999999999999.99", "12")]
    out = module.折算({"年度限额": [a for a, _ in cases], "享受月数": [m for _, m in cases]})
    assert out.column("折算限额").to_pylist() == [  # 583.33…, 625, 8.334…, 0.005 → 0.01
        Decimal("583.33"), Decimal("625.00"), Decimal("8.33"), Decimal("0.01"),
        Decimal("9999999999999.99")]
    assert out.column("折算限额").to_pylist() == [scalar.折算(年度限额=a, 享受月数=m).折算限额
                                              for a, m in cases]


def test_dates(tmp_path: Path) -> None:
    """次日, 年初, 年末, 月日, 当年, 较小 of dates, and dates moved by days, months and years."""
    policy = check_source(tmp_path, """
条款 一 "测试" {
  引文 "每年2月29日；截至2024年6月30日。"
  参数 闰日 = 2月29日
  参数 截止日期 = 2024-06-30
  输入 日期: 日期
  输入 月数: 个月
  输入 年数: 年
  输入 天数: 天
  规则 第二天 = 次日(日期)
  规则 年首 = 年初(日期)
  规则 年尾 = 年末(日期)
  规则 日期月日 = 月日(日期)
  规则 当年闰日 = 当年(闰日, 日期)
  规则 较早日期 = 较小(日期, 截止日期)
  规则 数月后 = 日期 + 月数
  规则 数年前 = 日期 - 年数
  规则 数天后 = 日期 + 天数
}
计算 日期 { 输出 第二天 输出 年首 输出 年尾 输出 日期月日 输出 当年闰日 }
计算 推算 { 输出 较早日期 输出 数月后 输出 数年前 输出 数天后 }
""", "每年2月29日；截至2024年6月30日。").policies[0]
    module, scalar = batch_module(policy), scalar_module(policy)
    date = datetime.date
    days = ["2024-02-29", "2023-12-31", "2025-01-31"]
    out = module.日期({"日期": days})
    assert out.to_pylist()[:2] == [
        {"第二天": date(2024, 3, 1), "年首": date(2024, 1, 1), "年尾": date(2024, 12, 31),
         "日期月日": date(2000, 2, 29), "当年闰日": date(2024, 2, 29)},
        {"第二天": date(2024, 1, 1), "年首": date(2023, 1, 1), "年尾": date(2023, 12, 31),
         "日期月日": date(2000, 12, 31), "当年闰日": date(2023, 2, 28)},  # no 2月29日 in 2023
    ]
    assert out.to_pylist() == [scalar.日期(日期=day).as_dict() for day in days]
    moves = {"月数": ["1.5", "13", "1"], "年数": ["1", "0", "1"], "天数": ["1", "0", "30"]}
    out = module.推算({"日期": days, **moves})
    assert out.to_pylist()[2] == {  # 1月31日 + 1 个月 is 2月28日; the deadline is the earlier
        "较早日期": date(2024, 6, 30), "数月后": date(2025, 2, 28), "数年前": date(2024, 1, 31),
        "数天后": date(2025, 3, 2)}
    calls = [{"日期": day, **{k: v[row] for k, v in moves.items()}} for row, day in enumerate(days)]
    assert out.to_pylist() == [scalar.推算(**call).as_dict() for call in calls]
    # a date given once, for every row, beside the deadline: the earlier of the two, not the first
    once = module.推算({"编号": [0]}, 日期="2025-01-31", 月数="1", 年数="1", 天数="1")
    assert once.column("较早日期").to_pylist() == [date(2024, 6, 30)]


# ---------------------------------------------------------------- what the backend refuses
def test_an_unrounded_division_refuses_its_calculator_only(tmp_path: Path) -> None:
    result = check_source(tmp_path, """
条款 一 "测试" {
  输入 甲: 元
  输入 乙: 元
  规则 比值 = 甲 ÷ 乙
  规则 比值到分 = 四舍五入(甲 ÷ 乙, 2)
}
计算 不取整 { 输出 比值 }
计算 取整 { 输出 比值到分 }
""")
    policy = result.policies[0]
    module = batch_module(policy)
    with pytest.raises(NotImplementedError, match="不取整 cannot run in batch: .*÷.* 28 significant digits"):
        module.不取整({"甲": ["1"], "乙": ["3"]})
    scalar = scalar_module(policy)
    cases = [("1", "3"), ("2", "3"), ("0.05", "1"), ("1", "0.08"), ("100000000", "0.07"), ("5", "0")]
    out = module.取整({"甲": [a for a, _ in cases], "乙": [b for _, b in cases]}, errors="column")
    for row, (a, b) in enumerate(cases[:-1]):
        assert out.column("比值到分")[row].as_py() == scalar.取整(甲=a, 乙=b).比值到分
    assert out.column("错误")[5].as_py().endswith("(甲 ÷ 乙): division by zero")


def test_every_construct_of_the_ir_has_a_method_or_an_error() -> None:
    """A node the backend does not know refuses its calculator (naming the node): it never
    becomes wrong code."""
    for node in ir.Expr.__args__:  # type: ignore[attr-defined]
        if node not in (ir.Const, ir.Ref):
            assert hasattr(batch._Module, "_" + node.__name__), node.__name__


def test_no_calculator_of_the_policies_or_the_examples_is_refused() -> None:
    refused = [f"{policy.id}: {why}" for policy in EVERY.policies
               for why in re.findall(r"raise NotImplementedError\((.*)\)", batch.generate(policy))]
    assert refused == []


# ---------------------------------------------------------------- the committed modules
BATCH_MODULES = sorted(p.stem for p in (GENERATED / "batch").glob("*.py") if p.stem != "__init__")


def test_every_policy_has_a_batch_module() -> None:
    assert BATCH_MODULES == sorted(p.id for p in SHIPPED.policies)


@pytest.mark.parametrize("policy_id", BATCH_MODULES)
def test_batch_modules_import_numpy_and_pyarrow_only(policy_id: str) -> None:
    path = GENERATED / "batch" / f"{policy_id}.py"
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(path)!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['m'] = m\n"
        "spec.loader.exec_module(m)\n"
        "roots = {n.split('.')[0] for n in sys.modules}\n"
        "bad = roots & {'policydsl', 'lark', 'attrs', 'jinja2', 'click', 'pandas', 'yaml'}\n"
        "assert not bad, bad\n"
        "print(len(m.__all__))\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_batch_modules_are_clean_under_ruff_and_mypy_strict(tmp_path: Path) -> None:
    target = tmp_path / "batch"
    target.mkdir()
    for path in (GENERATED / "batch").glob("*.py"):
        (target / path.name).write_bytes(path.read_bytes())
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                           "E,F,W,I,B,UP", "--ignore", "E501", str(target)],
                          capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(target)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert mypy.returncode == 0, mypy.stdout


def test_the_module_cites_each_number_and_rule() -> None:
    text = (GENERATED / "batch" / "nmg_2022_major_illness.py").read_text("utf-8")
    lines = text.splitlines()
    definition = next(i for i, line in enumerate(lines)
                      if line.startswith("大病保险最低支付比例: Final = _number(\"0.6"))
    assert lines[definition - 1] == "# 不低于 60% — nmg_2022_major_illness 二（五）、促进三重制度互补衔接"
    assert "出处：nmg_2022_major_illness 二（五）、促进三重制度互补衔接" in text
    assert "def 规则_基本医保支付(" in text


def test_the_runtime_copy_holds_only_what_a_module_uses() -> None:
    xinzhou = (GENERATED / "batch" / "xinzhou_2023_resident.py").read_text("utf-8")
    assert "def _lookup(" in xinzhou
    assert "def _progressive(" not in xinzhou  # no 分段 there
    assert "def _members(" not in xinzhou
