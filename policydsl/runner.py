"""Run a calculator from the shell (`policydsl eval`): the generated module, loaded in memory.

`eval` runs exactly the code `compile` would write, so what a user tries at the shell is
what a billing system imports.  This module converts command-line and JSON inputs to what
the calculator accepts, and its outputs to JSON.
"""

from __future__ import annotations

import datetime
import json
import sys
import types
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from . import ir
from .backends.python import generate
from .display import money_text, slip_text
from .escaping import pyident
from .loader import MAX_FILE_BYTES, ReadError, read_bytes
from .types import Type

TRUE_WORDS = {"true": True, "是": True, "1": True, "yes": True,
              "false": False, "否": False, "0": False, "no": False}


class InputError(Exception):
    """An input the user gave cannot be used (unknown name, malformed text)."""


def load_module(policy: ir.Policy) -> types.ModuleType:
    """Execute the generated source of a policy as a fresh module."""
    name = f"_policydsl_eval_{policy.id}"
    module = types.ModuleType(name)
    module.__file__ = f"<policydsl {policy.id}>"
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    try:
        exec(compile(generate(policy), module.__file__, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def from_text(typ: Type, text: str) -> Any:
    """A NAME=VALUE argument's value, as the calculator accepts it."""
    if typ.optional and text.strip().lower() in ("", "null", "none", "未给出"):
        return None
    if typ.kind == "bool":
        word = text.strip().lower()
        if word not in TRUE_WORDS:
            raise InputError(f"{text!r} is not 是/否 (true/false)")
        return TRUE_WORDS[word]
    if typ.kind == "list":
        return [part.strip() for part in text.replace("，", ",").replace("、", ",").split(",")
                if part.strip()]
    if typ.kind == "schedule":
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as err:
            raise InputError(f"a 分段 is a JSON list of {{\"上限\": …, \"比例\": …}}: {err}") from None
    return text


# A JSON number longer than this is beyond every bound of the calculators (money below 10^15,
# other numbers below 10^12, ten decimals at most): it is kept as its text, which the calculator
# refuses by the input's name, instead of being converted (Python refuses ints over 4,300 digits).
LONGEST_NUMBER = 64


class _NotFinite(str):
    """NaN, Infinity or -Infinity in the JSON, refused by the key that holds it."""


def read_input_file(name: str) -> dict[str, Any]:
    """The inputs in a JSON file (`-`: standard input), as `read_json_inputs` reads them.  Only
    a regular file is read, and no more than MAX_FILE_BYTES of it: every error names the file."""
    if name == "-":
        shown, data = "standard input", sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise InputError(f"standard input is more than {MAX_FILE_BYTES:,} bytes")
    else:
        shown = name
        try:
            data = read_bytes(Path(name), shown=shown)
        except ReadError as err:
            raise InputError(str(err)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{shown} is not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    return read_json_inputs(text, shown)


def read_json_inputs(text: str, shown: str = "the input file") -> dict[str, Any]:
    """A JSON object of inputs; its numbers become exact Decimals (never floats).  NaN and
    Infinity (which JSON does not have, but Python's reader accepts) and a key given twice are
    refused by name."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise InputError(f"{shown}: {key} is given twice")
            values = value if isinstance(value, list) else [value]
            word = next((v for v in values if isinstance(v, _NotFinite)), None)
            if word is not None:
                raise InputError(f"{shown}: {key} is {word}, which is not a number; amounts are "
                                 "finite and exact, written as strings such as \"1234.56\"")
            seen[key] = value
        return seen

    try:
        data = json.loads(text, parse_float=_number(Decimal), parse_int=_number(int),
                          parse_constant=_NotFinite, object_pairs_hook=pairs)
    except json.JSONDecodeError as err:
        raise InputError(f"{shown} is not JSON: {err}") from None
    except RecursionError:
        raise InputError(f"{shown} is nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{shown} must hold one JSON object: {{\"name\": value, …}}")
    return data


def _number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A JSON number converted, or kept as its text when it is longer than LONGEST_NUMBER."""
    return lambda text: convert(text) if len(text) <= LONGEST_NUMBER else text


def call(policy: ir.Policy, calc: ir.Calculator, values: dict[str, Any], explain: bool) -> Any:
    missing = [n for n in calc.inputs
               if n not in values and policy.input(n).default is None
               and not policy.input(n).type.optional]
    if missing:
        raise InputError("missing input(s): " + "、".join(missing))
    unknown = [n for n in values if n not in calc.inputs]
    if unknown:
        raise InputError(f"{calc.name} has no input " + "、".join(unknown)
                         + "; its inputs are " + "、".join(calc.inputs))
    module = load_module(policy)
    function = getattr(module, pyident(calc.name))
    return function(**{pyident(k): v for k, v in values.items()}, explain=explain)


def to_json(value: Any, typ: Type) -> Any:
    """An output as `eval --json` prints it: money "512.00", rates "0.7", enums by name."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        if typ.kind == "schedule":
            return [{"上限": None if u.is_infinite() else format(u, "f"), "比例": format(r, "f")}
                    for u, r in value]
        return [to_json(v, typ) for v in value]
    if isinstance(value, Decimal):
        if value.is_infinite():
            return "无上限"
        if typ.kind == "money":
            return money_text(value)
        return format(value, "f")
    return str(value)


def to_text(value: Any, typ: Type) -> str:
    """An output as `eval` prints it: 512.00 元, 30.00 元/月, 70%, 3 次, 低保对象, 是."""
    if isinstance(value, Decimal):
        return slip_text(value, typ)
    shown = to_json(value, typ)
    if shown is None:
        return "未给出"
    if isinstance(shown, bool):
        return "是" if shown else "否"
    if isinstance(shown, list):
        return json.dumps(shown, ensure_ascii=False)
    return str(shown)
