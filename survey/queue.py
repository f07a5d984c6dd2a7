"""The task queue (Huey): export jobs and the periodic clean-up run in a consumer process
(`flask --app survey queue`), never in a thread of a web worker, so recycling or restarting web
workers cannot touch them and their CPU is not taken from participants' pages.

Storage: SQLite in the instance folder by default (`QUEUE_SQLITE_PATH`), Redis when
`REDIS_URL` is set, for several machines. Under `QUEUE_IMMEDIATE` (the testing default) a task
runs at once, in the process that enqueues it. Tasks find the app through `bound_app()`: the
consumer's, or the one that enqueued them."""

from __future__ import annotations

import os

from flask import Flask
from huey import Huey
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

huey = Huey("milk-survey", results=False, storage_class=MemoryStorage, utc=True)
_bound: list[Flask] = []


def init_queue(app: Flask) -> None:
    """Point the queue at this app's storage (the last app created in a process wins: a process
    serves one app, except in tests, whose apps share one database)."""
    _bound[:] = [app]
    _close(huey.storage)
    huey.immediate = bool(app.config["QUEUE_IMMEDIATE"])
    if huey.immediate:
        return
    huey.name = app.config["QUEUE_NAME"]
    if app.config["REDIS_URL"]:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        path = app.config["QUEUE_SQLITE_PATH"] or os.path.join(app.instance_path, "queue.sqlite3")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.storage = huey.create_storage()


def bound_app() -> Flask:
    if not _bound:
        raise RuntimeError("the task queue has no app: create_app() binds it")
    return _bound[0]


def _close(storage: BaseStorage) -> None:
    """Let go of the storage's connections (Huey's Redis storage leaves its pool open)."""
    storage.close()
    pool = getattr(storage, "pool", None)
    if pool is not None:
        pool.disconnect()
