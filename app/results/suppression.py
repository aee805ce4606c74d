"""Small-cell suppression: no count under SUPPRESSION_MIN is shown where it could single anyone out.

Primary suppression hides every count from 1 to min-1 (0 identifies no one and stays). Secondary
(complementary) suppression then makes sure no hidden count can be recomputed from what is shown:
in every additive line (a distribution with its total, a cross-tab row or column with its
margin) that has exactly one hidden cell, the smallest other non-zero cell is hidden too; if there
is none, the line's total is hidden. This repeats until nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Cell:
    count: int
    hidden: bool = False


def is_small(count: int, minimum: int) -> bool:
    return 0 < count < minimum


def suppress_line(cells: list[Cell], minimum: int, additive: bool = True) -> bool:
    """Suppress one line in place; returns True when its total must be hidden too.

    `additive=False` (multiple choice: options overlap) needs no complementary suppression.
    """
    for cell in cells:
        if is_small(cell.count, minimum):
            cell.hidden = True
    if not additive:
        return False
    return _complement(cells)


def _complement(cells: list[Cell]) -> bool:
    hidden = [c for c in cells if c.hidden]
    if len(hidden) != 1:
        return False
    candidates = [c for c in cells if not c.hidden and c.count > 0]
    if not candidates:
        return True
    min(candidates, key=lambda c: c.count).hidden = True
    return False


@dataclass
class Table:
    """A cross-tab: cells[r][c], with row and column totals that can be hidden too."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    col_totals: list[Cell]
    total: Cell


def suppress_table(counts: list[list[int]], minimum: int) -> Table:
    """Cross-tab suppression: small cells and small margins, then complements until stable."""
    cells = [[Cell(n) for n in row] for row in counts]
    row_totals = [Cell(sum(row)) for row in counts]
    col_totals = [Cell(sum(col)) for col in zip(*counts, strict=True)] if counts else []
    total = Cell(sum(c.count for c in row_totals))
    for cell in [*(c for row in cells for c in row), *row_totals, *col_totals, total]:
        cell.hidden = is_small(cell.count, minimum)
    changed = True
    while changed:
        changed = False
        lines = [(row, row_totals[i]) for i, row in enumerate(cells)]
        lines += [([row[j] for row in cells], col_totals[j]) for j in range(len(col_totals))]
        # the margins themselves add up to the grand total
        lines += [(row_totals, total), (col_totals, total)]
        for line, line_total in lines:
            before = sum(c.hidden for c in line) + line_total.hidden
            if line_total.hidden:
                # a hidden total with one hidden cell is fine; all shown cells still sum to less
                continue
            if _complement(line) and not line_total.hidden:
                line_total.hidden = True
            if sum(c.hidden for c in line) + line_total.hidden != before:
                changed = True
    return Table(cells, row_totals, col_totals, total)
