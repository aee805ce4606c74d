"""Staff pages: surveys with status and counts, open/close, dates, public link, preview, XLSForm import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.access import staff_required
from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.extensions import db
from app.surveys import respondents, services
from app.surveys.forms import DatesForm, XLSFormUploadForm
from app.surveys.views_respond import bp, run

PREFIX = "/beheer/bevragingen"


@bp.route(PREFIX + "/")
@staff_required
def list_surveys():
    """Every survey with its status, version and counts."""
    return render_template(
        "surveys/admin/list_surveys.html",
        surveys=services.list_surveys(),
        counts=services.survey_counts(),
        status_key=services.status_key,
    )


@bp.route(PREFIX + "/<int:survey_id>")
@staff_required
def view_survey(survey_id: int):
    """One survey: status, dates, public link, versions with fingerprints and response counts."""
    survey = services.get_survey_or_404(survey_id)
    dates = DatesForm(
        formdata=None,
        opens_on=services.local_day(survey.opens_at),
        closes_on=services.local_day(survey.closes_at, end=True),
    )
    return _render_survey(survey, dates)


def _render_survey(survey, dates: DatesForm):
    return render_template(
        "surveys/admin/view_survey.html",
        survey=survey,
        status=services.status_key(survey),
        counts=services.survey_counts().get(survey.id, {"drafts": 0, "responses": 0}),
        version_counts=services.version_response_counts(survey),
        versions=services.current_versions(survey),
        dates=dates,
        button=CsrfOnlyForm(formdata=None),
        public_url=url_for("surveys.respond_public", public_token=survey.public_token, _external=True),
        invitation_links=_invitation_links(survey),
    )


INVITATION_PAGES = (
    ("invitations.invite_organisations", _l("Organisaties uitnodigen")),
    ("invitations.list_invitations", _l("Uitnodigingen")),
    ("invitations.response_rates", _l("Respons")),
)


def _invitation_links(survey) -> list[tuple[str, str]]:
    """Links to the invitation pages of this survey, when that feature is installed."""
    return [
        (url_for(endpoint, slug=survey.slug), label)
        for endpoint, label in INVITATION_PAGES
        if endpoint in current_app.view_functions
    ]


@bp.route(PREFIX + "/<int:survey_id>/status", methods=["POST"])
@staff_required
def change_status(survey_id: int):
    """Open or close by hand (the model refuses bad transitions)."""
    survey = services.get_survey_or_404(survey_id)
    action = request.form.get("actie")
    try:
        if action == "openen":
            services.open_survey(survey, current_user)
            message = _("De bevraging is open.")
        elif action == "sluiten":
            services.close_survey(survey, current_user)
            message = _("De bevraging is gesloten.")
        else:
            abort(400)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("surveys.view_survey", survey_id=survey.id))


@bp.route(PREFIX + "/<int:survey_id>/data", methods=["POST"])
@staff_required
def change_dates(survey_id: int):
    """Opening and closing dates (scheduled opening is `is_accepting()` reading them)."""
    survey = services.get_survey_or_404(survey_id)
    form = DatesForm()
    if form.validate():
        try:
            services.set_dates(survey, form.opens_on.data, form.closes_on.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.closes_on.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De data zijn bewaard."), "success")
            return redirect(url_for("surveys.view_survey", survey_id=survey.id))
    return _render_survey(survey, form), 400


@bp.route(PREFIX + "/<int:survey_id>/open-link", methods=["POST"])
@staff_required
def change_public_link(survey_id: int):
    """Switch the public link on or off."""
    survey = services.get_survey_or_404(survey_id)
    enabled = request.form.get("actie") == "aan"
    services.set_public_link(survey, enabled, current_user)
    db.session.commit()
    flash(_("De open link staat aan.") if enabled else _("De open link staat uit."), "success")
    return redirect(url_for("surveys.view_survey", survey_id=survey.id))


@bp.route(PREFIX + "/<int:survey_id>/voorbeeld", methods=["GET", "POST"])
@staff_required
def preview_survey(survey_id: int):
    """The survey exactly as respondents see it; answers stay in the session, nothing is stored."""
    survey = services.get_survey_or_404(survey_id)
    respondent = respondents.PreviewRespondent(survey)
    if request.args.get("opnieuw"):
        respondent.reset()
        return redirect(respondent.url())
    return run(respondent)


@bp.route(PREFIX + "/xlsform", methods=["GET", "POST"])
@staff_required
def import_xlsform():
    """Upload an XLSForm and download it as YAML (or see every unsupported feature)."""
    from app.surveys.xlsform import XLSFormError, dump_yaml
    from app.surveys.xlsform import import_xlsform as convert

    form = XLSFormUploadForm()
    problems: list = []
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        if upload is None or not upload.filename or not upload.filename.lower().endswith(".xlsx"):
            form.file.errors.append(_("Kies een .xlsx-bestand."))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "form.xlsx"
                upload.save(path)
                try:
                    result = convert(path)
                except XLSFormError as refused:
                    problems = [str(p) for p in refused.problems]
                except Exception:  # a broken workbook: say so, never a traceback
                    form.file.errors.append(_("Dit bestand kon niet gelezen worden als XLSForm."))
                else:
                    name = (Path(upload.filename).stem or "vragenlijst") + ".yaml"
                    return Response(
                        dump_yaml(result.definition),
                        mimetype="application/x-yaml",
                        headers={"Content-Disposition": f'attachment; filename="{_safe(name)}"'},
                    )
    return render_template("surveys/admin/import_xlsform.html", form=form, problems=problems)


def _safe(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "-_.") or "vragenlijst.yaml"
