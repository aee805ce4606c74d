"""Respondent pages: the invitation link `/u/<token>` and the public link `/e/<public_token>`.

Both (and the staff preview) run through `run()`: the start page, one page of questions per
`?pagina=<key>`, the summary at `?stap=overzicht`, and the thank-you page once submitted.
A post that meets a busy database (`respond()`) is rolled back and answered with the same step
again, filled in with what was sent, a message, status 503 and Retry-After: nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, flash, g, redirect, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.core import chrome, transactions
from app.core.chrome import render_in_frame
from app.core.database import BUSY_ERRORS, plain_transactions
from app.core.errors import busy_response, log_busy
from app.core.forms import csrf_token
from app.core.prepared import reads_outside_transactions
from app.extensions import db
from app.surveys import flow, respondents
from app.surveys.forms import StartForm, make_response_form
from app.surveys.services import status_key
from app.surveys.summary import summarise, summary_html
from app.surveys.visibility import prune_hidden, visible_pages, visible_questions

bp = Blueprint("surveys", __name__, template_folder="templates")
log = logging.getLogger(__name__)

PAGE, STEP, SUMMARY, THANKS = "pagina", "stap", "overzicht", "bedankt"


def locale() -> str:
    return str(get_locale() or "nl")


def link_not_working(count: bool = True):
    """One page, one status for every link that does not work (nothing tells the cases apart).

    Secret links (invitation, resume) are counted, so that guessing them ends in 429; a public link
    that is switched off is not: a hall full of people behind one address may all open it.
    """
    g.no_store = True
    if count:
        respondents.count_failed_link()
        db.session.commit()
    return render_template("surveys/respond/link_invalid.html"), 404


@bp.route("/u/<token>", methods=["GET", "POST"])
def respond_invitation(token: str):
    """An organisation's personal invitation link (shared by its colleagues)."""

    def way_in(for_update: bool):
        # Inside the flow's busy handling: on a POST this is the transaction's first statement.
        found = respondents.open_invitation(token)
        if found is None:
            return None
        invitation, current = found
        return respondents.InvitationRespondent(invitation, token, for_update=for_update, current=current)

    return respond(way_in, read_first=True)


@bp.route("/e/<public_token>", methods=["GET", "POST"])
def respond_public(public_token: str):
    """The survey's public link (only while it is switched on)."""

    def way_in(for_update: bool):
        survey = respondents.find_public_survey(public_token)
        return None if survey is None else respondents.PublicRespondent(survey, for_update=for_update)

    return respond(way_in, count_failures=False)  # a switched-off public link is not a guess


def respond(
    way_in: Callable[[bool], respondents.Respondent | None],
    count_failures: bool = True,
    read_first: bool = False,
):
    """Run the flow for the respondent `way_in(for_update)` finds (None: the link does not work,
    counted towards the guessing limit unless `count_failures` is off).

    A post with `read_first` reads without the write lock and writes only if what it read is
    unchanged; else (`respondents.Changed`: a colleague saved or submitted meanwhile) it is run
    again, reading under the write lock. A post that meets a busy database before its commit is
    rolled back and shown again (503).
    """
    if request.method != "POST":
        with reads_outside_transactions():  # SQLite: the page's reads need no transaction of their own
            respondent = way_in(False)
            return link_not_working(count_failures) if respondent is None else run(respondent)
    try:
        if read_first:
            try:
                respondent = read_without_lock(way_in)
                return link_not_working(count_failures) if respondent is None else run(respondent)
            except respondents.Changed:
                transactions.rollback()  # nothing was written
        respondent = way_in(True)
        return link_not_working(count_failures) if respondent is None else run(respondent)
    except BUSY_ERRORS as error:
        if g.get("answers_committed"):
            raise  # stored after all: the generic 503 page, and a reload shows the answers
        log_busy(log, error)
        transactions.rollback()
    g.no_store = True
    with plain_transactions():  # a reader does not wait for SQLite's write lock
        respondent = way_in(False)
        if respondent is None:
            return link_not_working(count_failures)
        return busy_response(busy_step(respondent))


def read_without_lock(way_in: Callable[[bool], respondents.Respondent | None]):
    """The respondent of a post with what its writes depend on, read without SQLite's write lock:
    on SQLite each read on its own, outside any transaction, so the post's one transaction holds
    the lock only for its writes; elsewhere in the request's transaction. The writes then check
    that nothing changed (`Respondent.read_for_writes`)."""
    with plain_transactions(), reads_outside_transactions():
        respondent = way_in(False)
        if respondent is not None:
            respondent.read_for_writes()
    transactions.end_reads()  # (a first read of a version begins one through the ORM)
    return respondent


def commit() -> None:
    """The request's one commit; what follows only reads."""
    transactions.commit()
    g.answers_committed = True


