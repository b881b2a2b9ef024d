"""Backends turn the IR into files: `python` (calculator modules), `markdown` (tables)."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from .. import escaping


@functools.lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """Templates see policy text only through the escaping filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent.parent / "templates")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        pyident=escaping.pyident, pyrepr=escaping.pyrepr, pydoc=escaping.pydoc,
        pycomment=escaping.pycomment, md_cell=escaping.md_cell,
    )
    return env
