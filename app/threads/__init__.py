"""Exchange threads of a learning network: Markdown posts, unread markers, moderation, reports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.networks.registry import register_content
    from app.threads import hooks
    from app.threads.views import bp

    app.register_blueprint(bp)
    register_content(app, hooks.HOOKS)
    from app.threads.demo import load_demo

    app.extensions.setdefault("demo_loaders", []).append(load_demo)