@bp.route("/e/<public_token>/verder/<resume>")
def resume_public(public_token: str, resume: str):
    """A resume link: continue a public-link draft in this browser (e.g. on another device)."""
    respondents.refuse_link_guessing()
    survey = respondents.find_public_survey(public_token)
    if survey is None or not respondents.adopt_resume(survey, resume):
        return link_not_working()
    respondent = respondents.PublicRespondent(survey)
    page = respondent.draft.page_key if respondent.draft else None
    return redirect(respondent.url(**({PAGE: page} if page else {})))


def run(respondent: respondents.Respondent):
    """The flow for any way in: thank-you, closed, start, a page, or the summary."""
    g.no_store = True  # answers in progress must not sit in shared caches
    preview = respondent.kind == "preview"
    if respondent.is_finished or (preview and request.args.get(STEP) == THANKS):
        return thanks_page(respondent)
    if not preview and not respondent.survey.is_accepting():
        return render_in_frame(
            "surveys/respond/closed.html", r=respondent, status=status_key(respondent.survey)
        )
    if request.args.get(STEP) == SUMMARY:
        return summary_step(respondent)
    if request.args.get(PAGE):
        return page_step(respondent, request.args[PAGE])
    return start_step(respondent)


def respondent_name() -> str | None:
    if current_user.is_authenticated:
        return current_user.name
    return session.get(respondents.SESSION_NAME)


def _context(respondent: respondents.Respondent, **extra) -> dict:
    pages = visible_pages(respondent.definition, respondent.answers)
    return {
        "r": respondent,
        "definition": respondent.definition,
        "locale": locale(),
        "pages": pages,
        "preview": respondent.kind == "preview",
        **extra,
    }


def start_step(respondent: respondents.Respondent):
    """Title, intro, what is stored (the anonymity mode) and, for shared links, an optional name."""
    ask_name = respondent.kind != "public" and respondent.anonymity != "anonymous"
    ask_name = ask_name and not current_user.is_authenticated
    form = StartForm(name=session.get(respondents.SESSION_NAME))
    if request.method == "POST" and form.validate():
        if ask_name:
            session[respondents.SESSION_NAME] = (form.name.data or "").strip() or None
        pages = visible_pages(respondent.definition, respondent.answers)
        keys = [p.key for p in pages]
        page_key = respondent.draft.page_key if respondent.draft is not None else None
        return redirect(respondent.url(**{PAGE: page_key if page_key in keys else keys[0]}))
    return render_in_frame("surveys/respond/start.html", form=form, ask_name=ask_name, **_context(respondent))


def page_step(respondent: respondents.Respondent, page_key: str):
    """One page of questions: show it, or save its answers and move back or on."""
    definition, answers = respondent.definition, respondent.answers
    pages = visible_pages(definition, answers)
    page = next((p for p in pages if p.key == page_key), None)
    if page is None:
        return redirect(respondent.url(**{PAGE: pages[0].key}))
    form_class = make_response_form(definition, page, locale())
    if request.method != "POST":
        blank = respondent.draft is None and respondent.resume_url is None  # nothing of their own
        if blank and respondent.kind != "preview" and chrome.frameable():
            return _blank_page(respondent, page, form_class)
        form = form_class.prefilled(visible_questions(definition, answers, page), answers)
        return _render_page(respondent, page, form)

    page_answers, errors, visible = flow.read_page(definition, answers, page, request.form)
    shown = set(request.form.getlist("getoond"))
    revealed = [q for q in visible if q.key not in shown]
    errors = {key: error for key, error in errors.items() if key in shown}
    merged = flow.merge_page(answers, page, page_answers)
    previous, following = flow.neighbours(visible_pages(definition, merged), page)
    action = request.form.get("actie", "volgende")
    stays = bool(errors or revealed) or action == "bewaren"
    # Where a colleague or another device resumes: the page this respondent goes to now.
    resume_at = (previous or page) if action == "vorige" else (following if following and not stays else page)
    respondent.save(merged, resume_at.key, respondent_name())
    commit()
    with plain_transactions():  # saved; showing the page again only reads
        if action == "vorige":
            return redirect(respondent.url(**{PAGE: previous.key}) if previous else respondent.url())
        if errors or revealed:
            form = form_class(questions=visible)
            form.attach(errors)
            if revealed:
                form.notices.append(
                    _(
                        "Door uw antwoord zijn er vragen bijgekomen op deze pagina. "
                        "Vul ze in en ga dan verder."
                    )
                )
            return _render_page(respondent, page, form)
        if action == "bewaren":
            flash(_("Uw antwoorden zijn bewaard. U kunt later verdergaan via dezelfde link."), "success")
            return redirect(respondent.url(**{PAGE: page.key}))
        if following is None:
            return redirect(respondent.url(**{STEP: SUMMARY}))
        return redirect(respondent.url(**{PAGE: following.key}))


def _page_context(respondent, page, form, **extra) -> dict:
    context = _context(respondent, page=page, form=form, **extra)
    keys = [p.key for p in context["pages"]]
    context["position"] = keys.index(page.key) + 1 if page.key in keys else 1
    return context


