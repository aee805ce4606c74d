"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from app import create_app

app = create_app()

# What the app keeps for the life of the process (modules, templates, SQLAlchemy metadata) is
# moved out of the garbage collector's way: its full collections then scan only what requests
# made, not the hundreds of thousands of objects of the app itself. A request allocates a few
# thousand objects, nearly all freed by reference counting: the youngest generation is collected
# after 10,000 allocations instead of 700 (a handful of collections per request otherwise).
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 20, 20)
