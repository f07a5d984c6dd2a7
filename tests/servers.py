"""The app as it is deployed, for the tests that need real processes: gunicorn serving it and a
task-queue consumer, each started in its own process group so a test can kill it whole."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.survey_client import Participant

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "SURVEY_ENV": "development",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        **settings,
    }


def start_server(database_url: str, port: int, **settings: str) -> subprocess.Popen:
    """gunicorn with the project's settings (two workers unless WORKERS says otherwise)."""
    return _serving(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], database_url, port, settings
    )


def start_server_and_consumer(
    database_url: str, port: int, nice: int, **settings: str
) -> subprocess.Popen:
    """gunicorn and the queue's consumer in one session, as scripts/run starts them (the
    consumer's CPU priority lowered by `nice`)."""
    script = (
        f'"{BIN}/flask" --app survey queue --workers 1 --nice {nice} & '
        f'"{BIN}/gunicorn" -c gunicorn.conf.py wsgi:app; wait'
    )
    return _serving(["bash", "-c", script], database_url, port, settings)


def _serving(command: list[str], database_url: str, port: int, settings: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(database_url, BIND=f"127.0.0.1:{port}", **{"WORKERS": "2", **settings}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90  # a busy machine (the whole suite on 2 cores) is slow
    while time.monotonic() < deadline:
        try:
            status, _location, _html = Participant("127.0.0.1", port).request("GET", "/survey/")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    stop(process, signal.SIGKILL)
    raise RuntimeError("gunicorn did not start")


def start_consumer(database_url: str, **settings: str) -> subprocess.Popen:
    """`flask --app survey queue`, the task queue's consumer."""
    return subprocess.Popen(
        [str(BIN / "flask"), "--app", "survey", "queue", "--workers", "1"],
        cwd=ROOT,
        env=environment(database_url, **settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig: signal.Signals = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(30)
