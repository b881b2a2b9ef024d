"""Charts: what a calculator pays, as a picture, one SVG per member of an enumeration.

A chart is described by a `ChartSpec`: the calculator, the input on the x axis and its range,
the outputs stacked as areas, the output drawn as a line, the input whose enumeration splits the
charts (one chart per member), and the inputs held fixed.  The numbers come from the generated
calculator itself (`runner.load_module`), called at every sampled point: the picture shows what
a billing system importing the module would pay, not a re-derivation.

Sampling: every `x_step` of the range; then, where an output bends between two samples (a
deductible, a tier bound, a cap: it leaves the straight line between them by more than
STRAIGHT_WITHIN at a quarter point), the interval is halved, and its halves in turn, until the
outputs run straight or the points are `resolution` (1 元) apart.  A bend thus ends up a sampled
point or between two points 1 元 apart; a gentle one (a tier raising a 30 % share by 3 points)
may sit a few 元 from a point, where the straight line is off by less than 0.05 元.  The bends
are found from the calculator's outputs, not from its inputs' names, so another calculator
needs no rules of its own.

The SVG is written by hand: every coordinate is a Decimal rounded half-up to 0.01 px, ids are
fixed, nothing depends on the clock, on hashing or on the platform's float formatting, so the
same policy gives byte-identical files.

The shipped configuration is `CHARTS`; the sample 盟市 settings are `SAMPLE_MENGSHI`, the one
place they are written (each chart prints the ones it used: 示例参数：…).
"""

from __future__ import annotations

import decimal
import itertools
import types
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .. import ir
from ..display import show_value
from ..escaping import md_cell, pyident
from ..types import Type
from ..units import unit_word

# ---------------------------------------------------------------- the shipped configuration
# Sample settings for the inputs 内政办发〔2022〕41号 leaves to each 盟市 (地方): plausible
# values of one 盟市, chosen for the picture, not taken from any notice.
SAMPLE_MENGSHI: Mapping[str, Any] = {
    "基本医保起付线": Decimal("1000"),
    "基本医保支付比例": Decimal("0.7"),
    "基本医保封顶线": Decimal("150000"),
    "大病保险起付线": Decimal("15000"),
    "大病保险分段": ((Decimal("50000"), Decimal("0.6")),
                 (Decimal("100000"), Decimal("0.7")),
                 (None, Decimal("0.8"))),
    "大病保险封顶线": Decimal("400000"),
    "全体居民人均可支配收入": Decimal("36000"),
    "低保救助比例": Decimal("0.7"),
    "其他救助比例": Decimal("0.6"),
    "医疗救助年度限额": Decimal("100000"),
    "农村牧区居民人均可支配收入": Decimal("19000"),
}

# The notice gives no default 救助起付线 for these: the 盟市 sets it (here 10 % of the
# 全体居民人均可支配收入 above, as the notice says for 低保边缘家庭成员).
SAMPLE_MENGSHI_BY_IDENTITY: Mapping[str, Mapping[str, Any]] = {
    "返贫致贫人口": {"救助起付线": Decimal("3600")},
    "易返贫致贫人口": {"救助起付线": Decimal("3600")},
}


@attrs.frozen
class ChartSpec:
    """One chart per member of the enumeration `split_by` takes.

    `fixed` holds inputs given to every chart, `fixed_by_member` extra inputs for one member,
    both as the calculator accepts them (money and rates as Decimal, a 分段 as (上限 or None,
    比例) pairs).  With `total_label`, the stacked outputs and the line add up to the x input
    (checked at every point) and the line y = x is drawn under that label.
    """

    policy: str
    calculator: str
    x_input: str
    x_from: Decimal
    x_to: Decimal
    x_step: Decimal
    stacked: tuple[str, ...]
    line: str
    split_by: str
    fixed: Mapping[str, Any]
    fixed_by_member: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    total_label: str | None = None
    resolution: Decimal = Decimal("1")  # how close the two points around a bend end up


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        policy="nmg_2022_major_illness",
        calculator="三重制度报销",
        x_input="政策范围内费用",
        x_from=Decimal("0"),
        x_to=Decimal("500000"),
        x_step=Decimal("5000"),
        stacked=("基本医保支付", "大病保险支付", "医疗救助支付"),
        line="个人负担",
        split_by="身份",
        fixed=SAMPLE_MENGSHI,
        fixed_by_member=SAMPLE_MENGSHI_BY_IDENTITY,
        total_label="政策范围内费用（合计）",
    ),
)

