"""Personal invitations, reminders, opt-out and response rates."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.invitations import models  # noqa: F401 - tables belong to the metadata
