"""The registry of the notices' words: qualifiers, comparisons, changes, values said in words,
and functions.  One entry per word; the grammar's keyword lists are filled in from here when
the parser is built (`parser.grammar_text`), and the checker, the provenance check, the
formatter and the tables read the meanings from here.
"""

from __future__ import annotations

import attrs

# ---------------------------------------------------------------- qualifiers of a value
SOFT = "原则上"  # a default a locality may depart from

# written before the value: 不低于 640 元
QUALIFIERS_BEFORE: dict[str, str] = {
    "不低于": "at_least", "最低不低于": "at_least",
    "不高于": "at_most", "不超过": "at_most", "最高不超过": "at_most",
    "约": "about",
    "平均达到": "average",  # a target over a population, never a per-person value
}
# written after the value: 70% 左右, 80% 以上, 2024 年 起
QUALIFIERS_AFTER: dict[str, str] = {
    "左右": "about", "及以上": "at_least", "以上": "at_least", "以下": "at_most", "以内": "at_most",
    "起": "from",
}
QUALIFIER_SIGNS = {"exact": "", "at_least": "≥", "at_most": "≤", "about": "≈", "average": "平均",
                   "at_least_about": "≥≈", "at_most_about": "≤≈", "above": ">", "below": "<",
                   "from": ""}

# ---------------------------------------------------------------- comparisons
# A comparison word and its operator.  `contains` tests membership of a list.
COMPARE_WORDS: dict[str, str] = {
    "不低于": ">=", "不早于": ">=", "不高于": "<=", "不超过": "<=", "不晚于": "<=",
    "高于": ">", "晚于": ">", "低于": "<", "早于": "<", "包含": "contains",
    "约为": "about",  # equal at the precision the notice prints the right side: 17906 约为 1.8万元
}
# Words whose boundary (含本数 or not) the notice may define (本通知所称“以上”含本数…).
# The defaults are the civil code's: 《民法典》第一千二百五十九条 “以上、以下、以内、届满，
# 包括本数；不满、超过、以外，不包括本数”.  `A 满 B` is A ≥ B, `A 在 B 以上` A ≥ B (or >).
CONVENTION_WORDS: dict[str, tuple[str, bool]] = {  # word → (direction, includes by default)
    "以上": (">", True), "以下": ("<", True), "以内": ("<", True), "满": (">", True),
    "超过": (">", False), "未满": ("<", False), "不满": ("<", False),
}
CONVENTION_RANGE = ("以上", "以下", "以内")  # A 在 B 以上
CONVENTION_COMPARE = ("满", "超过", "未满", "不满")  # A 满 B
INCLUDES = {"含本数": True, "不含本数": False}


def convention_op(word: str, includes: bool) -> str:
    direction = CONVENTION_WORDS[word][0]
    return direction + ("=" if includes else "")


# ---------------------------------------------------------------- changes
ADJUST_WORDS = {"提高": True, "增加": True, "降低": False, "减少": False}  # word → up
HALVE_WORD = "减半"  # x 减半: x × 50 %
# 由 1000 元 调整为 900 元: the value before and after
CHANGE_WORDS = ("调整为", "调整到", "提高至", "提高到", "提高为", "降低至", "降低到", "降低为",
                "增加到", "减少到")


# ---------------------------------------------------------------- values said in words
@attrs.frozen
class ValueWord:
    """A value a notice says in words.  `backed_by`: the spellings in a quote that back it."""

    word: str
    meaning: str  # full (100 %), half (50 %), zero, unbounded, yes, no, not_applicable
    backed_by: tuple[str, ...] = ()
    literal: bool = True  # written as a value (减半 is written after what it halves)

    @property
    def checked(self) -> bool:
        """Whether provenance must find it in the quote (是/否/不适用 are structure)."""
        return bool(self.backed_by)


_UNBOUNDED_PHRASES = ("无上限", "不设封顶线", "取消封顶线", "取消最高支付限额", "不设最高支付限额",
                      "无封顶线", "不设上限")

