"""Questionnaires from files: definitions, versions, the respondent flow, admin pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.surveys import models  # noqa: F401 - tables belong to the metadata
