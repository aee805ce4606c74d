"""Thread views: list, start (also from a finding or survey result), read, reply, moderate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.database import immediate_transactions
from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.extensions import db
from app.networks.access import get_network_or_404
from app.networks.services import my_memberships
from app.threads import services
from app.threads.forms import MARKDOWN_HINT, HideForm, ReplyForm, ReportForm, ThreadForm
from app.threads.sources import clean_source, describe_source

bp = Blueprint("threads", __name__, template_folder="templates")
PREFIX = "/netwerken/<int:network_id>"


@bp.app_context_processor
def _helpers():
    return {"describe_source": describe_source, "markdown_hint": MARKDOWN_HINT}


@bp.route(PREFIX + "/gesprekken")
@login_required
def list_threads(network_id: int):
    """Members: the network's threads, most recent first, unread ones marked."""
    access = get_network_or_404(network_id, current_user)
    access.require_member()
    rows = services.list_threads(access.network, current_user)
    reports = services.open_reports(access.network) if access.is_facilitator else []
    return render_template(
        "threads/list_threads.html", access=access, network=access.network, rows=rows, reports=reports
    )


@bp.route(PREFIX + "/gesprekken/nieuw", methods=["GET", "POST"])
@login_required
def new_thread(network_id: int):
    """Members: start a thread; ?bron=finding&ref=<id> links it to a finding or survey result."""
    access = get_network_or_404(network_id, current_user)
    access.require_member()
    form = ThreadForm()
    if request.method == "GET":
        form.source_kind.data = request.args.get("bron", "")
        form.source_ref.data = request.args.get("ref", "")
    try:
        source = describe_source(*clean_source(form.source_kind.data, form.source_ref.data))
    except DomainError:
        abort(404)
    if request.method == "POST" and form.validate():
        try:
            thread = services.start_thread(
                access.network,
                current_user,
                form.title.data,
                form.body.data,
                form.source_kind.data,
                form.source_ref.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Het gesprek is gestart."), "success")
            return redirect(services.thread_url(network_id, thread.id))
    return render_template("threads/new_thread.html", form=form, network=access.network, source=source)


@bp.route("/netwerken/gesprek-starten")
@login_required
def choose_network():
    """Pick one of your networks to discuss a finding or survey result in."""
    try:
        kind, ref = clean_source(request.args.get("bron"), request.args.get("ref"))
    except DomainError:
        abort(404)
    if kind is None:
        abort(404)
    return render_template(
        "threads/choose_network.html",
        memberships=my_memberships(current_user),
        kind=kind,
        ref=ref,
        source=describe_source(kind, ref),
    )


def _thread_page(access, thread, reply_form, status=200):
    previous_read = services.last_read(thread, current_user)
    html = render_template(
        "threads/view_thread.html",
        access=access,
        network=access.network,
        thread=thread,
        reply_form=reply_form,
        action_form=CsrfOnlyForm(formdata=None),
        previous_read=previous_read,
    )
    if status == 200:
        # Reading is a write (the unread marker): end the read transaction first and record it
        # in a short write transaction of its own, so SQLite never has to upgrade a stale read.
        thread_id, user = thread.id, current_user._get_current_object()
        db.session.commit()
        with immediate_transactions():
            services.mark_read(db.session.get(type(thread), thread_id), user)
            db.session.commit()
    return html, status


@bp.route(PREFIX + "/gesprekken/<int:thread_id>")
@login_required
def view_thread(network_id: int, thread_id: int):
    """Members: a thread with its posts (new ones marked) and the reply form."""
    access = get_network_or_404(network_id, current_user)
    thread = services.get_thread_or_404(access, thread_id)
    return _thread_page(access, thread, ReplyForm(formdata=None))


@bp.route(PREFIX + "/gesprekken/<int:thread_id>/antwoorden", methods=["POST"])
@login_required
def reply(network_id: int, thread_id: int):
    """Members: reply to a thread."""
    access = get_network_or_404(network_id, current_user)
    thread = services.get_thread_or_404(access, thread_id)
    form = ReplyForm()
    if form.validate():
        try:
            post = services.reply(thread, current_user, form.body.data)
        except DomainError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Je antwoord staat online."), "success")
            return redirect(services.thread_url(network_id, thread.id) + f"#bericht-{post.id}")
    return _thread_page(access, thread, form, status=422)


@bp.route(PREFIX + "/berichten/<int:post_id>")
@login_required
def view_post(network_id: int, post_id: int):
    """Members: one post, shown in its thread."""
    access = get_network_or_404(network_id, current_user)
    post = services.get_post_or_404(access, post_id)
    return redirect(services.thread_url(network_id, post.thread_id) + f"#bericht-{post.id}")


@bp.route(PREFIX + "/berichten/<int:post_id>/verbergen", methods=["GET", "POST"])
@login_required
def hide_post(network_id: int, post_id: int):
    """Facilitators: hide a post with a reason that members see; logged."""
    access = get_network_or_404(network_id, current_user)
    post = services.get_post_or_404(access, post_id)
    access.require_facilitator()
    form = HideForm()
    if request.method == "POST" and form.validate():
        try:
            services.hide_post(post, current_user, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Het bericht is verborgen."), "success")
            return redirect(services.post_url(network_id, post.id))
    return render_template(
        "threads/moderate_post.html", form=form, network=access.network, post=post, mode="hide"
    )


@bp.route(PREFIX + "/berichten/<int:post_id>/tonen", methods=["POST"])
@login_required
def show_post(network_id: int, post_id: int):
    """Facilitators: make a hidden post visible again; logged."""
    access = get_network_or_404(network_id, current_user)
    post = services.get_post_or_404(access, post_id)
    access.require_facilitator()
    try:
        services.show_post(post, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Het bericht is weer zichtbaar."), "success")
    return redirect(services.post_url(network_id, post.id))


@bp.route(PREFIX + "/berichten/<int:post_id>/melden", methods=["GET", "POST"])
@login_required
def report_post(network_id: int, post_id: int):
    """Members: report a post to the facilitators."""
    access = get_network_or_404(network_id, current_user)
    post = services.get_post_or_404(access, post_id)
    form = ReportForm()
    if request.method == "POST" and form.validate():
        try:
            services.report_post(post, current_user, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Dank je. De begeleiders bekijken het bericht."), "success")
            return redirect(services.post_url(network_id, post.id))
    return render_template(
        "threads/moderate_post.html", form=form, network=access.network, post=post, mode="report"
    )


@bp.route(PREFIX + "/meldingen/<int:report_id>/afgehandeld", methods=["POST"])
@login_required
def resolve_report(network_id: int, report_id: int):
    """Facilitators: mark a report as handled."""
    access = get_network_or_404(network_id, current_user)
    report = services.get_report_or_404(access, report_id)
    try:
        services.resolve_report(report, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("De melding is afgehandeld."), "success")
    return redirect(url_for("threads.list_threads", network_id=network_id))