# Okabe & Ito's palette, told apart with every common colour-vision deficiency.
AREA_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#D55E00")
LINE_COLOUR = "#000000"
TOTAL_COLOUR = "#666666"
TOTAL_WIDTH = Decimal("1.5")  # px
FONTS = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans GB', "
         "'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif")

# An output counts as straight between two samples when every point checked in between lies
# within this of the straight line: above the calculator's own rounding (each payment rounded
# once to the 分; 个人负担 subtracts three of them), far below a pixel.
STRAIGHT_WITHIN = Decimal("0.05")

# Sampling and drawing run in this context whatever the caller's decimal context is: the same
# divisions round the same way everywhere.
_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
_CENTI = Decimal("0.01")
_WAN = Decimal("10000")


class ChartError(Exception):
    """A chart spec that does not fit its policy, or a calculator refusing a sampled input."""


@attrs.frozen
class Series:
    """The sampled points: x values ascending, and each plotted output's value at each."""

    xs: tuple[Decimal, ...]
    values: Mapping[str, tuple[Decimal, ...]]


# ---------------------------------------------------------------- the spec against the IR
def calculator_of(policy: ir.Policy, spec: ChartSpec) -> ir.Calculator:
    """The spec's calculator, after checking that every name the spec uses is one of its."""
    calc = next((c for c in policy.calculators if c.name == spec.calculator), None)
    if calc is None:
        raise ChartError(f"{policy.id} has no calculator {spec.calculator}")
    given = [spec.x_input, spec.split_by, *spec.fixed]
    given += [name for extra in spec.fixed_by_member.values() for name in extra]
    for name in given:
        if name not in calc.inputs:
            raise ChartError(f"chart of {calc.name}: {name} is not one of its inputs "
                             f"({'、'.join(calc.inputs)})")
    rules = {o.name: o.rule for o in calc.outputs}
    for name in (*spec.stacked, spec.line):
        if name not in rules:
            raise ChartError(f"chart of {calc.name}: {name} is not one of its outputs "
                             f"({'、'.join(rules)})")
    amounts = [(name, policy.input(name).type) for name in (spec.x_input,)]
    amounts += [(name, policy.rule(rules[name]).type) for name in (*spec.stacked, spec.line)]
    for name, typ in amounts:
        if typ.kind != "money":
            raise ChartError(f"chart of {calc.name}: {name} is {typ}; the axes are in 元")
    known = members(policy, spec)
    for member in spec.fixed_by_member:
        if member not in known:
            raise ChartError(f"chart of {calc.name}: {member} is not a member of "
                             f"{policy.input(spec.split_by).type.arg} ({'、'.join(known)})")
    return calc


def members(policy: ir.Policy, spec: ChartSpec) -> tuple[str, ...]:
    """The members of the enumeration the `split_by` input takes (itself, or a list of it)."""
    typ = policy.input(spec.split_by).type
    if typ.kind not in ("enum", "list"):
        raise ChartError(f"chart of {spec.calculator}: {spec.split_by} is {typ}, "
                         "not an enumeration or a list of one")
    return policy.enum(typ.arg).members


def chart_path(policy: ir.Policy, spec: ChartSpec, member: str) -> str:
    return f"charts/{policy.id}/{_file_part(spec.calculator)}-{_file_part(member)}.svg"