VALUE_WORDS: dict[str, ValueWord] = {w.word: w for w in (
    ValueWord("全额", "full", ("全额",)),
    ValueWord("减半", "half", ("减半",), literal=False),
    ValueWord("取消", "zero", ("取消",)),
    ValueWord("不设", "zero", ("不设",)),
    ValueWord("不设起付线", "zero", ("不设起付线",)),
    ValueWord("取消起付线", "zero", ("取消起付线",)),
    ValueWord("取消起付标准", "zero", ("取消起付标准",)),
    ValueWord("不设起付标准", "zero", ("不设起付标准",)),
    ValueWord("无起付线", "zero", ("无起付线",)),
    ValueWord("不设等待期", "zero", ("不设等待期",)),
    ValueWord("无上限", "unbounded", _UNBOUNDED_PHRASES),
    ValueWord("不设封顶线", "unbounded", ("不设封顶线",)),
    ValueWord("取消封顶线", "unbounded", ("取消封顶线",)),
    ValueWord("取消最高支付限额", "unbounded", ("取消最高支付限额",)),
    ValueWord("不设最高支付限额", "unbounded", ("不设最高支付限额",)),
    ValueWord("不适用", "not_applicable"),
    ValueWord("是", "yes"),
    ValueWord("否", "no"),
)}


# ---------------------------------------------------------------- functions
@attrs.frozen
class Function:
    word: str
    name: str  # the IR's name for it
    arity: tuple[int, int]
    says: str  # what it does, for hints and docs


FUNCTIONS: dict[str, Function] = {f.word: f for f in (
    Function("较小", "min", (2, 99), "the smallest of its arguments"),
    Function("较大", "max", (2, 99), "the largest of its arguments"),
    Function("限定", "clamp", (3, 3), "限定(x, 下限, 上限): x kept within the bounds"),
    Function("四舍五入", "round", (1, 2), "money to the 分, half-up; 四舍五入(x, 位数)"),
    Function("就高不就低", "highest", (1, 1), "the member of a list written first in its enumeration"),
    Function("已给出", "given", (1, 1), "whether an optional input was given"),
    Function("分段累计", "progressive", (3, 3), "分段累计(金额, 分段, 起付线): each tier's rate on its part"),
    Function("个数", "count", (1, 1), "how many members a list holds"),
    Function("最高", "max_of", (1, 1), "the highest of a table's values over a list: 最高(限额[病种])"),
    Function("次高", "second_of", (1, 1), "the second highest (0 when the list has fewer than two)"),
    Function("合计", "sum_of", (1, 1), "the sum of a table's values over a list"),
    Function("周岁", "age", (2, 2), "周岁(出生日期, 日期): full years of age on that date"),
    Function("年满日期", "birthday", (2, 2), "年满日期(出生日期, 70 周岁): the day that age is reached"),
    Function("次月", "next_month", (1, 1), "次月(日期): the first day of the month after"),
    Function("月数", "months", (2, 2), "月数(起, 止): calendar months from 起's month to 止's, both counted"),
    Function("按月折算", "prorate", (2, 2), "按月折算(年度金额, 月数): 年度金额 × 月数 ÷ 12"),
    Function("倍数", "ratio", (2, 2), "倍数(甲, 乙): how many times 乙 甲 is (甲 ÷ 乙, in 倍)"),
    Function("次日", "next_day", (1, 1), "次日(日期): the day after"),
    Function("年初", "year_start", (1, 1), "年初(日期): 1 January of that date's year"),
    Function("年末", "year_end", (1, 1), "年末(日期): 31 December of that date's year"),
    Function("月日", "month_day", (1, 1), "月日(日期): the day of the year of a date, to compare "
             "with 9月1日 (每年9月1日至12月31日)"),
    Function("当年", "in_year", (2, 2), "当年(9月15日, 日期): that day of the year in 日期's year "
             "(2月29日 is 2月28日 in a common year)"),
)}


def grammar_lists() -> dict[str, list[str]]:
    """The keyword lists the grammar takes from the registries (`// @registry NAME`)."""
    from .units import TYPE_WORDS, unit_words

    words = unit_words()
    return {
        "units": [w for w in words if w.isalpha() or len(w) == 1],
        "compound_units": [w for w in words if not (w.isalpha() or len(w) == 1)],
        "type_words": list(TYPE_WORDS),
        "qualifiers_before": list(QUALIFIERS_BEFORE),
        "qualifiers_after": list(QUALIFIERS_AFTER),
        "value_words": [w.word for w in VALUE_WORDS.values() if w.literal],
        "compare_words": list(COMPARE_WORDS),
        "convention_compare": list(CONVENTION_COMPARE),
        "convention_range": list(CONVENTION_RANGE),
        "adjust_words": list(ADJUST_WORDS),
        "change_words": list(CHANGE_WORDS),
    }
