"""Poll pages: voting through the short link or the embed, results, presenter view, admin."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import ratelimit
from app.core.errors import DomainError
from app.core.security import allow_framing
from app.extensions import db
from app.polls import services, voting
from app.polls.forms import EmbedVoteForm, VoteForm
from app.polls.models import Poll

bp = Blueprint("polls", __name__, template_folder="templates")


def _is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def _results_visible(poll: Poll) -> bool:
    return poll.show_results or _is_staff()


def short_url(poll: Poll) -> str:
    """The poll's link as people type it: the site's address plus /p/<slug>."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("polls.vote", slug=poll.slug)


def _codes() -> list[int]:
    codes = []
    for value in request.form.getlist("keuze"):
        try:
            codes.append(int(value))
        except ValueError:
            codes.append(-1)  # refused by the service as "not in the list"
    return codes


def _ballot(poll: Poll, form_class, endpoint: str, template: str):
    """GET shows the ballot (or the results); POST counts one vote per browser."""
    today = services.local_today()
    voted = voting.has_voted(poll, request.cookies)
    error, status = None, 200
    if request.method == "POST":
        form = form_class()
        nonce = voting.form_nonce(poll, form.form_token.data)
        if voted:
            error, status = (
                _("Je hebt al gestemd op deze poll. Vanuit dezelfde browser kan je maar één keer stemmen."),
                409,
            )
        elif nonce is None or not form.validate():
            error, status = _("Dit formulier is verlopen. Laad de pagina opnieuw en stem nog eens."), 400
        else:
            voting.limit_votes(poll, ratelimit.client_address())
            try:
                voting.cast_vote(poll, _codes(), nonce, today)
            except DomainError as exc:
                db.session.rollback()
                error, status = str(exc), 422
            else:
                db.session.commit()
                response = redirect(url_for(endpoint, slug=poll.slug, gestemd=1))
                voting.mark_voted(response, poll, url_for("polls.vote", slug=poll.slug), request.is_secure)
                return response
    form = form_class(formdata=None, form_token=voting.form_token(poll))
    # Right after a vote. Not tied to the cookie: a browser that refuses cookies in a frame
    # (the embed, on plain HTTP) still sees its thanks; the per-address limit still applies.
    thanks = request.args.get("gestemd") == "1"
    state = poll.state(today)
    show = poll.show_results and (voted or thanks or state == "closed")
    return (
        render_template(
            template,
            poll=poll,
            form=form,
            state=state,
            voted=voted,
            thanks=thanks,
            error=error,
            can_vote=state == "open" and not voted and not thanks,
            results=voting.results(poll, str(_locale())) if show else None,
            action=url_for(endpoint, slug=poll.slug),
        ),
        status,
    )


def _locale():
    from flask_babel import get_locale

    return get_locale() or "nl"


@bp.route("/p/<slug>", methods=["GET", "POST"])
def vote(slug: str):
    """The short link: vote once, then see the results if the poll shows them."""
    g.no_store = True
    return _ballot(services.get_poll_or_404(slug), VoteForm, "polls.vote", "polls/vote.html")


@bp.route("/p/<slug>/embed", methods=["GET", "POST"])
def embed(slug: str):
    """The only page other sites may frame: the same ballot without the site's menus."""
    g.no_store = True
    poll = services.get_poll_or_404(slug)
    response = current_app.make_response(_ballot(poll, EmbedVoteForm, "polls.embed", "polls/embed.html"))
    return allow_framing(response)


@bp.route("/p/<slug>/resultaten.json")
def results_json(slug: str):
    """Counts and percentages for the presenter view (polled every few seconds)."""
    poll = services.get_poll_or_404(slug)
    if not _results_visible(poll):
        abort(404)
    g.no_store = True
    data = voting.results(poll, str(_locale())).to_dict()
    data["state"] = poll.state(services.local_today())
    return jsonify(data)


@bp.route("/p/<slug>/presentatie")
def presenter(slug: str):
    """Live results for a screen in the room, with the short link and its QR code."""
    poll = services.get_poll_or_404(slug)
    if not _results_visible(poll):
        abort(404)
    return render_template(
        "polls/presenter.html",
        poll=poll,
        results=voting.results(poll, str(_locale())),
        short_url=short_url(poll),
        state=poll.state(services.local_today()),
        interval=current_app.config["POLL_PRESENTER_SECONDS"],
    )


@bp.route("/p/<slug>/qr.svg")
def qr_code(slug: str):
    """The short link as a QR code, drawn by the site itself (SVG)."""
    import segno

    poll = services.get_poll_or_404(slug)
    buffer = io.BytesIO()
    segno.make(short_url(poll), error="m").save(
        buffer, kind="svg", scale=1, border=2, omitsize=True, xmldecl=False, dark="#000", light="#fff"
    )
    response = current_app.response_class(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
