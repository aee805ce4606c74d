"""The read-only JSON API for researchers: `Authorization: Bearer <personal token>`."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, request, url_for
from sqlalchemy import func, select

from app.exports.models import ApiToken, hash_api_token
from app.exports.openapi import openapi_document
from app.exports.rows import iter_rows
from app.exports.schema import build_columns
from app.extensions import db
from app.results import services as results
from app.surveys.models import Response, Survey

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 1000


def _error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wwwelzijn"'
    return response


def token_required(view):
    """Only an active token of an active researcher or admin; anything else is 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return _error(401, "missing bearer token")
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_api_token(value.strip()))
        )
        user = token.user if token is not None else None
        if token is None or not token.is_active or user is None or not user.is_active or not user.is_staff:
            return _error(401, "invalid or revoked token")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def _survey_or_404(slug: str):
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    return survey if survey is not None and survey.versions else None


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.route("/surveys")
@token_required
def list_surveys():
    """Every survey with its response count."""
    counts = dict(
        db.session.execute(select(Response.survey_id, func.count()).group_by(Response.survey_id)).all()
    )
    surveys = db.session.scalars(select(Survey).order_by(Survey.slug))
    return jsonify(
        {
            "surveys": [
                {
                    "slug": s.slug,
                    "title": s.definition.title.to_dict(),
                    "status": s.status,
                    "anonymity": s.anonymity,
                    "versions": len(s.versions),
                    "responses": counts.get(s.id, 0),
                    "results_public": s.results_public,
                }
                for s in surveys
                if s.versions
            ]
        }
    )


@bp.route("/surveys/<slug>/results")
@token_required
def survey_results(slug: str):
    """Counts per code, n, mean and median per variable; profile filters as on the results page."""
    survey = _survey_or_404(slug)
    if survey is None:
        return _error(404, "no such survey")
    filters = results.parse_filters(survey, request.args)
    page = results.survey_results(survey, filters, g.api_user, "en")
    out = []
    for res in page["results"]:
        out.append(
            {
                "variable": res.var.name,
                "type": res.var.type,
                "question": res.var.variable.text.to_dict(),
                "n": res.n,
                "counts": [{"code": r.code, "label": r.label, "count": r.count} for r in res.rows],
                "mean": res.mean,
                "median": res.median,
            }
        )
    return jsonify({"survey": slug, "filters": filters, "total": page["total"], "variables": out})


@bp.route("/surveys/<slug>/responses")
@token_required
def survey_responses(slug: str):
    """One page of responses as in the exports, keyset-paginated on the response id."""
    survey = _survey_or_404(slug)
    if survey is None:
        return _error(404, "no such survey")
    try:
        per_page = min(MAX_PER_PAGE, max(1, int(request.args.get("per_page", 100))))
        after = int(request.args.get("page") or 0)
    except ValueError:
        return _error(400, "page and per_page must be integers")
    columns = build_columns(survey)
    names = [c.name for c in columns]
    rows = [
        dict(zip(names, row, strict=True))
        for row in iter_rows(survey, columns, per_page, after=after, limit=per_page)
    ]
    next_page = rows[-1]["response_id"] if len(rows) == per_page else None
    body = {"survey": slug, "per_page": per_page, "responses": rows, "next_page": next_page}
    if next_page is not None:
        body["next"] = url_for(
            "api.survey_responses", slug=slug, page=next_page, per_page=per_page, _external=True
        )
    return jsonify(body)