def _file_part(name: str) -> str:
    """A name as part of a file name: letters (any script), digits, _ and - kept."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in name)


# ---------------------------------------------------------------- sampling
Outputs = dict[str, Decimal]


def sample(policy: ir.Policy, spec: ChartSpec, member: str,
           module: types.ModuleType | None = None) -> Series:
    """The plotted outputs at every `x_step`, and on both sides of every bend between."""
    with decimal.localcontext(_CONTEXT):
        return _sample(policy, spec, member, module)


def _sample(policy: ir.Policy, spec: ChartSpec, member: str,
            module: types.ModuleType | None) -> Series:
    if module is None:
        from ..runner import load_module  # the runner imports the python backend

        module = load_module(policy)
    calc = calculator_of(policy, spec)
    compute = _caller(policy, spec, calc, member, module)
    seen: dict[Decimal, Outputs] = {}

    def at(x: Decimal) -> Outputs:
        if x not in seen:
            seen[x] = compute(x)
        return seen[x]

    grid = _grid(spec)
    xs = [grid[0]]
    for left, right in itertools.pairwise(grid):
        xs.extend(_refined(at, left, right, spec.resolution))
        xs.append(right)
    series = Series(tuple(xs), {name: tuple(at(x)[name] for x in xs)
                                for name in (*spec.stacked, spec.line)})
    if spec.total_label is not None:
        _check_total(spec, member, series)
    return series


def _grid(spec: ChartSpec) -> list[Decimal]:
    if spec.x_step <= 0 or spec.x_to <= spec.x_from:
        raise ChartError(f"chart of {spec.calculator}: the range of {spec.x_input} is empty")
    grid = []
    x = spec.x_from
    while x < spec.x_to:
        grid.append(x)
        x += spec.x_step
    return [*grid, spec.x_to]


def _caller(policy: ir.Policy, spec: ChartSpec, calc: ir.Calculator, member: str,
            module: types.ModuleType) -> Callable[[Decimal], Outputs]:
    """The calculator as a function of x, for one member, the other inputs fixed."""
    function = getattr(module, pyident(calc.name))
    split_value: object = [member] if policy.input(spec.split_by).type.kind == "list" else member
    fixed = {**spec.fixed, **spec.fixed_by_member.get(member, {}), spec.split_by: split_value}
    plotted = (*spec.stacked, spec.line)

    def compute(x: Decimal) -> Outputs:
        arguments = {pyident(name): value for name, value in {**fixed, spec.x_input: x}.items()}
        try:
            outputs = function(**arguments).as_dict()
        except ValueError as err:
            raise ChartError(f"chart {calc.name}-{member} at {spec.x_input} = {x}: {err}") from None
        for name in plotted:
            value = outputs[name]
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ChartError(f"chart {calc.name}-{member} at {spec.x_input} = {x}: "
                                 f"{name} = {value!r} is not an amount")
        return {name: outputs[name] for name in plotted}

    return compute


def _refined(at: Callable[[Decimal], Outputs], left: Decimal, right: Decimal,
             resolution: Decimal) -> list[Decimal]:
    """The points strictly between left and right where the outputs must be sampled: none
    when they run straight, else the midpoint and the points each half needs."""
    if _straight(at, left, right, resolution):
        return []
    middle = _on_grid(left + (right - left) / 2, left, resolution)
    if middle <= left or middle >= right:
        return []
    return [*_refined(at, left, middle, resolution), middle,
            *_refined(at, middle, right, resolution)]


def _straight(at: Callable[[Decimal], Outputs], left: Decimal, right: Decimal,
              resolution: Decimal) -> bool:
    """Whether every output, at the quarter points, lies on the chord from left to right.

    Three points, not one: two bends that cancel out at the midpoint show at a quarter."""
    start, end = at(left), at(right)
    for quarter in (Decimal("0.25"), Decimal("0.5"), Decimal("0.75")):
        x = _on_grid(left + (right - left) * quarter, left, resolution)
        if x <= left or x >= right:
            continue
        here = at(x)
        share = (x - left) / (right - left)
        for name, value in here.items():
            chord = start[name] + (end[name] - start[name]) * share
            if abs(value - chord) > STRAIGHT_WITHIN:
                return False
    return True


def _on_grid(x: Decimal, origin: Decimal, resolution: Decimal) -> Decimal:
    """x moved down to origin + a whole number of `resolution`."""
    steps = ((x - origin) / resolution).to_integral_value(rounding=decimal.ROUND_FLOOR)
    return origin + steps * resolution


def _check_total(spec: ChartSpec, member: str, series: Series) -> None:
    for index, x in enumerate(series.xs):
        parts = [series.values[name][index] for name in (*spec.stacked, spec.line)]
        if sum(parts, Decimal(0)) != x:
            names = " + ".join((*spec.stacked, spec.line))
            raise ChartError(f"chart {spec.calculator}-{member}: at {spec.x_input} = {x} "
                             f"{names} = {sum(parts, Decimal(0))}, not {x}")


# ---------------------------------------------------------------- layout and scales
@attrs.frozen
class Frame:
    """Where the plot sits in the picture (px) and the values its edges stand for."""

    left: Decimal
    top: Decimal
    width: Decimal
    height: Decimal
    x_from: Decimal
    x_to: Decimal
    y_to: Decimal  # the y axis starts at 0

    def px(self, x: Decimal) -> Decimal:
        return self.left + (x - self.x_from) / (self.x_to - self.x_from) * self.width

    def py(self, y: Decimal) -> Decimal:
        return self.top + (self.y_to - y) / self.y_to * self.height

    @property
    def bottom(self) -> Decimal:
        return self.top + self.height

    @property
    def right(self) -> Decimal:
        return self.left + self.width


WIDTH = Decimal(800)
PLOT = Frame(left=Decimal(70), top=Decimal(84), width=Decimal(500), height=Decimal(340),
             x_from=Decimal(0), x_to=Decimal(1), y_to=Decimal(1))
LEGEND_LEFT = Decimal(596)
NOTE_LEFT = Decimal(30)
NOTE_FONT = 12
NOTE_LINE = Decimal(18)


def nice_step(span: Decimal) -> Decimal:
    """The tick step: 1, 2 or 5 × a power of ten, the smallest with at most 10 steps."""
    exponent = -2
    while True:
        for mantissa in (1, 2, 5):
            step = Decimal(mantissa).scaleb(exponent)
            if span / step <= 10:
                return step
        exponent += 1


def ticks(upto: Decimal, start: Decimal, step: Decimal) -> list[Decimal]:
    values = []
    value = start
    while value <= upto:
        values.append(value)
        value += step
    return values


def c(value: Decimal) -> str:
    """A coordinate: half-up to 0.01 px, always two decimals, never -0.00."""
    rounded = value.quantize(_CENTI, rounding=decimal.ROUND_HALF_UP)
    return format(rounded if rounded else Decimal("0.00"), "f")


def in_wan(upto: Decimal) -> bool:
    """Whether an axis reading up to this many 元 is labelled in 万元."""
    return upto >= 100000


def tick_label(value: Decimal, wan: bool) -> str:
    if wan:
        return format((value / _WAN).normalize(), "f")
    return f"{value.normalize():,f}"


def text_width(text: str, size: int) -> Decimal:
    """An estimate of the width of a line (no font metrics in a hand-written SVG): a wide
    (CJK) character takes one em, any other about 0.6 em."""
    ems = sum((Decimal(1) if unicodedata.east_asian_width(ch) in "WF" else Decimal("0.6")
               for ch in text), Decimal(0))
    return ems * size


def wrapped(first: str, parts: list[str], width: Decimal, size: int) -> list[str]:
    """`first` then the parts, joined by ； and ended by 。, in lines of at most `width` px
    (a part longer than a line gets a line of its own): lines break between parts only."""
    lines: list[str] = []
    line = first
    for index, part in enumerate(parts):
        piece = part + ("；" if index < len(parts) - 1 else "。")
        if index > 0 and text_width(line + piece, size) > width:
            lines.append(line)
            line = piece
        else:
            line += piece
    return [*lines, line]


# ---------------------------------------------------------------- values as the chart prints them
def shown(value: Any, typ: Type) -> str:
    """A fixed input as the note prints it: 150,000 元, 70%, 至 50,000 元 60%，…."""
    if typ.kind == "money" and isinstance(value, (Decimal, int)):
        return f"{Decimal(value).normalize():,f} {unit_word('money', period=typ.arg)}"
    if typ.kind == "schedule":
        tiers = []
        for upper, rate in value:
            rate_text = show_value(Decimal(rate), Type("rate"))
            tiers.append(f"以上 {rate_text}" if upper is None
                         else f"至 {shown(upper, Type('money'))} {rate_text}")
        return "，".join(tiers)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return show_value(Decimal(value), typ)
    return show_value(value, typ)


def sample_settings(policy: ir.Policy, spec: ChartSpec, member: str) -> list[str]:
    """`name value` for every fixed input of this chart, in the calculator's order."""
    given = {**spec.fixed, **spec.fixed_by_member.get(member, {})}
    calc = calculator_of(policy, spec)
    return [f"{name} {shown(given[name], policy.input(name).type)}"
            for name in calc.inputs if name in given]


