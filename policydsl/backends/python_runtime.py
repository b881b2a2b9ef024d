"""The helpers of the generated calculator modules, as real (linted, type-checked, tested) code.

The Python backend copies into each generated module the helpers it uses, and the helpers and
constants those use, verbatim: a generated module imports nothing but the standard library,
so it carries its own copy.  Nothing here reads policy text; a helper is code, not a template.

Input bounds (docs/calculators.md): an amount of money is a whole number of 分 (at most two
decimals), not negative, below 10^13 元; a rate lies within 0–100 % with at most eight
decimals; other numbers are not negative, below 10^12, with at most eight decimals; a count
is whole.  Anything else is refused with a ValueError naming the input, before anything is
computed.  (backends/exactness.py relies on these bounds.)
"""

from __future__ import annotations

import datetime
import decimal
import enum
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final, NamedTuple, NoReturn, TypeVar

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_CENT: Final = Decimal("0.01")
_INFINITY: Final = Decimal("Infinity")
_MAX_TEXT: Final = 64  # characters of a number given as text
# Amounts and rates given as text, read once: a billing system passes the same settings on
# every call.  A few thousand entries at most; the cache is emptied when full.
_MONEY_SEEN: Final[dict[Any, Decimal]] = {}
_RATE_SEEN: Final[dict[Any, Decimal]] = {}
_TIERS_SEEN: Final[dict[object, tuple[tuple[Decimal, Decimal], ...]]] = {}  # the last few schedules
_SEEN_AT_MOST: Final = 4096

# The rules run in this context: + − × never round (the precision is the decimal module's
# maximum), so every amount is exact; a bad operation raises instead of giving NaN.  Only ÷
# (_divide, 28 significant digits) and 四舍五入 (quantize, half-up) round, where the policy says.
_EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
_DIVISION: Final = decimal.Context(prec=28, traps=[decimal.InvalidOperation, decimal.DivisionByZero])


class Step(NamedTuple):
    """One line of a result's explanation: what was computed, its value, and why."""

    name: str
    value: object
    unit: str
    formula: str
    source: str


# ---------------------------------------------------------------- input conversion
def _decimal(field: str, value: object, what: str) -> Decimal:
    """An exact, finite Decimal from a Decimal, an int or a numeric string; never a float."""
    kind = type(value)
    if kind is str:
        text = value.strip()  # type: ignore[attr-defined]
        if len(text) > _MAX_TEXT:
            raise ValueError(field + ": " + repr(value[:20]) + "… is too long to be "  # type: ignore[index]
                             + what)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(field + ": " + repr(value) + " is not a number") from None
    elif kind is Decimal:
        number = value  # type: ignore[assignment]
    elif kind is int:
        if value.bit_length() > 64:  # type: ignore[attr-defined]
            raise ValueError(field + ": the integer is too large for " + what)
        number = Decimal(value)  # type: ignore[arg-type]
    elif isinstance(value, float):
        raise ValueError(field + ": the float " + repr(value) + " is not exact; pass " + what
                         + " as a str or Decimal, e.g. " + repr(str(value)))
    else:
        raise ValueError(field + ": expected " + what + ", got " + type(value).__name__)
    if not number.is_finite():
        raise ValueError(field + ": " + repr(value) + " is not a finite number")
    if number.is_signed():
        if number:
            raise ValueError(field + ": must not be negative, got " + str(number))
        number = number.copy_abs()  # -0 is 0
    return number


def _bounded(field: str, number: Decimal, places: int, digits: int, what: str) -> Decimal:
    """At most `digits` digits before the point and `places` decimals (the size first: a
    number too large to round at `places` is out of range, not a decimal error)."""
    if number.adjusted() >= digits:
        raise ValueError(field + ": " + str(number) + " is out of range; " + what)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(field + ": " + str(number) + " has more than " + str(places)
                         + " decimal places; " + what)
    return number


def _money(field: str, value: object) -> Decimal:
    """An amount in 元: a whole number of 分 (two decimals at most), not negative."""
    kind = type(value)
    if kind is str or kind is Decimal and value.is_finite():  # type: ignore[attr-defined]
        known = _MONEY_SEEN.get(value)
        if known is not None:
            return known
    number = _bounded(field, _decimal(field, value, "an amount in 元"), 2, 13,
                      "money is in 元 to the 分, below 10^13")
    return _remember(_MONEY_SEEN, value, number) if kind is str or kind is Decimal else number


