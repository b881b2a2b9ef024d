"""Backends turn the IR into files.  Each is registered once, in `BACKENDS`, with the folder
of `policydsl compile --out DIR` it owns and the suffix of its files; `api.generated_files`
and `outputs` (what `compile --check` calls stale) derive everything from the registry, so a
new backend is its module (and templates) plus one line here.

    python    DIR/python/<policy id>.py   standalone calculators (standard library only)
    markdown  DIR/tables/*.md             comparison tables and reference pages
    batch     DIR/batch/<policy id>.py    vectorised calculators (numpy + pyarrow)
    charts    DIR/charts/<policy id>/*.svg  pictures on the reference pages
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import attrs
import jinja2

from .. import escaping

if TYPE_CHECKING:
    from .. import ir


class Generate(Protocol):
    """What a backend provides: every file it writes, by path relative to its folder."""

    def __call__(self, policies: Sequence[ir.Policy], /) -> dict[str, str]: ...


@attrs.frozen
class Backend:
    name: str
    folder: str  # the sub-folder of the output folder it owns
    suffix: str  # the suffix of its files there (anything else there is not its own)
    target: str  # "module:function", a Generate, imported only when the backend runs

    def generate(self, policies: Sequence[ir.Policy]) -> dict[str, str]:
        module, function = self.target.split(":")
        generate: Generate = getattr(importlib.import_module(module), function)
        return generate(policies)


BACKENDS: tuple[Backend, ...] = (
    Backend("python", "python", ".py", "policydsl.backends:python_files"),
    Backend("markdown", "tables", ".md", "policydsl.backends:markdown_files"),
    Backend("batch", "batch", ".py", "policydsl.backends.batch:generate_all"),
    Backend("charts", "charts", ".svg", "policydsl.backends:chart_files"),
)


def python_files(policies: Sequence[ir.Policy]) -> dict[str, str]:
    """The python backend's modules, one per policy, and the package's __init__.py."""
    from . import python

    files = {f"{policy.id}.py": python.generate(policy) for policy in policies}
    files["__init__.py"] = python.package_init(list(policies))
    return files


def markdown_files(policies: Sequence[ir.Policy]) -> dict[str, str]:
    """The markdown backend's pages."""
    from . import markdown

    return markdown.generate(list(policies))


def chart_files(policies: Sequence[ir.Policy]) -> dict[str, str]:
    """The charts the reference pages show (backends/charts.py configures them)."""
    from . import charts

    return {path.removeprefix("charts/"): svg for path, svg in charts.charts(list(policies)).items()}


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