# ---------------------------------------------------------------- SVG
def escape(text: str) -> str:
    """Text for an XML element or a double-quoted attribute; characters XML 1.0 cannot hold
    (controls, lone surrogates) become U+FFFD."""
    out = []
    for ch in text:
        if ch in "&<>\"":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[ch])
        elif ord(ch) < 0x20 and ch not in "\t\n" or 0xD800 <= ord(ch) <= 0xDFFF \
                or ch in "\ufffe\uffff":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def text(x: Decimal, y: Decimal, content: str, size: int = 12, anchor: str = "start",
         extra: str = "") -> str:
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return (f'<text x="{c(x)}" y="{c(y)}" font-size="{size}"{anchor_attr}{extra}>'
            f"{escape(content)}</text>")


def points(pairs: Iterable[tuple[Decimal, Decimal]]) -> str:
    return " ".join(f"{c(x)},{c(y)}" for x, y in pairs)


def title_of(spec: ChartSpec, member: str) -> str:
    return f"{spec.calculator}：{member}"


def alt_text(spec: ChartSpec, member: str) -> str:
    """What the chart shows, in one sentence (the Markdown alt text and the SVG's <title>)."""
    wan = in_wan(spec.x_to)
    span = (f"{tick_label(spec.x_from, wan)}–{tick_label(spec.x_to, wan)} "
            f"{'万元' if wan else '元'}")
    return (f"{title_of(spec, member)}，{spec.x_input} {span}："
            f"{'、'.join(spec.stacked)}堆叠，{spec.line}为线")