def _rate(field: str, value: object) -> Decimal:
    """A rate as a fraction: 0.7, "0.7" and "70%" are all 70 %; within 0–100 %."""
    kind = type(value)
    if kind is str or kind is Decimal and value.is_finite():  # type: ignore[attr-defined]
        known = _RATE_SEEN.get(value)
        if known is not None:
            return known
    if kind is str and value.endswith(("%", "％")):  # type: ignore[attr-defined]
        rate = _bounded(field, _decimal(field, value[:-1], "a rate"), 6, 4, "a rate") / 100  # type: ignore[index]
    else:
        rate = _bounded(field, _decimal(field, value, "a rate (a fraction such as \"0.7\", or \"70%\")"),
                        8, 1, "a rate is a fraction from 0 to 1")
    if rate > 1:
        raise ValueError(field + ": a rate must not exceed 100%, got " + str(rate))
    return _remember(_RATE_SEEN, value, rate) if kind is str or kind is Decimal else rate


def _remember(seen: dict[Any, Decimal], given: object, number: Decimal) -> Decimal:
    """Keep a converted value for the next call (text or a Decimal: never a bool or an int,
    which compare equal to other things)."""
    if len(seen) >= _SEEN_AT_MOST:
        seen.clear()
    seen[given] = number
    return number


def _number(field: str, value: object) -> Decimal:
    return _bounded(field, _decimal(field, value, "a number"), 8, 12, "a number below 10^12")


def _count(field: str, value: object) -> Decimal:
    count = _number(field, value)
    if count != count.to_integral_value():
        raise ValueError(field + ": must be a whole number, got " + str(count))
    return count


def _date(field: str, value: object) -> datetime.date:
    """A date, or its ISO text "2016-01-01"."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(field + ": " + repr(value) + " is not a date (YYYY-MM-DD)") from None
    raise ValueError(field + ": expected a date, got " + type(value).__name__)


def _bool(field: str, value: object) -> bool:
    if type(value) is bool:
        return value
    raise ValueError(field + ": expected True or False, got " + repr(value))


_Member = TypeVar("_Member", bound=enum.Enum)


def _member(field: str, value: object, by_name: Mapping[object, _Member], kind: str) -> _Member:
    """A member of an enumeration, or its name."""
    try:
        member = by_name.get(value)
    except TypeError:  # unhashable
        member = None
    if member is None:
        raise ValueError(field + ": unknown " + kind + " " + repr(value) + "; expected one of "
                         + "、".join(dict.fromkeys(str(m.value) for m in by_name.values())))
    return member


def _members(field: str, value: object, by_name: Mapping[object, _Member], kind: str
             ) -> tuple[_Member, ...]:
    """A list of members (it may be empty), each at most once: a list says which members a
    person holds, and a disease given twice would count its limit twice."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ValueError(field + ": expected a list of " + kind + ", got " + repr(value))
    members = tuple([_member(field, item, by_name, kind) for item in value])
    if len(members) > 1 and len(set(members)) < len(members):  # one member needs no set
        twice = next(m for i, m in enumerate(members) if m in members[:i])
        raise ValueError(field + ": " + str(twice.value) + " is given more than once")
    return members


def _tiers(field: str, value: object) -> tuple[tuple[Decimal, Decimal], ...]:
    """Tiers of a schedule, ascending, the last open: [{"上限": amount or None, "比例": rate}, …]
    or [(amount or None, rate), …].  A schedule given again (by value) is not read again."""
    try:
        key = (field, tuple([tuple([(k, type(v), v) for k, v in t.items()]) if type(t) is dict else t
                             for t in value]))  # type: ignore[attr-defined]
        known = _TIERS_SEEN.get(key)
    except TypeError:  # not hashable: read it every time
        return _read_tiers(field, value)
    if known is not None:
        return known
    tiers = _read_tiers(field, value)
    if len(_TIERS_SEEN) >= 64:
        _TIERS_SEEN.clear()
    _TIERS_SEEN[key] = tiers
    return tiers


