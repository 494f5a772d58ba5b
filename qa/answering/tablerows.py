"""Table rows as answer sentences: a row is read under its header row, its bare figures with the unit of its
单位 column (a table gives "岁" once; a question writes "79.2岁")."""
from __future__ import annotations

import re

# a table row's 序号 cell: "1 |\t…" (our readers), "1 | …" or "| 1 | …" (a pasted or markdown table)
ROW_NUMBER = re.compile(r"^\s*[|｜]?\s*\d{1,3}\s*(?:[|｜]?\s*\t|[|｜])")


def is_row(line: str) -> bool:
    """A line of table cells: tab-separated (.docx, web pages) or a pasted table's " | " bars."""
    return line.count("\t") >= 2 or len(re.findall(r"[|｜]", line)) >= 3


def cells(row: str) -> list[str]:
    """The cells of a table row line ("1 |\t人均预期寿命 |\t岁 |"; a .docx row has tabs only; a pasted
    table "1 | 人均预期寿命 | 岁 |" bars only)."""
    if "\t" in row:
        return [c.strip().rstrip("|").strip() for c in row.split("\t")]
    parts = [c.strip() for c in re.split(r"[|｜]", row.strip())]
    return parts[1:] if parts and not parts[0] and row.strip()[:1] in "|｜" else parts


_UNIT_COLUMN = ("单位", "计量单位")


def aligned(names: list[str], values: list[str]) -> list[str]:
    """A row's cells under its header's: a row under a merged cell (its category printed once, above)
    lacks the first cells, so its cells line up from the right. A row that opens with its 序号 lines up
    from the header's 序号 instead (the cells before it are merged categories), and a figure where the
    header has its 单位 means the row left its unit cell out (a table printed one cell per line drops an
    empty cell): the unit is "" and the figure goes under the next column."""
    vals = list(values)
    while vals and not vals[-1]:
        vals.pop()
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    serial = names.index("序号") if "序号" in names else -1
    if serial > 0 and vals and re.fullmatch(r"\d{1,3}", vals[0].strip()) and len(vals) < width:
        vals = [""] * serial + vals
        unit = next((i for i, n in enumerate(names) if n in _UNIT_COLUMN), None)
        if (unit is not None and unit < len(vals) and len(vals) < width
                and (_FIGURE_CELL.match(vals[unit]) or vals[unit] in ("-", "—", "/"))):
            vals.insert(unit, "")
        return vals
    return [""] * (width - len(vals)) + vals if len(vals) < width else list(values)


def unit_blank(header_row: str, row: str) -> bool:
    """A data row whose table has a 单位 column but whose own unit cell is empty: its figures' unit is the
    indicator's (床位数 counts beds), so an asked unit (多少张) is not missing from it."""
    names = cells(header_row)
    at = next((i for i, n in enumerate(names) if n in _UNIT_COLUMN), None)
    if at is None or not holds_figures(row):
        return False
    values = aligned(names, cells(row))
    return at >= len(values) or not values[at].strip()


_FIGURE_CELL = re.compile(r"^[≥≤＞＜<>]?\s*(\d+(?:\.\d+)?)")
_YEAR_CELL = re.compile(r"^(?:19|20)\d\d\s*年")


def holds_figures(row: str) -> bool:
    """A data row: some cell past the first is a figure (not a year naming a column)."""
    return any(_FIGURE_CELL.match(c) and not _YEAR_CELL.match(c) for c in cells(row)[1:])


def header_before(section: str, part: str) -> str:
    """The table header row (序号 | 指标名称 | …) last seen before `part` in its section, else ""."""
    at = section.find(part[:80]) if section and part else -1
    if at <= 0:
        return ""
    for line in reversed(section[:at].splitlines()):
        if is_row(line) and not ROW_NUMBER.match(line) and not holds_figures(line):
            return line.strip()
    return ""


def with_units(header_row: str, row: str) -> str:
    """The header row, plus the row's figures written with the row's unit (79.2岁, 38%).

    A table gives the unit once, in its 单位 column, and the figures bare; a question
    writes them together ("不低于79.2岁"), so the row is matched as if it did too.
    """
    names = cells(header_row)
    values = aligned(names, cells(row))
    at = next((i for i, n in enumerate(names) if n in _UNIT_COLUMN), None)
    unit = values[at] if at is not None and at < len(values) else ""
    if not unit or len(unit) > 6:
        return header_row
    skip = {0, at} | {i for i, n in enumerate(names) if n == "序号"}
    figures = [m.group(1) + unit for i, c in enumerate(values) if i not in skip and (m := _FIGURE_CELL.match(c))]
    return " ".join([header_row, *figures])
