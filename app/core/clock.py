"""The site's local day: dates that people pick (a survey's or poll's opening and closing day) are
days in the site's time zone (Europe/Brussels by default), not UTC days. Between 22:00 and 24:00
UTC the two differ."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_today() -> date:
    """Today in the site's time zone."""
    return datetime.now(site_zone()).date()
