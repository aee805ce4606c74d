"""Results: aggregates with small-cell suppression, charts, the findings board, benchmarks."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.main.overview import NavEntry, register_nav
    from app.results.demo import load_demo_responses
    from app.results.views import bp

    app.register_blueprint(bp)
    app.config.setdefault("RESULTS_CACHE_SIZE", 128)
    app.extensions.setdefault("demo_loaders", []).append(load_demo_responses)
    register_nav(app, NavEntry(_l("Resultaten"), "results.list_results", lambda u: True, 60))
    register_nav(app, NavEntry(_l("Bevindingen"), "results.findings_board", lambda u: True, 61))