def render(policy: ir.Policy, spec: ChartSpec, member: str, series: Series) -> str:
    """The chart as SVG text."""
    with decimal.localcontext(_CONTEXT):
        return _render(policy, spec, member, series)


def _render(policy: ir.Policy, spec: ChartSpec, member: str, series: Series) -> str:
    calc = calculator_of(policy, spec)
    notes = _notes(policy, spec, member, series)
    height = PLOT.bottom + Decimal(64) + NOTE_LINE * len(notes)
    frame = attrs.evolve(PLOT, x_from=spec.x_from, x_to=spec.x_to, y_to=_y_top(spec, series))
    source = escape(policy.path.replace("\\", "/").rsplit("/", 1)[-1])
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!--",
        f"Generated by policydsl from {source} (policy {policy.id}); do not edit: change the policy "
        "and run `policydsl compile`.",
        "-->",
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{c(WIDTH)}" height="{c(height)}" '
        f'viewBox="0 0 {c(WIDTH)} {c(height)}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{FONTS}">',
        f'<title id="chart-title">{escape(alt_text(spec, member))}</title>',
        f'<desc id="chart-desc">{escape(_description(spec, series))}</desc>',
        f'<rect x="0.00" y="0.00" width="{c(WIDTH)}" height="{c(height)}" fill="#ffffff"/>',
        text(PLOT.left, Decimal(30), title_of(spec, member), size=18, extra=' font-weight="bold"'),
    ]
    if calc.title:
        parts.append(text(PLOT.left, Decimal(52), calc.title, size=12, extra=' fill="#333333"'))
    parts += _grid_and_axes(spec, frame)
    parts += _areas(spec, frame, series)
    if spec.total_label is not None:
        parts += _total_line(spec, frame, series)
    parts += _line(spec, frame, series)
    parts += _legend(spec, frame)
    note_top = PLOT.bottom + Decimal(64)
    parts += [text(NOTE_LEFT, note_top + NOTE_LINE * i, line, size=NOTE_FONT,
                   extra=' fill="#333333"') for i, line in enumerate(notes)]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _y_top(spec: ChartSpec, series: Series) -> Decimal:
    """The top of the y axis: the highest stack, line or total, up to the next tick."""
    stacks = [sum((series.values[name][i] for name in spec.stacked), Decimal(0))
              for i in range(len(series.xs))]
    highest = max([*stacks, *series.values[spec.line]])
    if spec.total_label is not None:
        highest = max(highest, spec.x_to)
    if highest <= 0:
        return Decimal(1)
    step = nice_step(highest)
    return (highest / step).to_integral_value(rounding=decimal.ROUND_CEILING) * step


