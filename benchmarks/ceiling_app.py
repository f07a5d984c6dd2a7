"""The ceiling for the load benchmark: a bare Flask endpoint that inserts one row, on the same
database and with the same SQLite settings as the app, served by the same gunicorn config."""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import create_engine, text

from survey.database import configure_sqlite

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"])
configure_sqlite(engine, busy_timeout_ms=30000)


@app.post("/insert")
def insert() -> tuple[str, int]:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO ceiling (note) VALUES (:note)"), {"note": "x"})
    return "ok", 201
