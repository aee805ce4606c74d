"""The ceiling of the respondent-flow benchmark: a bare Flask app that answers "ok".

Served exactly like the platform (gunicorn -w 2 -b 127.0.0.1:PORT bench.bare_app:app) and hit by
the same client, so "our request rate / this rate" says how much of the web stack's best case
the real flow keeps.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok() -> str:
    return "ok"
