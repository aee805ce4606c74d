"""Meeting views: list, plan, view, edit, notes, actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.extensions import db
from app.meetings import services
from app.meetings.forms import ActionForm, MeetingForm, NotesForm
from app.networks.access import get_network_or_404

bp = Blueprint("meetings", __name__, template_folder="templates", url_prefix="/netwerken/<int:network_id>")


def _member_choices(network):
    return [(m.user_id, m.user.name) for m in network.active_memberships]


@bp.route("/bijeenkomsten")
@login_required
def list_meetings(network_id: int):
    """Members: upcoming and past meetings."""
    access = get_network_or_404(network_id, current_user)
    access.require_member()
    upcoming, past = services.list_meetings(access.network)
    return render_template(
        "meetings/list_meetings.html", access=access, network=access.network, upcoming=upcoming, past=past
    )


def _save_meeting(access, form, meeting=None):
    if meeting is None:
        return services.plan_meeting(
            access.network,
            current_user,
            form.title.data,
            form.starts_at(),
            form.duration_minutes.data,
            form.location.data,
            form.video_url.data,
            form.agenda.data,
        )
    services.update_meeting(
        meeting,
        form.title.data,
        form.starts_at(),
        form.duration_minutes.data,
        form.location.data,
        form.video_url.data,
        form.agenda.data,
    )
    return meeting


@bp.route("/bijeenkomsten/nieuw", methods=["GET", "POST"])
@login_required
def new_meeting(network_id: int):
    """Facilitators: plan a meeting."""
    access = get_network_or_404(network_id, current_user)
    access.require_facilitator()
    return _meeting_form(access, None)


@bp.route("/bijeenkomsten/<int:meeting_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_meeting(network_id: int, meeting_id: int):
    """Facilitators: change a meeting's time, place or agenda."""
    access = get_network_or_404(network_id, current_user)
    meeting = services.get_meeting_or_404(access, meeting_id)
    access.require_facilitator()
    return _meeting_form(access, meeting)


def _meeting_form(access, meeting):
    form = MeetingForm(obj=meeting) if request.method == "GET" else MeetingForm()
    if request.method == "GET" and meeting is not None:
        form.fill_from(meeting)
    if request.method == "POST" and form.validate():
        try:
            meeting = _save_meeting(access, form, meeting)
        except DomainError as error:
            db.session.rollback()
            form.location.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De bijeenkomst is bewaard."), "success")
            return redirect(
                url_for("meetings.view_meeting", network_id=access.network.id, meeting_id=meeting.id)
            )
    return render_template("meetings/edit_meeting.html", form=form, network=access.network, meeting=meeting)


@bp.route("/bijeenkomsten/<int:meeting_id>")
@login_required
def view_meeting(network_id: int, meeting_id: int):
    """Members: the meeting with its agenda, notes and actions."""
    access = get_network_or_404(network_id, current_user)
    meeting = services.get_meeting_or_404(access, meeting_id)
    action_form = ActionForm(formdata=None)
    action_form.owner_id.choices = _member_choices(access.network)
    return render_template(
        "meetings/view_meeting.html",
        access=access,
        network=access.network,
        meeting=meeting,
        action_form=action_form,
        done_form=CsrfOnlyForm(formdata=None),
    )


@bp.route("/bijeenkomsten/<int:meeting_id>/verslag", methods=["GET", "POST"])
@login_required
def edit_notes(network_id: int, meeting_id: int):
    """Members: write or update the notes of a meeting."""
    access = get_network_or_404(network_id, current_user)
    meeting = services.get_meeting_or_404(access, meeting_id)
    note = meeting.note
    form = NotesForm(obj=note) if request.method == "GET" else NotesForm()
    form.attendees.choices = _member_choices(access.network)
    if request.method == "GET" and note is not None:
        form.attendees.data = [u.id for u in note.attendees]
    if request.method == "POST" and form.validate():
        try:
            services.save_notes(
                meeting, current_user, form.attendees.data or [], form.discussed.data, form.decisions.data
            )
        except DomainError as error:
            db.session.rollback()
            form.attendees.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Het verslag is bewaard."), "success")
            return redirect(url_for("meetings.view_meeting", network_id=network_id, meeting_id=meeting.id))
    return render_template("meetings/edit_notes.html", form=form, network=access.network, meeting=meeting)


@bp.route("/verslagen/<int:note_id>")
@login_required
def view_note(network_id: int, note_id: int):
    """Members: a meeting's notes (on the meeting page)."""
    access = get_network_or_404(network_id, current_user)
    note = services.get_note_or_404(access, note_id)
    return redirect(
        url_for("meetings.view_meeting", network_id=network_id, meeting_id=note.meeting_id) + "#verslag"
    )


@bp.route("/bijeenkomsten/<int:meeting_id>/acties", methods=["POST"])
@login_required
def add_action(network_id: int, meeting_id: int):
    """Members: add an action item with an owner and a due date."""
    access = get_network_or_404(network_id, current_user)
    meeting = services.get_meeting_or_404(access, meeting_id)
    form = ActionForm()
    form.owner_id.choices = _member_choices(access.network)
    if form.validate():
        try:
            services.add_action(
                meeting, current_user, form.description.data, form.owner_id.data, form.due_on.data
            )
        except DomainError as error:
            db.session.rollback()
            form.owner_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De actie is toegevoegd."), "success")
            return redirect(
                url_for("meetings.view_meeting", network_id=network_id, meeting_id=meeting.id) + "#acties"
            )
    return (
        render_template(
            "meetings/view_meeting.html",
            access=access,
            network=access.network,
            meeting=meeting,
            action_form=form,
            done_form=CsrfOnlyForm(formdata=None),
        ),
        422,
    )


@bp.route("/acties/<int:action_id>")
@login_required
def view_action(network_id: int, action_id: int):
    """Members: an action item (on its meeting's page)."""
    access = get_network_or_404(network_id, current_user)
    action = services.get_action_or_404(access, action_id)
    return redirect(
        url_for("meetings.view_meeting", network_id=network_id, meeting_id=action.meeting_id)
        + f"#actie-{action.id}"
    )


@bp.route("/acties/<int:action_id>/klaar", methods=["POST"])
@login_required
def complete_action(network_id: int, action_id: int):
    """The owner (or a facilitator) marks an action done; it leaves the owner's overview."""
    access = get_network_or_404(network_id, current_user)
    action = services.get_action_or_404(access, action_id)
    try:
        services.complete_action(action, current_user, access.is_facilitator)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("De actie is afgerond."), "success")
    return redirect(
        url_for("meetings.view_meeting", network_id=network_id, meeting_id=action.meeting_id) + "#acties"
    )
