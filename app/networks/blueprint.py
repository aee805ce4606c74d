"""The networks blueprint; its views live in views.py (networks, members) and member_views.py."""

from flask import Blueprint

bp = Blueprint("networks", __name__, template_folder="templates", url_prefix="/netwerken")
