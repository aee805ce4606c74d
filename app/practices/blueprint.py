"""The practices blueprint: network pages (views.py) and the public showcase (public_views.py)."""

from flask import Blueprint

bp = Blueprint("practices", __name__, template_folder="templates")
