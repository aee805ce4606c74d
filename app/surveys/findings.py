"""The findings catalogue (surveys/findings.yaml) and quick polls (surveys/polls/*.yaml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from app.surveys.common import Option, Text, canonical_fingerprint


@dataclass(frozen=True)
class Finding:
    id: str
    section: str
    statement: Text
    interview_count: int | None = None
    interview_of: int | None = None
    note: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "section": self.section,
            "statement": self.statement.to_dict(),
        }
        if self.interview_count is not None:
            data["interview"] = {"count": self.interview_count, "of": self.interview_of}
        if self.note is not None:
            data["note"] = self.note.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        interview = data.get("interview") or {}
        return cls(
            id=data["id"],
            section=data["section"],
            statement=Text.from_dict(data["statement"]),
            interview_count=interview.get("count"),
            interview_of=interview.get("of"),
            note=Text.from_dict(data.get("note")),
        )


@dataclass(frozen=True)
class FindingsCatalogue:
    findings: tuple[Finding, ...] = ()

    @cached_property
    def _by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.findings}

    def get(self, finding_id: str) -> Finding | None:
        return self._by_id.get(finding_id)

    def __getitem__(self, finding_id: str) -> Finding:
        return self._by_id[finding_id]

    def __contains__(self, finding_id: object) -> bool:
        return finding_id in self._by_id

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FindingsCatalogue:
        return cls(tuple(Finding.from_dict(f) for f in data.get("findings", ())))


@dataclass(frozen=True)
class PollDefinition:
    slug: str
    question: Text
    options: tuple[Option, ...]
    multiple: bool = False
    opens: dt.date | None = None
    closes: dt.date | None = None
    show_results: bool = True

    def is_open(self, today: dt.date) -> bool:
        """Open on `today` (both `opens` and `closes` days included)."""
        return (self.opens is None or self.opens <= today) and (self.closes is None or today <= self.closes)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "slug": self.slug,
            "question": self.question.to_dict(),
            "multiple": self.multiple,
            "options": [o.to_dict() for o in self.options],
        }
        if self.opens is not None:
            data["opens"] = self.opens.isoformat()
        if self.closes is not None:
            data["closes"] = self.closes.isoformat()
        data["show_results"] = self.show_results
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PollDefinition:
        def day(value: Any) -> dt.date | None:
            if value is None or isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(value)

        return cls(
            slug=data["slug"],
            question=Text.from_dict(data["question"]),
            options=tuple(Option.from_dict(o) for o in data["options"]),
            multiple=bool(data.get("multiple", False)),
            opens=day(data.get("opens")),
            closes=day(data.get("closes")),
            show_results=bool(data.get("show_results", True)),
        )

    @cached_property
    def fingerprint(self) -> str:
        return canonical_fingerprint(self.to_dict())
