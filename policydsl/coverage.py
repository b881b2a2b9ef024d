"""Coverage: which statements of each notice that print a normative number the policies encode.

A notice is cut into *statements* (docs/coverage.md gives the rules in full):

- the text is read as `numbers.scan_text` reads it (NFKC, whitespace removed: the notices are
  PDF extractions whose line breaks fall anywhere), minus its *structural lines*: the heading
  block (up to the salutation), the issue-date line, the 印发 and 抄送 lines, 附件 lines, page
  numbers and a practice notice's 【…】 first line;
- it is split into sentences at 。；！？, and each table row (`| … |`) and heading line is a
  sentence of its own;
- a sentence is split at its commas (，) into clauses; a clause that prints no number of its
  own, or only a time phrase (`2023年9月1日起，`), belongs to the next clause that prints one,
  and the clauses after the last such clause belong to it.  Each group is a statement, and it
  counts when it prints a *normative* number: every number `numbers.scan` reads, and a day of
  the year printed without a year (9月15日), except the structural ones (文号, numbers inside
  《…》, heading and list numbering, 表1, 第N条, phone numbers) and words that hold a numeral
  (三年行动, 一次性, 同一年度).

A statement is then

- *encoded* when each of its numbers is used: a clause of a policy citing the notice quotes
  the part of the notice where the number stands, and a literal of that clause's declarations
  (参数, 表, 规则, 核对, 输入 default or requirement) has its value and unit
  (`provenance.matches`; 全额 stands for 100 %, 取消/不设… for 0, a year's first day for the
  year, 按月折算 for its 12).  The header counts as a clause that quotes the whole notice: its
  年度, 发文日期, 执行日期, 有效期至 and 有效期;
- *waived* when it is not encoded but a clause that carries `不计算 "reason"` quotes part of it;
- *missing* otherwise.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import attrs

from . import api, ast, ir, provenance
from .diagnostics import Span
from .loader import display_path, read_text, real_path
from .numbers import Quantity, scan, scan_text
from .words import VALUE_WORDS

Range = tuple[int, int]


class CoverageError(Exception):
    """A policy or notice that cannot be read (the message names it)."""


# ---------------------------------------------------------------- the notice as scanned
@attrs.frozen
class NoticeText:
    """A notice in scan form (`numbers.scan_text`), and for each of its characters the line
    (1-based) and the character of the file it comes from."""

    text: str  # the file's text
    scanned: str
    lines: tuple[int, ...]
    origins: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> NoticeText:
        scanned: list[str] = []
        lines: list[int] = []
        origins: list[int] = []
        line = 1
        for at, char in enumerate(text):
            if char == "\n":
                line += 1
            form = scan_text(char)
            scanned.append(form)
            lines += [line] * len(form)
            origins += [at] * len(form)
        return cls(text, "".join(scanned), tuple(lines), tuple(origins))

    @property
    def compared(self) -> str:
        """The form quotes are compared in: provenance's (NFKC, so ， is ,)."""
        return self.scanned.replace("，", ",")

    def printed(self, start: int, end: int) -> str:
        """The file's own characters of scanned[start:end], whitespace removed."""
        seen = dict.fromkeys(self.origins[start:end])
        return "".join(self.text[at] for at in seen)

    def line_span(self, line: int) -> Range:
        """Where a line of the file lies in the scanned text (empty for a blank line)."""
        return bisect.bisect_left(self.lines, line), bisect.bisect_right(self.lines, line)


# ---------------------------------------------------------------- structure
DATE_ONLY = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|[〇零○一二三四五六七八九]{4}年[〇零一二三四五六七八九十]{1,3}月"
                       r"[〇零一二三四五六七八九十]{1,3}日|\d{4}-\d{1,2}-\d{1,2}")
PAGE_NUMBER = re.compile(r"[-—–~]+\d{1,3}[-—–~]+|第\d+页(?:共\d+页)?")
HEADING = re.compile(r"#*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)"
                     r"|\(\d{1,2}\))")
