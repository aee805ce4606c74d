"""Browser downloads of exports (researchers and admins)."""

from __future__ import annotations

import os
import tempfile

from flask import Blueprint, Response, abort, send_file, stream_with_context
from flask_login import current_user

from app.core.access import staff_required
from app.exports import services
from app.results.services import get_survey_for_results_or_404

bp = Blueprint("exports", __name__, template_folder="templates")


@bp.route("/resultaten/<slug>/export/<fmt>")
@staff_required
def download(slug: str, fmt: str):
    """One export of a survey, streamed when the format allows it, else through a temporary file."""
    if fmt not in services.FORMATS:
        abort(404)
    survey = get_survey_for_results_or_404(slug, current_user)
    name = services.filename(survey, fmt)
    mimetype = services.FORMATS[fmt][1]
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}
    if fmt == "codebook-html":
        headers["Content-Disposition"] = f'inline; filename="{name}"'
    if services.FORMATS[fmt][2]:
        body = stream_with_context(services.export_stream(survey, fmt))
        return Response(body, mimetype=mimetype, headers=headers)
    handle, path = tempfile.mkstemp(suffix="." + fmt)
    os.close(handle)
    try:
        services.export_file(survey, fmt, path)
        stream = open(path, "rb")  # noqa: SIM115 - closed by send_file's response
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    return send_file(stream, mimetype=mimetype, as_attachment=True, download_name=name)
