"""Public home page, personal overview, language switch, health check."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.main.views import bp

    app.register_blueprint(bp)
