"""Result tallies: answer counts kept up to date in SQL, so results need not re-count every answer.

One row per (survey, breakdown, variable, item, value) with the number `n` of answer rows of the
responses counted so far (`responses.tallied = 0`; see app.results.tallies). `group_variable` ''
is all responses; otherwise the counts among the responses that answered `group_code` to that
profile variable (the findings board's breakdown by type of service and the profile filters).
Special items, with `value` 0: ANSWERED (-1), responses with a row for `variable` (variable ''
gives the responses themselves); and, with variable '' and group_code 0, the count (-2) and id
checksum (-3) of the responses counted, which tell when a counted response has been deleted.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

ANSWERED = -1
CONTROL_COUNT = -2
CONTROL_SUM = -3


class ResultTally(db.Model):
    __tablename__ = "result_tallies"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    group_variable: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_code: Mapped[float] = mapped_column(Float, primary_key=True)
    variable: Mapped[str] = mapped_column(String(64), primary_key=True)
    item: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[float] = mapped_column(Float, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
