from app.results.suppression import Cell, suppress_line, suppress_table


def hidden(cells):
    return [c.hidden for c in cells]


def test_a_cell_of_4_is_hidden_and_a_cell_of_5_shown():
    cells = [Cell(5), Cell(4), Cell(20)]
    suppress_line(cells, 5, additive=False)
    assert hidden(cells) == [False, True, False]


def test_zero_identifies_no_one_and_stays():
    cells = [Cell(0), Cell(30)]
    suppress_line(cells, 5)
    assert hidden(cells) == [False, False]


def test_complementary_suppression_hides_the_next_smallest_cell():
    cells = [Cell(20), Cell(16), Cell(4)]
    total_hidden = suppress_line(cells, 5)
    assert hidden(cells) == [False, True, True]
    assert not total_hidden


def test_total_is_hidden_when_no_other_cell_can_cover():
    cells = [Cell(3), Cell(0), Cell(0)]
    assert suppress_line(cells, 5) is True


def test_two_small_cells_need_no_complement():
    cells = [Cell(3), Cell(2), Cell(40)]
    suppress_line(cells, 5)
    assert hidden(cells) == [True, True, False]


def test_crosstab_hides_small_cells_and_complements_rows_and_columns():
    table = suppress_table([[10, 3, 12], [8, 9, 20]], 5)
    flags = [[c.hidden for c in row] for row in table.cells]
    assert flags[0][1] is True  # the 3
    # row 0 has one hidden cell: the next smallest (10) goes too
    assert flags[0][0] is True
    # column 1 has one hidden cell: its other cell (9) goes too; column 0 likewise (8)
    assert flags[1][1] is True and flags[1][0] is True
    # no line is left with exactly one hidden cell and a shown total
    lines = [(row, table.row_totals[i]) for i, row in enumerate(table.cells)]
    lines += [([row[j] for row in table.cells], table.col_totals[j]) for j in range(3)]
    for line, total in lines:
        assert sum(c.hidden for c in line) != 1 or total.hidden
    assert table.total.count == 62 and not table.total.hidden


def test_crosstab_small_margin_is_hidden():
    table = suppress_table([[2, 1], [30, 40]], 5)
    assert table.row_totals[0].hidden
    assert all(c.hidden for c in table.cells[0])
