"""The staff's response browser on a large database: each URL requested through the app (view,
queries and template) several times by a logged-in admin; prints the median and the slowest.

    DATABASE_URL=sqlite:////tmp/bench-100000.sqlite3 SECRET_KEY=bench \\
        .venv/bin/python benchmarks/response_browser.py [--repeat 5]

Build the database first: `flask db upgrade`, `flask setup`, `flask demo-data --responses
100000 --seed 1`. The figures and the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey import create_app  # noqa: E402
from survey.auth.services import create_user  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Response, User  # noqa: E402

EMAIL, PASSWORD = "bench-admin@example.org", "bench-password-long-enough"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def urls(total: int, some_id: str) -> list[str]:
    last = -(-total // 50)
    return [
        "/staff/",
        f"/staff/?page={last // 2}",
        f"/staff/?page={last}",
        f"/staff/?sort=oldest&page={last // 2}",
        f"/staff/?sort=active&page={last // 2}",
        "/staff/?status=partial",
        f"/staff/?status=partial&page={last // 10}",
        "/staff/?status=complete&language=fr&page=200",
        "/staff/?since=2026-10-01&until=2026-10-15&sort=oldest",
        "/staff/?reached=5",
        "/staff/?status=excluded",
        f"/staff/?q={some_id}",
        f"/staff/responses/{some_id}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = create_app({"STAFF_IDLE_SECONDS": 3600})
    with app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            create_user(db.session, EMAIL, PASSWORD, "admin")
            db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(Response)) or 0
        some_id = db.session.scalar(select(Response.id).order_by(Response.id).limit(1))
    client = app.test_client()
    token = TOKEN.search(client.get("/staff/login").get_data(as_text=True))
    assert token, "no CSRF token on the login page"
    logged = client.post(
        "/staff/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert logged.status_code == 302, logged.status_code
    print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {total} responses")
    for url in urls(total, str(some_id)):
        client.get(url)  # warm the caches: the figures are for a server already running
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{url:55} {status}  median {statistics.median(times):7.1f} ms"
            f"  max {max(times):7.1f} ms"
        )


if __name__ == "__main__":
    main()