STRUCTURAL_NUMBERS = re.compile(
    r"[〔\[(]\d{4}[〕\])]第?\d+号"  # 文号: 忻医保发〔2023〕10号
    r"|《[^《》]*》"  # a document's title
    r"|第[\d〇零一二三四五六七八九十百]+[条款项章节页]"  # 第十二条
    r"|\(\d{1,2}\)"  # list numbering: (1)
    r"|表\d+"  # a table's number: 见表1
    r"|\d{3,4}-\d{7,8}|(?<!\d)1[3-9]\d{9}(?!\d)"  # phone numbers
    r"|(?:电话|传真|联系方式):?[\d\-()]+"
)
PLAN_NAME = ("行动", "计划", "规划")  # 三年行动: a plan's name, not a period
ADJECTIVE = "性"  # 一次性: a word (lump-sum), not a count
DETERMINERS = ("同", "每", "任")  # 同一年度, 每一次, 任一: the same / each, not a number
# A day of every year (9月1日, 9月底), which numbers.scan reads as a date only after a dated one:
# read alone, 9月1日 would be the bare number 9 and a count of 1 日.
DAY_OF_YEAR = re.compile(r"(?<!\d)(?<!\d年)(?P<m>1[0-2]|0?[1-9])月"
                         r"(?:(?P<d>[12]\d|3[01]|0?[1-9])日|(?P<end>底))?")
SENTENCE_ENDS = "。;!?"
PRACTICE_NOTE = re.compile(r"【[^】]*】")  # 【构造练习通知，非真实文件】本文件是…
ATTACHMENT = re.compile(r"附件(?:\d|:|$)")  # 附件：1. …标准表, 附件1


def _structural_lines(lines: list[str]) -> set[int]:
    """The lines (1-based) that are not the notice's statements (see the module docstring)."""
    forms = [scan_text(line) for line in lines]
    note = 1 if forms and PRACTICE_NOTE.match(forms[0]) else 0
    found = set(range(1, _heading_block(forms, skip=note) + 1)) | set(range(1, note + 1))
    for number, form in enumerate(forms, start=1):
        printed = form.endswith("印发") and DATE_ONLY.search(form)  # …文电处 2022年6月15日印发
        if (DATE_ONLY.fullmatch(form) or PAGE_NUMBER.fullmatch(form) or printed
                or ATTACHMENT.match(form) or form.startswith("抄送")):
            found.add(number)
    return found


def _heading_block(forms: list[str], skip: int) -> int:
    """How many leading lines are the heading block (after `skip` lines of practice note):
    up to the salutation (the first line ending with a colon, before the first full stop),
    or, in a notice without one, the lines before the first that has a comma or a full stop
    (a title has neither)."""
    body = list(enumerate(forms))[skip:]
    first_stop = next((i for i, form in body if "。" in form), len(forms))
    for index, form in body:
        if index > first_stop:
            break
        if form.endswith(":"):
            return index + 1
    return next((i for i, form in body if any(c in form for c in ",，。")), 0)


def _line_kind(form: str) -> str:
    """prose, a table row, or a heading on a line of its own (a number, a short title)."""
    if form.startswith("|") and form.endswith("|") and len(form) > 1:
        return "row"
    heading = HEADING.match(form)
    if form.startswith("#") or (heading and len(form) <= 40
                                and not any(c in form for c in "，,。;:")):
        return "heading"
    return "prose"


def _structural_ranges(notice: NoticeText) -> list[Range]:
    """Where the scanned text prints numbers that are structure, not policy."""
    ranges = [(m.start(), m.end()) for m in STRUCTURAL_NUMBERS.finditer(notice.scanned)]
    starts = [0] + [i for i in range(1, len(notice.scanned))
                    if notice.lines[i] != notice.lines[i - 1]
                    or notice.scanned[i - 1] in SENTENCE_ENDS]
    for start in starts:
        heading = HEADING.match(notice.scanned, start)
        if heading:
            ranges.append((start, heading.end()))
    return ranges


def normative_numbers(notice: NoticeText, skipped: set[int]) -> list[Quantity]:
    """The numbers the notice prints outside its structural lines, less the structural ones."""
    structural = _structural_ranges(notice)
    kept = []
    for quantity in _with_days_of_year(notice.scanned, scan(notice.scanned)):
        if notice.lines[quantity.start] in skipped:
            continue
        if any(a <= quantity.start and quantity.end <= b for a, b in structural):
            continue
        if notice.scanned.startswith((*PLAN_NAME, ADJECTIVE), quantity.end):
            continue
        if quantity.text.startswith("一") and notice.scanned[quantity.start - 1:quantity.start] in DETERMINERS:
            continue
        kept.append(quantity)
    return kept


