"""Charts (policydsl/backends/charts.py): one SVG per member of the enumeration a chart is split
by, whose areas are what the generated calculator pays at every sampled point.

The configured charts and the members they are split by are read from CHARTS and the IR; the
hand-worked points use the shipped sample 盟市 settings (charts.SAMPLE_MENGSHI).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import attrs
import pytest
from markdown_it import MarkdownIt
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from policydsl import api, ir, runner
from policydsl.backends import charts
from policydsl.escaping import pyident

from .conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"
MAJOR_ILLNESS = "三重制度报销"
COORDINATES = {"x", "y", "x1", "y1", "x2", "y2"}  # written to 0.01 px, always two decimals


class SvgSnapshot(SingleFileSnapshotExtension):
    """The snapshot is an .svg file: open it to look at the chart under review."""

    _write_mode = WriteMode.TEXT
    file_extension = "svg"


@pytest.fixture
def svg_snapshot(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(SvgSnapshot)


@pytest.fixture(scope="module")
def policies(shipped: api.CheckResult) -> list[ir.Policy]:
    return list(shipped.policies)


@pytest.fixture(scope="module")
def drawn(policies: list[ir.Policy]) -> dict[str, str]:
    return charts.charts(policies)


@pytest.fixture(scope="module")
def modules(policies: list[ir.Policy]) -> dict[str, ModuleType]:
    return {p.id: runner.load_module(p) for p in policies
            if any(spec.policy == p.id for spec in charts.CHARTS)}


def configured(policies: list[ir.Policy]) -> Iterator[tuple[ir.Policy, charts.ChartSpec, str]]:
    """Every (policy, spec, member) the shipped configuration draws."""
    by_id = {p.id: p for p in policies}
    for spec in charts.CHARTS:
        if spec.policy in by_id:
            policy = by_id[spec.policy]
            for member in charts.members(policy, spec):
                yield policy, spec, member


def major_illness(policies: list[ir.Policy]) -> tuple[ir.Policy, charts.ChartSpec]:
    for policy, spec, _ in configured(policies):
        if spec.calculator == MAJOR_ILLNESS:
            return policy, spec
    raise AssertionError(f"no chart of {MAJOR_ILLNESS} is configured")


def direct(module: ModuleType, policy: ir.Policy, spec: charts.ChartSpec, member: str,
           x: Decimal) -> dict[str, Any]:
    """The calculator called here, not through the chart code: what a billing system gets."""
    split: Any = [member] if policy.input(spec.split_by).type.kind == "list" else member
    given = {**spec.fixed, **spec.fixed_by_member.get(member, {}), spec.split_by: split,
             spec.x_input: x}
    function = getattr(module, pyident(spec.calculator))
    result: dict[str, Any] = function(**{pyident(k): v for k, v in given.items()}).as_dict()
    return result


# ---------------------------------------------------------------- which charts
def test_one_chart_per_member_of_the_enumeration_the_identity_input_takes(
        policies: list[ir.Policy], drawn: dict[str, str]) -> None:
    policy, spec = major_illness(policies)
    identity = policy.input(spec.split_by).type
    assert identity.kind in ("list", "enum")
    assert identity.arg == "救助对象身份"
    identities = policy.enum(identity.arg).members
    expected = {f"charts/{policy.id}/{MAJOR_ILLNESS}-{m}.svg" for m in identities}
    assert set(drawn) == expected
    assert list(drawn) == sorted(drawn)


def test_no_chart_without_its_policy() -> None:
    assert charts.charts([]) == {}


# ---------------------------------------------------------------- the numbers
def test_every_sampled_point_is_what_the_calculator_pays(
        policies: list[ir.Policy], modules: dict[str, ModuleType]) -> None:
    for policy, spec, member in configured(policies):
        series = charts.sample(policy, spec, member, modules[policy.id])
        for index, x in enumerate(series.xs):
            paid = direct(modules[policy.id], policy, spec, member, x)
            for name in (*spec.stacked, spec.line):
                assert series.values[name][index] == paid[name], (member, x, name)


def test_the_layers_add_up_to_the_cost_at_every_point(
        policies: list[ir.Policy], modules: dict[str, ModuleType]) -> None:
    policy, spec = major_illness(policies)
    for member in charts.members(policy, spec):
        series = charts.sample(policy, spec, member, modules[policy.id])
        for index, x in enumerate(series.xs):
            layers = [series.values[name][index] for name in (*spec.stacked, spec.line)]
            assert sum(layers) == x, (member, x, layers)


def test_sampled_every_step_over_the_whole_range(
        policies: list[ir.Policy], modules: dict[str, ModuleType]) -> None:
    policy, spec = major_illness(policies)
    series = charts.sample(policy, spec, charts.members(policy, spec)[0], modules[policy.id])
    assert (spec.x_from, spec.x_to, spec.x_step) == (0, 500000, 5000)
    assert set(range(0, 500001, 5000)) <= set(series.xs)
    assert list(series.xs) == sorted(set(series.xs))


def test_hand_worked_points(policies: list[ir.Policy], modules: dict[str, ModuleType]) -> None:
    """Sample settings: 起付线 1,000, 70 %, 封顶 150,000; 大病 起付 15,000, tiers to 50,000 at
    60 %, to 100,000 at 70 %, then 80 %; 救助 限额 100,000, 低保 70 %."""
    policy, spec = major_illness(policies)
    assert charts.SAMPLE_MENGSHI["基本医保起付线"] == 1000
    assert charts.SAMPLE_MENGSHI["医疗救助年度限额"] == 100000

    def at(member: str, x: int) -> list[Decimal]:
        series = charts.sample(policy, spec, member, modules[policy.id])
        index = series.xs.index(Decimal(x))
        return [series.values[name][index] for name in (*spec.stacked, spec.line)]

    # 100,000: 基本 (100,000 − 1,000) × 70 % = 69,300; after it 30,700; 大病 tilted for 低保对象
    # (起付 halved to 7,500, +5 points): (30,700 − 7,500) × 65 % = 15,080; left 15,620;
    # 救助 (起付 取消) 15,620 × 70 % = 10,934; 个人 4,686.
    assert at("低保对象", 100000) == [69300, 15080, 10934, 4686]
    # 500,000, 特困人员: 基本 capped at 150,000; after it 350,000; 大病 (no cap)
    # 42,500 × 65 % + 50,000 × 75 % + 250,000 × 85 % = 27,625 + 37,500 + 212,500 = 277,625;
    # left 72,375, within the 100,000 限额: 救助 全额 72,375; 个人 0.
    assert at("特困人员", 500000) == [150000, 277625, 72375, 0]
    # 300,000, 普通参保人: 基本 150,000; after it 150,000; 大病 35,000 × 60 % + 50,000 × 70 %
    # + 50,000 × 80 % = 21,000 + 35,000 + 40,000 = 96,000; no 救助; 个人 54,000.
    assert at("普通参保人", 300000) == [150000, 96000, 0, 54000]


def test_bends_are_sampled_on_both_sides(
        policies: list[ir.Policy], modules: dict[str, ModuleType]) -> None:
    """The 基本医保 deductible, and where 基本医保 reaches its cap (起付线 + 封顶线 ÷ 比例),
    are sampled, or lie between two sampled points at most `resolution` apart."""
    policy, spec = major_illness(policies)
    settings = charts.SAMPLE_MENGSHI
    deductible = settings["基本医保起付线"]
    capped = deductible + settings["基本医保封顶线"] / settings["基本医保支付比例"]
    for member in charts.members(policy, spec):
        xs = charts.sample(policy, spec, member, modules[policy.id]).xs
        for bend in (deductible, capped):
            assert bend in xs or any(a < bend < b and b - a <= spec.resolution
                                     for a, b in itertools.pairwise(xs)), (member, bend)


def test_straight_stretches_are_not_refined(policies: list[ir.Policy]) -> None:
    """Another calculator through the same code: 资助参保 against 个人缴费标准 (no bend: the
    points are the grid), 资助金额 stacked, 个人实缴 the line, adding up to the 缴费."""
    policy, _ = major_illness(policies)
    spec = charts.ChartSpec(
        policy=policy.id, calculator="资助参保", x_input="个人缴费标准",
        x_from=Decimal(400), x_to=Decimal(880), x_step=Decimal(40),
        stacked=("资助金额",), line="个人实缴", split_by="身份",
        fixed={"定额资助标准": Decimal(400)}, total_label="个人缴费标准")
    files = charts.charts(policies, configured=[spec])
    members = charts.members(policy, spec)
    assert len(files) == len(members)
    module = runner.load_module(policy)
    grid = tuple(Decimal(x) for x in range(400, 881, 40))
    full = charts.sample(policy, spec, "特困人员", module)
    assert full.xs == grid
    assert full.values["资助金额"] == grid  # 全额资助
    fixed = charts.sample(policy, spec, "低保对象", module)
    assert set(fixed.values["资助金额"]) == {400}  # 定额资助
    assert fixed.values["个人实缴"] == tuple(x - 400 for x in grid)


# ---------------------------------------------------------------- the SVG
def test_same_bytes_every_run_whatever_the_hash_seed(drawn: dict[str, str]) -> None:
    script = ("import hashlib, sys\n"
              "from pathlib import Path\n"
              "from policydsl import api\n"
              "from policydsl.backends import charts\n"
              "files = charts.charts(list(api.check([Path('policies')]).policies))\n"
              "digest = hashlib.sha256()\n"
              "for path, svg in files.items():\n"
              "    digest.update(path.encode() + b'\\0' + svg.encode() + b'\\0')\n"
              "print(digest.hexdigest())\n")
    digest = hashlib.sha256()
    for path, svg in drawn.items():
        digest.update(path.encode() + b"\0" + svg.encode() + b"\0")
    for seed in ("0", "4242"):
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        assert done.stdout.strip() == digest.hexdigest()


def test_every_chart_is_valid_svg_with_titles(drawn: dict[str, str]) -> None:
    for path, svg in drawn.items():
        assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!--\nGenerated by policydsl from ')
        root = ET.fromstring(svg.encode("utf-8"))
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        member = path.rsplit("-", 1)[1].removesuffix(".svg")
        assert title is not None and title.text and member in title.text
        assert root.find(f"{SVG}desc") is not None
        for shape in root.iter():
            if shape.get("data-output"):
                assert shape.find(f"{SVG}title") is not None, (path, shape.get("data-output"))
        assert "示例参数" in svg
        for element in root.iter():
            for name, value in element.attrib.items():
                if name in COORDINATES:
                    assert re.fullmatch(r"\d+\.\d\d", value), (path, element.tag, name, value)
                if name == "points":
                    assert re.fullmatch(r"\d+\.\d\d,\d+\.\d\d( \d+\.\d\d,\d+\.\d\d)*", value)


def test_the_drawn_shapes_are_the_sampled_values(
        policies: list[ir.Policy], drawn: dict[str, str], modules: dict[str, ModuleType]) -> None:
    """Read the values back from the SVG: the dashed total line y = x gives both scales, and
    a coordinate rounded to 0.01 px reads back within 0.01 px's worth of value."""
    for policy, spec, member in configured(policies):
        root = ET.fromstring(drawn[charts.chart_path(policy, spec, member)].encode("utf-8"))
        shapes = {s.get("data-output"): _points(s.get("points", "")) for s in root.iter()
                  if s.get("data-output")}
        read = Reading(*shapes["total"][0], *shapes["total"][1], spec.x_from, spec.x_to)
        series = charts.sample(policy, spec, member, modules[policy.id])
        stack = [Decimal(0)] * len(series.xs)
        for name in spec.stacked:
            stack = [s + v for s, v in zip(stack, series.values[name], strict=True)]
            assert len(shapes[name]) == 2 * len(series.xs)
            top = shapes[name][:len(series.xs)]  # then the base, right to left
            for point, x, y in zip(top, series.xs, stack, strict=True):
                assert read.matches(point, x, y), (member, name, x)
        line = zip(shapes[spec.line], series.xs, series.values[spec.line], strict=True)
        for point, x, y in line:
            assert read.matches(point, x, y), (member, spec.line, x)


