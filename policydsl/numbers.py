"""Reading numbers the way notices print them.

Notices write 20万元, 1,500元, 每人每月5元, 68元/人·年, 70周岁, 第二次, 两次, 五成, 千分之五,
5个百分点 and dates such as 二〇二四年八月二十六日 or 2024年9月1日至12月31日.  This module turns
such text into quantities (a value in base units, its kind, the period of money, where it
stands in the text), for three users:

- the parser, which reads a Chinese-numeral literal of a policy (`五成`, `第二次`, `千分之五`);
- the provenance check, which finds each number a policy writes among the quantities its
  quote prints, by value and unit (so `20万元` and `200000 元` both match 20万元, and 5% never
  matches inside 45%, because the scanner reads whole numbers only);
- `policydsl coverage`, which finds the sentences of a notice that print a normative number.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

import attrs

from .units import unit

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL = "零〇○一二两三四五六七八九十百千万亿"


# ---------------------------------------------------------------- Chinese numerals
def cn_to_int(text: str) -> int:
    """二十六 → 26, 一百零五 → 105, 两万 → 20000, 二〇二四 → 2024 (digit by digit)."""
    if not text or any(c not in DIGITS and c not in SMALL_UNITS and c not in BIG_UNITS for c in text):
        raise ValueError(f"{text!r} is not a Chinese numeral")
    if not any(c in SMALL_UNITS or c in BIG_UNITS for c in text):
        return int("".join(str(DIGITS[c]) for c in text))
    result = section = number = 0
    for char in text:
        if char in DIGITS:
            number = DIGITS[char]
        elif char in SMALL_UNITS:
            section += (number or 1) * SMALL_UNITS[char]
            number = 0
        elif char == "万":
            result += ((section + number) or 1) * BIG_UNITS[char]
            section = number = 0
        else:  # 亿 multiplies everything before it: 一万亿
            result = (result + section + number or 1) * BIG_UNITS[char]
            section = number = 0
    return result + section + number


def int_to_cn(value: int) -> str:
    """A whole number the way a notice writes it: 26 → 二十六, 105 → 一百零五, 10 → 十."""
    if value < 0:
        raise ValueError("a Chinese numeral is not negative")
    if value == 0:
        return "零"
    text = ""
    pending_zero = False
    for big, size in (("亿", 100_000_000), ("万", 10_000), ("", 1)):
        group, value = divmod(value, size)
        if group:
            if text and (pending_zero or group < 1000):
                text += "零"
            text += (_section_to_cn(group) if group < 10_000 else int_to_cn(group)) + big
            pending_zero = False
        elif text:
            pending_zero = True
    return text[1:] if text.startswith("一十") else text


def _section_to_cn(value: int) -> str:
    """0 < value < 10000: 1010 → 一千零一十."""
    names = "零一二三四五六七八九"
    out = ""
    zero = False
    for word, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, value = divmod(value, size)
        if digit:
            out += ("零" if zero else "") + names[digit] + word
            zero = False
        elif out:
            zero = True
    return out


# ---------------------------------------------------------------- a literal of a policy
@attrs.frozen
class Literal:
    """A number as a policy writes it: the number in its unit, and the unit word."""

    number: Decimal
    unit: str | None
    ordinal: bool = False  # 第二次

    @property
    def value(self) -> Decimal:
        """The value in base units: 20万元 → 200000, 五成 → 0.5, 千分之五 → 0.005 (80% is
        0.8, not 0.80: a scale adds no digits)."""
        value = self.number if self.unit is None else self.number * unit(self.unit).scale
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


CN_LITERAL = re.compile(rf"(千分之|百分之)([{CN_NUMERAL}]+)|(第)?([{CN_NUMERAL}]+)(.*)")


def read_cn_literal(text: str) -> Literal:
    """五成 → 5 成, 第二次 → 2 次 (ordinal), 千分之五 → 5 ‰, 两个月 → 2 个月."""
    m = CN_LITERAL.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not a number in Chinese")
    if m.group(1):
        word = "‰" if m.group(1) == "千分之" else "%"
        return Literal(Decimal(cn_to_int(m.group(2))), word)
    return Literal(Decimal(cn_to_int(m.group(4))), m.group(5) or None, ordinal=bool(m.group(3)))


# ---------------------------------------------------------------- quantities in a text
@attrs.frozen
class Quantity:
    """A number a text prints, read with its unit; `start`/`end` index the scanned text."""

    # base units (元, a fraction for rates), or a date; a day of the year printed without its
    # year (9月15日 before any dated day of its sentence) is kind "monthday", in the year 2000
    value: Decimal | datetime.date
    kind: str  # money, rate, points, …, number (no unit), date, monthday
    start: int
    end: int
    text: str
    period: str = ""  # money per 月 / 年, as printed
    label: str = ""  # what a count counts
    ordinal: bool = False


def scan_text(text: str) -> str:
    """The form of a text that positions refer to: NFKC, whitespace removed, except that the
    Chinese comma stays distinct from the ASCII one (1,500 is a number; 30，500 two)."""
    out = []
    for char in text:
        if char.isspace():
            continue
        out.append(char if char == "，" else unicodedata.normalize("NFKC", char))
    return "".join(out)


_ARABIC = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])"
_CN = f"[{CN_NUMERAL}]+"
_QUANTITY_UNITS = sorted(["元/人·年", "元/人·月", "元/人/年", "元/人/月", "元/月", "元/年", "元", "%",
                          "‰", "个百分点", "成", "倍", "周岁", "岁", "个月", "年", "天", "日", "次",
                          "人", "个", "种"], key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in _QUANTITY_UNITS)
_NUMBER = re.compile(
    rf"(?P<permille>千分之|百分之)(?P<pnum>{_CN}|\d+(?:\.\d+)?)"
    rf"|(?P<ord>第)?(?P<num>{_ARABIC}|{_CN})(?P<big>[万亿])?(?P<unit>{_UNIT_RE})?"
)
_DATE = re.compile(
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<end>底))"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    rf"|(?P<cy>[〇零○一二三四五六七八九]{{4}})年(?P<cm>[{CN_NUMERAL}]{{1,3}})月(?P<cd>[{CN_NUMERAL}]{{1,3}})日"
    r"|(?<!\d年)(?<!\d)(?P<sm>\d{1,2})月(?:(?P<sd>\d{1,2})日|(?P<send>底))"
)
_SEGMENT_BREAK = "，,;；。：:|、"


def scan(text: str) -> list[Quantity]:
    """Every quantity `text` (already `scan_text`-normalised) prints, in order."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    last_year: int | None = None
    last_end = 0
    for m in _DATE.finditer(text):
        if any(c in text[last_end:m.start()] for c in "。；;！？"):
            last_year = None  # a year carries to a later day of the same sentence only
        date = _date_of(m, last_year)
        kind = "date"
        if date is None and m.group("sm"):
            date, kind = _date_of(m, 2000), "monthday"
        if date is None:
            continue
        if kind == "date":
            last_year, last_end = date.year, m.end()
        found.append(Quantity(date, kind, m.start(), m.end(), m.group()))
        taken.append((m.start(), m.end()))
    for m in _NUMBER.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        quantity = _quantity_of(m, text)
        if quantity is not None:
            found.append(quantity)
    return sorted(found, key=lambda q: q.start)