def _with_days_of_year(scanned: str, quantities: list[Quantity]) -> list[Quantity]:
    """The quantities, with a day of the year (9月1日, 9月底) read as one number of kind
    "day of year" (value month × 100 + day; 底 is day 0) instead of its pieces."""
    found = list(quantities)
    for m in DAY_OF_YEAR.finditer(scanned):
        pieces = [q for q in found if q.start < m.end() and m.start() < q.end]
        if not pieces or any(q.kind == "date" for q in pieces):
            continue
        day = int(m.group("d") or 0)
        found = [q for q in found if q not in pieces]
        found.append(Quantity(Decimal(int(m.group("m")) * 100 + day), "day of year", m.start(),
                              m.end(), m.group()))
    return sorted(found, key=lambda q: q.start)


# ---------------------------------------------------------------- statements
@attrs.frozen
class Statement:
    """A sentence, or clause of a sentence, of the notice that prints normative numbers."""

    line: int  # where it starts in the notice file
    text: str  # as printed, whitespace removed
    start: int  # in the scanned text
    end: int
    numbers: tuple[Quantity, ...]


def statements(text: str) -> list[Statement]:
    """The statements of a notice's text, in order."""
    notice = NoticeText.of(text)
    skipped = _structural_lines(text.split("\n"))
    numbers = normative_numbers(notice, skipped)
    found: list[Statement] = []
    for start, end in _sentences(notice, skipped):
        for group in _clause_groups(notice.scanned, start, end, numbers):
            inside = tuple(q for q in numbers if group[0] <= q.start < group[1])
            if inside:
                found.append(_statement(notice, group, inside))
    return found


def _statement(notice: NoticeText, group: Range, numbers: tuple[Quantity, ...]) -> Statement:
    start, end = group
    return Statement(notice.lines[start], notice.printed(start, end).removesuffix("，"),
                     start, end, numbers)


def _sentences(notice: NoticeText, skipped: set[int]) -> list[Range]:
    """Sentences: prose split at 。；！？ (across lines); a table row or a heading line alone."""
    found: list[Range] = []
    open_at: int | None = None
    last_line = notice.lines[-1] if notice.lines else 0
    for line in range(1, last_line + 1):
        a, b = notice.line_span(line)
        kind = _line_kind(notice.scanned[a:b]) if a < b else "blank"
        if kind == "blank":
            continue
        if line in skipped or kind != "prose":
            if open_at is not None:
                found.append((open_at, a))
                open_at = None
            if line not in skipped:
                found.append((a, b))
            continue
        for at in range(a, b):
            if open_at is None:
                open_at = at
            if notice.scanned[at] in SENTENCE_ENDS:
                found.append((open_at, at + 1))
                open_at = None
    if open_at is not None:
        found.append((open_at, len(notice.scanned)))
    return found


def _clause_groups(scanned: str, start: int, end: int, numbers: list[Quantity]) -> list[Range]:
    """A sentence's clauses grouped so that each group prints numbers of its own: a clause
    without (or with only a time phrase) joins the next numbered one, trailing clauses the last."""
    cuts = [at + 1 for at in range(start, end - 1) if scanned[at] == "，"]
    clauses = list(zip([start, *cuts], [*cuts, end], strict=True))
    groups: list[Range] = []
    pending: int | None = None
    for a, b in clauses:
        inside = [q for q in numbers if a <= q.start < b]
        if inside and not _time_phrase(scanned[a:b], inside):
            groups.append((a if pending is None else pending, b))
            pending = None
        elif pending is None:
            pending = a
    if pending is not None:
        if groups:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((pending, end))
    return groups


def _time_phrase(clause: str, numbers: list[Quantity]) -> bool:
    """2023年，  2023年9月1日起，  2024年起，  9月底前，: when what follows applies."""
    if not all(q.kind in ("date", "day of year") or _calendar_year(q) for q in numbers):
        return False
    rest = clause.removesuffix("，")
    for quantity in numbers:
        rest = rest.replace(quantity.text, "", 1)
    return len(rest) <= 2


