"""The one place where text from a policy is made safe for generated Python and Markdown.

Every string and name that reaches generated code passes through one of these functions
(the templates call them as filters); nothing is pasted.  tests/test_escaping.py feeds them
quotes, backslashes, `{{ }}`, newlines, NUL, U+2028 and right-to-left marks.
"""

from __future__ import annotations

import builtins
import keyword
import unicodedata

# Names the generated modules use themselves: a policy name equal to one gets a suffix.
GENERATED_NAMES = frozenset({
    "Decimal", "ROUND_HALF_UP", "InvalidOperation", "Final", "NoReturn", "NamedTuple", "Any",
    "dataclass", "datetime", "decimal", "enum", "annotations", "Mapping", "Sequence", "Step",
    "localcontext", "re", "explain", "inputs", "given", "trace", "as_dict", "self", "cls", "field",
    "count", "index",  # a result is a NamedTuple: its fields may not shadow tuple's methods
})
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | GENERATED_NAMES

_UNSAFE_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def pyident(name: str) -> str:
    """A Python identifier for a policy name.

    Python reads identifiers in NFKC form, so the name is normalised first; a character that
    cannot stand in an identifier becomes `_xNN_`; a name starting with `_` (the generated
    code's own names do) gets a leading `v`; a keyword, a builtin or a name the generated code
    uses itself gets a trailing `_`.
    """
    normalized = unicodedata.normalize("NFKC", name)
    out = []
    for i, char in enumerate(normalized):
        ok = (char + "x").isidentifier() if i == 0 else ("x" + char).isidentifier()
        out.append(char if ok else f"_x{ord(char):x}_")
    ident = "".join(out)
    if not ident.isidentifier() or ident.startswith("_"):  # private names are the generator's
        ident = "v" + ident
    if ident in RESERVED:
        ident += "_"
    return ident


def _python_string_body(text: str, keep_newlines: bool) -> str:
    """The inside of a double-quoted Python string: backslashes and quotes escaped, and every
    control, format and line/paragraph separator character (U+2028, right-to-left marks)."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\n" if keep_newlines else "\\n")
        elif char == "\t":
            out.append("\\t")
        elif _unsafe(char):
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def pyrepr(text: str) -> str:
    """A Python string literal for any text, written with double quotes on one line.

    Unlike `repr`, it escapes every invisible character, so the literal reads the same in any
    editor."""
    return '"' + _python_string_body(text, keep_newlines=False) + '"'


def pydoc(text: str, indent: str = "") -> str:
    """A triple-quoted docstring for any text, its lines indented by `indent`."""
    lines = _python_string_body(text, keep_newlines=True).split("\n")
    joined = "\n".join((indent + line) if line else "" for line in lines).removeprefix(indent)
    if "\n" in text:
        joined += "\n" + indent
    return f'"""{joined}"""'


def pycomment(text: str) -> str:
    """Text safe to put after `#`: one line, no control or separator characters."""
    return "".join(" " if char in "\r\n" else _escape_char(char) if _unsafe(char) else char
                   for char in text)


MD_PUNCTUATION = frozenset("\\`*_[]<>#&|~")


def md_cell(text: str) -> str:
    """Text safe inside a GitHub Markdown table cell, read literally: Markdown punctuation is
    backslash-escaped (CommonMark), a line break becomes <br>, an invisible or control
    character its numeric reference (NUL, which HTML forbids, becomes U+FFFD)."""
    out = []
    for char in text.replace("\r\n", "\n"):
        if char in "\r\n":
            out.append("<br>")
        elif char in MD_PUNCTUATION:
            out.append("\\" + char)
        elif char == "\x00":
            out.append("&#xfffd;")
        elif _unsafe(char):
            out.append(f"&#x{ord(char):x};")
        else:
            out.append(char)
    return "".join(out)
