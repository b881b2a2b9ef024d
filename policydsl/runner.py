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
from decimal import Decimal
from enum import Enum
from typing import Any

from . import ir
from .backends.python import generate
from .display import money_text, slip_text
from .escaping import pyident
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


def read_json_inputs(text: str) -> dict[str, Any]:
    """A JSON object of inputs; its numbers become exact Decimals (never floats)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise InputError(f"the input file is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise InputError("the input file must hold one JSON object: {\"name\": value, …}")
    return data


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
