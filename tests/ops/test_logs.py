"""What an unexpected error writes to the log: the route, never the token in the path."""

from __future__ import annotations

import logging

from flask import Blueprint


def test_an_unhandled_error_logs_the_route_not_the_token(make_app, caplog):
    app = make_app()
    bp = Blueprint("ops_boom", __name__)

    @bp.route("/ops-boom/<token>")
    def boom(token):
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/ops-boom/secret-one-time-token")
    assert response.status_code == 500
    assert "GET /ops-boom/<token>" in caplog.text
    assert "secret-one-time-token" not in caplog.text
