"""Building blocks shared by questionnaires, findings and polls."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Text:
    """Translatable text; `get()` falls back to Dutch."""

    nl: str
    en: str | None = None

    def get(self, locale: str | None = None) -> str:
        if locale and locale.lower().startswith("en") and self.en:
            return self.en
        return self.nl

    def __str__(self) -> str:
        return self.nl

    def to_dict(self) -> dict[str, str]:
        return {"nl": self.nl} if self.en is None else {"nl": self.nl, "en": self.en}

    @classmethod
    def from_dict(cls, data: Mapping[str, str] | None) -> Text | None:
        return None if data is None else cls(data["nl"], data.get("en"))


@dataclass(frozen=True)
class FindingLink:
    """`test:` on a question, matrix row or option. `supports`: single_choice codes."""

    finding: str
    reverse: bool = False
    supports: tuple[int, ...] = ()

    def to_dict(self) -> str | dict[str, Any]:
        return {"finding": self.finding, "reverse": True} if self.reverse else self.finding

    @classmethod
    def from_dict(cls, data: Any, supports: Any = ()) -> FindingLink | None:
        if data is None:
            return None
        if isinstance(data, str):
            return cls(data, False, tuple(supports or ()))
        return cls(data["finding"], bool(data.get("reverse")), tuple(supports or ()))


@dataclass(frozen=True)
class Option:
    code: int
    label: Text
    test: FindingLink | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "label": self.label.to_dict()}
        if self.test is not None:
            data["test"] = self.test.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        label = Text.from_dict(data["label"])
        return cls(data["code"], label, FindingLink.from_dict(data.get("test")))


def canonical_fingerprint(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
