"""Golden cases: `<policy>.cases.yaml` beside a policy, read, checked against it, and run.

A case file is a YAML list of cases (docs/cases.md has the format, with examples).  Each case
names a calculator of the policy, its inputs (or a sequence of events), and the outputs it
must give — or the error it must raise — as the notice's hand-worked examples state them.

Three steps, each its own part below:

    read_case_file(path)        the YAML, with the line of every field (yaml.compose)
    bind(raw, policy, notice)   checked against the policy: names, types, exact numbers
    Runner().run(case)          the calculator the policy generates, called and compared

Every mistake in a case file is one `file:line: message`, never a traceback; a case that does
not check counts as a failed case.  Money and numbers are compared as Decimal values ("69300"
equals "69300.00"; "69300.01" does not), rates accept "0.7" or "70%", enumerations compare by
their Chinese name, null stands for 不适用.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import re
import types
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import yaml
from yaml.constructor import SafeConstructor

from . import api, ir, runner
from .escaping import pyident
from .loader import display_path, real_path
from .types import Type

SUFFIX = ".cases.yaml"
FIELDS = ("name", "calculator", "sentence", "arithmetic", "input", "events", "output", "error")
FLOAT_TAG = "tag:yaml.org,2002:float"
MERGE_TAG = "tag:yaml.org,2002:merge"
ELLIPSIS = re.compile(r"…+|\.{3,}")  # a sentence may leave words out: 第一句 …… 第二句


@attrs.frozen
class CaseError:
    """One mistake in a case file, at the line where it is written."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Refused(Exception):
    """A value a case gives cannot be used; the message says why (the caller adds where)."""


def case_file_of(policy_file: Path) -> Path:
    return policy_file.with_name(policy_file.stem + SUFFIX)


def policy_file_of(case_file: Path) -> Path:
    return case_file.with_name(case_file.name[: -len(SUFFIX)] + ".policy")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{hint}known: {'、'.join(known) or 'none'}"


# ---------------------------------------------------------------- 1. reading the YAML
@attrs.frozen
class RawCase:
    """A case as written: its fields' YAML nodes, not yet checked against a policy, and the
    mistakes already seen in its shape (an unknown field, a repeated name)."""

    file: str
    line: int
    name: str
    node: yaml.Node  # the case's mapping: errors about the case as a whole point at it
    fields: Mapping[str, yaml.Node]
    errors: tuple[CaseError, ...] = ()
    unknown: tuple[str, ...] = ()  # fields misspelled (reported): no second error about them


class _Reader:
    """Turns YAML nodes into plain values, collecting one error per mistake."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[CaseError] = []
        self._constructor = SafeConstructor()

    def error(self, node: yaml.Node, message: str) -> None:
        self.errors.append(CaseError(self.file, _line(node), message))

    def entries(self, node: yaml.Node, what: str,
                ) -> list[tuple[str, yaml.Node, yaml.Node]] | None:
        """A YAML mapping's (name, key node, value node).  `<<: *anchor` merges another
        mapping's entries, which the mapping's own keys override (YAML's merge key); a key
        written twice is an error, since YAML would silently keep only the last."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping (name: value, …)")
            return None
        merged: dict[str, tuple[str, yaml.Node, yaml.Node]] = {}
        own: dict[str, tuple[str, yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if key.tag == MERGE_TAG:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in reversed(sources):  # of several, the first listed wins
                    merged.update((e[0], e) for e in self.entries(source, what) or [])
            elif not isinstance(key, yaml.ScalarNode):
                self.error(key, f"{what}: a key must be a plain name")
            elif str(key.value) in own:
                self.error(key, f"{what}: {key.value} is given twice")
            else:
                own[str(key.value)] = (str(key.value), key, value)
        return list({**merged, **own}.values())

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node] | None:
        entries = self.entries(node, what)
        return None if entries is None else {name: value for name, _, value in entries}

    def text(self, node: yaml.Node, field: str) -> str | None:
        """A field that is text (name, calculator, sentence, …), as written."""
        if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            return str(node.value)
        self.error(node, f"{field} must be text")
        return None

    def plain(self, node: yaml.Node, field: str) -> Any:
        """The Python value of a node.  A float is refused (0.7 is not exact in binary): the
        author is told to quote it, and its text is used so that one mistake is one error."""
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, field) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            entries = self.mapping(node, field)
            return {k: self.plain(v, f"{field}.{k}") for k, v in (entries or {}).items()}
        if node.tag == FLOAT_TAG:
            self.error(node, f"{field}: {node.value} is a YAML float, which is not exact; "
                             f"write it in quotes: \"{node.value}\"")
            return str(node.value)
        try:
            return self._constructor.construct_object(node)
        except yaml.YAMLError as err:
            self.error(node, f"{field}: {getattr(err, 'problem', err)}")
            return None


