"""Extensions, created unbound and bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from app.core.models import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
babel = Babel()