def _grid_and_axes(spec: ChartSpec, frame: Frame) -> list[str]:
    x_wan, y_wan = in_wan(spec.x_to), in_wan(frame.y_to)
    out = ['<g stroke="#dddddd" stroke-width="1">']
    x_ticks = ticks(spec.x_to, spec.x_from, nice_step(spec.x_to - spec.x_from))
    y_ticks = ticks(frame.y_to, Decimal(0), nice_step(frame.y_to))
    out += [f'<line x1="{c(frame.left)}" y1="{c(frame.py(v))}" x2="{c(frame.right)}" '
            f'y2="{c(frame.py(v))}"/>' for v in y_ticks]
    out += [f'<line x1="{c(frame.px(v))}" y1="{c(frame.top)}" x2="{c(frame.px(v))}" '
            f'y2="{c(frame.bottom)}"/>' for v in x_ticks]
    out.append("</g>")
    out.append(f'<g stroke="#333333" stroke-width="1"><line x1="{c(frame.left)}" '
               f'y1="{c(frame.bottom)}" x2="{c(frame.right)}" y2="{c(frame.bottom)}"/>'
               f'<line x1="{c(frame.left)}" y1="{c(frame.top)}" x2="{c(frame.left)}" '
               f'y2="{c(frame.bottom)}"/></g>')
    out.append('<g fill="#333333">')
    out += [text(frame.px(v), frame.bottom + Decimal(18), tick_label(v, x_wan), anchor="middle",
                 extra=f' data-value="{v}"') for v in x_ticks]
    out += [text(frame.left - Decimal(8), frame.py(v) + Decimal(4), tick_label(v, y_wan),
                 anchor="end", extra=f' data-value="{v}"') for v in y_ticks]
    out.append(text(frame.left + frame.width / 2, frame.bottom + Decimal(40),
                    f"{spec.x_input}（{'万元' if x_wan else '元'}）", size=13, anchor="middle"))
    out.append(text(frame.left - Decimal(8), frame.top - Decimal(12),
                    f"金额（{'万元' if y_wan else '元'}）", size=13, anchor="start"))
    out.append("</g>")
    return out


def _areas(spec: ChartSpec, frame: Frame, series: Series) -> list[str]:
    """One polygon per stacked output: its top edge left to right, its base right to left."""
    out = []
    base = [Decimal(0)] * len(series.xs)
    for index, name in enumerate(spec.stacked):
        top = [b + v for b, v in zip(base, series.values[name], strict=True)]
        outline = [(frame.px(x), frame.py(y)) for x, y in zip(series.xs, top, strict=True)]
        below = reversed(list(zip(series.xs, base, strict=True)))
        outline += [(frame.px(x), frame.py(y)) for x, y in below]
        colour = AREA_COLOURS[index % len(AREA_COLOURS)]
        out.append(f'<polygon data-output="{escape(name)}" fill="{colour}" '
                   f'points="{points(outline)}"><title>{escape(name)}</title></polygon>')
        base = top
    return out


def _total_line(spec: ChartSpec, frame: Frame, series: Series) -> list[str]:
    """The line y = x, clipped to a stroke's width above the stacked areas: it shows where
    the stack falls short of the total (by the line output), and does not blur the stack's
    edge where the stack reaches it."""
    stack_top = [sum((series.values[name][i] for name in spec.stacked), Decimal(0))
                 for i in range(len(series.xs))]
    above = [(frame.px(x), frame.py(y) - TOTAL_WIDTH)
             for x, y in zip(series.xs, stack_top, strict=True)]
    above += [(frame.right, frame.top), (frame.left, frame.top)]
    ends = [(frame.px(x), frame.py(x)) for x in (spec.x_from, spec.x_to)]
    return [f'<clipPath id="chart-above-stack"><polygon points="{points(above)}"/></clipPath>',
            f'<polyline data-output="total" fill="none" stroke="{TOTAL_COLOUR}" '
            f'stroke-width="{TOTAL_WIDTH}" stroke-dasharray="6 4" clip-path="url(#chart-above-stack)" '
            f'points="{points(ends)}"><title>{escape(spec.total_label or "")}</title></polyline>']


def _line(spec: ChartSpec, frame: Frame, series: Series) -> list[str]:
    """The line output, over a white halo so that it reads on any area colour."""
    values = zip(series.xs, series.values[spec.line], strict=True)
    path = points((frame.px(x), frame.py(y)) for x, y in values)
    return [f'<polyline fill="none" stroke="#ffffff" stroke-width="5" stroke-linejoin="round" '
            f'points="{path}"/>',
            f'<polyline data-output="{escape(spec.line)}" fill="none" stroke="{LINE_COLOUR}" '
            f'stroke-width="2.5" stroke-linejoin="round" points="{path}">'
            f"<title>{escape(spec.line)}</title></polyline>"]


