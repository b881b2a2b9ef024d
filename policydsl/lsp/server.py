"""The language server: pygls wiring of the features onto an `Analysis` of the open buffers.

Every open, change or close re-checks all open policies (a check of the shipped policies
takes about 0.1 s) and publishes each one's diagnostics; the requests that follow (hover,
definition, references, completion, symbols) read that analysis.  Completion also works
while the buffer does not parse: it offers the names of the last version that did.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from .. import __version__, fmt, parser, words
from ..diagnostics import Diagnostic, Note, Span
from ..loader import real_path
from .analysis import Analysis
from .hover import KIND_WORDS, HoverText, function_text
from .positions import UNITS, Lines, utf16_units
from .scopes import Project, Scope
from .symbols import Symbol, Use

SEVERITY = {True: types.DiagnosticSeverity.Error, False: types.DiagnosticSeverity.Warning}
SYMBOL_KINDS = {
    "policy": types.SymbolKind.Module, "clause": types.SymbolKind.Namespace,
    "param": types.SymbolKind.Constant, "input": types.SymbolKind.Variable,
    "rule": types.SymbolKind.Function, "table": types.SymbolKind.Struct,
    "enum": types.SymbolKind.Enum, "member": types.SymbolKind.EnumMember,
    "calculator": types.SymbolKind.Class, "output": types.SymbolKind.Field,
    "topic": types.SymbolKind.Package, "concept": types.SymbolKind.Property,
}
COMPLETION_KINDS = {
    "param": types.CompletionItemKind.Constant, "input": types.CompletionItemKind.Variable,
    "rule": types.CompletionItemKind.Function, "table": types.CompletionItemKind.Struct,
    "enum": types.CompletionItemKind.Enum, "member": types.CompletionItemKind.EnumMember,
    "calculator": types.CompletionItemKind.Class,
}
CONTAINERS = {"clause", "enum", "calculator", "topic"}  # symbols that hold others in the outline
NAME = r"[^\W\d]\w*"  # enough to see what is typed before the cursor
AFTER_DOT = re.compile(rf"({NAME})\s*[.．]\s*(?:{NAME})?$")
AFTER_CONTINUED = re.compile(rf"沿用\s+(?:{NAME})?$")


@functools.lru_cache(maxsize=1)
def keywords() -> tuple[str, ...]:
    """Every keyword of the grammar, registry words included: its string terminals that are
    words (not punctuation)."""
    terminals = parser.grammar_parser().terminals
    strings = {str(t.pattern.value) for t in terminals if t.pattern.type == "str"}
    return tuple(sorted(w for w in strings if any(c.isalpha() for c in w)))


class PolicyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("policydsl", __version__)
        self.analysis = Analysis({})
        self.project = Project(self.analysis)
        self.parsed: dict[str, Project] = {}  # uri → the last project in which it parsed

    # ------------------------------------------------------------ documents
    def policy_documents(self) -> list[TextDocument]:
        return [doc for uri, doc in self.workspace.text_documents.items()
                if uri.startswith("file:") and doc.path.endswith(".policy")]

    def lines(self, text: str) -> Lines:
        encoding = self.workspace.position_encoding
        name = encoding.value if isinstance(encoding, types.PositionEncodingKind) else encoding
        return Lines(text, UNITS.get(name or "utf-16", utf16_units))

    def refresh(self) -> None:
        """Check every open policy again and publish each one's diagnostics."""
        documents = self.policy_documents()
        self.analysis = Analysis({real_path(Path(doc.path)): doc.source for doc in documents})
        self.project = Project(self.analysis)
        for doc in documents:
            if self.project.index(Path(doc.path)) is not None:
                self.parsed[doc.uri] = self.project
            lines = self.lines(doc.source)
            diagnostics = [self.diagnostic(d, lines) for d in self.analysis.diagnostics(Path(doc.path))]
            failure = self.analysis.internal_errors.get(real_path(Path(doc.path)))
            if failure is not None:
                diagnostics.append(types.Diagnostic(
                    range=lines.range(Span(doc.path, 1, 1, 1, 1)), source="policydsl",
                    severity=types.DiagnosticSeverity.Error,
                    message=f"internal error: {failure}\nplease report this with the text of the file"))
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=doc.uri, diagnostics=diagnostics, version=doc.version))

    def forget(self, uri: str) -> None:
        self.parsed.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def diagnostic(self, diag: Diagnostic, lines: Lines) -> types.Diagnostic:
        message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
        related = [r for note in diag.notes if (r := self.related(note)) is not None]
        return types.Diagnostic(range=lines.range(diag.span), message=message, code=diag.code,
                                severity=SEVERITY[diag.is_error], source="policydsl",
                                related_information=related or None)

    def related(self, note: Note) -> types.DiagnosticRelatedInformation | None:
        """A note of a diagnostic (`the first row`, `first declared`) where it points."""
        source = self.analysis.loader.source(note.span.path)
        if source is None:
            return None
        where = types.Location(uri=real_path(Path(note.span.path)).as_uri(),
                               range=self.lines(source.text).range(note.span))
        return types.DiagnosticRelatedInformation(location=where, message=note.message)

    # ------------------------------------------------------------ positions
    def located(self, uri: str, position: types.Position) -> tuple[Path, int, int]:
        doc = self.workspace.get_text_document(uri)
        line, column = self.lines(doc.source).location(position)
        return Path(doc.path), line, column

    def location(self, symbol: Symbol | Use, path: Path) -> types.Location | None:
        file = self.project.index(path)
        if file is None:
            return None
        return types.Location(uri=real_path(path).as_uri(),
                              range=self.lines(file.source.text).range(symbol.span))

    # ------------------------------------------------------------ features
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        path, line, column = self.located(params.text_document.uri, params.position)
        found = self.project.at(path, line, column)
        if found is None:
            return None
        scope, item = found
        if isinstance(item, Use) and item.kind == "function":
            text = function_text(item.name)
        else:
            symbol = item if isinstance(item, Symbol) else self.project.resolve(scope, item)
            text = HoverText(self.project).of(symbol, scope) if symbol is not None else None
        if text is None:
            return None
        doc = self.workspace.get_text_document(params.text_document.uri)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                           range=self.lines(doc.source).range(item.span))

    def definition(self, params: types.DefinitionParams) -> types.Location | None:
        target = self.project.target(*self.located(params.text_document.uri, params.position))
        return self.location(target[1], target[1].path) if target else None

    def references(self, params: types.ReferenceParams) -> list[types.Location]:
        target = self.project.target(*self.located(params.text_document.uri, params.position))
        if target is None:
            return []
        symbol = target[1]
        found = [self.location(symbol, symbol.path)] if params.context.include_declaration else []
        found += [self.location(use, path) for path, use in
                  self.project.references(symbol, self.related_files(symbol.path))]
        return [loc for loc in found if loc is not None]

    def related_files(self, declaring: Path) -> list[Path]:
        """Where references may be: the declaring file, the open policies and the policies of
        the workspace folder."""
        files = {real_path(declaring)} | {real_path(Path(doc.path)) for doc in self.policy_documents()}
        root = self.workspace.root_path
        if root:
            files |= {real_path(p) for p in Path(root).rglob("*.policy")
                      if not any(part.startswith(".") or part == "node_modules" for part in p.parts)}
        return sorted(files)

    def completion(self, params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        doc = self.workspace.get_text_document(uri)
        before = self.lines(doc.source).before(params.position)
        project = self.project if self.project.index(Path(doc.path)) else self.parsed.get(uri)
        scope = project.scope(Path(doc.path)) if project else None
        if scope is None:
            items = [keyword_item(w) for w in keywords()]
        elif (dot := AFTER_DOT.search(before)) is not None:
            items = [symbol_item(s) for s in members_of(scope, dot.group(1))]
        elif AFTER_CONTINUED.search(before):
            items = [symbol_item(s) for s in (scope.base.calculators if scope.base else {}).values()]
        else:
            items = [symbol_item(s) for s in names_of(scope)] + [keyword_item(w) for w in keywords()]
            items += [types.CompletionItem(label=word, kind=types.CompletionItemKind.Function,
                                           detail=function.says)
                      for word, function in words.FUNCTIONS.items()]
        return types.CompletionList(is_incomplete=False, items=items)

    def document_symbols(self, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        doc = self.workspace.get_text_document(params.text_document.uri)
        file = self.project.index(Path(doc.path))
        if file is None:
            return []
        return outline(file.symbols, self.lines(doc.source))

    def formatting(self, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        doc = self.workspace.get_text_document(params.text_document.uri)
        result = fmt.format_text(doc.source, doc.path)
        if result.text is None or result.text == doc.source:
            return None  # a syntax error (shown as a diagnostic already), or nothing to change
        lines = self.lines(doc.source)
        whole = types.Range(start=types.Position(line=0, character=0),
                            end=lines.position(len(lines.lines), len(lines.lines[-1]) + 1))
        return [types.TextEdit(range=whole, new_text=result.text)]


# ---------------------------------------------------------------- completion items
def names_of(scope: Scope) -> list[Symbol]:
    """The names an expression of the file may use, each once."""
    members = [s for (_, name), s in scope.members.items()
               if sum(1 for (_, other) in scope.members if other == name) == 1]
    return [*scope.entries.values(), *scope.enums.values(), *members]


def members_of(scope: Scope, owner: str) -> list[Symbol]:
    """What may follow `owner.`: the members of an enumeration, or the values of the
    amended policy after its alias."""
    if owner in scope.aliases:
        return list(scope.base.entries.values()) if scope.base else []
    return [s for (enum, _), s in scope.members.items() if enum == owner]


def symbol_item(symbol: Symbol) -> types.CompletionItem:
    origin = f" · {symbol.owner}" if symbol.owner else ""
    return types.CompletionItem(label=symbol.name, kind=COMPLETION_KINDS.get(symbol.kind),
                                detail=KIND_WORDS.get(symbol.kind, symbol.kind) + origin)


def keyword_item(word: str) -> types.CompletionItem:
    return types.CompletionItem(label=word, kind=types.CompletionItemKind.Keyword)


# ---------------------------------------------------------------- outline
def outline(symbols: tuple[Symbol, ...], lines: Lines) -> list[types.DocumentSymbol]:
    """Clauses holding their declarations, enumerations their members, calculators their
    outputs, topics their concepts; the rest at the top."""
    top: list[types.DocumentSymbol] = []
    holders: dict[object, list[types.DocumentSymbol]] = {}  # a container's children, by its key
    for symbol in symbols:
        if symbol.kind not in SYMBOL_KINDS:
            continue
        children: list[types.DocumentSymbol] = []
        entry = outline_entry(symbol, lines, children)
        if symbol.clause is not None and symbol.kind != "clause":
            holder = holders.get(id(symbol.clause))
        else:
            holder = holders.get(("owner", symbol.owner or ""))
        (holder if holder is not None else top).append(entry)
        if symbol.kind in CONTAINERS:
            holders[id(symbol.node) if symbol.kind == "clause" else ("owner", symbol.name)] = children
    return top


def outline_entry(symbol: Symbol, lines: Lines,
                  children: list[types.DocumentSymbol]) -> types.DocumentSymbol:
    whole = symbol.span if symbol.kind in ("member", "policy") else \
        getattr(symbol.node, "span", symbol.span)
    name = f"条款 {symbol.name}" if symbol.kind == "clause" else symbol.name
    detail = symbol.clause.heading if symbol.kind == "clause" and symbol.clause else \
        KIND_WORDS.get(symbol.kind)
    return types.DocumentSymbol(
        name=name, kind=SYMBOL_KINDS[symbol.kind], range=lines.range(whole),
        selection_range=lines.range(symbol.span), detail=detail,
        children=children if symbol.kind in CONTAINERS else None)


# ---------------------------------------------------------------- wiring
def build() -> PolicyServer:
    server = PolicyServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.refresh()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.refresh()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.forget(params.text_document.uri)
        server.refresh()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        server.refresh()  # a notice or an unopened policy changed on disk

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        return server.hover(params)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(params: types.DefinitionParams) -> types.Location | None:
        return server.definition(params)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(params: types.ReferenceParams) -> list[types.Location]:
        return server.references(params)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=[".", "．"]))
    def completion(params: types.CompletionParams) -> types.CompletionList:
        return server.completion(params)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        return server.document_symbols(params)

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        return server.formatting(params)

    return server


def serve() -> None:
    """Serve one editor over stdin and stdout until it disconnects."""
    build().start_io()
