"""The runtime of the generated batch modules: exact arithmetic on whole columns.

This is a real module, linted and type-checked with the rest of policydsl, but nothing imports
it: the batch backend (backends/batch.py) copies the definitions a generated module needs into
that module, so that every module under generated/batch/ stands alone (numpy and pyarrow only).

Every value is a `Col`: one value per row of the table, or one value for every row (a constant
of the notice, or an input given once as a keyword).  Numbers are exact: a number is held as
whole units of 10**-scale (money in 分 has scale 2; 0.633 is 633000 units of scale 6), in int64
while int64 is wide enough and in Python integers (object arrays) beyond it.  Each operation
knows a bound on the units it produces, so it picks int64 or Python integers before computing,
never after overflowing.  An amount needing more than 28 significant digits (where the scalar
calculator would round) fails its row instead.

Rows can fail (错误(…), a division by zero, 无上限 where a number is needed): a failed row carries
the code of its message in `failed`, and the calculator reports the first failure of each row in
the order the scalar calculator would meet it.  Rows can also hold no value (`missing`: an
optional input not given, 不适用) or an unbounded one (`unbounded`: 无上限).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from numpy.typing import NDArray

Array = NDArray[Any]
Data = Array | int | bool  # one value per row, or one value for every row
Mask = Array | bool  # a bool per row, or one for every row
Codes = Array | int  # the failure code per row (0: none), or one for every row

_INT64: Final = 2**63 - 1
_DIGITS: Final = 10**28  # the scalar calculator divides to 28 significant digits
_MESSAGES: Final[list[str]] = [
    "",
    "the quotient needs more than 28 significant digits: the scalar calculator rounds it, so"
    " the batch calculator refuses the row rather than differ",
    "无上限 is not a number here: it cannot be rounded, subtracted or stored in a column",
    "the date falls outside the years 1–9999",
]
_OVERFLOW: Final = 1
_NOT_A_NUMBER: Final = 2
_OUT_OF_RANGE: Final = 3


# ---------------------------------------------------------------- values
class Col:
    """One value per row of the table, or one value for every row (a constant).

    `data` holds numbers as units of 10**-scale (int64, or Python ints in an object array when
    int64 is too narrow), booleans as bool, members of an enumeration by their index, lists of
    members as a bit mask (`_members`), dates as days since 1970-01-01.  `bound` is at
    least the largest absolute value of `data`; `nonneg` is true when no value is negative
    (then 较大(x, 0) is x, and rounding needs no sign).
    """

    __slots__ = ("data", "scale", "bound", "unbounded", "missing", "failed", "nonneg")

    def __init__(self, data: Data, scale: int = 0, bound: int = 0, *, unbounded: Mask = False,
                 missing: Mask = False, failed: Codes = 0, nonneg: bool = False) -> None:
        self.data = data
        self.scale = scale
        self.bound = bound
        self.unbounded = unbounded
        self.missing = missing
        self.failed = failed
        self.nonneg = nonneg

    def __add__(self, other: Col) -> Col:
        return _add(self, other, subtract=False)

    def __sub__(self, other: Col) -> Col:
        return _add(self, other, subtract=True)

    def __mul__(self, other: Col) -> Col:
        return _multiply(self, other)

    def __neg__(self) -> Col:
        return _ZERO - self

    def cleared(self) -> Col:
        """The value with no row failing (its failures are recorded elsewhere)."""
        return Col(self.data, self.scale, self.bound, unbounded=self.unbounded,
                   missing=self.missing, nonneg=self.nonneg)


class Tiers:
    """A schedule (分段): each tier's upper bound (the last one 无上限) and rate, in order."""

    __slots__ = ("tiers",)

    def __init__(self, tiers: tuple[tuple[Col, Col], ...]) -> None:
        self.tiers = tiers


class Each:
    """One value per member of a list (限额[病种]), for 最高, 次高 and 合计 to make one value of.

    `slots` pairs a value with the rows whose list holds its member; the rows failed before
    (the list itself, a cell read) fail with the codes of `failed`.
    """

    __slots__ = ("slots", "failed")

    def __init__(self, slots: tuple[tuple[Col, Mask], ...], failed: Codes = 0) -> None:
        self.slots = slots
        self.failed = failed

    def cleared(self) -> Each:
        """The values with no row failing (its failures are recorded elsewhere)."""
        return Each(self.slots)


def _number(text: str) -> Col:
    """A constant number, from its decimal text: "0.633" is 633 units of scale 3."""
    value = Decimal(text)
    if not value.is_finite():
        return Col(0, unbounded=True)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    scale = max(0, -exponent)
    units = int(value.scaleb(scale))
    return Col(units, scale, abs(units), nonneg=units >= 0)


def _failure(message: str) -> Col:
    """错误(message): a value that fails every row it is chosen for."""
    _MESSAGES.append(message)
    return Col(0, failed=len(_MESSAGES) - 1)


def _message(message: str) -> int:
    """The failure code of a message (a division by zero in a named formula)."""
    _MESSAGES.append(message)
    return len(_MESSAGES) - 1


_ZERO: Final = Col(0, nonneg=True)
_ONE: Final = Col(1, 0, 1, nonneg=True)
_TRUE: Final = Col(True)
_FALSE: Final = Col(False)
_NONE: Final = Col(0, missing=True)
_UNBOUNDED: Final = Col(0, unbounded=True)


# ---------------------------------------------------------------- masks and failures
def _some(mask: Mask | Codes) -> bool:
    """Whether a mask (or failure codes) marks any row."""
    if isinstance(mask, np.ndarray):
        return bool(mask.any())
    return bool(mask)


def _either(a: Mask, b: Mask) -> Mask:
    if a is False:
        return b
    if b is False:
        return a
    return a | b


def _first(*codes: Codes) -> Codes:
    """The first failure of each row, in the order given."""
    result: Codes = 0
    for code in codes:
        if not isinstance(code, np.ndarray) and code == 0:
            continue
        if not isinstance(result, np.ndarray) and result == 0:
            result = code
        elif isinstance(result, np.ndarray):
            result = np.where(result != 0, result, code)
    return result