def _legend(spec: ChartSpec, frame: Frame) -> list[str]:
    """Swatches top to bottom in the order the areas stack from the top, then the lines."""
    out = ['<g font-size="13" fill="#222222">']
    y = frame.top + Decimal(8)
    for index in reversed(range(len(spec.stacked))):
        colour = AREA_COLOURS[index % len(AREA_COLOURS)]
        out.append(f'<rect x="{c(LEGEND_LEFT)}" y="{c(y - Decimal(11))}" width="18" height="14" '
                   f'fill="{colour}"/>')
        out.append(text(LEGEND_LEFT + Decimal(26), y + Decimal(1), spec.stacked[index], size=13))
        y += Decimal(24)
    lines = [(spec.line, LINE_COLOUR, ' stroke-width="2.5"')]
    if spec.total_label is not None:
        lines.append((spec.total_label, TOTAL_COLOUR,
                      f' stroke-width="{TOTAL_WIDTH}" stroke-dasharray="6 4"'))
    for label, colour, style in lines:
        out.append(f'<line x1="{c(LEGEND_LEFT)}" y1="{c(y - Decimal(4))}" '
                   f'x2="{c(LEGEND_LEFT + Decimal(18))}" y2="{c(y - Decimal(4))}" '
                   f'stroke="{colour}"{style}/>')
        out.append(text(LEGEND_LEFT + Decimal(26), y + Decimal(1), label, size=13))
        y += Decimal(24)
    out.append("</g>")
    return out


def _notes(policy: ir.Policy, spec: ChartSpec, member: str, series: Series) -> list[str]:
    """The lines under the chart: the sample settings, and how the points were computed."""
    usable = WIDTH - 2 * NOTE_LEFT
    step = shown(spec.x_step, policy.input(spec.x_input).type)
    settings = wrapped("示例参数（地方确定事项的示例值，非通知规定）：",
                       sample_settings(policy, spec, member), usable, NOTE_FONT)
    how = wrapped("计算：", [f"{policy.id} 生成的计算器 {spec.calculator}",
                            f"{spec.x_input}每 {step} 取一点，拐点两侧加密，共 {len(series.xs)} 点"],
                  usable, NOTE_FONT)
    return [*settings, *how]


def _description(spec: ChartSpec, series: Series) -> str:
    """The values at the x axis's ticks, for a reader who cannot see the picture."""
    step = nice_step(spec.x_to - spec.x_from) * 2
    wanted = set(ticks(spec.x_to, spec.x_from, step))
    rows = []
    for index, x in enumerate(series.xs):
        if x in wanted:
            values = "，".join(f"{name} {series.values[name][index]:,f} 元"
                              for name in (*spec.stacked, spec.line))
            rows.append(f"{spec.x_input} {x:,f} 元：{values}。")
    return "".join(rows)


# ---------------------------------------------------------------- files and Markdown
def specs_for(policy: ir.Policy, configured: Iterable[ChartSpec] = CHARTS) -> list[ChartSpec]:
    return [spec for spec in configured if spec.policy == policy.id]


def charts(policies: list[ir.Policy],
           configured: Iterable[ChartSpec] = CHARTS) -> dict[str, str]:
    """Every configured chart whose policy is given: relative path → SVG text, sorted."""
    from ..runner import load_module

    configured = tuple(configured)
    files: dict[str, str] = {}
    for policy in policies:
        specs = specs_for(policy, configured)
        if not specs:
            continue
        module = load_module(policy)
        for spec in specs:
            for member in members(policy, spec):
                series = sample(policy, spec, member, module)
                files[chart_path(policy, spec, member)] = render(policy, spec, member, series)
    return dict(sorted(files.items()))


def chart_markdown(policy: ir.Policy, prefix: str = "", calculator: str | None = None,
                   configured: Iterable[ChartSpec] = CHARTS) -> str:
    """The images of a policy's charts (of one calculator's, if named) for its reference page,
    one paragraph each; "" when it has none.  `prefix` leads from the page to the folder the
    chart paths start from: "../../" from tables/policy/x.md to charts/ beside tables/."""
    images = []
    for spec in specs_for(policy, configured):
        if calculator is not None and spec.calculator != calculator:
            continue
        for member in members(policy, spec):
            target = _link_target(prefix + chart_path(policy, spec, member))
            images.append(f"![{md_cell(alt_text(spec, member))}]({target})")
    return "\n\n".join(images) + ("\n" if images else "")


def _link_target(path: str) -> str:
    """A path as a Markdown link destination: ASCII that would end or break it percent-encoded,
    other characters (the Chinese names) kept readable."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-~")
    return "".join(ch if ord(ch) > 127 or ch in safe else f"%{ord(ch):02X}" for ch in path)
