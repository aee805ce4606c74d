"""Organisations of the welfare sector that answer surveys."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.extensions import db

# The types of service in the 2014 study (codes are stable: they are stored and exported).
SERVICE_TYPES: dict[str, object] = {
    "caw": _l("CAW / JAC"),
    "helpline": _l("Hulplijn"),
    "ocmw": _l("OCMW"),
    "clb": _l("CLB"),
    "mutuality": _l("Ziekenfonds"),
    "youth_care": _l("Jeugdhulp"),
    "psychiatric_care": _l("Psychiatrische zorg"),
    "expertise_centre": _l("Expertisecentrum"),
    "education": _l("Onderwijs"),
    "other": _l("Andere"),
}

REGIONS: dict[str, object] = {
    "antwerpen": _l("Antwerpen"),
    "limburg": _l("Limburg"),
    "oost_vlaanderen": _l("Oost-Vlaanderen"),
    "vlaams_brabant": _l("Vlaams-Brabant"),
    "west_vlaanderen": _l("West-Vlaanderen"),
    "brussel": _l("Brussel"),
}


def name_key(name: str) -> str:
    return " ".join(name.split()).lower()


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, whitespace-collapsed name: keeps the register free of duplicates.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    service_type: Mapped[str] = mapped_column(String(30), index=True)
    region: Mapped[str] = mapped_column(String(30), index=True)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def service_type_label(self) -> str:
        return str(SERVICE_TYPES.get(self.service_type, self.service_type))

    @property
    def region_label(self) -> str:
        return str(REGIONS.get(self.region, self.region))

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"
