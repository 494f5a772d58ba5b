"""Table rows as answer sentences: a row is read under its header row, its bare figures with the unit of its
单位 column (a table gives "岁" once; a question writes "79.2岁")."""
from __future__ import annotations

import re

ROW_NUMBER = re.compile(r"^\s*\d{1,3}\s*\|?\s*\t")  # a table row's 序号 cell


def cells(row: str) -> list[str]:
    """The cells of a table row line ("1 |\t人均预期寿命 |\t岁 |"; a .docx row has tabs only)."""
    return [c.strip().rstrip("|").strip() for c in row.split("\t")]


_FIGURE_CELL = re.compile(r"^[≥≤＞＜<>]?\s*(\d+(?:\.\d+)?)")


def header_before(section: str, part: str) -> str:
    """The table header row (序号 | 指标名称 | …) last seen before `part` in its section, else ""."""
    at = section.find(part[:80]) if section and part else -1
    if at <= 0:
        return ""
    for line in reversed(section[:at].splitlines()):
        if line.count("\t") >= 2 and not ROW_NUMBER.match(line):
            return line.strip()
    return ""


def with_units(header_row: str, row: str) -> str:
    """The header row, plus the row's figures written with the row's unit (79.2岁, 38%).

    A table gives the unit once, in its 单位 column, and the figures bare; a question
    writes them together ("不低于79.2岁"), so the row is matched as if it did too.
    """
    names, values = cells(header_row), cells(row)
    at = next((i for i, n in enumerate(names) if n in ("单位", "计量单位")), None)
    unit = values[at] if at is not None and at < len(values) else ""
    if not unit or len(unit) > 6:
        return header_row
    figures = [m.group(1) + unit for i, c in enumerate(values) if i not in (0, at) and (m := _FIGURE_CELL.match(c))]
    return " ".join([header_row, *figures])
