"""Research exports (CSV, XLSX, SPSS, Stata, R, JSON, codebook) and the read-only JSON API."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
