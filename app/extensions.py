"""Extensions, created unbound and bound to the app in create_app()."""

from flask import current_app, request, session
from flask_babel import Babel
from flask_login import LoginManager as _LoginManager
from flask_login.config import COOKIE_NAME
from flask_sqlalchemy import SQLAlchemy

from app.core.database import SESSION_OPTIONS
from app.core.models import Base


class LoginManager(_LoginManager):
    """Flask-Login, with a short way for a request that cannot carry a user.

    Without a user id in the session and without a remember cookie, Flask-Login ends with the
    anonymous user anyway, after hashing the address and browser into a session identifier and
    marking the (userless) session "not fresh" - a cookie rewrite for every new respondent. The
    answer is the same without that work; anything that could be a user takes the full way.
    """

    def _load_user(self):
        if session.get("_user_id") is None and (
            current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) not in request.cookies
        ):
            return self._update_request_context_with_user()
        return super()._load_user()


db = SQLAlchemy(model_class=Base, session_options=SESSION_OPTIONS)
login_manager = LoginManager()
babel = Babel()
