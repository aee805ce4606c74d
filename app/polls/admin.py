"""Admin pages of polls: list, create, edit, and a poll's page with results and share snippets."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.validators import Optional

from app.core.access import staff_required
from app.core.errors import DomainError
from app.extensions import db
from app.polls import services, voting
from app.polls.forms import PollForm
from app.polls.models import Poll
from app.polls.views import bp, short_url
from app.surveys.common import Text

ADMIN = "/beheer/polls"


@bp.route(ADMIN + "/")
@staff_required
def list_polls():
    """Every poll with its state and number of votes."""
    return render_template(
        "polls/list_polls.html",
        polls=services.list_polls(),
        votes=services.vote_counts(),
        today=services.local_today(),
    )


def _fields(form: PollForm, poll: Poll | None, locked: bool) -> services.PollFields:
    options = (
        services.PollFields.of(poll).options
        if locked
        else services.parse_option_lines(form.options_nl.data, form.options_en.data)
    )
    return services.PollFields(
        Text(form.question_nl.data.strip(), (form.question_en.data or "").strip() or None),
        options,
        poll.is_multiple if locked else form.kind.data == "multiple",
        form.opens_on.data,
        form.closes_on.data,
        bool(form.show_results.data),
    )


def _save(form: PollForm, poll: Poll | None, locked: bool) -> Poll | None:
    try:
        slug = form.slug.data or (
            poll.slug if poll else services.unique_slug(services.slug_from(form.question_nl.data))
        )
        saved = services.save_poll(poll, slug, _fields(form, poll, locked), created_by=current_user)
    except DomainError as error:
        db.session.rollback()
        form.question_nl.errors.append(str(error))
        return None
    db.session.commit()
    return saved


@bp.route(ADMIN + "/nieuw", methods=["GET", "POST"])
@staff_required
def create_poll():
    """A new poll: question, options, dates, whether voters see the results."""
    form = PollForm()
    if request.method == "POST" and form.validate():
        poll = _save(form, None, locked=False)
        if poll:
            flash(_("De poll is aangemaakt."), "success")
            return redirect(url_for("polls.view_poll", slug=poll.slug))
    return render_template("polls/edit_poll.html", form=form, poll=None, locked=False)


@bp.route(ADMIN + "/<slug>/bewerken", methods=["GET", "POST"])
@staff_required
def edit_poll(slug: str):
    """Change a poll made in the browser; its options are fixed once someone voted."""
    poll = services.get_poll_or_404(slug)
    if poll.source_path:
        flash(
            _("Deze poll komt uit een bestand: pas %(path)s aan en laad het opnieuw.", path=poll.source_path),
            "error",
        )
        return redirect(url_for("polls.view_poll", slug=poll.slug))
    locked = services.has_votes(poll)
    if request.method == "GET":
        form = PollForm(
            formdata=None,
            question_nl=poll.question_nl,
            question_en=poll.question_en,
            options_nl="\n".join(o.label_nl for o in poll.options),
            options_en="\n".join(o.label_en or "" for o in poll.options)
            if any(o.label_en for o in poll.options)
            else "",
            kind="multiple" if poll.is_multiple else "single",
            opens_on=poll.opens_on,
            closes_on=poll.closes_on,
            show_results=poll.show_results,
            slug=poll.slug,
        )
    else:
        form = PollForm()
        if locked:  # the options are fixed and not in the form
            form.options_nl.validators = [Optional()]
        if form.validate() and _save(form, poll, locked):
            flash(_("De poll is bewaard."), "success")
            return redirect(url_for("polls.view_poll", slug=poll.slug))
    return render_template("polls/edit_poll.html", form=form, poll=poll, locked=locked)


@bp.route(ADMIN + "/<slug>")
@staff_required
def view_poll(slug: str):
    """A poll's results, links, QR code and the iframe snippet to copy."""
    poll = services.get_poll_or_404(slug)
    return render_template(
        "polls/view_poll.html",
        poll=poll,
        results=voting.results(poll, str(get_locale() or "nl")),
        short_url=short_url(poll),
        state=poll.state(services.local_today()),
    )