def _pick(condition: Array, a: Mask | Codes, b: Mask | Codes) -> Any:
    """`a` where the condition holds, `b` elsewhere (masks or failure codes)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray) and a == b:
        return a
    return np.where(condition, a, b)


def _with_failure(value: Col, failed: Codes) -> Col:
    """The value, failing first where `failed` says (a condition evaluated before it)."""
    if not _some(failed):
        return value
    return Col(value.data, value.scale, value.bound, unbounded=value.unbounded,
               missing=value.missing, failed=_first(failed, value.failed), nonneg=value.nonneg)


# ---------------------------------------------------------------- exact integers
def _tight(col: Col) -> int:
    """The largest absolute value `col.data` actually holds."""
    data = col.data
    if isinstance(data, np.ndarray):
        return int(np.max(np.abs(data))) if data.size else 0
    return abs(int(data))


def _wide(data: Data) -> Data:
    """Python integers (an object array): exact at any size."""
    if isinstance(data, np.ndarray) and data.dtype != object:
        return data.astype(object)
    return data


def _settle(data: Data, bound: int, failed: Codes) -> tuple[Data, int, Codes]:
    """Back to int64 when it is wide enough (Python integers are exact at any size, as the
    scalar calculator's + − × are)."""
    if not isinstance(data, np.ndarray):
        return data, bound, failed
    if bound <= _INT64 and data.dtype != object:
        return data, bound, failed
    actual = int(np.max(np.abs(data))) if data.size else 0
    if actual <= _INT64:
        return data.astype(np.int64), actual, failed
    return data, actual, failed


def _rescaled(col: Col, scale: int) -> tuple[Data, int]:
    """The data of a number in units of 10**-scale (scale ≥ col.scale), and its bound."""
    if scale == col.scale:
        return col.data, col.bound
    factor = 10 ** (scale - col.scale)
    bound = col.bound * factor
    data = col.data if bound <= _INT64 else _wide(col.data)
    return data * factor, bound


def _aligned(a: Col, b: Col) -> tuple[Data, Data, int, int, int]:
    """Both numbers in units of the finer scale: data, data, scale, bound, bound."""
    scale = max(a.scale, b.scale)
    x, bx = _rescaled(a, scale)
    y, by = _rescaled(b, scale)
    return x, y, scale, bx, by


def _add(a: Col, b: Col, *, subtract: bool) -> Col:
    x, y, scale, bx, by = _aligned(a, b)
    bound = bx + by
    if bound > _INT64:
        x, y = _wide(x), _wide(y)
    data = x - y if subtract else x + y
    failed = _first(a.failed, b.failed)
    unbounded = _either(a.unbounded, b.unbounded)
    if subtract and _some(b.unbounded):  # x − 无上限 is no number a column can hold
        failed = _first(failed, _pick(np.asarray(b.unbounded), _NOT_A_NUMBER, 0))
        unbounded = a.unbounded
    data, bound, failed = _settle(data, bound, failed)
    return Col(data, scale, bound, unbounded=unbounded, missing=_either(a.missing, b.missing),
               failed=failed, nonneg=not subtract and a.nonneg and b.nonneg)


def _multiply(a: Col, b: Col) -> Col:
    bound = a.bound * b.bound
    if bound > _INT64:
        bound = _tight(a) * _tight(b)
    x, y = (a.data, b.data) if bound <= _INT64 else (_wide(a.data), _wide(b.data))
    data = x * y
    failed = _first(a.failed, b.failed)
    unbounded = _either(a.unbounded, b.unbounded)
    if _some(unbounded):  # 无上限 × a positive number is 无上限; × 0 or less is not a number
        a_open, b_open = np.asarray(a.unbounded), np.asarray(b.unbounded)
        not_positive = (a_open & ~b_open & (np.asarray(b.data) <= 0)) | (
            b_open & ~a_open & (np.asarray(a.data) <= 0))
        failed = _first(failed, np.where(not_positive, _NOT_A_NUMBER, 0))
    data, bound, failed = _settle(data, bound, failed)
    return Col(data, a.scale + b.scale, bound, unbounded=unbounded,
               missing=_either(a.missing, b.missing), failed=failed,
               nonneg=a.nonneg and b.nonneg)


def _min(first: Col, *others: Col) -> Col:
    """较小(…): 无上限 loses to any number."""
    result = first
    for other in others:
        if other.unbounded is True or _covers(other, result):  # no row takes `other`
            result = _merged(result, other)
            continue
        if result.unbounded is True or _covers(result, other):
            result = _merged(other, result)
            continue
        x, y, scale, bx, by = _aligned(result, other)
        if _some(result.unbounded) or _some(other.unbounded):
            x, y = np.where(result.unbounded, y, x), np.where(other.unbounded, x, y)
        result = Col(np.minimum(x, y) if isinstance(x, np.ndarray) or isinstance(y, np.ndarray)
                     else min(x, y), scale, max(bx, by),
                     unbounded=_both(result.unbounded, other.unbounded),
                     missing=_either(result.missing, other.missing),
                     failed=_first(result.failed, other.failed),
                     nonneg=result.nonneg and other.nonneg)
    return result


def _max(first: Col, *others: Col) -> Col:
    """较大(…): 无上限 wins over any number."""
    result = first
    for other in others:
        if _covers(_negated_bound(other), result) or (result.nonneg and _at_most_zero(other)):
            result = _merged(result, other)  # other is never the larger
            continue
        x, y, scale, bx, by = _aligned(result, other)
        result = Col(np.maximum(x, y) if isinstance(x, np.ndarray) or isinstance(y, np.ndarray)
                     else max(x, y), scale, max(bx, by),
                     unbounded=_either(result.unbounded, other.unbounded),
                     missing=_either(result.missing, other.missing),
                     failed=_first(result.failed, other.failed),
                     nonneg=result.nonneg or other.nonneg)
    return result


def _at_most_zero(value: Col) -> bool:
    """Whether a value is one number, 0 or less, for every row."""
    return (not isinstance(value.data, np.ndarray) and value.data <= 0
            and not _some(value.unbounded) and not _some(value.missing))


def _covers(limit: Col, values: Col) -> bool:
    """Whether a constant is at least every value of `values` (by its bound): then 较小 of the
    two is always `values`."""
    if isinstance(limit.data, np.ndarray) or _some(limit.missing) or _some(values.unbounded):
        return False
    return bool(int(limit.data) * 10 ** max(0, values.scale - limit.scale)
                >= values.bound * 10 ** max(0, limit.scale - values.scale))


def _negated_bound(value: Col) -> Col:
    """−value for a constant (to test 较大 by `_covers`); anything else is left as it is."""
    if isinstance(value.data, np.ndarray) or _some(value.unbounded):
        return Col(0, 0, 0, missing=True)
    return Col(-int(value.data), value.scale, value.bound)


def _merged(kept: Col, other: Col) -> Col:
    """`kept`'s values, with the rows `other` fails or leaves empty failing or empty too."""
    if not _some(other.missing) and not _some(other.failed):
        return kept
    return Col(kept.data, kept.scale, kept.bound, unbounded=kept.unbounded,
               missing=_either(kept.missing, other.missing),
               failed=_first(kept.failed, other.failed), nonneg=kept.nonneg)


def _both(a: Mask, b: Mask) -> Mask:
    if a is False or b is False:
        return False
    return a & b


def _round(value: Col, places: int) -> Col:
    """四舍五入 to `places` decimals, half away from zero (Decimal's ROUND_HALF_UP)."""
    failed = value.failed
    if _some(value.unbounded):
        failed = _first(failed, _pick(np.asarray(value.unbounded), _NOT_A_NUMBER, 0))
    if value.scale <= places:
        data, bound = _rescaled(value, places)
        data, bound, failed = _settle(data, bound, failed)
        return Col(data, places, bound, missing=value.missing, failed=failed, nonneg=value.nonneg)
    divisor = 10 ** (value.scale - places)
    half = divisor // 2
    data = value.data if value.bound + half <= _INT64 else _wide(value.data)
    if isinstance(data, np.ndarray):
        if value.nonneg or (data.size and data.min() >= 0):
            data = (data + half) // divisor
        else:
            magnitude = (np.abs(data) + half) // divisor
            data = np.where(data < 0, -magnitude, magnitude)
    else:
        magnitude = (abs(data) + half) // divisor
        data = -magnitude if data < 0 else magnitude
    data, bound, failed = _settle(data, (value.bound + half) // divisor, failed)
    return Col(data, places, bound, missing=value.missing, failed=failed, nonneg=value.nonneg)


def _round_quotient(dividend: Col, divisor: Col, places: int, zero_divisor: int) -> Col:
    """四舍五入(a ÷ b, places), exactly.

    The scalar calculator divides to 28 significant digits, then rounds.  In units of the result
    the quotient is N ÷ D (whole numbers); while N stays below 10**27, no quotient lies near
    enough a half for the first rounding to move it across, so rounding the exact quotient gives
    the same amount.  A larger N fails its row; a zero divisor fails with the formula's message."""
    shift = divisor.scale + places - dividend.scale
    numerator = np.asarray(_wide(dividend.data), dtype=object) * 10 ** max(shift, 0)
    denominator = np.asarray(_wide(divisor.data), dtype=object) * 10 ** max(-shift, 0)
    failed = _first(dividend.failed, divisor.failed)
    zero = denominator == 0
    too_large = np.abs(numerator) >= _DIGITS // 10
    not_numbers = np.asarray(_either(dividend.unbounded, divisor.unbounded))
    failed = _first(failed, _unwrap(np.where(zero, zero_divisor, 0)),
                    _unwrap(np.where(too_large, _OVERFLOW, 0)),
                    _unwrap(np.where(not_numbers, _NOT_A_NUMBER, 0)))
    denominator = np.where(zero, 1, denominator)
    numerator = np.where(too_large, 0, numerator)
    magnitude = (2 * np.abs(numerator) + np.abs(denominator)) // (2 * np.abs(denominator))
    negative = (numerator < 0) != (denominator < 0)
    data, bound, failed = _settle(_unwrap(np.where(negative, -magnitude, magnitude)),
                                  _INT64 + 1, failed)
    return Col(data, places, bound, missing=_either(dividend.missing, divisor.missing),
               failed=failed, nonneg=dividend.nonneg and divisor.nonneg)


def _unwrap(values: Array) -> Any:
    """A 0-dimensional array as the Python value it holds."""
    return values.item() if values.ndim == 0 else values


# ---------------------------------------------------------------- comparisons and choices
_COMPARE: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


def _compare(a: Col, op: str, b: Col) -> Col:
    """a op b, for numbers (无上限 above every number), members, booleans and dates."""
    x, y, _, bx, by = _aligned(a, b)
    compare = _COMPARE[op]
    data = compare(x, y)
    if _some(a.unbounded) or _some(b.unbounded):
        a_open, b_open = np.asarray(a.unbounded), np.asarray(b.unbounded)
        data = np.where(a_open | b_open, compare(a_open.astype(np.int8), b_open.astype(np.int8)),
                        data)
    if not isinstance(data, np.ndarray) or data.ndim == 0:
        data = bool(data)
    return Col(data, missing=_either(a.missing, b.missing), failed=_first(a.failed, b.failed))


def _and(a: Col, b: Col) -> Col:
    """a 且 b: b is not evaluated (cannot fail) where a is false."""
    data = np.logical_and(a.data, b.data)
    return Col(data if data.ndim else bool(data),
               failed=_first(a.failed, _pick(np.asarray(a.data), b.failed, 0)))


def _or(a: Col, b: Col) -> Col:
    """a 或 b: b is not evaluated (cannot fail) where a is true."""
    data = np.logical_or(a.data, b.data)
    return Col(data if data.ndim else bool(data),
               failed=_first(a.failed, _pick(np.asarray(a.data), 0, b.failed)))


def _not(a: Col) -> Col:
    data = np.logical_not(a.data)
    return Col(data if data.ndim else bool(data), failed=a.failed)


def _if(condition: Col, then: Col, otherwise: Col) -> Col:
    """若 condition 则 then 否则 otherwise, row by row; a branch fails only the rows it is
    chosen for."""
    chosen = condition.data
    if not isinstance(chosen, np.ndarray):
        return _with_failure(then if chosen else otherwise, condition.failed)
    if _fixed(then) and _fixed(otherwise) and _same(then, otherwise):  # no choice to make
        return _with_failure(then, condition.failed)
    x, y, scale, bx, by = _aligned(then, otherwise)
    if max(bx, by) > _INT64:  # Python integers on one side: on both
        x, y = _wide(x), _wide(y)
    return Col(np.where(chosen, x, y), scale, max(bx, by),
               unbounded=_pick(chosen, then.unbounded, otherwise.unbounded),
               missing=_pick(chosen, then.missing, otherwise.missing),
               failed=_first(condition.failed, _pick(chosen, then.failed, otherwise.failed)),
               nonneg=then.nonneg and otherwise.nonneg)


def _if_tiers(condition: Col, then: Tiers, otherwise: Tiers) -> Tiers:
    """A schedule chosen row by row; the shorter one is padded with tiers that pay nothing
    (after its open last tier, so they are never reached)."""
    count = max(len(then.tiers), len(otherwise.tiers))
    padding = (_UNBOUNDED, _ZERO)
    a = then.tiers + (padding,) * (count - len(then.tiers))
    b = otherwise.tiers + (padding,) * (count - len(otherwise.tiers))
    return Tiers(tuple((_if(condition, ua, ub), _if(condition, ra, rb))
                       for (ua, ra), (ub, rb) in zip(a, b, strict=True)))


def _match(subject: Col, arms: tuple[tuple[tuple[int, ...], Col], ...], otherwise: Col) -> Col:
    """按 subject {members: value, …, 其他: otherwise}: the arm of each row's member."""
    codes = subject.data
    if isinstance(codes, np.ndarray) and all(_fixed(v) for _, v in arms) and _fixed(otherwise):
        # every arm a constant: one value per member, looked up (one pass, not one per arm)
        size = max(int(codes.max(initial=0)), *(m for members, _ in arms for m in members)) + 1
        cells = [otherwise] * size
        for members, value in arms:
            for member in members:
                cells[member] = value
        return _lookup(_table(*cells), subject)
    result = otherwise
    for members, value in reversed(arms):
        result = _if(_among(subject, members), value, result)
    return _with_failure(result, subject.failed)


def _same(a: Col, b: Col) -> bool:
    """Whether two constants are the same value."""
    x, y, _, _, _ = _aligned(a, b)
    return bool(x == y and a.unbounded == b.unbounded and a.missing == b.missing
                and a.failed == b.failed)


def _fixed(value: Col) -> bool:
    """Whether a value is one value for every row."""
    return not any(isinstance(part, np.ndarray) for part in
                   (value.data, value.unbounded, value.missing, value.failed))


def _match_tiers(subject: Col, arms: tuple[tuple[tuple[int, ...], Tiers], ...],
                 otherwise: Tiers) -> Tiers:
    """按 subject {…} choosing a schedule."""
    result = otherwise
    for members, value in reversed(arms):
        result = _if_tiers(_among(subject, members), value, result)
    return Tiers(tuple((_with_failure(upper, subject.failed), _with_failure(rate, subject.failed))
                       for upper, rate in result.tiers))


def _among(subject: Col, members: tuple[int, ...]) -> Col:
    """Whether each row's member is one of `members`."""
    codes = subject.data
    if not isinstance(codes, np.ndarray):
        return Col(codes in members)
    if len(members) == 1:
        return Col(codes == members[0])
    if max(members) < 63:  # a bit per member: one shift, one and
        return Col((np.right_shift(sum(1 << m for m in members), codes) & 1).astype(bool))
    return Col(np.isin(codes, members))


def _table(*rows: Col) -> Col:
    """A table keyed by an enumeration: one value per member, in the members' order (a row of
    a table with two keys is itself a table over the second key)."""
    scale = max(row.scale for row in rows)
    data = [_rescaled(row, scale)[0] for row in rows]
    wide = any(abs(int(np.max(np.abs(d)))) > _INT64 for d in data)
    return Col(np.array(data, dtype=object if wide else None), scale,
               max(_rescaled(row, scale)[1] for row in rows),
               unbounded=np.array([np.asarray(row.unbounded, dtype=bool) for row in rows]),
               missing=np.array([np.asarray(row.missing, dtype=bool) for row in rows]),
               failed=np.array([np.asarray(row.failed, dtype=np.int16) for row in rows]),
               nonneg=all(row.nonneg for row in rows))


def _lookup(table: Col, *keys: Col) -> Col:
    """table[key] (or table[key, key]): each row's members pick their cell of the table."""
    assert isinstance(table.data, np.ndarray)
    cell = tuple(key.data for key in keys)

    def pick(cells: Any, none: Any) -> Any:
        cells = np.asarray(cells)
        return _unwrap(np.asarray(cells[cell])) if cells.any() else none

    found = Col(_unwrap(np.asarray(table.data[cell])), table.scale, table.bound,
                unbounded=pick(table.unbounded, False), missing=pick(table.missing, False),
                failed=pick(table.failed, 0), nonneg=table.nonneg)
    for key in reversed(keys):
        found = _with_failure(found, key.failed)
    return found


def _given(value: Col) -> Col:
    """已给出(value)."""
    missing = value.missing
    given = ~missing if isinstance(missing, np.ndarray) else not missing
    return Col(given, failed=value.failed)


def _coalesce(value: Col, default: Col) -> Col:
    """value 缺省为 default: the default is evaluated (and can fail) only where value is not given."""
    if value.missing is False:
        return value
    result = _if(Col(value.missing), default, Col(value.data, value.scale, value.bound,
                                                   unbounded=value.unbounded, nonneg=value.nonneg))
    return _with_failure(result, value.failed)


# ---------------------------------------------------------------- lists of members
def _contains(members: Col, member: Col) -> Col:
    """list 包含 member: whether each row's list holds its member."""
    # int64, a list given once for every row too: as a Python int, shifted by int16 member
    # codes, numpy would cast it to int16
    masks = np.asarray(members.data, dtype=np.int64)
    holds = np.right_shift(masks, member.data) & 1 == 1
    return Col(_unwrap(np.asarray(holds)), missing=_either(members.missing, member.missing),
               failed=_first(members.failed, member.failed))


def _highest(members: Col, empty: int) -> Col:
    """就高不就低: the member written first in its enumeration (the lowest bit of the mask).  An
    empty list fails its row with the code `empty`, as the scalar calculator raises."""
    masks = members.data
    if isinstance(masks, np.ndarray):
        largest = int(masks.max(initial=0))
        if largest < 1 << 16:  # few members: the answer for every mask, looked up
            table = np.arange(largest + 1)
            codes: Data = np.log2(np.maximum(table & -table, 1)).astype(np.int16)[masks]
        else:
            codes = np.log2(np.maximum(masks & -masks, 1)).astype(np.int16)
        none = (masks == 0) & ~np.asarray(members.missing)
        failed = _first(members.failed, _unwrap(np.where(none, empty, 0)))
    else:
        codes = max((masks & -masks).bit_length() - 1, 0)
        failed = _first(members.failed, empty if masks == 0 and not members.missing else 0)
    return Col(codes, missing=members.missing, failed=failed)


def _count_of(members: Col) -> Col:
    """个数: how many members each row's list holds."""
    masks = members.data
    if isinstance(masks, np.ndarray):  # a few distinct lists: each counted once
        distinct, where = np.unique(masks, return_inverse=True)
        counts = np.array([int(mask).bit_count() for mask in distinct],
                          dtype=np.int64)[where.reshape(-1)]
        return Col(counts, 0, int(counts.max(initial=0)), missing=members.missing,
                   failed=members.failed, nonneg=True)
    count = int(masks).bit_count()
    return Col(count, 0, count, missing=members.missing, failed=members.failed, nonneg=True)


def _each(table: Col, members: Col) -> Each:
    """table[list]: each member's cell, and the rows whose list holds the member.  A cell that
    fails (read before its row) fails the rows that hold its member."""
    cells = np.asarray(table.data)
    slots = []
    failed = members.failed
    for member in range(len(cells)):
        held = _holds(members.data, member)
        code = int(np.asarray(table.failed)[member]) if _some(table.failed) else 0
        if code:
            failed = _first(failed, _unwrap(np.where(held, code, 0)))
        units = int(cells[member])
        cell = Col(units, table.scale, abs(units),
                   unbounded=bool(np.asarray(table.unbounded)[member]), nonneg=units >= 0)
        slots.append((cell, held))
    return Each(tuple(slots), failed)


def _holds(masks: Data, member: int) -> Mask:
    """The rows whose list holds a member."""
    held = (masks >> member) & 1 == 1
    return held if isinstance(held, np.ndarray) else bool(held)


def _max_of(values: Each) -> Col:
    """最高: the highest value held; 0 when the list is empty."""
    highest = _ZERO
    seen: Mask = False  # the rows holding a value so far
    for value, held in values.slots:
        if not _some(held):
            continue
        highest = _if(Col(held), _if(Col(seen), _max(highest, value), value), highest)
        seen = _either(seen, held)
    return _with_failure(highest, values.failed)


def _second_of(values: Each) -> Col:
    """次高: the second highest value held (two members of the same value: that value); 0 when
    the list holds fewer than two."""
    first = second = _ZERO
    one: Mask = False  # the rows holding at least one value so far
    two: Mask = False  # … at least two
    for value, held in values.slots:
        if not _some(held):
            continue
        lower = _min(first, value)  # beside `first`, the value is second at most
        second = _if(Col(_both(held, one)), _if(Col(two), _max(second, lower), lower), second)
        first = _if(Col(held), _if(Col(one), _max(first, value), value), first)
        two = _either(two, _both(held, one))
        one = _either(one, held)
    return _with_failure(_if(Col(two), second, _ZERO), values.failed)


def _sum_of(values: Each) -> Col:
    """合计: the sum of the values held; 0 when the list is empty."""
    total = _ZERO
    for value, held in values.slots:
        if not _some(held):
            continue
        total = _if(Col(held), total + value, total)
    return _with_failure(total, values.failed)


def _if_each(condition: Col, then: Each | Col, otherwise: Each | Col) -> Each:
    """Values per member chosen row by row: each side's values are held only on the rows that
    choose it.  A side that is a Col is 错误(…): it holds nothing and fails its rows."""
    a, b = _as_each(then), _as_each(otherwise)
    chosen = condition.data
    if not isinstance(chosen, np.ndarray):
        picked = a if chosen else b
        return Each(picked.slots, _first(condition.failed, picked.failed))
    slots = tuple((value, _both(chosen, held)) for value, held in a.slots)
    slots += tuple((value, _both(~chosen, held)) for value, held in b.slots)
    return Each(slots, _first(condition.failed, _pick(chosen, a.failed, b.failed)))


def _as_each(value: Each | Col) -> Each:
    return value if isinstance(value, Each) else Each((), value.failed)


def _match_each(subject: Col, arms: tuple[tuple[tuple[int, ...], Each | Col], ...],
                otherwise: Each | Col) -> Each:
    """按 subject {…} choosing values per member."""
    result = _as_each(otherwise)
    for members, value in reversed(arms):
        result = _if_each(_among(subject, members), value, result)
    return Each(result.slots, _first(subject.failed, result.failed))


# ---------------------------------------------------------------- dates (days since 1970-01-01)
def _ymd(days: Data) -> tuple[Any, Any, Any]:
    """Year, month (1–12) and day (1–31) of each date."""
    dates = np.asarray(days).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    years = dates.astype("datetime64[Y]")
    return (years.astype(np.int64) + 1970, (months - years).astype(np.int64) + 1,
            (dates - months).astype(np.int64) + 1)


def _dates(day: Any, missing: Mask, failed: Codes) -> Col:
    """Dates (datetime64) as days since 1970-01-01, with their bound (较小/较大 use it)."""
    col = Col(_unwrap(np.asarray(day).astype("datetime64[D]").astype(np.int64)),
              missing=missing, failed=failed)
    col.bound = _tight(col)
    return col


def _age(born: Col, on: Col) -> Col:
    """周岁(出生日期, 日期): full years of age on a date (the birthday itself counts)."""
    by, bm, bd = _ymd(born.data)
    oy, om, od = _ymd(on.data)
    years = np.maximum(oy - by - ((om < bm) | ((om == bm) & (od < bd))), 0)
    data = _unwrap(years)
    return Col(data, 0, _INT64 if isinstance(data, np.ndarray) else abs(data),
               missing=_either(born.missing, on.missing), failed=_first(born.failed, on.failed))


def _birthday(born: Col, years: Col) -> Col:
    """年满日期(出生日期, 年数): the day that age is reached (29 February: 1 March)."""
    by, bm, bd = _ymd(born.data)
    whole = np.asarray(years.data) // 10**years.scale
    month_start = ((by + whole - 1970) * 12 + bm - 1).astype("datetime64[M]").astype("datetime64[D]")
    return _dates(month_start + (bd - 1), _either(born.missing, years.missing),
                  _first(born.failed, years.failed))


def _next_month(day: Col) -> Col:
    """次月(日期): the first day of the month after."""
    months = np.asarray(day.data).astype("datetime64[D]").astype("datetime64[M]")
    return _dates((months + 1).astype("datetime64[D]"), day.missing, day.failed)


def _months(start: Col, end: Col) -> Col:
    """月数(起, 止): calendar months from 起's month to 止's, both counted; 0 if 起 is later."""
    def month_number(days: Data) -> Any:
        return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)

    count = _unwrap(np.maximum(month_number(end.data) - month_number(start.data) + 1, 0))
    return Col(count, 0, _INT64 if isinstance(count, np.ndarray) else abs(count),
               missing=_either(start.missing, end.missing), failed=_first(start.failed, end.failed))


def _next_day(day: Col) -> Col:
    """次日(日期): the day after."""
    return _dates(np.asarray(day.data) + 1, day.missing, day.failed)


def _year_start(day: Col) -> Col:
    """年初(日期): 1 January of the date's year."""
    years = np.asarray(day.data).astype("datetime64[D]").astype("datetime64[Y]")
    return _dates(years.astype("datetime64[D]"), day.missing, day.failed)


def _year_end(day: Col) -> Col:
    """年末(日期): 31 December of the date's year."""
    years = np.asarray(day.data).astype("datetime64[D]").astype("datetime64[Y]")
    return _dates((years + 1).astype("datetime64[D]") - 1, day.missing, day.failed)


def _month_day(day: Col) -> Col:
    """月日(日期): the day of the year, as that day in 2000 (a leap year: 2月29日 is a day)."""
    _, months, days = _ymd(day.data)
    return _dates(_day_in(2000, months, days), day.missing, day.failed)


def _in_year(day: Col, date: Col) -> Col:
    """当年(月日, 日期): that day of the year in the date's year; 2月29日 is 2月28日 in a common
    year."""
    _, months, days = _ymd(day.data)
    years, _, _ = _ymd(date.data)
    return _dates(_day_in(years, months, days), _either(day.missing, date.missing),
                  _first(day.failed, date.failed))


def _shift_date(day: Col, amount: Col, kind: str, later: bool) -> Col:
    """日期 ± 天数, 个月 or 年: `amount`'s whole part (as int() takes it, toward 0) days, months or
    years later (earlier); a day past the end of a month is its last day (1月31日 + 1 个月 is
    2月28日 or 29日).  A date outside the years 1–9999 fails its row, as the scalar calculator's
    date does."""
    units = np.asarray(amount.data)
    whole = np.abs(units) // 10**amount.scale
    whole = np.where((units < 0) == later, -whole, whole)
    if kind == "days":
        shifted = np.asarray(day.data).astype("datetime64[D]") + whole
    else:
        years, months, days = _ymd(day.data)
        index = years * 12 + months - 1 + whole * (12 if kind == "years" else 1)
        shifted = _day_in(index // 12, index % 12 + 1, days)
    beyond = (shifted < np.datetime64("0001-01-01")) | (shifted > np.datetime64("9999-12-31"))
    failed = _first(day.failed, amount.failed, _unwrap(np.where(beyond, _OUT_OF_RANGE, 0)))
    return _dates(np.where(beyond, np.datetime64("1970-01-01"), shifted),
                  _either(day.missing, amount.missing), failed)


def _day_in(years: Any, months: Any, days: Any) -> Any:
    """The dates of a year, month and day (datetime64), a day past the month's end being its
    last day."""
    month = ((years - 1970) * 12 + months - 1).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    return first + (np.minimum(days, length) - 1)


# ---------------------------------------------------------------- schedules (分段)
def _shift_tiers(tiers: Tiers, points: Col, up: bool) -> Tiers:
    """Every tier's rate raised (提高) or lowered (降低) by `points` 个百分点."""
    return Tiers(tuple((upper, rate + points if up else rate - points)
                       for upper, rate in tiers.tiers))


def _progressive(amount: Col, tiers: Tiers, deductible: Col) -> Col:
    """分段累计: each tier's rate on the part of `amount` inside the tier and above `deductible`.

    A rate above 100 % counts as 100 %.  The tiers after a row's open tier pay nothing."""
    total = _ZERO
    lower = _ZERO
    beyond_open: Mask = False  # rows whose open (无上限) tier is already behind
    for upper, rate in tiers.tiers:
        low = _max(lower, deductible)
        high = _min(amount, upper)
        part = _max(high - low, _ZERO)
        if beyond_open is not False:
            part = _if(Col(beyond_open), _ZERO, part)
        total = total + part * _min(rate, _ONE)
        beyond_open = _either(beyond_open, upper.unbounded)
        lower = Col(upper.data, upper.scale, upper.bound, missing=upper.missing,
                    failed=upper.failed, nonneg=upper.nonneg)
    return total


def _tier_list(field: str, value: object) -> Tiers:
    """A schedule given as a keyword, in the scalar calculator's forms:
    [{"上限": amount or None, "比例": rate}, …] or [(amount or None, rate), …]."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise ValueError(field + ": expected a non-empty list of tiers {\"上限\": …, \"比例\": …}")
    tiers: list[tuple[Col, Col]] = []
    previous: Decimal | None = None
    for number, tier in enumerate(value, start=1):
        name = f"{field}[{number}]"
        upper, rate = _tier_parts(name, tier)
        last = number == len(value)
        if last and upper is not None and upper != Decimal("Infinity"):
            raise ValueError(name + ": the last tier must be open (上限 null)")
        if not last and upper is None:
            raise ValueError(name + ": only the last tier is open (上限 null)")
        upper_col = _UNBOUNDED if last else _constant(name, upper, _money)
        if not last:
            limit = Decimal(int(upper_col.data)).scaleb(-2)
            if previous is not None and limit <= previous:
                raise ValueError(f"{name}: the bounds must ascend, got {limit} after {previous}")
            previous = limit
        tiers.append((upper_col, _constant(name, rate, _rate)))
    return Tiers(tuple(tiers))


def _tier_parts(name: str, tier: object) -> tuple[object, object]:
    if isinstance(tier, tuple) and len(tier) == 2:
        return tier[0], tier[1]
    if isinstance(tier, Mapping) and set(tier) == {"上限", "比例"}:
        return tier["上限"], tier["比例"]
    raise ValueError(name + ": a tier has exactly the keys 上限 and 比例, got " + repr(tier))


# ---------------------------------------------------------------- reading columns
Problem = tuple[Array, Callable[[int], str]]  # the rows, and what is wrong with a row
Converter = Callable[[str, Any], tuple[Col, list[Problem]]]


def _constant(field: str, value: object, convert: Converter) -> Col:
    """An input given once, for every row: converted like a column of one row."""
    try:
        column = pa.array([_plain(value)])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        raise ValueError(f"{field}: cannot read {value!r}") from None
    col, problems = convert(field, column)
    for rows, describe in problems:
        if rows.any():
            raise ValueError(describe(0))
    return _scalar(col)


def _scalar(col: Col) -> Col:
    """A column of one row as a value for every row."""
    def one(value: Any) -> Any:
        return value[0].item() if isinstance(value, np.ndarray) else value

    return Col(one(col.data), col.scale, col.bound, unbounded=one(col.unbounded),
               missing=one(col.missing), failed=one(col.failed), nonneg=col.nonneg)


def _plain(value: object) -> object:
    """A member of a generated enumeration (or any enum) as its name."""
    if isinstance(value, enum.Enum):
        return value.value if isinstance(value.value, str) else value.name
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _nulls(column: Any) -> Array:
    if column.null_count == 0:
        return np.zeros(len(column), dtype=bool)
    return np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _absent(column: Any) -> Mask:
    """The rows with no value (False when there are none, so that no mask is carried)."""
    return _nulls(column) if column.null_count else False


def _absent_of(nulls: Array) -> Mask:
    return nulls if nulls.any() else False


def _problem(rows: Array, field: str, detail: Callable[[int], str]) -> Problem:
    return rows, lambda row: f"{field}: {detail(row)}"


def _decimal_text(units: int, scale: int) -> str:
    text = format(Decimal(units).scaleb(-scale), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _units(field: str, column: Any, scale: int, what: str) -> tuple[Array, list[Problem]]:
    """A numeric column as int64 units of 10**-scale: from decimals, integers, floats within
    10**-4 units of a whole unit, or decimal text.  Nulls give 0 (the caller decides)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_decimal(kind):
        return _decimal_units(field, column, scale)
    if pa.types.is_integer(kind):
        return _integer_units(field, column, scale)
    if pa.types.is_floating(kind):
        return _float_units(field, column, scale)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _decimal_text_units(field, column, scale, what)
    if pa.types.is_null(kind):
        return np.zeros(len(column), dtype=np.int64), []
    rows = ~_nulls(column)
    return np.zeros(len(column), dtype=np.int64), [
        _problem(rows, field, lambda row: f"expected {what}, got a column of {kind}")]


def _decimal_units(field: str, column: Any, scale: int) -> tuple[Array, list[Problem]]:
    width = column.type.byte_width // 8
    words = np.frombuffer(column.buffers()[1], dtype=np.int64)
    words = words[column.offset * width:(column.offset + len(column)) * width]
    low = np.ascontiguousarray(words[0::width])  # read again by every rule that uses it
    problems: list[Problem] = []
    nulls = _nulls(column)
    units = np.where(nulls, 0, low) if column.null_count else low
    if any(words[high::width].any() for high in range(1, width)):
        fits = np.ones(len(column), dtype=bool)
        for high in range(1, width):  # the higher words only extend the sign of the lowest
            fits &= words[high::width] == (low >> 63)
        too_large = ~fits & ~nulls
        if too_large.any():
            units = np.where(too_large, 0, units)
            problems.append(_problem(too_large, field, lambda row: "is too large"))
    units, more = _rescale_units(field, units, column.type.scale, scale)
    return units, problems + more


def _rescale_units(field: str, units: Array, scale: int, target: int) -> tuple[Array, list[Problem]]:
    if scale == target:
        return units, []
    if scale < target:
        factor = 10 ** (target - scale)
        too_large = np.abs(units) > _INT64 // factor
        problems = [_problem(too_large, field, lambda row: "is too large")] if too_large.any() else []
        return np.where(too_large, 0, units) * factor, problems
    divisor = 10 ** (scale - target)
    rest = units % divisor
    inexact = rest != 0
    problems = []
    if inexact.any():
        problems.append(_problem(inexact, field, lambda row: _too_precise(
            _decimal_text(int(units[row]), scale), target)))
    return (units - rest) // divisor, problems


def _too_precise(text: str, scale: int) -> str:
    if scale == 2:
        return f"{text} has a fraction of a 分; the batch calculator takes whole 分 (two decimals)"
    if scale == 0:
        return f"must be a whole number, got {text}"
    return f"{text} has more than {scale} decimals, which the batch calculator does not take"


def _integer_units(field: str, column: Any, scale: int) -> tuple[Array, list[Problem]]:
    nulls = _nulls(column)
    values = column.fill_null(0).to_numpy(zero_copy_only=False)
    problems: list[Problem] = []
    if values.dtype == np.uint64:
        too_large = values > _INT64
        if too_large.any():
            problems.append(_problem(too_large, field, lambda row: "is too large"))
        values = np.where(too_large, 0, values)
    units, more = _rescale_units(field, np.where(nulls, 0, values).astype(np.int64), 0, scale)
    return units, problems + more


def _float_units(field: str, column: Any, scale: int) -> tuple[Array, list[Problem]]:
    """Floats are taken only when each is within 10**-4 units of a whole unit (1e-6 元 of a
    whole 分), and then as that unit: a float is not exact, so nothing else is guessed."""
    nulls = _nulls(column)
    values = column.fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
    scaled = values * 10.0**scale
    nearest = np.rint(scaled)
    exact = np.isfinite(scaled) & (np.abs(scaled - nearest) <= 1e-4) & (np.abs(nearest) < 2.0**53)
    bad = ~exact & ~nulls
    problems: list[Problem] = []
    if bad.any():
        near = "1e-6 元 of a whole 分" if scale == 2 else f"1e-{scale + 4} of a multiple of 1e-{scale}"
        problems.append(_problem(bad, field, lambda row: (
            f"the float {float(values[row])!r} is not within {near}; give decimals (decimal128) "
            "or decimal text")))
    return np.where(exact & ~nulls, nearest, 0).astype(np.int64), problems


def _decimal_text_units(field: str, column: Any, scale: int, what: str) -> tuple[Array, list[Problem]]:
    """Decimal text, read by Arrow when it can read every cell; else the plain numbers ("1200.50",
    at most `scale` decimals) by Arrow, which reads them as Decimal does, and any other text
    ("70%", "1e3", "abc") row by row, as the scalar calculator reads it."""
    try:
        return _decimal_units(field, pc.cast(column, pa.decimal128(38, scale)), scale)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # a cell Arrow cannot read: the others are read apart from it
    decimals = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    plain = pc.match_substring_regex(column, rf"^-?[0-9]{{1,20}}{decimals}$").fill_null(False)
    parsed = pc.cast(pc.if_else(plain, column, None), pa.decimal128(38, scale))  # 28 digits at most
    units, problems = _decimal_units(field, parsed, scale)
    others = ~plain.to_numpy(zero_copy_only=False) & ~_nulls(column)
    if others.any():
        read, more = _text_units(field, column, scale, what, others)
        units = np.where(others, read, units)
        problems += more
    return units, problems


def _text_units(field: str, column: Any, scale: int, what: str, read: Array
                ) -> tuple[Array, list[Problem]]:
    """Decimal text in the rows `read` marks, row by row, as the scalar calculator reads it."""
    texts = column.to_pylist()
    units = np.zeros(len(texts), dtype=np.int64)
    bad: dict[int, str] = {}
    for row in np.flatnonzero(read).tolist():
        text = texts[row]
        rate = what.startswith("a rate") and text.endswith(("%", "％"))
        try:
            number = Decimal(text[:-1] if rate else text)
        except InvalidOperation:
            bad[row] = f"{text!r} is not a number"
            continue
        if not number.is_finite():
            bad[row] = f"{text!r} is not a finite number"
            continue
        scaled = number.scaleb(scale - 2 if rate else scale)
        if scaled != scaled.to_integral_value():
            bad[row] = _too_precise(text, scale)
        elif abs(scaled) > _INT64:
            bad[row] = "is too large"
        else:
            units[row] = int(scaled)
    rows = np.zeros(len(texts), dtype=bool)
    rows[list(bad)] = True
    return units, [_problem(rows, field, bad.__getitem__)] if bad else []


def _number_column(field: str, column: Any, scale: int, what: str,
                   digits: int | None) -> tuple[Col, list[Problem]]:
    """A column of numbers: not negative, below 10**digits (the scalar calculator's bounds)."""
    units, problems = _units(field, column, scale, what)
    negative = units < 0
    if negative.any():
        given = units
        problems.append(_problem(negative, field, lambda row: (
            f"must not be negative, got {_decimal_text(int(given[row]), scale)}")))
        units = np.where(negative, 0, units)
    bound = int(units.max()) if units.size else 0
    if digits is not None and bound >= 10 ** (digits + scale):
        large = units >= 10 ** (digits + scale)
        read = units
        problems.append(_problem(large, field, lambda row: (
            f"{_decimal_text(int(read[row]), scale)} is out of range; {what} is below "
            f"10^{digits}")))
        units = np.where(large, 0, units)
        bound = int(units.max())
    return Col(units, scale, bound, missing=_absent(column), nonneg=True), problems


def _money(field: str, column: Any) -> tuple[Col, list[Problem]]:
    """元, in 分 (scale 2), below 10^13 元."""
    return _number_column(field, column, 2, "money (元, to the 分)", 13)


def _count(field: str, column: Any) -> tuple[Col, list[Problem]]:
    """A whole number (人, 次), below 10^12."""
    return _number_column(field, column, 0, "a whole number", 12)


def _decimal(field: str, column: Any) -> tuple[Col, list[Problem]]:
    """A number (年, 个月, 倍, …) to eight decimals, below 10^12."""
    return _number_column(field, column, 8, "a number", 12)


def _rate(field: str, column: Any) -> tuple[Col, list[Problem]]:
    """A rate as a fraction to eight decimals: 0.7, "0.7" and "70%" are all 70 %."""
    col, problems = _number_column(field, column, 8, "a rate (a fraction such as 0.7, or \"70%\")",
                                   None)
    units = col.data
    assert isinstance(units, np.ndarray)
    above = units > 10**8
    if above.any():
        problems.append(_problem(above, field, lambda row: (
            f"a rate must not exceed 100%, got {_decimal_text(int(units[row]), 8)}")))
        col = Col(np.where(above, 0, units), 8, min(col.bound, 10**8), missing=col.missing,
                  nonneg=True)
    return col, problems


_TRUE_WORDS: Final = {"true": True, "是": True, "1": True, "yes": True,
                      "false": False, "否": False, "0": False, "no": False}


def _bool(field: str, column: Any) -> tuple[Col, list[Problem]]:
    """是否: booleans, or the words true/false, 是/否, yes/no, 1/0."""
    kind = column.type
    nulls = _nulls(column)
    if pa.types.is_boolean(kind):
        return Col(column.fill_null(False).to_numpy(zero_copy_only=False), missing=_absent_of(nulls)), []
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        words = pc.utf8_lower(pc.utf8_trim_whitespace(column))
        truth = pc.index_in(words, value_set=pa.array(list(_TRUE_WORDS)))
        unknown = _nulls(truth) & ~nulls
        values = np.array(list(_TRUE_WORDS.values()))[truth.fill_null(0).to_numpy()]
        texts = column
        problems = [_problem(unknown, field, lambda row: (
            f"expected True or False (是/否), got {texts[row].as_py()!r}"))] if unknown.any() else []
        return Col(values & ~unknown, missing=_absent_of(nulls)), problems
    return Col(np.zeros(len(column), dtype=bool), missing=_absent_of(nulls)), [
        _problem(~nulls, field, lambda row: f"expected True or False, got a column of {kind}")]


def _date(field: str, column: Any) -> tuple[Col, list[Problem]]:
    """日期: dates, timestamps (their day), or ISO text "2016-01-01"."""
    nulls = _nulls(column)
    problems: list[Problem] = []
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        try:
            column = pc.cast(pc.utf8_trim_whitespace(column), pa.date32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            texts = column.to_pylist()
            bad = np.array([t is not None and not _is_date(t) for t in texts], dtype=bool)
            problems.append(_problem(bad, field, lambda row: (
                f"{texts[row]!r} is not a date (YYYY-MM-DD)")))
            column = pa.array([None if b or t is None else datetime.date.fromisoformat(t.strip())
                               for t, b in zip(texts, bad, strict=True)], pa.date32())
    elif pa.types.is_timestamp(column.type):
        column = pc.cast(pc.floor_temporal(column, unit="day"), pa.date32(), safe=False)
    elif pa.types.is_date64(column.type):
        column = pc.cast(column, pa.date32())
    if not (pa.types.is_date32(column.type) or pa.types.is_null(column.type)):
        kind = column.type
        return Col(np.zeros(len(column), dtype=np.int32), missing=_absent_of(nulls)), [
            _problem(~nulls, field, lambda row: f"expected a date, got a column of {kind}")]
    days = column.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
    col = Col(days, missing=_absent_of(nulls))
    col.bound = _tight(col)
    return col, problems


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _distinct(column: Any) -> tuple[Array, list[Any]]:
    """Each row's index among the column's distinct values (-1 for a null), and those values:
    a column of a few member names is read once per name, not once per row."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    indices = column.indices
    if indices.null_count:
        indices = indices.fill_null(-1)
    return indices.to_numpy(zero_copy_only=False), column.dictionary.to_pylist()


def _is_text(kind: Any) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _member(spellings: tuple[tuple[int, str], ...], enumeration: str) -> Converter:
    """A member of an enumeration, by its name or another name it has (又称), from text or
    dictionary columns."""
    number = {name: code for code, name in spellings}
    names = tuple(name for _, name in spellings)

    def convert(field: str, column: Any) -> tuple[Col, list[Problem]]:
        nulls = _nulls(column)
        if pa.types.is_null(column.type):
            return Col(np.zeros(len(column), dtype=np.int16), missing=_absent_of(nulls)), []
        if not _is_text(column.type):
            return Col(np.zeros(len(column), dtype=np.int16), missing=_absent_of(nulls)), [
                _problem(~nulls, field, lambda row: (
                    f"expected a {enumeration}, got a column of {column.type}"))]
        indices, values = _distinct(column)
        found = np.array([number.get(value, -1) for value in values] + [0], dtype=np.int16)
        codes = found[indices]
        if found.min() >= 0:  # every distinct name is a member
            return Col(codes, missing=_absent_of(nulls)), []
        unknown = codes < 0
        problems = [_problem(unknown, field, lambda row: _unknown(
            enumeration, values[indices[row]], names))] if unknown.any() else []
        return Col(np.where(unknown, 0, codes), missing=_absent_of(nulls)), problems
    return convert


def _unknown(enumeration: str, name: object, members: tuple[str, ...]) -> str:
    return f"unknown {enumeration} {name!r}; expected one of {'、'.join(members)}"


def _members(spellings: tuple[tuple[int, str], ...], enumeration: str) -> Converter:
    """A list of members (it may be empty), from list columns or text with the members separated
    by "|" (特困人员|低保对象), as a bit mask in int64: bit i for member i (62 members at most).
    A list says which members a person holds: a member given twice fails its row, as the scalar
    calculator refuses it."""
    number = {name: code for code, name in spellings}
    names = tuple(name for _, name in spellings)
    name_of: dict[int, str] = {}
    for code, name in spellings:
        name_of.setdefault(code, name)  # the member's own name comes first

    def mask_of(items: list[str]) -> int | str:
        """The bit mask of a list, or what is wrong with it: an unknown name, then a member given
        twice (under any of its names), as the scalar calculator checks them."""
        unknown = [item for item in items if item not in number]
        if unknown:
            return _unknown(enumeration, unknown[0], names)
        mask = 0
        for item in items:
            code = number[item]
            if mask >> code & 1:
                return f"{name_of[code]} is given more than once"
            mask |= 1 << code
        return mask

    def convert(field: str, column: Any) -> tuple[Col, list[Problem]]:
        nulls = _nulls(column)
        kind = column.type
        if pa.types.is_null(kind):
            return Col(np.zeros(len(column), dtype=np.int64), missing=_absent_of(nulls)), []
        empty: Mask = False
        if _is_text(kind):  # one cell per row: a few distinct texts, each read once
            indices, values = _distinct(column)
            read = [mask_of([p.strip() for p in v.split("|") if p.strip()]) for v in values]
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
            if pa.types.is_null(kind.value_type):  # empty lists (or lists of nulls) only
                column = column.cast(pa.list_(pa.string()))
            indices, values = _distinct(pc.binary_join(column, "\x1f"))
            read = [mask_of(v.split("\x1f")) for v in values]  # [""] is a list of one name
            empty = pc.list_value_length(column).fill_null(1).to_numpy(zero_copy_only=False) == 0
        else:
            return Col(np.zeros(len(column), dtype=np.int64), missing=_absent_of(nulls)), [
                _problem(~nulls, field, lambda row: (
                    f"expected a list of {enumeration}, got a column of {kind}"))]
        masks_of = np.array([m if isinstance(m, int) else -1 for m in read] + [0], dtype=np.int64)
        masks = np.where(empty, 0, masks_of[indices])
        bound = int(masks_of.max())
        if masks_of.min() >= 0:  # every distinct value is a good list
            return Col(masks, 0, bound, missing=_absent_of(nulls)), []
        bad = masks < 0
        problems = [_problem(bad, field, lambda row: str(read[indices[row]]))] if bad.any() else []
        return Col(np.where(bad, 0, masks), 0, bound, missing=_absent_of(nulls)), problems
    return convert


# ---------------------------------------------------------------- one call
_CHUNK_ROWS = 1 << 17  # rows computed together: their columns stay in the processor's cache


def _calculate(rows_of: Callable[[_Rows], Any], table: object, errors: str,
               constants: dict[str, object], inputs: Mapping[str, str]) -> Any:
    """A calculator on a whole table: checked once, computed a slice of rows at a time."""
    if errors not in ("raise", "column"):
        raise ValueError(f"errors must be \"raise\" or \"column\", not {errors!r}")
    unknown = [name for name in constants if name not in inputs]
    if unknown:
        raise ValueError(f"no input {'、'.join(unknown)}; the inputs are {'、'.join(inputs)}")
    columns = _columns(table)
    lengths = {len(column) for column in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"the columns differ in length: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    parts = []
    converted: dict[str, Any] = {}  # the keyword constants, converted once for every slice
    for start in range(0, max(count, 1), _CHUNK_ROWS):
        size = min(_CHUNK_ROWS, count - start)
        part = {name: column.slice(start, size) for name, column in columns.items()}
        parts.append(rows_of(_Rows(part, size, start, constants, errors, inputs, converted)))
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


class _Rows:
    """One slice of rows of a call: its columns and constants, and the problems found, in
    the order the scalar calculator would meet them (inputs, bounds, then rules)."""

    def __init__(self, columns: dict[str, Any], count: int, offset: int,
                 constants: dict[str, object], errors: str, inputs: Mapping[str, str],
                 converted: dict[str, Any]) -> None:
        self.columns = columns
        self.converted = converted
        self.count = count
        self.offset = offset  # the first row's number in the whole table
        self.constants = constants
        self.errors = errors
        self.inputs = inputs  # name → the clause that declares it
        self.problems: list[Problem] = []

    def input(self, name: str, convert: Converter, default: Col | None = None,
              optional: bool = False) -> Col:
        """An input: a column of the table, a keyword constant, or its default."""
        where = f"{name} ({self.inputs[name]})"
        given_twice = name in self.columns and name in self.constants
        if given_twice:
            raise ValueError(f"{where}: given both as a column and as a keyword")
        if name in self.constants:
            if name not in self.converted:
                col = _constant(where, self.constants[name], convert)
                if col.missing and not optional:
                    raise ValueError(f"{where}: None is not a value; this input must be given")
                self.converted[name] = col
            found: Col = self.converted[name]
            return found
        if name not in self.columns:
            if default is not None:
                return default
            if optional:
                return _NONE
            raise ValueError(f"{where}: no column {name!r} and no keyword {name}=…; the table has "
                             f"{'、'.join(self.columns) or 'no columns'}")
        col, problems = convert(where, self.columns[name])
        self.problems += problems
        if not optional and _some(col.missing):
            missing = np.asarray(col.missing)
            self.problems.append(_problem(missing, where, lambda row: "no value (null)"))
        return col

    def tiers(self, name: str) -> Tiers:
        """A schedule: given once, as a keyword, for every row."""
        where = f"{name} ({self.inputs[name]})"
        if name in self.columns:
            raise ValueError(f"{where}: a 分段 is given as a keyword (one schedule for every "
                             "row), not as a column")
        if name not in self.constants:
            raise ValueError(f"{where}: give the schedule as a keyword, "
                             f"{name}=[{{\"上限\": …, \"比例\": …}}, …]")
        if name not in self.converted:
            self.converted[name] = _tier_list(where, self.constants[name])
        tiers: Tiers = self.converted[name]
        return tiers

    def require(self, name: str, value: Col | Tiers, op: str, bound: Col, rule: str,
                source: str) -> None:
        """A bound the notice sets (要求): the rows breaking it fail, naming the clause."""
        cols = [rate for _, rate in value.tiers] if isinstance(value, Tiers) else [value]
        for col in cols:
            held = _compare(col, op, bound)
            broken = ~np.asarray(held.data) & ~np.asarray(col.missing)
            if not broken.any():
                continue
            def describe(row: int, col: Col = col) -> str:
                return (f"{name} = {_show(col, row)} breaks the bound {rule} "
                        f"(= {_show(bound, row)}) set by {source}")
            if broken.ndim == 0:  # a constant: every row
                raise ValueError(describe(0))
            self.problems.append((broken, describe))

    def rule(self, value: Any, where: str) -> Any:
        """A rule's value; its failed rows become problems, named by the rule and its clause.

        The value goes on without its failures: a failed row has its first problem recorded,
        and what the later rules make of it is never reported."""
        if isinstance(value, Tiers):
            return Tiers(tuple((self.rule(upper, where), self.rule(rate, where))
                               for upper, rate in value.tiers))
        if isinstance(value.failed, np.ndarray) or value.failed:
            if _some(value.failed):
                codes = np.broadcast_to(np.asarray(value.failed), (self.count,))
                self.problems.append(_problem(codes != 0, where, _message_of(codes)))
            value = value.cleared()
        return value

    def result(self, outputs: Sequence[tuple[str, Col, Callable[[Col, Any], Any]]]) -> Any:
        """The output table: one column per output, in order (and 错误 with errors="column")."""
        for name, col, to_arrow in outputs:
            if _some(col.unbounded):  # the scalar calculator returns Infinity; a column cannot
                self.problems.append(_problem(
                    np.broadcast_to(np.asarray(col.unbounded), (self.count,)), name,
                    lambda row: "is 无上限, which a decimal column cannot hold"))
            if isinstance(to_arrow, _DecimalOutput):
                self.problems += to_arrow.too_large(name, col, self.count)
        failed = self._failed_rows()
        if failed is None:
            failed = np.full(self.count, -1, dtype=np.int32)
            bad = None
        else:
            bad = failed >= 0
        if bad is not None and self.errors == "raise":
            row = int(np.argmax(bad))
            first = int(failed[row])
            more = int(bad.sum()) - 1
            last = self.offset + self.count - 1
            also = (f" ({more} more bad row{'s' if more > 1 else ''} among rows {row + self.offset}–"
                    f"{last}; errors=\"column\" reports every one)") if more else ""
            raise ValueError(f"row {row + self.offset}: {self.problems[first][1](row)}{also}")
        columns = {name: to_arrow(_broadcast(col, self.count), _null(bad, col.missing, self.count))
                   for name, col, to_arrow in outputs}
        if self.errors == "column":
            messages: list[str | None] = [None] * self.count
            if bad is not None:
                for row in np.flatnonzero(bad).tolist():
                    messages[row] = self.problems[int(failed[row])][1](row)
            columns["错误"] = pa.array(messages, pa.string())
        return pa.table(columns)

    def _failed_rows(self) -> Array | None:
        """The index of each row's first problem, -1 where there is none (None: no problem)."""
        self.problems = [p for p in self.problems if p[0].any()]
        if not self.problems:
            return None
        first = np.full(self.count, -1, dtype=np.int32)
        for index in range(len(self.problems) - 1, -1, -1):
            rows = np.broadcast_to(self.problems[index][0], (self.count,))
            first[rows] = index
        return first


def _message_of(codes: Array) -> Callable[[int], str]:
    """The message of each row's failure code."""
    return lambda row: _MESSAGES[int(codes[row])]


def _columns(table: object) -> dict[str, Any]:
    """The table's columns as Arrow arrays: a pyarrow Table or RecordBatch, a pandas or polars
    DataFrame, or a mapping of column name to sequence."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    elif type(table).__module__.split(".")[0] == "pandas":
        table = pa.Table.from_pandas(table, preserve_index=False)
    elif type(table).__module__.split(".")[0] == "polars":
        table = table.to_arrow()  # type: ignore[attr-defined]
    if isinstance(table, pa.Table):
        return {name: table.column(name).combine_chunks() for name in table.column_names}
    if not isinstance(table, Mapping):
        raise TypeError("expected a pyarrow Table, a pandas or polars DataFrame, or a mapping of "
                        f"column name to sequence, got {type(table).__name__}")
    columns = {}
    for name, values in table.items():
        try:
            column = values if isinstance(values, pa.Array) else pa.array(
                values if isinstance(values, np.ndarray) else _plain(list(values)))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as err:
            raise ValueError(f"{name}: cannot read the column: {err}") from None
        columns[str(name)] = column.combine_chunks() if isinstance(column, pa.ChunkedArray) \
            else column
    return columns


def _broadcast(col: Col, count: int) -> Col:
    """A value for every row as a column of `count` rows (its masks are left as they are)."""
    data = col.data
    if not isinstance(data, np.ndarray):
        wide = isinstance(data, int) and abs(data) > _INT64
        data = np.full(count, data, dtype=object if wide else None)
    return Col(data, col.scale, col.bound, unbounded=col.unbounded, missing=col.missing,
               failed=col.failed, nonneg=col.nonneg)


def _show(col: Col, row: int) -> str:
    """One row's value in a message, as the scalar calculator prints it."""
    def at(value: Any) -> Any:
        return value[row] if isinstance(value, np.ndarray) and value.ndim else value

    if at(col.unbounded):
        return "Infinity"
    return _decimal_text(int(at(col.data)), col.scale)


# ---------------------------------------------------------------- writing columns
def _null(bad: Array | None, missing: Mask, count: int) -> Array | None:
    """The rows an output leaves empty: bad rows and values not given (None: none)."""
    if isinstance(missing, np.ndarray):
        if not missing.any():
            return bad
        return missing if bad is None else bad | missing
    return np.ones(count, dtype=bool) if missing else bad


class _DecimalOutput:
    """A number as decimal128(16 + scale, scale): money is decimal128(18, 2)."""

    def __init__(self, scale: int) -> None:
        self.scale = scale
        self.precision = min(38, 16 + scale)

    def too_large(self, name: str, col: Col, count: int) -> list[Problem]:
        """The rows whose value the column cannot hold (they fail, naming the output)."""
        data, bound = _rescaled(col, self.scale)
        if bound < 10**self.precision:
            return []
        rows = np.broadcast_to(np.abs(np.asarray(data)) >= 10**self.precision, (count,))
        kind = f"decimal128({self.precision}, {self.scale})"
        return [_problem(rows, name, lambda row: f"is too large for a {kind} column")]

    def __call__(self, col: Col, null: Array | None) -> Any:
        scale, precision = self.scale, self.precision
        if col.scale > scale:  # the backend types every output: cannot happen
            raise ValueError(f"an output has {col.scale} decimals, more than its column's {scale}")
        data, bound = _rescaled(col, scale)
        assert isinstance(data, np.ndarray)
        if null is not None:
            data = np.where(null, 0, data)
        if data.dtype == object or bound >= 10**precision:
            return pa.array([None if null is not None and null[i] else
                             Decimal(int(v)).scaleb(-scale) for i, v in enumerate(data)],
                            pa.decimal128(precision, scale))
        words = np.zeros((len(data), 2), dtype=np.int64)
        words[:, 0] = data
        if not col.nonneg and data.size and data.min() < 0:
            words[:, 1] = data >> 63
        return pa.Array.from_buffers(pa.decimal128(precision, scale), len(data),
                                     [_validity(null), pa.py_buffer(words)])


def _decimal_output(scale: int) -> _DecimalOutput:
    """A number as decimal128(16 + scale, scale): money is decimal128(18, 2)."""
    return _DecimalOutput(scale)


def _validity(null: Array | None) -> Any:
    if null is None or not null.any():
        return None
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


def _bool_output(col: Col, null: Array | None) -> Any:
    return pa.array(np.asarray(col.data, dtype=bool), mask=null)


def _date_output(col: Col, null: Array | None) -> Any:
    return pa.array(np.asarray(col.data, dtype=np.int32), pa.int32(), mask=null).cast(pa.date32())


def _member_output(members: tuple[str, ...]) -> Callable[[Col, Array | None], Any]:
    """Members by name, dictionary-encoded (a few names, each stored once)."""
    names = pa.array(members, pa.string())

    def to_arrow(col: Col, null: Array | None) -> Any:
        codes = pa.array(np.asarray(col.data, dtype=np.int16), mask=null)
        return pa.DictionaryArray.from_arrays(codes, names)
    return to_arrow
