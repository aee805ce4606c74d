"""`cached_url_for`: fixed links are kept, per script root; links with arguments are built each time."""

import pytest

from app.core.urls import cached_url_for


def test_fixed_links_are_kept_per_script_root_and_other_links_built_as_usual(app):
    with app.test_request_context("/"):
        assert cached_url_for("static", filename="css/site.css") == "/static/css/site.css"
        assert cached_url_for("main.index") == "/"
        assert cached_url_for("main.set_language", code="en", next="/a") != cached_url_for(
            "main.set_language", code="en", next="/b"
        )
    with app.test_request_context("/", base_url="http://localhost/onder"):  # behind a path prefix
        assert cached_url_for("static", filename="css/site.css") == "/onder/static/css/site.css"
        assert cached_url_for("main.index") == "/onder/"
    with app.app_context(), pytest.raises(RuntimeError):  # outside a request: url_for's own rules
        cached_url_for("main.index")  # (no SERVER_NAME here), never a path kept from a request