def _calendar_year(quantity: Quantity) -> bool:
    """2023年 (a year of the calendar), not 3年 (a period)."""
    return quantity.kind == "years" and isinstance(quantity.value, Decimal) and quantity.value >= 1900


# ---------------------------------------------------------------- what the policies say
Literal = provenance.Literal


@attrs.frozen
class Use:
    """A clause (or a header) as coverage sees it: where its quotes stand in the notice, the
    literals of its declarations, and its waivers."""

    label: str  # policy id and clause number
    places: tuple[Range, ...]  # every occurrence of each quote, in the scanned notice
    literals: tuple[Literal, ...]
    waivers: tuple[str, ...]
    everywhere: bool = False  # the header: its values stand for the whole notice
    # where the quotes name a member the clause uses (年满18周岁, 成年居民 又称 "年满18周岁"):
    # a number inside such a name is said by using the member
    members: tuple[Range, ...] = ()

    def covers(self, quantity: Quantity) -> bool:
        return self.everywhere or any(a <= quantity.start and quantity.end <= b for a, b in self.places)

    def quotes_part_of(self, statement: Statement) -> bool:
        return any(a < statement.end and statement.start < b for a, b in self.places)

    def uses(self, quantity: Quantity) -> bool:
        if not self.covers(quantity):
            return False
        return any(_literal_is(lit, quantity) for lit in self.literals) or \
            any(a <= quantity.start and quantity.end <= b for a, b in self.members)


def _literal_is(lit: Literal, quantity: Quantity) -> bool:
    """Whether a literal of a policy stands for a number of the notice: provenance's match, a
    value said in words (全额 is 100 %, 取消 and 不设… are 0), or the first day of a calendar
    year the notice names (2016-01-01 for 2016年之前, 2024年起)."""
    if isinstance(lit, ast.Word):
        meaning = VALUE_WORDS[lit.word].meaning
        if meaning == "full":
            return quantity.kind == "rate" and quantity.value == 1
        return meaning == "zero" and quantity.kind != "date" and quantity.value == 0
    if isinstance(lit, ast.DateLit) and _calendar_year(quantity):
        return (lit.value.month, lit.value.day) == (1, 1) and lit.value.year == quantity.value
    if isinstance(lit, ast.DateLit) and lit.yearless and quantity.kind == "day of year":
        day = 0 if lit.text.endswith("底") else lit.value.day  # as _with_days_of_year counts it
        return quantity.value == lit.value.month * 100 + day
    return provenance.matches(lit, quantity)


def _occurrences(quote: str, compared: str) -> list[Range]:
    wanted = scan_text(quote).replace("，", ",")
    found: list[Range] = []
    at = compared.find(wanted) if wanted else -1
    while at >= 0:
        found.append((at, at + len(wanted)))
        at = compared.find(wanted, at + 1)
    return found


# Functions that say a number of the notice: 按月折算 is × 月数 ÷ 12, 次月 is the 1st of the
# next month.
_NOWHERE = Span("", 0, 0, 0, 0)
SAID_BY_FUNCTIONS: dict[str, tuple[Literal, ...]] = {
    "按月折算": (ast.Number(Decimal(12), None, "12", False, _NOWHERE),),
    "次月": (ast.Number(Decimal(1), "日", "1日", False, _NOWHERE),),
}


def clause_literals(clause: ast.Clause) -> tuple[Literal, ...]:
    """What a clause's declarations write (provenance.literals) and the numbers its functions say."""
    return (*provenance.literals(clause.decls),
            *(lit for call in _calls(clause.decls) for lit in SAID_BY_FUNCTIONS.get(call.func, ())))


def _calls(node: object) -> Iterable[ast.Call]:
    if isinstance(node, ast.Call):
        yield node
    cls = type(node)
    if isinstance(node, (tuple, list)):
        for child in node:
            yield from _calls(child)
    elif attrs.has(cls):
        for field in attrs.fields(cls):
            if field.name != "span":
                yield from _calls(getattr(node, field.name))


