"""Browser downloads of exports (researchers and admins)."""

from __future__ import annotations

import os
import tempfile

from flask import Blueprint, abort, send_file
from flask_login import current_user

from app.core.access import staff_required
from app.exports import services
from app.results.services import get_survey_for_results_or_404

bp = Blueprint("exports", __name__, template_folder="templates")


@bp.route("/resultaten/<slug>/export/<fmt>")
@staff_required
def download(slug: str, fmt: str):
    """One export of a survey, written to a temporary file and streamed from there.

    The builders stream rows (flat memory); going through a file keeps the database work inside
    the request (no session or cursor outlives it) and the download a plain file response.
    """
    if fmt not in services.FORMATS:
        abort(404)
    survey = get_survey_for_results_or_404(slug, current_user)
    handle, path = tempfile.mkstemp(suffix="." + services.FORMATS[fmt][0])
    os.close(handle)
    try:
        services.export_file(survey, fmt, path)
        stream = open(path, "rb")  # noqa: SIM115 - closed by send_file's response
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    response = send_file(
        stream,
        mimetype=services.FORMATS[fmt][1],
        as_attachment=fmt != "codebook-html",
        download_name=services.filename(survey, fmt),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