def _date_of(m: re.Match[str], last_year: int | None) -> datetime.date | None:
    try:
        if m.group("y"):
            year, month = int(m.group("y")), int(m.group("m"))
            if m.group("end"):
                return _month_end(year, month)
            return datetime.date(year, month, int(m.group("d")))
        if m.group("iy"):
            return datetime.date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        if m.group("cy"):
            return datetime.date(cn_to_int(m.group("cy")), cn_to_int(m.group("cm")), cn_to_int(m.group("cd")))
        if last_year is not None:  # 2024年9月1日至12月31日: the year of the date before
            month = int(m.group("sm"))
            if m.group("send"):
                return _month_end(last_year, month)
            return datetime.date(last_year, month, int(m.group("sd")))
    except ValueError:
        return None
    return None


def _month_end(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


def _quantity_of(m: re.Match[str], text: str) -> Quantity | None:
    if m.group("permille"):
        number = _number(m.group("pnum"))
        scale = Decimal("0.001") if m.group("permille") == "千分之" else Decimal("0.01")
        return Quantity(number * scale, "rate", m.start(), m.end(), m.group())
    digits, word = m.group("num"), m.group("unit")
    chinese = digits[0] in CN_NUMERAL
    if chinese and not word:
        return None  # 一级, 第一类: names, not numbers
    number = _number(digits)
    if m.group("big"):
        number *= BIG_UNITS[m.group("big")]
    if word is None:
        return Quantity(number, "number", m.start(), m.end(), m.group())
    spelled = unit(word)
    period = (spelled.period or _printed_period(text, m.start())) if spelled.kind == "money" else ""
    return Quantity(number * spelled.scale, spelled.kind, m.start(), m.end(), m.group(),
                    period=period, label=spelled.label, ordinal=bool(m.group("ord")))


def _number(digits: str) -> Decimal:
    if digits[0] in CN_NUMERAL:
        return Decimal(cn_to_int(digits))
    return Decimal(digits.replace(",", ""))


def _printed_period(text: str, start: int) -> str:
    """每人每月…5元, 每年60元: the last 每月 / 每年 before the amount, within its segment."""
    segment_start = max(text.rfind(c, 0, start) for c in _SEGMENT_BREAK) + 1
    before = text[segment_start:start]
    month, year = before.rfind("每月"), before.rfind("每年")
    if month == year == -1:
        return ""
    return "月" if month > year else "年"