def uses_of(policy_id: str, tree: ast.PolicyFile, compared: str,
            enums: Sequence[ir.Enum] = ()) -> list[Use]:
    """The header and every clause of a policy, placed in the notice's compared text.  A quote
    not found is an error (the policy was not checked against this notice), never skipped.
    `enums` are the policy's enumerations, whose members' names the quotes may print."""
    found = [_header_use(policy_id, tree.header)]
    for item in tree.items:
        if isinstance(item, ast.Clause):
            places: list[Range] = []
            for quote in item.quotes:
                occurrences = _occurrences(quote.text, compared)
                if not occurrences:
                    raise CoverageError(f"{quote.span.path}:{quote.span.line}: the quote of clause "
                                        f"{item.number} is not in the notice: run policydsl check")
                places += occurrences
            found.append(Use(f"{policy_id} {item.number}", tuple(places), clause_literals(item),
                             tuple(w.reason for w in item.waivers),
                             members=_member_names(item, enums, places, compared)))
    return found


def _member_names(clause: ast.Clause, enums: Sequence[ir.Enum], places: list[Range],
                  compared: str) -> tuple[Range, ...]:
    """Where the clause's quotes print the name of a member its declarations use (a table
    row, a 按 arm, a member named in a rule)."""
    used = _names_used(clause.decls)
    found: list[Range] = []
    for enum in enums:
        for member in enum.members:
            if member not in used:
                continue
            for name in enum.names_of(member):
                wanted = scan_text(name).replace("，", ",")
                for start, end in places:
                    at = compared.find(wanted, start, end)
                    while wanted and at >= 0:
                        found.append((at, at + len(wanted)))
                        at = compared.find(wanted, at + 1, end)
    return tuple(found)


def _names_used(node: object) -> set[str]:
    """The member names a node's declarations use: table row keys, arm patterns, names."""
    used: set[str] = set()
    for below in ast.walk(node):
        if isinstance(below, ast.TableRow):
            used.update(key for key in below.keys if key is not None)
        elif isinstance(below, ast.Arm):
            used.update(p for p in below.patterns if p is not None)
        elif isinstance(below, (ast.Name, ast.Member)):
            used.add(below.name)
    return used


def _header_use(policy_id: str, header: ast.Header) -> Use:
    fields = header.fields
    span = header.span
    literals: list[Literal] = []
    year = fields.get("year")
    if isinstance(year, int):
        literals.append(ast.Number(Decimal(year), "年", f"{year}年", False, span))
    for key in ("date", "effective", "valid_until"):
        value = fields.get(key)
        if isinstance(value, datetime.date):
            literals.append(ast.DateLit(value, str(value), span))
    valid_for = fields.get("valid_for")
    if isinstance(valid_for, ast.Number):
        literals.append(valid_for)
    return Use(f"{policy_id} (header)", (), tuple(literals), (), everywhere=True)


# ---------------------------------------------------------------- coverage
@attrs.frozen
class StatementCoverage:
    statement: Statement
    status: str  # encoded, waived or missing
    used_by: tuple[tuple[str, tuple[str, ...]], ...]  # each number as printed → who uses it
    reasons: tuple[str, ...] = ()  # the 不计算 reasons of a waived statement

    @property
    def unused(self) -> tuple[str, ...]:
        """The numbers no clause uses, as printed."""
        return tuple(text for text, who in self.used_by if not who)


@attrs.frozen
class NoticeCoverage:
    notice: str  # the notice file, as messages name it
    policies: tuple[str, ...]  # the ids of the policies citing it
    statements: tuple[StatementCoverage, ...]

    def _with(self, status: str) -> tuple[StatementCoverage, ...]:
        return tuple(s for s in self.statements if s.status == status)

    @property
    def encoded(self) -> int:
        return len(self._with("encoded"))

    @property
    def waived(self) -> tuple[StatementCoverage, ...]:
        return self._with("waived")

    @property
    def missing(self) -> tuple[StatementCoverage, ...]:
        return self._with("missing")

    @property
    def covered(self) -> int:
        """Encoded or waived."""
        return len(self.statements) - len(self.missing)

    def below(self, percent: Decimal) -> bool:
        """Whether (encoded + waived) / statements is below `percent` (exact, not rounded)."""
        return self.covered * 100 < percent * len(self.statements)

    @property
    def percent(self) -> str:
        """The share covered, rounded down to 0.1 (so 99.96 % never shows as 100.0)."""
        if not self.statements:
            return "100.0"
        share = Decimal(self.covered * 100) / Decimal(len(self.statements))
        return str(share.quantize(Decimal("0.1"), rounding=ROUND_DOWN))

    def summary(self) -> str:
        return (f"{len(self.statements)} statements, {self.encoded} encoded, {len(self.waived)} "
                f"waived, {len(self.missing)} missing ({self.percent} %)")