def _read_tiers(field: str, value: object) -> tuple[tuple[Decimal, Decimal], ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise ValueError(field + ": expected a non-empty list of tiers {\"上限\": …, \"比例\": …}")
    tiers: list[tuple[Decimal, Decimal]] = []
    last = len(value)
    for number, tier in enumerate(value, start=1):
        upper_given, rate_given = _tier_parts(field, number, tier)
        try:
            if number == last:
                if upper_given is not None and upper_given != _INFINITY:
                    raise ValueError(field + ": the last tier must be open (上限 null)")
                upper = _INFINITY
            elif upper_given is None:
                raise ValueError(field + ": only the last tier is open (上限 null)")
            else:
                upper = _money(field, upper_given)
            if tiers and upper <= tiers[-1][0]:
                raise ValueError(field + ": the bounds must ascend, got " + str(upper) + " after "
                                 + str(tiers[-1][0]))
            tiers.append((upper, _rate(field, rate_given)))
        except ValueError as err:  # name the tier: 大病保险分段[2]: …
            raise ValueError(field + "[" + str(number) + "]" + str(err)[len(field):]) from None
    return tuple(tiers)


def _tier_parts(field: str, number: int, tier: object) -> tuple[object, object]:
    if type(tier) is dict and len(tier) == 2 and "上限" in tier and "比例" in tier:
        return tier["上限"], tier["比例"]
    if isinstance(tier, tuple) and len(tier) == 2:
        return tier[0], tier[1]
    if isinstance(tier, Mapping) and set(tier) == {"上限", "比例"}:
        return tier["上限"], tier["比例"]
    raise ValueError(field + "[" + str(number) + "]: a tier has exactly the keys 上限 and 比例, got "
                     + repr(tier))


def _broken(field: str, value: object, bound: str, limit: object, source: str) -> str:
    return (field + " = " + str(value) + " breaks the bound " + bound + " (= " + str(limit)
            + ") set by " + source)


# ---------------------------------------------------------------- arithmetic
def _fail(message: str) -> NoReturn:
    raise ValueError(message)


def _divide(dividend: Decimal, divisor: Decimal, formula: str) -> Decimal:
    """Division, exact to 28 significant digits (the decimal module's default precision)."""
    if divisor == 0:
        raise ValueError(formula + ": division by zero")
    return _DIVISION.divide(dividend, divisor)


def _highest(values: tuple[_Member, ...], field: str) -> _Member:
    """就高不就低: the member declared first in its enumeration."""
    if len(values) == 1:
        return values[0]
    if not values:
        raise ValueError(field + ": the list is empty; 就高不就低 needs at least one member")
    order = list(type(values[0]))
    return min(values, key=order.index)


def _shift_tiers(tiers: tuple[tuple[Decimal, Decimal], ...], points: Decimal
                 ) -> tuple[tuple[Decimal, Decimal], ...]:
    """Every tier's rate moved by `points` (提高/降低 N 个百分点)."""
    return tuple([(upper, rate + points) for upper, rate in tiers])


def _progressive(amount: Decimal, tiers: tuple[tuple[Decimal, Decimal], ...], deductible: Decimal
                 ) -> Decimal:
    """分段累计: each tier's rate on the part of `amount` inside the tier and above `deductible`.

    A rate above 100 % counts as 100 %: a tier never pays more than its part.
    """
    total = _ZERO
    lower = _ZERO
    for upper, rate in tiers:
        low = lower if lower > deductible else deductible
        high = amount if amount < upper else upper
        if high > low:
            total += (high - low) * (rate if rate < _ONE else _ONE)
        if upper >= amount:
            break
        lower = upper
    return total


def _second_of(values: Sequence[Decimal]) -> Decimal:
    """次高: the second highest value (a tie counts twice); 0 with fewer than two."""
    ordered = sorted(values, reverse=True)
    return ordered[1] if len(ordered) > 1 else _ZERO


# ---------------------------------------------------------------- dates and ages
def _age(born: datetime.date, on: datetime.date) -> Decimal:
    """周岁: full years of age on a date (the birthday itself counts)."""
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return Decimal(max(years, 0))


def _birthday(born: datetime.date, years: Decimal) -> datetime.date:
    """The day an age is reached; born on 29 February, 1 March in other years."""
    year = born.year + int(years)
    try:
        return born.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def _next_month(day: datetime.date) -> datetime.date:
    """次月: the first day of the month after."""
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _months(start: datetime.date, end: datetime.date) -> Decimal:
    """月数: calendar months from start's month to end's, both counted; 0 if start is later."""
    return Decimal(max((end.year - start.year) * 12 + end.month - start.month + 1, 0))


def _next_day(day: datetime.date) -> datetime.date:
    """次日: the day after."""
    return day + datetime.timedelta(days=1)


def _year_start(day: datetime.date) -> datetime.date:
    """年初: 1 January of the date's year."""
    return datetime.date(day.year, 1, 1)


def _year_end(day: datetime.date) -> datetime.date:
    """年末: 31 December of the date's year."""
    return datetime.date(day.year, 12, 31)


def _month_day(day: datetime.date) -> datetime.date:
    """月日: the day of the year, kept as that day in 2000 (a leap year: 2月29日 is a day)."""
    return datetime.date(2000, day.month, day.day)


def _in_year(day: datetime.date, date: datetime.date) -> datetime.date:
    """当年: a day of the year in the date's year; 2月29日 is 2月28日 in a common year."""
    try:
        return datetime.date(date.year, day.month, day.day)
    except ValueError:  # 2月29日 in a common year
        return datetime.date(date.year, 2, 28)


def _shift_date(day: datetime.date, amount: Decimal, kind: str) -> datetime.date:
    """A date `amount` days, months or years later (earlier if negative); a day past the end
    of a month is its last day (1 月 31 日 + 1 个月 is 2 月 28 or 29 日)."""
    if kind == "days":
        return day + datetime.timedelta(days=int(amount))
    months = int(amount) * (12 if kind == "years" else 1)
    year, index = divmod(day.year * 12 + day.month - 1 + months, 12)  # index 0 is January
    last_day = (_next_month(datetime.date(year, index + 1, 1)) - datetime.timedelta(days=1)).day
    return datetime.date(year, index + 1, min(day.day, last_day))


def _about(value: Decimal, printed: Decimal) -> bool:
    """约为: `value` rounded half-up at the last non-zero digit of `printed` is `printed`."""
    if printed == 0 or not printed.is_finite():
        return value == printed
    place = printed.normalize().as_tuple().exponent
    assert isinstance(place, int)
    return value.quantize(Decimal(1).scaleb(place), rounding=decimal.ROUND_HALF_UP) == printed


def _prorate(amount: Decimal, months: Decimal) -> Decimal:
    """按月折算: a year's amount for the months counted (× months ÷ 12, to 28 digits)."""
    return _DIVISION.divide(amount * months, Decimal(12))


# ---------------------------------------------------------------- explanations
def _explain(title: str, trace: tuple[Step, ...]) -> str:
    """A settlement slip: one line per input and per rule, with its source."""
    lines = [title]
    for step in trace:
        lines.append("  " + step.name + " = " + _show(step.value, step.unit) + "    ← "
                     + step.formula + "    [" + step.source + "]")
    return "\n".join(lines)


def _show(value: object, unit: str) -> str:
    """A value as the notice writes it: 69300.00 元, 70%, 5个百分点, 低保对象, 是."""
    if value is None:
        return "未给出"
    if value is True or value is False:
        return "是" if value else "否"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return _show_number(value, unit)
    if isinstance(value, tuple) and unit == "分段":
        return "; ".join("至 " + _show(upper, "元") + ": " + _show(rate, "%") for upper, rate in value)
    if isinstance(value, tuple):
        return "、".join(_show(item, unit) for item in value) or "（无）"
    if isinstance(value, datetime.date) and unit == "月日":  # a day of the year, kept in 2000
        return str(value.month) + "月" + str(value.day) + "日"
    return str(value)


def _show_number(value: Decimal, unit: str) -> str:
    if value.is_infinite():
        return "无上限"
    if unit in ("%", "个百分点"):
        return format((value * 100).normalize(), "f") + unit
    exponent = value.as_tuple().exponent
    if unit.startswith("元") and isinstance(exponent, int) and exponent >= -2:
        return format(value.quantize(_CENT), "f") + " " + unit  # two decimals, none dropped
    return format(value.normalize() if value == value.to_integral_value() else value, "f") \
        + (" " + unit if unit else "")


def _given(inputs: Mapping[str, Any], names: Sequence[str], function: str) -> None:
    """Refuse an event of a sequence that names an input the calculator does not have."""
    unknown = [name for name in inputs if name not in names]
    if unknown:
        raise ValueError(function + ": no input " + "、".join(unknown) + "; its inputs are "
                         + "、".join(names))
