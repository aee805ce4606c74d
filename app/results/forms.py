"""The one form of the results pages: switching a survey's public results on or off."""

from wtforms import HiddenField

from app.core.forms import BaseForm


class PublishForm(BaseForm):
    public = HiddenField()
