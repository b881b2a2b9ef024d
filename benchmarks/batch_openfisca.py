"""The 三重制度报销 chain as an OpenFisca user would write it (openfisca-core, vectorised numpy,
float32 money), for benchmarks/batch_bench.py.  openfisca-core is a benchmark-only dependency:
`pip install openfisca-core`.

One entity (the insured person), one yearly period, the 盟市 settings as OpenFisca parameters
(the 大病保险 tiers as a marginal rate scale), one variable per step of the notice, written
with OpenFisca's helpers (max_, min_, where, select, round_).  A person's identities are one
boolean variable each, as OpenFisca has no list-valued variables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.model_api import YEAR, Variable, max_, min_, round_, select, where
from openfisca_core.parameters import ParameterNode
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

PERIOD = "2023"
IDENTITIES = ("特困人员", "低保对象", "返贫致贫人口", "低保边缘家庭成员", "因病致贫重病患者", "普通参保人")
OUTPUTS = ("基本医保支付", "大病保险支付", "医疗救助支付", "个人负担")

Person = build_entity(key="person", plural="persons", label="参保人", is_person=True)


def _value(amount: float) -> dict[str, Any]:
    return {"values": {"2023-01-01": amount}}


def parameters(local: dict[str, Any]) -> ParameterNode:
    """The 盟市 settings (the same ones the batch calculator takes as keywords)."""
    tiers = local["大病保险分段"]
    lower = 0.0
    brackets = []
    for tier in tiers:
        brackets.append({"threshold": _value(lower), "rate": _value(float(tier["比例"]))})
        lower = float(tier["上限"]) if tier["上限"] is not None else lower
    return ParameterNode("", data={
        "基本医保": {"起付线": _value(float(local["基本医保起付线"])),
                   "支付比例": _value(float(local["基本医保支付比例"])),
                   "封顶线": _value(float(local["基本医保封顶线"]))},
        "大病保险": {"起付线": _value(float(local["大病保险起付线"])),
                   "封顶线": _value(float(local["大病保险封顶线"])),
                   "分段": {"brackets": brackets}},
        "医疗救助": {"救助起付线": _value(float(local["救助起付线"])),
                   "年度限额": _value(float(local["医疗救助年度限额"])),
                   "低保救助比例": _value(0.7), "其他救助比例": _value(0.6)},
    })


def person_variable(name: str, kind: type, formula: Any = None) -> type:
    attributes: dict[str, Any] = {"value_type": kind, "entity": Person, "definition_period": YEAR,
                                  "label": name}
    if formula is not None:
        attributes["formula"] = formula
    return type(name, (Variable,), attributes)


def 适用身份(person: Any, period: Any, parameters: Any) -> Any:
    held = [person(f"是{name}", period) for name in IDENTITIES[:-1]]
    return select(held, list(range(len(held))), default=len(IDENTITIES) - 1)


def 基本医保支付(person: Any, period: Any, parameters: Any) -> Any:
    p = parameters(period).基本医保
    cost = person("政策范围内费用", period)
    return round_(min_(max_(cost - p.起付线, 0) * p.支付比例, p.封顶线), 2)


def 大病保险支付(person: Any, period: Any, parameters: Any) -> Any:
    p = parameters(period).大病保险
    remaining = person("政策范围内费用", period) - person("基本医保支付", period)
    favoured = person("适用身份", period) <= 2  # 特困人员、低保对象、返贫致贫人口
    deductible = where(favoured, p.起付线 * 0.5, p.起付线)
    paid = p.分段.calc(remaining) - p.分段.calc(min_(remaining, deductible))
    paid = where(favoured, paid + 0.05 * max_(remaining - deductible, 0), paid)  # +5 个百分点
    return round_(where(favoured, paid, min_(paid, p.封顶线)), 2)


def 医疗救助支付(person: Any, period: Any, parameters: Any) -> Any:
    p = parameters(period).医疗救助
    identity = person("适用身份", period)
    remaining = (person("政策范围内费用", period) - person("基本医保支付", period)
                 - person("大病保险支付", period))
    deductible = where(identity <= 4, p.救助起付线, 0)  # the 盟市 sets one for every identity
    rate = select([identity == 0, identity == 1, identity == 5], [1.0, p.低保救助比例, 0.0],
                  default=p.其他救助比例)
    left = max_(p.年度限额 - person("已用救助额度", period), 0)
    paid = round_(min_(max_(remaining - deductible, 0) * rate, left), 2)
    return where(person("规范转诊", period) & (identity != 5), paid, 0)


def 个人负担(person: Any, period: Any, parameters: Any) -> Any:
    return (person("政策范围内费用", period) - person("基本医保支付", period)
            - person("大病保险支付", period) - person("医疗救助支付", period))


def system(local: dict[str, Any]) -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Person])
    tbs.parameters = parameters(local)
    variables = [person_variable("政策范围内费用", float), person_variable("已用救助额度", float),
                 person_variable("规范转诊", bool),
                 *(person_variable(f"是{name}", bool) for name in IDENTITIES[:-1]),
                 person_variable("适用身份", int, 适用身份),
                 person_variable("基本医保支付", float, 基本医保支付),
                 person_variable("大病保险支付", float, 大病保险支付),
                 person_variable("医疗救助支付", float, 医疗救助支付),
                 person_variable("个人负担", float, 个人负担)]
    for variable in variables:
        tbs.add_variable(variable)
    return tbs


def run(tbs: TaxBenefitSystem, inputs: dict[str, np.ndarray[Any, Any]]) -> dict[str, Any]:
    """One simulation of the whole population: the inputs set, the outputs calculated."""
    count = len(next(iter(inputs.values())))
    simulation = SimulationBuilder().build_default_simulation(tbs, count=count)
    for name, values in inputs.items():
        simulation.set_input(name, PERIOD, values)
    return {name: simulation.calculate(name, PERIOD) for name in OUTPUTS}
