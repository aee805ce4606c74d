"""Results: aggregates with small-cell suppression, charts, the findings board, benchmarks."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.results.demo import load_demo_responses

    app.extensions.setdefault("demo_loaders", []).append(load_demo_responses)
