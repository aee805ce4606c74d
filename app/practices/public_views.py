"""The public showcase of published practices: no account needed."""

from __future__ import annotations

from flask import render_template, request

from app.practices import services
from app.practices.blueprint import bp
from app.practices.vocab import TAG_KINDS


@bp.route("/praktijken")
def showcase():
    """Published practices, searchable and filterable by channel, target group and theme."""
    q = request.args.get("q", "").strip()[:200]
    selected = {kind: request.args.get(kind, "") for kind in TAG_KINDS}
    selected = {kind: code if code in TAG_KINDS[kind][1] else "" for kind, code in selected.items()}
    practices = services.published_practices(q, selected)
    return render_template("practices/showcase.html", practices=practices, q=q, selected=selected)


@bp.route("/praktijken/<int:practice_id>")
def public_practice(practice_id: int):
    """One published practice; organisation names only where the authors allowed it."""
    practice = services.get_published_or_404(practice_id)
    return render_template("practices/public_practice.html", practice=practice, preview=False)
