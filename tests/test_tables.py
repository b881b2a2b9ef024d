"""The Markdown pages: pinned, valid GFM tables, the values readers look for."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from policydsl import api
from policydsl.backends import markdown

from .conftest import GENERATED

PAGES = sorted(p.relative_to(GENERATED / "tables").as_posix() for p in (GENERATED / "tables").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_page_snapshot(page: str, text_snapshot) -> None:  # type: ignore[no-untyped-def]
    assert (GENERATED / "tables" / page).read_text("utf-8") == text_snapshot


@pytest.mark.parametrize("page", PAGES)
def test_every_row_has_the_headers_number_of_cells(page: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse((GENERATED / "tables" / page).read_text("utf-8"))
    tables = 0
    header_cells = row_cells = 0
    for token in tokens:
        if token.type == "table_open":
            tables += 1
        elif token.type == "thead_open":
            in_head = True
        elif token.type == "tbody_open":
            in_head = False
        elif token.type == "tr_open":
            row_cells = 0
        elif token.type in ("th_open", "td_open"):
            row_cells += 1
        elif token.type == "tr_close":
            if in_head:
                header_cells = row_cells
            else:
                assert row_cells == header_cells
    # markdown-it pads short rows itself, so count the source pipes as well
    for line in (GENERATED / "tables" / page).read_text("utf-8").splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert cells, line
    assert tables > 0


def source_rows(page: str) -> dict[str, list[str]]:
    rows = {}
    for line in (GENERATED / "tables" / page).read_text("utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if cells[0] not in ("概念", "输出 · 类别"):
                rows[cells[0].split("<br>")[0]] = cells[1:]
    return rows


def test_table_column_counts_are_consistent_in_the_source() -> None:
    for page in PAGES:
        widths = set()
        block: list[int] = []
        for line in (GENERATED / "tables" / page).read_text("utf-8").splitlines() + [""]:
            if line.startswith("|"):
                block.append(len(re.split(r"(?<!\\)\|", line)) - 2)
            elif block:
                widths.add(len(set(block)))
                block = []
        assert widths <= {1}, page


def test_subsidy_row_compares_regions_and_years() -> None:
    rows = source_rows("financing.md")
    header = next(line for line in (GENERATED / "tables" / "financing.md").read_text("utf-8").splitlines()
                  if line.startswith("| 概念"))
    columns = [re.sub(r"\[(.*)\]\(.*\)", r"\1", cell.strip()) for cell in header.strip("|").split("|")][1:]
    cells = dict(zip(columns, rows["财政补助"], strict=True))
    nmg_2023, nmg_2024 = cells["内蒙古自治区 2023"], cells["内蒙古自治区 2024"]
    xinzhou = cells["山西省忻州市 2023"]
    assert re.fullmatch(r"≥640 元\[\^\d+\]", nmg_2023)
    assert re.fullmatch(r"≥670 元 \(\+30\)\[\^\d+\]", nmg_2024)
    assert re.fullmatch(r"640 元\[\^\d+\]", xinzhou)


def test_every_value_has_a_footnote_that_resolves() -> None:
    for page in PAGES:
        text = (GENERATED / "tables" / page).read_text("utf-8")
        used = set(re.findall(r"\[\^(\d+)\](?!:)", text))
        defined = set(re.findall(r"^\[\^(\d+)\]:", text, re.M))
        assert used == defined, page
        for cells in source_rows(page).values():
            for cell in cells:
                if page != "index.md" and not page.startswith("policy/") and cell != "—":
                    assert re.search(r"\[\^\d+\]$", cell), (page, cell)


def test_footnote_links_point_at_existing_clause_anchors() -> None:
    for page in PAGES:
        text = (GENERATED / "tables" / page).read_text("utf-8")
        for target, anchor in re.findall(r"\]\((policy/[^)#]+\.md)#([^)]+)\)", text):
            assert f'<a id="{anchor}"></a>' in (GENERATED / "tables" / target).read_text("utf-8")


def test_the_budget_of_a_class_three_area(shipped: api.CheckResult) -> None:
    """How much more does a 三类 area's budget pay per resident in 2024 than in 2023?  At
    least that much: the subsidy is 不低于 640 (670) 元, and the 盟市旗县 part grows with it."""
    rows = source_rows("subsidy_split.md")
    assert rows["盟市旗县 · 三类"][:2] == ["≥38.40 元[^1]", "≥40.20 元 (+1.80)[^1]"]
    assert rows["县级 · 一般县"][2] == "102.00 元[^3]"


def test_pages_are_deterministic(shipped: api.CheckResult) -> None:
    first = markdown.generate(list(shipped.policies))
    second = markdown.generate(list(reversed(shipped.policies)))
    assert first == second
