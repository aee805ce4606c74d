"""Practices of the learning networks, their four-eyes publication and the public showcase."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.main.overview import NavEntry, register_home_section, register_nav, register_overview_section
    from app.networks.registry import register_content
    from app.practices import hooks, public_views, views  # noqa: F401 - routes
    from app.practices.blueprint import bp

    app.register_blueprint(bp)
    register_content(app, hooks.HOOKS)
    register_nav(app, NavEntry(_l("Praktijken"), "practices.showcase", lambda u: True, 40))
    register_overview_section(app, hooks.review_section)
    register_home_section(app, hooks.home_section)
    from app.practices.demo import load_demo

    app.extensions.setdefault("demo_loaders", []).append(load_demo)
