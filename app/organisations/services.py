"""Register operations and the CSV import. They flush, never commit."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.core.forms import valid_email
from app.extensions import db
from app.organisations.models import REGIONS, SERVICE_TYPES, Organisation, name_key

log = logging.getLogger(__name__)

MAX_IMPORT_ROWS = 5000
COLUMNS = ("name", "service_type", "region", "contact_email")
# Header aliases accepted in CSV files (Dutch and English).
HEADER_ALIASES = {
    "name": "name",
    "naam": "name",
    "organisatie": "name",
    "service_type": "service_type",
    "type": "service_type",
    "soort_dienst": "service_type",
    "soort": "service_type",
    "type dienst": "service_type",
    "region": "region",
    "regio": "region",
    "provincie": "region",
    "contact_email": "contact_email",
    "email": "contact_email",
    "e-mail": "contact_email",
    "e-mailadres": "contact_email",
    "contact": "contact_email",
    "contactadres": "contact_email",
    "contactadres (e-mail)": "contact_email",
    "contact address (email)": "contact_email",
    "type of service": "service_type",
}


def _header_key(title: str) -> str | None:
    """The column a header names; `Soort dienst`, `soort_dienst` and ` SOORT  DIENST ` alike."""
    words = " ".join(title.replace("_", " ").split()).lower()
    return HEADER_ALIASES.get(words) or HEADER_ALIASES.get(words.replace(" ", "_"))


def _label_lookup(options: dict) -> dict[str, str]:
    """Accept codes and labels (in either language), case-insensitively."""
    from flask_babel import force_locale

    lookup = {code.lower(): code for code in options}
    for locale in ("nl", "en"):
        with force_locale(locale):
            for code, label in options.items():
                lookup[str(label).strip().lower()] = code
    return lookup


def check_fields(name: str, service_type: str, region: str, contact_email: str | None) -> list[str]:
    """The problems with these values, as translated messages (empty when valid)."""
    problems = []
    if not name.strip():
        problems.append(_("naam ontbreekt"))
    elif len(name.strip()) > 200:
        problems.append(_("naam is langer dan 200 tekens"))
    if service_type not in SERVICE_TYPES:
        problems.append(_("onbekende soort dienst"))
    if region not in REGIONS:
        problems.append(_("onbekende regio"))
    if contact_email and not valid_email(contact_email):
        problems.append(_("ongeldig e-mailadres"))
    return problems


def find_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name_key == name_key(name)))


def save_organisation(
    org: Organisation | None, name: str, service_type: str, region: str, contact_email: str | None
) -> Organisation:
    """Create (org=None) or update an organisation; refuses a name already in the register."""
    name = " ".join(name.split())
    contact_email = (contact_email or "").strip().lower() or None
    problems = check_fields(name, service_type, region, contact_email)
    if problems:
        raise DomainError("; ".join(problems))
    other = find_by_name(name)
    if other is not None and (org is None or other.id != org.id):
        raise DomainError(_("Er staat al een organisatie met deze naam in het register."))
    if org is None:
        org = Organisation()
        db.session.add(org)
    org.name, org.name_key = name, name_key(name)
    org.service_type, org.region, org.contact_email = service_type, region, contact_email
    db.session.flush()
    return org


def list_organisations(
    service_type: str | None = None, region: str | None = None, query: str | None = None
) -> list[Organisation]:
    stmt = select(Organisation).order_by(Organisation.name_key)
    if service_type:
        stmt = stmt.where(Organisation.service_type == service_type)
    if region:
        stmt = stmt.where(Organisation.region == region)
    if query:
        stmt = stmt.where(Organisation.name_key.like(f"%{name_key(query)}%"))
    return list(db.session.scalars(stmt))


def count_organisations() -> int:
    return db.session.scalar(select(func.count(Organisation.id))) or 0


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.ok]

    @property
    def rejected(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def clean(self) -> bool:
        return not self.file_errors and not self.rejected and bool(self.rows)


def decode_upload(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else Windows-1252 (old Excel)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_csv(text: str) -> ImportReport:
    """Check every row of an organisations CSV (`,` or `;`) without importing anything."""
    report = ImportReport()
    if "\x00" in text:
        report.file_errors.append(_("Dit is geen tekstbestand (CSV)."))
        return report
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        report.file_errors.append(_("Het bestand is leeg."))
        return report
    mapping: dict[int, str] = {}
    for index, title in enumerate(header):
        key = _header_key(title)
        if key:
            mapping[index] = key
    missing = [c for c in ("name", "service_type", "region") if c not in mapping.values()]
    if missing:
        report.file_errors.append(
            _("Kolommen ontbreken in de eerste rij: %(cols)s.", cols=", ".join(missing))
        )
        return report
    services, regions = _label_lookup(SERVICE_TYPES), _label_lookup(REGIONS)
    seen: dict[str, int] = {}
    existing = set(db.session.scalars(select(Organisation.name_key)))
    try:
        for line_no, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(report.rows) >= MAX_IMPORT_ROWS:
                report.file_errors.append(_("Meer dan %(n)s rijen: splits het bestand.", n=MAX_IMPORT_ROWS))
                break
            values = {c: "" for c in COLUMNS}
            for index, cell in enumerate(raw):
                if index in mapping:
                    values[mapping[index]] = " ".join(cell.split())
            row = ImportRow(line=line_no, values=values)
            st = services.get(values["service_type"].lower())
            rg = regions.get(values["region"].lower())
            values["contact_email"] = values["contact_email"].lower()
            row.problems = check_fields(values["name"], st or "?", rg or "?", values["contact_email"])
            if st:
                values["service_type"] = st
            if rg:
                values["region"] = rg
            key = name_key(values["name"])
            if key and key in existing:
                row.problems.append(_("staat al in het register"))
            elif key and key in seen:
                row.problems.append(_("dubbel in het bestand (zie rij %(line)s)", line=seen[key]))
            seen.setdefault(key, line_no)
            report.rows.append(row)
    except csv.Error as error:
        report.file_errors.append(_("Het CSV-bestand is onleesbaar: %(error)s", error=str(error)))
    if not report.rows and not report.file_errors:
        report.file_errors.append(_("Het bestand bevat geen organisaties."))
    return report


def import_rows(report: ImportReport) -> list[Organisation]:
    """Import the valid rows of a checked report, all in the current transaction."""
    created = [
        save_organisation(
            None,
            row.values["name"],
            row.values["service_type"],
            row.values["region"],
            row.values["contact_email"] or None,
        )
        for row in report.valid
    ]
    log.info("imported %s organisations (%s rows rejected)", len(created), len(report.rejected))
    return created