def of_notice(path: str, text: str, policies: Sequence[tuple[str, ast.PolicyFile]],
              enums: Mapping[str, Sequence[ir.Enum]] | None = None) -> NoticeCoverage:
    """The coverage of one notice (its display path and text) by the policies citing it
    (`enums`: each policy's enumerations, by id)."""
    notice = NoticeText.of(text)
    compared = notice.compared
    ids = tuple(policy_id for policy_id, _ in policies)
    uses = [use for policy_id, tree in policies
            for use in uses_of(policy_id, tree, compared, (enums or {}).get(policy_id, ()))]
    return NoticeCoverage(path, ids, tuple(_assess(s, uses) for s in statements(text)))


def _assess(statement: Statement, uses: list[Use]) -> StatementCoverage:
    used_by = tuple((q.text, tuple(dict.fromkeys(u.label for u in uses if u.uses(q))))
                    for q in statement.numbers)
    if all(who for _, who in used_by):
        return StatementCoverage(statement, "encoded", used_by)
    reasons = tuple(dict.fromkeys(r for u in uses if u.quotes_part_of(statement) for r in u.waivers))
    return StatementCoverage(statement, "waived" if reasons else "missing", used_by, reasons)


def of_policies(policies: Sequence[ir.Policy]) -> list[NoticeCoverage]:
    """The coverage of every notice the policies cite, ordered by the notice's path.

    Reads each policy's file (for the literals of its clauses) and each notice from disk, at
    the paths the IR gives.  Raises CoverageError when one cannot be read."""
    citing: dict[Path, list[tuple[str, ast.PolicyFile]]] = {}
    for policy in policies:
        if policy.notice is None:
            continue
        tree, diags = api.parse_file(Path(policy.path))
        if tree is None:
            raise CoverageError(diags[0].message if diags else f"cannot parse {policy.path}")
        notice = real_path(Path(policy.path).parent / policy.notice)
        citing.setdefault(notice, []).append((policy.id, tree))
    found = []
    for notice, trees in citing.items():
        text, problem = read_text(notice, Span(display_path(notice), 1, 1, 1, 2))
        if text is None:
            raise CoverageError(problem.message if problem else f"cannot read {notice}")
        found.append(of_notice(display_path(notice), text, trees,
                               {p.id: p.enums for p in policies}))
    return sorted(found, key=lambda c: c.notice)


# ---------------------------------------------------------------- reports
def to_json(coverages: Sequence[NoticeCoverage]) -> dict[str, object]:
    """`--json`: notice, statements, encoded, waived, missing, then policies, percent, waivers."""
    return {"notices": [{
        "notice": c.notice,
        "statements": len(c.statements),
        "encoded": c.encoded,
        "waived": len(c.waived),
        "missing": [{"line": s.statement.line, "text": s.statement.text} for s in c.missing],
        "policies": list(c.policies),
        "percent": c.percent,
        "waivers": [{"line": s.statement.line, "text": s.statement.text, "reasons": list(s.reasons)}
                    for s in c.waived],
    } for c in coverages]}


def render_text(coverages: Sequence[NoticeCoverage], every: bool = False) -> str:
    """What is missing (`notice:line: sentence`), then one summary line per notice; with
    `every`, each statement with its status and what uses each of its numbers."""
    lines = []
    for coverage in coverages:
        for item in coverage.statements if every else coverage.missing:
            where = f"{coverage.notice}:{item.statement.line}: "
            lines.append(where + (_detail(item) if every else item.statement.text))
    if lines:
        lines.append("")
    lines += [f"{c.notice}: {c.summary()}" for c in coverages]
    return "".join(line + "\n" for line in lines)


def _detail(item: StatementCoverage) -> str:
    numbers = "; ".join(f"{text} ← {', '.join(who) or '(nothing)'}" for text, who in item.used_by)
    waived = f"; 不计算: {' / '.join(item.reasons)}" if item.reasons else ""
    return f"[{item.status}] {item.statement.text}  [{numbers}{waived}]"
