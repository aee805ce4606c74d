"""Admin pages of the organisation register."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.core.access import staff_required
from app.core.errors import DomainError
from app.extensions import db
from app.organisations import services
from app.organisations.forms import ConfirmImportForm, ImportForm, OrganisationForm
from app.organisations.models import REGIONS, SERVICE_TYPES, Organisation

bp = Blueprint("organisations", __name__, template_folder="templates", url_prefix="/beheer/organisaties")


@bp.route("/")
@staff_required
def list_organisations():
    """The register, filtered by type of service, region and name."""
    service_type = request.args.get("soort") if request.args.get("soort") in SERVICE_TYPES else None
    region = request.args.get("regio") if request.args.get("regio") in REGIONS else None
    query = request.args.get("q", "")[:100]
    orgs = services.list_organisations(service_type, region, query)
    return render_template(
        "organisations/list_organisations.html",
        organisations=orgs,
        service_types=SERVICE_TYPES,
        regions=REGIONS,
        selected={"soort": service_type or "", "regio": region or "", "q": query},
        total=services.count_organisations(),
    )


def _save(form: OrganisationForm, org: Organisation | None):
    try:
        saved = services.save_organisation(
            org, form.name.data, form.service_type.data, form.region.data, form.contact_email.data
        )
    except DomainError as error:
        db.session.rollback()
        form.name.errors.append(str(error))
        return None
    db.session.commit()
    return saved


@bp.route("/nieuw", methods=["GET", "POST"])
@staff_required
def add_organisation():
    """Add one organisation to the register."""
    form = OrganisationForm()
    if request.method == "POST" and form.validate() and _save(form, None):
        flash(_("De organisatie is toegevoegd."), "success")
        return redirect(url_for("organisations.list_organisations"))
    return render_template("organisations/edit_organisation.html", form=form, org=None)


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@staff_required
def edit_organisation(org_id: int):
    """Edit an organisation of the register."""
    org = db.session.get(Organisation, org_id) or abort(404)
    form = OrganisationForm(obj=org) if request.method == "GET" else OrganisationForm()
    if request.method == "POST" and form.validate() and _save(form, org):
        flash(_("De organisatie is bewaard."), "success")
        return redirect(url_for("organisations.list_organisations"))
    return render_template("organisations/edit_organisation.html", form=form, org=org)


def _import(report: services.ImportReport) -> list[Organisation]:
    """Import the valid rows in one transaction: all of them, or (on a clash with a change made
    since the check) none, with the reason flashed."""
    try:
        created = services.import_rows(report)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return []
    db.session.commit()
    return created


@bp.route("/importeren", methods=["GET", "POST"])
@staff_required
def import_organisations():
    """Step 1: upload a CSV; every row is checked and reported, nothing is imported yet."""
    form = ImportForm()
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors.append(_("Kies een CSV-bestand."))
        else:
            data = upload.read()
            report = services.parse_csv(services.decode_upload(data))
            if report.clean:
                if not _import(report):
                    return redirect(url_for("organisations.import_organisations"))
                flash(
                    ngettext(
                        "%(num)s organisatie geïmporteerd.",
                        "%(num)s organisaties geïmporteerd.",
                        len(report.rows),
                    ),
                    "success",
                )
                return redirect(url_for("organisations.list_organisations"))
            confirm = ConfirmImportForm(formdata=None, content=base64.b64encode(data).decode())
            return render_template(
                "organisations/import_report.html",
                report=report,
                confirm_form=confirm,
                filename=upload.filename,
            )
    return render_template("organisations/import_organisations.html", form=form)


@bp.route("/importeren/bevestigen", methods=["POST"])
@staff_required
def confirm_import():
    """Step 2: the admin confirms; only the valid rows of the (re-checked) file are imported."""
    form = ConfirmImportForm()
    if not form.validate():
        abort(400)
    try:
        data = base64.b64decode(form.content.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    report = services.parse_csv(services.decode_upload(data))
    if report.file_errors or not report.valid:
        flash(_("Er is niets geïmporteerd: het bestand bevat geen geldige rijen."), "error")
        return redirect(url_for("organisations.import_organisations"))
    created = _import(report)
    if not created:
        return redirect(url_for("organisations.import_organisations"))
    flash(
        _(
            "%(ok)s organisaties geïmporteerd, %(bad)s rijen overgeslagen.",
            ok=len(created),
            bad=len(report.rejected),
        ),
        "success",
    )
    return redirect(url_for("organisations.list_organisations"))


@bp.context_processor
def _labels():
    return {"service_types": SERVICE_TYPES, "regions": REGIONS}