def read_case_file(path: Path) -> tuple[list[RawCase], list[CaseError]]:
    """The cases of a file as written, and the errors that concern the whole file (not YAML,
    not a list of cases)."""
    file = display_path(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        return [], [CaseError(file, 1, f"cannot read the file: {err}")]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err)
        return [], [CaseError(file, line, f"not valid YAML: {problem}")]
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        line = _line(root) if root is not None else 1
        return [], [CaseError(file, line, "a case file is a YAML list of cases: "
                                          "- name: …  calculator: …  input: …  output: …")]
    found: list[RawCase] = []
    names: set[str] = set()
    for node in root.value:
        raw = _raw_case(file, node, names)
        found.append(raw)
        names.add(raw.name)
    return found, []


def _raw_case(file: str, node: yaml.Node, names: set[str]) -> RawCase:
    reader = _Reader(file)
    pairs = reader.entries(node, "a case")
    if pairs is None:
        return RawCase(file, _line(node), f"(case at line {_line(node)})", node, {},
                       tuple(reader.errors))
    unknown = tuple(key for key, _, _ in pairs if key not in FIELDS)
    for key, key_node, _ in pairs:
        if key in unknown:
            reader.error(key_node, f"unknown field {key}; {_suggest(key, FIELDS)}")
    entries = {key: value for key, _, value in pairs}
    name = reader.text(entries["name"], "name") if "name" in entries else None
    if "name" not in entries:
        reader.error(node, "a case needs a name")
    elif name is not None and name in names:
        reader.error(entries["name"], f"another case is already named {name}")
    fields = {k: v for k, v in entries.items() if k in FIELDS}
    return RawCase(file, _line(node), name or f"(case at line {_line(node)})", node, fields,
                   tuple(reader.errors), unknown)


# ---------------------------------------------------------------- 2. checked against the policy
@attrs.frozen
class Want:
    """One output a case lists: its expected value, normalised (Decimal, bool, the member's
    name, a tuple, a date, or None for 不适用), and the text as written."""

    output: str
    type: Type
    value: Any
    text: str
    line: int


@attrs.frozen
class Case:
    file: str
    line: int
    name: str
    policy: ir.Policy
    calculator: ir.Calculator
    sentence: str | None
    arithmetic: str | None
    inputs: Mapping[str, Any]  # by input name, as the calculator accepts them
    events: tuple[Mapping[str, Any], ...] | None  # None: one call with `inputs`
    wants: tuple[tuple[Want, ...], ...]  # one group per event (one group without events)
    error: str | None  # the ValueError's message must contain it


def _number(value: Any) -> Decimal:
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "无上限":
            return Decimal("Infinity")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Refused(f"{value!r} is not a number") from None
        if number.is_finite():
            return number
    raise Refused(f"{value!r} is not a number; write it as a string such as \"69300.00\"")


