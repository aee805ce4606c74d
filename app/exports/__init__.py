"""Research exports (CSV, XLSX, SPSS, Stata, R, JSON, codebook) and the read-only JSON API."""

from flask import Blueprint, Flask

bp = Blueprint("exports", __name__, template_folder="templates")


@bp.route("/resultaten/<slug>/export/<fmt>")
def download(slug: str, fmt: str):  # replaced by the real view below
    return ""


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
