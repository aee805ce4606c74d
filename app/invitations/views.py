"""Staff pages for inviting organisations and following the response; the public opt-out page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from app.core.access import staff_required
from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.extensions import db
from app.invitations import rates, services
from app.invitations.forms import OrganisationFilterForm, PreviewFilterForm, RemindForm
from app.invitations.models import Invitation
from app.surveys.models import Survey

bp = Blueprint("invitations", __name__, template_folder="templates")

ADMIN = "/beheer/bevragingen/<slug>"


@bp.route("/beheer/uitnodigingen")
@staff_required
def overview():
    """Every survey with how many organisations were invited and finished."""
    counts = dict(
        (row[0], row[1:])
        for row in db.session.execute(
            select(
                Invitation.survey_id, func.count(Invitation.id), func.count(Invitation.finished_on)
            ).group_by(Invitation.survey_id)
        )
    )
    surveys = list(db.session.scalars(select(Survey).order_by(Survey.created_at.desc())))
    return render_template("invitations/overview.html", surveys=surveys, counts=counts)


@bp.route(ADMIN + "/uitnodigen", methods=["GET", "POST"])
@staff_required
def invite_organisations(slug: str):
    """Pick organisations by type of service and region, see who would be invited, invite them."""
    survey = services.get_survey_or_404(slug)
    form = OrganisationFilterForm() if request.method == "POST" else PreviewFilterForm(request.args)
    if request.method == "POST" and form.validate():
        selection = services.select_organisations(survey, form.soort.data, form.regio.data)
        try:
            created = services.invite(survey, selection.to_invite, invited_by=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)s organisatie uitgenodigd.", "%(num)s organisaties uitgenodigd.", len(created)
                ),
                "success",
            )
            return redirect(url_for("invitations.list_invitations", slug=survey.slug))
    selection = services.select_organisations(survey, form.soort.data or (), form.regio.data or ())
    return render_template(
        "invitations/invite_organisations.html",
        survey=survey,
        form=form,
        confirm=OrganisationFilterForm(formdata=None, soort=form.soort.data, regio=form.regio.data),
        selection=selection,
    )


@bp.route(ADMIN + "/uitnodigingen")
@staff_required
def list_invitations(slug: str):
    """The survey's invitations with their status, and the reminder button."""
    survey = services.get_survey_or_404(slug)
    rows = [
        (invitation, org, rates.status_of(invitation, mail))
        for invitation, org, mail in rates.invitation_list(survey.id)
    ]
    return render_template(
        "invitations/list_invitations.html", survey=survey, rows=rows, remind_form=RemindForm(formdata=None)
    )


@bp.route(ADMIN + "/herinneren", methods=["POST"])
@staff_required
def send_reminders(slug: str):
    """Remind the unfinished invitations that got no mail for the chosen number of days."""
    survey = services.get_survey_or_404(slug)
    form = RemindForm()
    if not form.validate():
        flash(" ".join(form.min_days.errors), "error")
        return redirect(url_for("invitations.list_invitations", slug=slug))
    try:
        count = services.remind(survey, form.min_days.data)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            ngettext("%(num)s herinnering verstuurd.", "%(num)s herinneringen verstuurd.", count), "success"
        )
    return redirect(url_for("invitations.list_invitations", slug=slug))


@bp.route(ADMIN + "/respons")
@staff_required
def response_rates(slug: str):
    """Invited, started, finished, opted out and undeliverable: overall, per type and per region."""
    survey = services.get_survey_or_404(slug)
    return render_template(
        "invitations/response_rates.html",
        survey=survey,
        total=rates.overall(survey.id, _("Alle uitgenodigde organisaties")),
        by_type=rates.by_service_type(survey.id),
        by_region=rates.by_region(survey.id),
    )


@bp.route("/u/<token>/afmelden", methods=["GET", "POST"])
def opt_out(token: str):
    """Stop the mails about one survey: the link in every invitation and reminder."""
    invitation = services.find_invitation(token) or abort(404)
    form = CsrfOnlyForm()
    done = invitation.opted_out_at is not None
    if request.method == "POST" and form.validate():
        services.opt_out(invitation)
        db.session.commit()
        done = True
    return render_template(
        "invitations/opt_out.html",
        invitation=invitation,
        title=invitation.survey.definition.title,
        form=form,
        done=done,
    )