def _render_page(respondent, page, form, **extra):
    return render_in_frame("surveys/respond/page.html", **_page_context(respondent, page, form, **extra))


_TOKEN_MARK = "<!--wwwelzijn:csrf-token-->"  # noqa: S105 - a marker, not a secret


def _blank_page(respondent: respondents.Respondent, page, form_class):
    """A page of a respondent who has answered nothing yet (no draft): the same page for everyone
    but the CSRF token, so its title and content are rendered once per definition, page,
    language, way in and script root, and kept (in the frame of `chrome.in_frame`)."""

    def build() -> str:
        form = form_class.prefilled(visible_questions(respondent.definition, {}, page), {})
        rendered = chrome.render_parts("surveys/respond/page.html", **_page_context(respondent, page, form))
        return rendered.replace(f'value="{form.csrf_token.current_token}"', f'value="{_TOKEN_MARK}"')

    key = (
        "blank page",
        respondent.definition.fingerprint,
        page.key,
        locale(),
        respondent.kind,
        request.root_path,
    )
    return chrome.in_frame(chrome.kept(key, build).replace(_TOKEN_MARK, csrf_token()))


def thanks_page(respondent: respondents.Respondent):
    """The thank-you page: the same for every respondent of a definition who answered the same way
    in, in one language (and with or without answers of their own to compare), so kept."""
    if not chrome.frameable() or respondent.kind == "preview":
        return render_in_frame("surveys/respond/thanks.html", r=respondent)
    own = bool(session.get(respondents.OWN_RESPONSES))
    key = ("thanks", respondent.definition.fingerprint, respondent.survey.slug, locale(), respondent.kind)
    key += (respondent.anonymity, own, request.root_path)
    return chrome.in_frame(
        chrome.kept(key, lambda: chrome.render_parts("surveys/respond/thanks.html", r=respondent))
    )


def summary_step(respondent: respondents.Respondent):
    """Every visible answer with a link to change it, then the final submit."""
    if not respondent.started:
        if request.method == "POST" and respondent.lost_draft:
            # A second click on "send" after the first one went through: just say thank you.
            return thanks_page(respondent)
        return redirect(respondent.url())
    definition = respondent.definition
    final, problems = flow.check_complete(definition, respondent.answers)
    if request.method == "POST" and not problems:
        user_id = current_user.id if current_user.is_authenticated else None
        respondent.submit(final, user_id)
        commit()
        if respondent.kind == "preview":
            return redirect(respondent.url(**{STEP: THANKS}))
        return redirect(respondent.url())
    return render_in_frame(
        "surveys/respond/summary.html",
        **_summary(respondent),
        problems=problems,
        tried=request.method == "POST",
        **_context(respondent),
    )


def _summary(respondent: respondents.Respondent) -> dict:
    """The summary page's answers, page by page (`summary_rows`, HTML)."""
    definition = respondent.definition
    summary = summarise(definition, prune_hidden(definition, respondent.answers), locale())
    rows = summary_html(summary, lambda key: respondent.url(**{PAGE: key}), _("niet beantwoord"), _("wijzig"))
    return {"summary_rows": rows}


def busy_step(respondent: respondents.Respondent):
    """The step that was posted, shown again with what was sent (nothing was stored)."""
    if respondent.is_finished:
        return thanks_page(respondent)
    definition, answers = respondent.definition, respondent.answers
    if request.args.get(STEP) == SUMMARY and respondent.started:
        return render_in_frame(
            "surveys/respond/summary.html",
            **_summary(respondent),
            problems=[],
            tried=False,
            busy=_(
                "Het is nu even te druk om uw antwoorden te versturen. Ze zijn nog niet "
                "verstuurd, maar ook niet verloren: probeer over enkele seconden opnieuw."
            ),
            **_context(respondent),
        )
    pages = visible_pages(definition, answers)
    page = next((p for p in pages if p.key == request.args.get(PAGE)), None)
    if page is not None:
        _page_answers, _errors, visible = flow.read_page(definition, answers, page, request.form)
        form = make_response_form(definition, page, locale())(questions=visible)  # what was sent
        return _render_page(
            respondent,
            page,
            form,
            busy=_(
                "Het is nu even te druk om uw antwoorden te bewaren. Ze zijn "
                "nog niet bewaard, maar staan hieronder nog ingevuld: probeer "
                "over enkele seconden opnieuw."
            ),
        )
    ask_name = respondent.kind != "public" and respondent.anonymity != "anonymous"
    return render_in_frame(
        "surveys/respond/start.html",
        form=StartForm(),
        ask_name=ask_name and not current_user.is_authenticated,
        busy=_("Het is nu even te druk. Probeer over enkele seconden opnieuw."),
        **_context(respondent),
    )


@bp.app_template_filter("paragraphs")
def paragraphs(text: str | None) -> list[str]:
    """Plain text split on blank lines (definition intros)."""
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]
