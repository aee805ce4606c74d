"""Results: aggregates with small-cell suppression, charts, the findings board, benchmarks."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.core.jobs import register_job
    from app.main.overview import NavEntry, register_nav
    from app.results import models  # noqa: F401 - tables belong to the metadata
    from app.results.demo import load_demo_responses
    from app.results.tallies import fold_all
    from app.results.views import bp

    app.register_blueprint(bp)
    app.config.setdefault("RESULTS_CACHE_SIZE", 128)
    app.extensions.setdefault("demo_loaders", []).append(load_demo_responses)
    # Counts new responses into the result tallies, so views seldom have to (app.results.tallies).
    register_job(app, "result-tallies", fold_all, every=60)
    register_nav(app, NavEntry(_l("Resultaten"), "results.list_results", lambda u: True, 60))
    register_nav(app, NavEntry(_l("Bevindingen"), "results.findings_board", lambda u: True, 61))
