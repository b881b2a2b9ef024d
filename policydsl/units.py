"""The registry of units: every unit word the language knows, in one place.

A unit word says what kind of quantity a number is, how many base units one of it is worth,
and (for money) the period it is per.  The grammar's unit terminal, the parser, the type
algebra, the provenance check, the display of values and the generated calculators all
derive from `UNITS`; adding a unit (亿元, say) is one entry here.

Values are stored in base units: money in 元, rates as fractions (80 % is 0.8), ages in
周岁, durations in 年 / 个月 / 天, counts as numbers.  `20万元` and `200000 元` are the same
value; `五成` and `50%` too.
"""

from __future__ import annotations

from decimal import Decimal

import attrs


@attrs.frozen
class Unit:
    """One unit word as an author (or a notice) writes it."""

    word: str
    kind: str  # money, rate, points, multiple, years, months, days, age, count
    scale: Decimal = Decimal(1)  # base units per one of this unit: 万元 → 10000, % → 0.01
    period: str = ""  # money per 月 or per 年 ("" for an amount)
    label: str = ""  # what a count counts: 次, 人, 个


def _units(*units: Unit) -> dict[str, Unit]:
    return {u.word: u for u in units}


UNITS: dict[str, Unit] = _units(
    Unit("元", "money"),
    Unit("万元", "money", Decimal(10_000)),
    Unit("亿元", "money", Decimal(100_000_000)),
    Unit("元/月", "money", period="月"),
    Unit("元/年", "money", period="年"),
    Unit("元/人·月", "money", period="月"),
    Unit("元/人·年", "money", period="年"),
    Unit("%", "rate", Decimal("0.01")),
    Unit("‰", "rate", Decimal("0.001")),
    Unit("个百分点", "points", Decimal("0.01")),
    Unit("成", "rate", Decimal("0.1")),
    Unit("倍", "multiple"),
    Unit("年", "years"),
    Unit("个月", "months"),
    Unit("天", "days"),
    Unit("日", "days"),
    Unit("周岁", "age"),
    Unit("岁", "age"),
    Unit("次", "count", label="次"),
    Unit("人", "count", label="人"),
    Unit("个", "count", label="个"),
    Unit("种", "count", label="种"),
)

# Other spellings of a unit word (full-width forms and the like), mapped to the word above.
SPELLINGS: dict[str, str] = {
    "％": "%", "元／月": "元/月", "元／年": "元/年", "元/人.年": "元/人·年",
    "元/人/年": "元/人·年", "元/人/月": "元/人·月",
}

# Words that name a type without being a unit of a number.
TYPE_WORDS: dict[str, str] = {"日期": "date", "是否": "bool", "分段": "schedule"}


@attrs.frozen
class Kind:
    """How a kind of quantity is shown: the unit word after a value of this kind."""

    name: str
    word: str  # 元, %, 个百分点 …; a count shows its label, money its period


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("money", "元"), Kind("rate", "%"), Kind("points", "个百分点"), Kind("multiple", "倍"),
    Kind("years", "年"), Kind("months", "个月"), Kind("days", "天"), Kind("age", "周岁"),
    Kind("count", ""), Kind("number", ""),
)}


def unit(word: str) -> Unit:
    """The unit of a word as written (any spelling); KeyError for a word that is no unit."""
    return UNITS[SPELLINGS.get(word, word)]


def unit_words() -> list[str]:
    """Every spelling of every unit, longest first (the grammar's unit terminal is built so)."""
    return sorted([*UNITS, *SPELLINGS], key=lambda w: (-len(w), w))


def unit_word(kind: str, period: str = "", label: str = "") -> str:
    """The word a value of this kind is shown with: 元, 元/月, %, 周岁, 次."""
    if kind == "money" and period:
        return f"元/{period}"
    if kind == "count":
        return label
    found = KINDS.get(kind)
    return found.word if found else ""
