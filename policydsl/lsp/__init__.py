"""The policydsl language server (`policydsl lsp`), for editors.

    analysis.py   check the open buffers (not the files on disk) with the compiler
    symbols.py    the names of one file: declarations and uses, with their spans
    scopes.py     what a name means where it is written, across 使用 and 修订; references
    hover.py      type, value, qualifier and the notice's sentence of a declaration
    positions.py  spans (characters) ↔ LSP positions (UTF-16 code units by default)
    server.py     the pygls server: diagnostics, hover, definition, references,
                  completion, document symbols, formatting (through policydsl.fmt)
"""
