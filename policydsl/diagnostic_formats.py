"""Diagnostics for machines: GitHub workflow annotations and JSON (`check --format`).

The text form for people is `diagnostics.render`.  These two forms carry the same facts:

- `github`: one workflow command per diagnostic, which GitHub Actions turns into an
  annotation on the pull request's line:

      ::error file=policies/x.policy,line=18,col=15,endLine=18,endColumn=18,title=E302::85% is …

  Escaped as the Actions toolkit does (`escapeData`, `escapeProperty` in @actions/core):
  `%`, CR and LF in the message; also `:` and `,` in a property.  Columns are given only when
  the span stays on one line (the runner drops them otherwise); a diagnostic without a
  position (a missing file) names the file alone.
- `json`: a list of objects with a stable key order — path, line, column, end_line,
  end_column (1-based, the end exclusive; 0 when the diagnostic has no position), code,
  severity ("error" or "warning"), message, hint (null when there is none), notes (the other
  places it is about: `first declared`, each with its path, line, column, end_line,
  end_column and message).

Both carry the notes: the annotation's message ends with them, as the text form does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .diagnostics import Diagnostic, Span


def severity(diag: Diagnostic) -> str:
    return "error" if diag.is_error else "warning"


# ---------------------------------------------------------------- GitHub annotations
def escape_data(text: str) -> str:
    """The message of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value of a workflow command (file=…, title=…)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(diag: Diagnostic) -> str:
    """One diagnostic as a GitHub Actions workflow command (one line)."""
    span = diag.span
    properties = [("file", span.path)]
    if span.line > 0:
        properties.append(("line", str(span.line)))
        if span.end_line == span.line and span.column > 0:
            properties += [("col", str(span.column)), ("endLine", str(span.end_line)),
                           ("endColumn", str(max(span.end_column, span.column)))]
        else:
            properties.append(("endLine", str(max(span.end_line, span.line))))
    properties.append(("title", diag.code))
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    message += "".join(f"\nnote: {note.message} at {note.span}" for note in diag.notes)
    shown = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{severity(diag)} {shown}::{escape_data(message)}"


def github_annotations(diags: Iterable[Diagnostic]) -> str:
    """Every diagnostic as a workflow command, one per line (empty when there are none)."""
    return "".join(github_annotation(d) + "\n" for d in diags)


# ---------------------------------------------------------------- JSON
def span_record(span: Span) -> dict[str, object]:
    return {"path": span.path, "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


def diagnostic_record(diag: Diagnostic) -> dict[str, object]:
    """One diagnostic as a JSON object, its keys in a fixed order."""
    return {
        **span_record(diag.span),
        "code": diag.code,
        "severity": severity(diag),
        "message": diag.message,
        "hint": diag.hint,
        "notes": [{**span_record(note.span), "message": note.message} for note in diag.notes],
    }


def diagnostics_json(diags: Iterable[Diagnostic]) -> str:
    """The diagnostics as a JSON array (Chinese text kept readable, not \\u-escaped)."""
    return json.dumps([diagnostic_record(d) for d in diags], ensure_ascii=False, indent=2) + "\n"
