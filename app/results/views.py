"""Results pages, the findings board and the respondent's own benchmark (thin views over services)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.core.access import staff_required
from app.extensions import db
from app.results import benchmark, board, queries, services
from app.results.charts import bar_chart_svg
from app.results.forms import PublishForm
from app.results.variables import merged_variables, profile_filters

bp = Blueprint("results", __name__, template_folder="templates")

OWN_RESPONSES_KEY = "own_responses"
MAX_PAGE = 100_000


def _locale() -> str:
    return str(get_locale() or "nl")


@bp.route("/resultaten/")
def list_results():
    """Surveys whose results the visitor may see."""
    return render_template("results/list_results.html", surveys=services.visible_surveys(current_user))


@bp.route("/resultaten/<slug>")
def view_results(slug: str):
    """Per-question results with profile filters and a cross-tab of two closed questions."""
    survey = services.get_survey_for_results_or_404(slug, current_user)
    variables = merged_variables(survey)
    filters = services.parse_filters(survey, request.args, variables)
    locale = _locale()
    page = services.survey_results(survey, filters, current_user, locale)
    row, col = request.args.get("rij", ""), request.args.get("kolom", "")
    table = services.crosstab(survey, row, col, filters, locale) if row and col else None
    hidden_text = f"< {services.suppression_min()}"

    def questions_html():
        charts = {r.var.name: bar_chart_svg(r.rows, hidden_text) for r in page["results"] if r.rows}
        return Markup(  # noqa: S704 - rendered by our own autoescaping template
            render_template(
                "results/_questions.html",
                survey=survey,
                page=page,
                charts=charts,
                hidden_text=hidden_text,
                locale=locale,
                minimum=services.suppression_min(),
            )
        )

    # The per-question part is most of the page: rendered once per data stamp, filter and viewer kind.
    html_key = ("html", queries.filter_key(filters), locale, page["staff"], request.query_string.decode())
    return render_template(
        "results/view_results.html",
        survey=survey,
        page=page,
        questions_html=queries.cached(survey.id, html_key, questions_html),
        filter_vars=profile_filters(survey, variables),
        selected={k: request.args.getlist(k) for k in profile_filters(survey, variables)},
        closed=[v for v in variables if v.is_closed],
        crosstab=table,
        crosstab_args={"rij": row, "kolom": col},
        hidden_text=hidden_text,
        locale=locale,
        minimum=services.suppression_min(),
    )


@bp.route("/resultaten/<slug>/openbaar", methods=["POST"])
@staff_required
def publish_results(slug: str):
    """Switch the survey's public (suppressed) results on or off."""
    survey = services.get_survey_for_results_or_404(slug, current_user)
    form = PublishForm()
    if form.validate():
        public = form.public.data == "1"
        services.set_results_public(survey, public, current_user)
        db.session.commit()
        flash(
            _("De resultaten zijn nu openbaar.") if public else _("De resultaten zijn niet meer openbaar."),
            "success",
        )
    return redirect(url_for("results.view_results", slug=slug))


@bp.route("/resultaten/<slug>/tekst/<name>")
@staff_required
def text_answers(slug: str, name: str):
    """The free-text answers to one question, paginated (researchers and admins only)."""
    survey = services.get_survey_for_results_or_404(slug, current_user)
    filters = services.parse_filters(survey, request.args)
    page = request.args.get("pagina", "1")
    # Bounded: ?pagina=99999999999999999999 made an OFFSET the database cannot hold (a 500).
    page = min(int(page), MAX_PAGE) if page.isdigit() and len(page) <= 9 else 1
    var, answers, total = services.text_answers(survey, name, filters, page)
    return render_template(
        "results/text_answers.html",
        survey=survey,
        var=var,
        text=var.text(_locale()),
        answers=answers,
        total=total,
        page=page,
        per_page=50,
        args={k: v for k, v in request.args.items(multi=True) if k != "pagina"},
    )


@bp.route("/bevindingen")
def findings_board():
    """One row per finding of the 2014 study: interviews beside the survey, with a verdict."""
    slug, locale, staff = request.args.get("bevraging"), _locale(), services.is_staff(current_user)
    surveys = services.visible_surveys(current_user)
    stamp = tuple((s.id, *queries.data_stamp(s.id)) for s in surveys)

    def render():
        data = board.findings_board(current_user, slug, locale)
        return render_template("results/findings_board.html", board=data, rule=board.VERDICT_RULE)

    # One rendering per data stamp of the visible surveys, choice of survey, language and viewer kind.
    return queries.cached(
        0, ("board-page", slug, locale, staff, board.catalogue_stamp()), render, stamp=stamp
    )


@bp.route("/resultaten/<slug>/mijn-antwoorden")
def own_answers(slug: str):
    """A respondent's own answers beside the sector's distribution (groups of 5 or more)."""
    g.no_store = True  # somebody's own answers, shown without a login: never in a cache
    data = benchmark.own_benchmark(slug, session.get(OWN_RESPONSES_KEY) or [], _locale())
    if data is None:
        abort(404)
    return render_template("results/own_answers.html", data=data)