@attrs.frozen
class Reading:
    """Pixels back to values, from the two ends of the line y = x (px0, py0) – (px1, py1)."""

    px0: Decimal
    py0: Decimal
    px1: Decimal
    py1: Decimal
    start: Decimal
    end: Decimal

    def matches(self, point: tuple[Decimal, Decimal], x: Decimal, y: Decimal) -> bool:
        per_px_x = (self.end - self.start) / (self.px1 - self.px0)
        per_px_y = (self.end - self.start) / (self.py0 - self.py1)
        read_x = self.start + (point[0] - self.px0) * per_px_x
        read_y = (self.py0 - point[1]) * per_px_y
        return abs(read_x - x) <= per_px_x / 100 and abs(read_y - y) <= per_px_y / 100


def _points(text: str) -> list[tuple[Decimal, Decimal]]:
    pairs = [pair.split(",") for pair in text.split()]
    return [(Decimal(x), Decimal(y)) for x, y in pairs]


def test_one_chart_as_reviewed(policies: list[ir.Policy], drawn: dict[str, str],
                               svg_snapshot: Any) -> None:
    policy, spec = major_illness(policies)
    first = charts.members(policy, spec)[0]
    assert drawn[charts.chart_path(policy, spec, first)] == svg_snapshot


# ---------------------------------------------------------------- the Markdown
def test_the_reference_page_snippet_embeds_every_chart(
        policies: list[ir.Policy], drawn: dict[str, str]) -> None:
    """Rendered as Markdown (CommonMark, as GitHub reads it): one image per chart, in the
    enumeration's order, its alt text the chart's title, its source the chart's path."""
    policy, spec = major_illness(policies)
    snippet = charts.chart_markdown(policy, prefix="../../")
    tokens = MarkdownIt("commonmark").parse(snippet)
    images = [child for token in tokens if token.type == "inline"
              for child in token.children or () if child.type == "image"]
    identities = charts.members(policy, spec)
    assert [unquote(str(image.attrs["src"])) for image in images] == [
        "../../" + charts.chart_path(policy, spec, m) for m in identities]
    assert {charts.chart_path(policy, spec, m) for m in identities} == set(drawn)
    assert [image.content for image in images] == [charts.alt_text(spec, m) for m in identities]
    assert charts.chart_markdown(policy, prefix="../../", calculator=MAJOR_ILLNESS) == snippet
    assert charts.chart_markdown(policy, calculator="资助参保") == ""
    others = [p for p in policies if not charts.specs_for(p)]
    assert others and all(charts.chart_markdown(p) == "" for p in others)


# ---------------------------------------------------------------- mistakes in a spec
def test_a_spec_naming_what_the_calculator_lacks_is_refused(policies: list[ir.Policy]) -> None:
    policy, spec = major_illness(policies)
    for change, named in ((dict(x_input="政策费用"), "政策费用"),
                          (dict(stacked=("基本医保支付", "统筹支付")), "统筹支付"),
                          (dict(fixed={**spec.fixed, "起付线": Decimal(1)}), "起付线"),
                          (dict(fixed_by_member={"贫困户": {}}), "贫困户"),
                          (dict(split_by="政策范围内费用"), "not an enumeration")):
        with pytest.raises(charts.ChartError, match=named):
            charts.charts(policies, configured=[attrs.evolve(spec, **change)])


def test_a_member_missing_an_input_names_both(policies: list[ir.Policy]) -> None:
    """The notice leaves 返贫致贫人口's 救助起付线 to the 盟市: without a sample, no chart."""
    policy, spec = major_illness(policies)
    without = attrs.evolve(spec, fixed_by_member={})
    with pytest.raises(charts.ChartError, match="返贫致贫人口.*救助起付线"):
        charts.charts(policies, configured=[without])
