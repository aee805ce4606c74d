"""The runner's pure pieces: summaries of repeated runs, the table, the statement counter."""

import pytest
from sqlalchemy import create_engine, text

from bench.measure import Figure, StatementCounter, figures_table, number, summarize, table


def test_summarize_gives_median_min_max_and_the_runs():
    assert summarize([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "runs": [3.0, 1.0, 2.0]}
    assert summarize([4, 1, 2, 3])["median"] == 2.5
    with pytest.raises(ValueError):
        summarize([])


def test_figure_as_dict_carries_the_load_average_and_survives_a_failed_measurement():
    figure = Figure("sqlite", "flow", "submissions", "1/s", [10.0, 12.0, 11.0], loadavg=[1.5, 1.0, 0.5])
    assert figure.as_dict() == {
        "db": "sqlite",
        "section": "flow",
        "name": "submissions",
        "unit": "1/s",
        "median": 11.0,
        "min": 10.0,
        "max": 12.0,
        "runs": [10.0, 12.0, 11.0],
        "loadavg": [1.5, 1.0, 0.5],
        "note": "",
    }
    failed = Figure("sqlite", "exports", "dta at 10", "-", [], note="FAILED: too long")
    assert failed.as_dict()["median"] is None
    assert "FAILED: too long" in figures_table([failed])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1234567, "1,234,567"),
        (1500.0, "1,500"),
        (123.4, "123"),
        (12.34, "12.3"),
        (1.234, "1.23"),
        (0.01234, "0.0123"),
        (0, "0"),
        (None, "-"),
    ],
)
def test_numbers_have_no_false_precision(value, shown):
    assert number(value) == shown


def test_table_aligns_numbers_right_and_text_left():
    out = table([("sqlite", 12.5, "fast"), ("postgresql", 1234.0, "")], ("db", "rate", "note"))
    lines = out.splitlines()
    assert lines[0].split() == ["db", "rate", "note"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].startswith("sqlite      ")
    assert lines[2].index("12.5") + len("12.5") == lines[3].index("1,234") + len("1,234")  # right-aligned
    with pytest.raises(ValueError):
        table([("only one",)], ("a", "b"))


def test_figures_table_has_median_min_max_runs_and_load():
    out = figures_table(
        [Figure("sqlite", "flow", "submissions", "1/s", [10.0, 30.0, 20.0], loadavg=[2, 1, 0.5])]
    )
    header, _rule, row = out.splitlines()
    assert header.split()[:8] == ["db", "section", "figure", "unit", "median", "min", "max", "runs"]
    assert row.split()[:8] == ["sqlite", "flow", "submissions", "1/s", "20.0", "10.0", "30.0", "3"]
    assert "2.0/1.0/0.5" in row


def test_statement_counter_counts_statements_and_transactions_per_label():
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with StatementCounter(engine) as counter:
        counter.label = "write"
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": 2}, {"x": 3}])  # one executemany
        counter.label = "read"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 3
            conn.rollback()
    write, read = counter.buckets["write"], counter.buckets["read"]
    assert (write.statements, write.begins, write.commits) == (2, 1, 1)
    assert write.sql[1].startswith("executemany: INSERT INTO t")
    assert (read.statements, read.begins, read.commits, read.rollbacks) == (1, 1, 0, 1)
    assert counter.total.statements == 3
    with engine.connect() as conn:  # the listeners are gone after the block
        conn.execute(text("SELECT 1"))
    assert counter.total.statements == 3


def test_statement_counter_does_not_count_transaction_control_sent_as_sql():
    engine = create_engine("sqlite://")
    with StatementCounter(engine) as counter, engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.exec_driver_sql("SELECT 1")
        conn.exec_driver_sql("COMMIT")
    assert counter.total.statements == 1