def _rate(value: Any) -> Decimal:
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        return _number(value.strip()[:-1]) / 100
    return _number(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("是", "否"):
        return bool(value == "是")
    raise Refused(f"{value!r} is not true/false (是/否)")


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise Refused(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _member(value: Any, typ: Type, policy: ir.Policy) -> str:
    members = policy.enum(typ.arg).members
    if value not in members:
        raise Refused(f"{value!r} is not a {typ.arg}; {_suggest(str(value), members)}")
    return str(value)


def _members(value: Any, typ: Type, policy: ir.Policy) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Refused(f"expected a list of {typ.arg}, e.g. [{policy.enum(typ.arg).members[0]}]")
    return tuple(_member(item, Type("enum", typ.arg), policy) for item in value)


def _schedule(value: Any) -> tuple[tuple[Decimal, Decimal], ...]:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise Refused("expected a list of tiers [{上限: \"50000\", 比例: \"0.6\"}, {上限: null, …}]")
    return tuple((Decimal("Infinity") if t.get("上限") is None else _number(t["上限"]),
                  _rate(t.get("比例"))) for t in value)


def _ignoring_type(read: Callable[[Any], Any]) -> Callable[[Any, Type, ir.Policy], Any]:
    def reader(value: Any, typ: Type, policy: ir.Policy) -> Any:
        return read(value)
    return reader


# How a listed output's expected value is read, by the kind of its type; any other kind
# (money, years, counts, multiples, …) is a Decimal.  A new kind of value is one entry here
# (and one in _observed if the calculator returns it as a new Python type).
WANTED: dict[str, Callable[[Any, Type, ir.Policy], Any]] = {
    "rate": _ignoring_type(_rate),
    "points": _ignoring_type(_rate),
    "bool": _ignoring_type(_bool),
    "date": _ignoring_type(_date),
    "enum": _member,
    "list": _members,
    "schedule": _ignoring_type(_schedule),
}


def expected(value: Any, typ: Type, policy: ir.Policy) -> Any:
    """The value a case wants, in the form the calculator's result is compared in."""
    if value is None:
        return None
    if typ.plural:
        if not isinstance(value, list):
            raise Refused("expected a list, one value per member")
        return tuple(expected(item, typ.single(), policy) for item in value)
    read = WANTED.get(typ.kind)
    return _number(value) if read is None else read(value, typ, policy)


def argument(value: Any, typ: Type, policy: ir.Policy) -> Any:
    """An input as the calculator accepts it: text through runner.from_text (是/否, lists
    with commas), YAML lists as lists, dates as ISO text; enumeration members are checked."""
    if isinstance(value, str):
        try:
            value = runner.from_text(typ, value)
        except runner.InputError as err:
            raise Refused(str(err)) from None
    if value is None:
        if not typ.optional:
            raise Refused("null is only for an input that may be left out (可选); "
                          "leave the input out to use its default")
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if typ.kind == "enum":
        _member(value, typ, policy)
    elif typ.kind == "list":
        _members(value, typ, policy)
    elif typ.kind != "bool" and isinstance(value, bool):
        raise Refused(f"{value!r} is true/false, but the input is {typ}")
    return value


class _Binder:
    """Checks one raw case against its policy, collecting one error per mistake."""

    def __init__(self, raw: RawCase, policy: ir.Policy, notice: str | None) -> None:
        self.raw = raw
        self.policy = policy
        self.notice = notice
        self.reader = _Reader(raw.file)

    def error(self, node: yaml.Node, message: str) -> None:
        self.reader.error(node, message)

    def bind(self) -> Case | None:
        fields = self.raw.fields
        calc = self._calculator()
        if calc is None:
            return None
        inputs = self._inputs(fields["input"], calc) if "input" in fields else {}
        events = self._events(fields["events"], calc) if "events" in fields else None
        self._complete(calc, inputs, events)
        wants = self._wants(calc, events)
        error = self.reader.text(fields["error"], "error") if "error" in fields else None
        if "output" in fields and "error" in fields:
            self.error(self.raw.node, "a case has either output (what it computes) or error "
                                       "(the message of the ValueError it raises), not both")
        elif "output" not in fields and "error" not in fields and not self.raw.unknown:
            self.error(self.raw.node, "a case needs output (what it computes) or error "
                                       "(the message of the ValueError it raises)")
        sentence = self._sentence()
        arithmetic = self.reader.text(fields["arithmetic"], "arithmetic") \
            if "arithmetic" in fields else None
        if self.reader.errors:
            return None
        return Case(self.raw.file, self.raw.line, self.raw.name, self.policy, calc, sentence,
                    arithmetic, inputs, events, wants, error)

    def _calculator(self) -> ir.Calculator | None:
        node = self.raw.fields.get("calculator")
        if node is None:
            self.error(self.raw.node, "a case needs a calculator")
            return None
        name = self.reader.text(node, "calculator")
        known = [c.name for c in self.policy.calculators]
        calc = next((c for c in self.policy.calculators if c.name == name), None)
        if calc is None and name is not None:
            self.error(node, f"{self.policy.id} has no calculator {name}; {_suggest(name, known)}")
        return calc

    def _inputs(self, node: yaml.Node, calc: ir.Calculator) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, key_node, value_node in self.reader.entries(node, "input") or []:
            if name not in calc.inputs:
                self.error(key_node, f"{calc.name} has no input {name}; "
                                     f"{_suggest(name, calc.inputs)}")
                continue
            found[name] = value = self.reader.plain(value_node, name)
            try:
                found[name] = argument(value, self.policy.input(name).type, self.policy)
            except Refused as err:
                self.error(value_node, f"{name}: {err}")
        return found

    def _events(self, node: yaml.Node, calc: ir.Calculator) -> tuple[Mapping[str, Any], ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, "events must be a list of inputs, one mapping per event")
            return ()
        return tuple(self._inputs(event, calc) for event in node.value)

    def _complete(self, calc: ir.Calculator, inputs: Mapping[str, Any],
                  events: tuple[Mapping[str, Any], ...] | None) -> None:
        """Every input without a default is given (in each event, with the common ones)."""
        needed = [n for n in calc.inputs if self._required(self.policy.input(n))]
        for number, event in enumerate(events if events is not None else ({},), start=1):
            missing = [n for n in needed if n not in inputs and n not in event]
            if missing:
                where = f"event {number}: " if events is not None else ""
                node = self.raw.fields.get("events" if events is not None else "input")
                self.error(node or self.raw.node,
                           f"{where}{calc.name} needs {'、'.join(missing)} (no default)")

    @staticmethod
    def _required(inp: ir.Input) -> bool:
        return inp.default is None and not inp.type.optional and inp.kind != "累计"

    def _wants(self, calc: ir.Calculator,
               events: tuple[Mapping[str, Any], ...] | None) -> tuple[tuple[Want, ...], ...]:
        node = self.raw.fields.get("output")
        if node is None:
            return ()
        if events is None:
            return (self._outputs(node, calc),)
        if not events:  # the events themselves are wrong, and said so
            return ()
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != len(events):
            self.error(node, f"with events, output is a list of {len(events)} mappings, "
                             "one per event")
            return ()
        return tuple(self._outputs(item, calc) for item in node.value)

    def _outputs(self, node: yaml.Node, calc: ir.Calculator) -> tuple[Want, ...]:
        rules = {o.name: o.rule for o in (*calc.outputs, *calc.updates)}
        wants: list[Want] = []
        for name, key_node, value_node in self.reader.entries(node, "output") or []:
            if name not in rules:
                self.error(key_node, f"{calc.name} has no output {name}; "
                                     f"{_suggest(name, list(rules))}")
                continue
            typ = self.policy.rule(rules[name]).type
            value = self.reader.plain(value_node, name)
            try:
                wants.append(Want(name, typ, expected(value, typ, self.policy),
                                  _as_written(value_node, value), _line(value_node)))
            except Refused as err:
                self.error(value_node, f"{name}: {err}")
        return tuple(wants)

    def _sentence(self) -> str | None:
        node = self.raw.fields.get("sentence")
        if node is None:
            return None
        sentence = self.reader.text(node, "sentence")
        if sentence is None:
            return None
        if self.notice is None:
            self.error(node, f"sentence: {self.policy.id} names no notice to find it in")
        else:
            missing = _not_in(sentence, self.notice)
            if missing is not None:
                self.error(node, f"sentence: {missing!r} is not in the notice of "
                                 f"{self.policy.id} ({self.policy.notice}); copy the words "
                                 "from the notice or a 引文")
        return sentence


def _not_in(sentence: str, notice: str) -> str | None:
    """The first part of the sentence (parts are joined by ……) not found in the notice,
    whitespace ignored; None when every part is there."""
    text = _squeezed(notice)
    return next((part.strip() for part in ELLIPSIS.split(sentence)
                 if _squeezed(part) not in text), None)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _as_written(node: yaml.Node, value: Any) -> str:
    if isinstance(node, yaml.ScalarNode):
        return "null" if value is None else str(node.value)
    return json.dumps(value, ensure_ascii=False, default=str)


def notice_text(case_file: Path, policy: ir.Policy) -> str | None:
    """The policy's notice (its path is relative to the policy, which the case file is beside)."""
    if policy.notice is None:
        return None
    try:
        return (case_file.parent / policy.notice).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def bind(raw: RawCase, policy: ir.Policy, notice: str | None) -> tuple[Case | None,
                                                                      list[CaseError]]:
    if not raw.fields:
        return None, []
    binder = _Binder(raw, policy, notice)
    case = binder.bind()
    return case, binder.reader.errors


# ---------------------------------------------------------------- 3. finding and loading
class UsageError(Exception):
    """A path given to `policydsl test` that names nothing it can test."""


@attrs.frozen
class Suite:
    """What `policydsl test PATHS` found: the checked policies, the cases that check, and the
    mistakes of the case files (a case with a mistake counts as failed)."""

    checked: api.CheckResult
    cases: tuple[Case, ...]
    errors: tuple[CaseError, ...]
    invalid: int  # cases written but not runnable


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The policy files and case files the paths name: a folder (searched recursively), a
    .policy file (with its case file, if any) or a case file (with its policy)."""
    policies: list[Path] = []
    case_files: list[Path] = []
    for path in paths:
        if path.is_dir():
            policies.extend(sorted(path.rglob("*.policy")))
            case_files.extend(sorted(path.rglob("*" + SUFFIX)))
        elif path.name.endswith(SUFFIX) and path.is_file():
            case_files.append(path)
            if policy_file_of(path).is_file():
                policies.append(policy_file_of(path))
        elif path.suffix == ".policy" and path.is_file():
            policies.append(path)
            if case_file_of(path).is_file():
                case_files.append(case_file_of(path))
        elif not path.exists():
            raise UsageError(f"{path} does not exist")
        else:
            raise UsageError(f"{path} is neither a folder, a .policy file nor a {SUFFIX} file")
    return _unique(policies), _unique(case_files)


def _unique(paths: list[Path]) -> list[Path]:
    return sorted(dict.fromkeys(real_path(p) for p in paths), key=display_path)


@attrs.frozen
class Written:
    """A case as written and as checked: runnable (`case`) or not (`errors`)."""

    raw: RawCase
    case: Case | None
    errors: tuple[CaseError, ...]


def check_case_file(case_file: Path, policy: ir.Policy) -> tuple[list[Written], list[CaseError]]:
    """Every case of the file checked against its policy, and the file's own errors."""
    raws, file_errors = read_case_file(case_file)
    notice = notice_text(case_file, policy)
    written = []
    for raw in raws:
        case, errors = bind(raw, policy, notice)
        written.append(Written(raw, None if raw.errors else case, (*raw.errors, *errors)))
    return written, file_errors


def load(paths: Sequence[Path], root: Path | None = None) -> Suite:
    """Check the policies the paths name and read and check every case file (`root` as for
    `api.check`)."""
    policy_files, case_files = discover(paths)
    checked = api.check(policy_files, root)
    if not checked.ok:
        return Suite(checked, (), (), 0)
    by_file = {real_path(Path(p.path)): p for p in checked.policies}
    cases: list[Case] = []
    errors: list[CaseError] = []
    invalid = 0
    for case_file in case_files:
        policy = by_file.get(real_path(policy_file_of(case_file)))
        if policy is None:
            errors.append(CaseError(display_path(case_file), 1,
                                    f"no policy {policy_file_of(case_file).name} beside it"))
            continue
        written, file_errors = check_case_file(case_file, policy)
        errors.extend(file_errors)
        for item in written:
            errors.extend(item.errors)
            if item.case is None:
                invalid += 1
            else:
                cases.append(item.case)
    return Suite(checked, tuple(cases), tuple(sorted(errors, key=_error_key)), invalid)


def _error_key(error: CaseError) -> tuple[str, int]:
    return (error.file, error.line)


# ---------------------------------------------------------------- 4. running
@attrs.frozen
class Mismatch:
    event: int | None  # 1-based, for a case of events
    output: str
    got: str
    want: str
    line: int


@attrs.frozen
class Outcome:
    case: Case
    mismatches: tuple[Mismatch, ...] = ()
    problem: str | None = None  # raised when it should not, or not when it should
    explain: str = ""

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.problem is None


class Runner:
    """Runs cases on the calculators each policy generates (runner.load_module: the code
    `compile` writes), generating each policy's module once."""

    def __init__(self, load_module: Callable[[ir.Policy], types.ModuleType] = runner.load_module,
                 ) -> None:
        self._load_module = load_module
        self._modules: dict[str, types.ModuleType | str] = {}

    def module(self, policy: ir.Policy) -> types.ModuleType | str:
        """The policy's generated module, or why it could not be generated."""
        if policy.id not in self._modules:
            try:
                self._modules[policy.id] = self._load_module(policy)
            except Exception as err:  # a backend bug: every case of the policy reports it
                self._modules[policy.id] = f"its calculators could not be generated: " \
                                           f"{type(err).__name__}: {err}"
        return self._modules[policy.id]

    def run(self, case: Case) -> Outcome:
        module = self.module(case.policy)
        if isinstance(module, str):
            return Outcome(case, problem=module)
        try:
            results = _call(case, module)
        except ValueError as err:
            if case.error is not None and case.error in str(err):
                return Outcome(case)
            want = f"; want a message containing {case.error!r}" if case.error else ""
            return Outcome(case, problem=f"raised ValueError: {err}{want}")
        except Exception as err:  # the generated code failed: this case's failure, reported
            return Outcome(case, problem=f"raised {type(err).__name__}: {err}")
        if case.error is not None:
            return Outcome(case, problem=f"returned without raising; want a ValueError "
                                         f"containing {case.error!r}")
        mismatches = tuple(_compare(case, results))
        failing = sorted({m.event or 1 for m in mismatches})
        return Outcome(case, mismatches, explain="\n".join(
            _traced(module, case, results[n - 1], n if case.events is not None else None)
            for n in failing if n <= len(results)))


def _call(case: Case, module: types.ModuleType) -> list[Any]:
    """The calculator's result (one per event for a case of events: `<计算>逐次` takes the
    events and the common inputs by the policy's names)."""
    if case.events is None:
        inputs = {pyident(k): v for k, v in case.inputs.items()}
        return [getattr(module, pyident(case.calculator.name))(**inputs, explain=True)]
    function = getattr(module, pyident(case.calculator.name + "逐次"), None)
    if function is None:
        raise ValueError(f"{case.calculator.name} has no 逐次 function: it carries no 累计 "
                         "amounts, so its cases take input, not events")
    return list(function([dict(event) for event in case.events], **case.inputs))


def _traced(module: types.ModuleType, case: Case, result: Any, event: int | None) -> str:
    """The calculator's explanation of one result.  逐次 records no trace, so an event's
    result is computed again from its own inputs (the 累计 amounts it was given included)."""
    if not getattr(result, "trace", ()) and hasattr(result, "inputs"):
        given = result.inputs
        arguments = {f.name: getattr(given, f.name) for f in dataclasses.fields(given)}
        result = getattr(module, pyident(case.calculator.name))(**arguments, explain=True)
    text = str(result.explain())
    return text if event is None else f"event {event}: {text}"


def _compare(case: Case, results: list[Any]) -> list[Mismatch]:
    found = []
    for number, (wants, result) in enumerate(zip(case.wants, results, strict=False), start=1):
        for want in wants:
            got = getattr(result, pyident(want.output))
            if not _same(_observed(got), want.value):
                found.append(Mismatch(number if case.events is not None else None, want.output,
                                      _shown(got, want.type), want.text, want.line))
    if case.events is not None and len(results) != len(case.events):
        found.append(Mismatch(None, "(events)", f"{len(results)} results",
                              f"{len(case.events)}", case.line))
    return found


def _observed(value: Any) -> Any:
    """A calculator's value in the form wants are written in: enumerations by name."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return tuple(_observed(v) for v in value)
    return value


def _same(got: Any, want: Any) -> bool:
    """Equal values of the same kind (True is not 1; Decimal("69300.00") is 69300)."""
    if isinstance(got, tuple) and isinstance(want, tuple):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, Decimal):
        return isinstance(got, Decimal) and got == want
    return bool(type(got) is type(want) and got == want)


def _shown(value: Any, typ: Type) -> str:
    shown = runner.to_json(value, typ)
    if isinstance(shown, (bool, list)) or shown is None:
        return json.dumps(shown, ensure_ascii=False)
    return str(shown)


def failure_text(outcome: Outcome) -> str:
    """What a failed case shows: where it is, each output got and wanted, the hand
    computation and the calculator's own trace."""
    case = outcome.case
    lines = [f"FAILED {case.file}:{case.line}: {case.name} ({case.calculator.name})"]
    if outcome.problem:
        lines.append(f"  {outcome.problem}")
    for m in outcome.mismatches:
        event = f"event {m.event}: " if m.event is not None else ""
        lines.append(f"  {event}{m.output} (line {m.line}): got {m.got}, want {m.want}")
    if case.sentence:
        lines.append(f"  sentence: {case.sentence}")
    for title, text in (("arithmetic", case.arithmetic), ("explain", outcome.explain)):
        if text:
            lines.append(f"  {title}:")
            lines.extend(f"    {row}" for row in text.rstrip().splitlines())
    return "\n".join(lines)


def count_line(total: int, failed: int) -> str:
    return f"{total} cases, {failed} failed"


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    case = outcome.case
    return {"file": case.file, "line": case.line, "name": case.name,
            "calculator": case.calculator.name, "passed": outcome.passed,
            "problem": outcome.problem,
            "mismatches": [{"event": m.event, "output": m.output, "got": m.got, "want": m.want,
                            "line": m.line} for m in outcome.mismatches]}
