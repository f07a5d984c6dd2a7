"""In-process cost of the participant's pages: participants complete the whole survey through
Flask's test client (CSRF on, as a browser posts), and the script prints milliseconds and SQL
queries per request, GET and POST apart, optionally with a cProfile of the loop.

    .venv/bin/python benchmarks/page_profile.py --participants 30 --rounds 5 [--profile 40]

No server and no network: what it measures is the app's own work per request (the database
is a temporary SQLite file unless --database-url names another, empty one). Each round times
its own participants; the best round is reported, as the least disturbed by other processes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SURVEY_ENV", "testing")

from survey import create_app  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.questionnaire.loader import load_default_questionnaire  # noqa: E402
from tests.survey_steps import PAGES  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Measures:
    """Milliseconds and queries per request, GET and POST apart."""

    def __init__(self, engine) -> None:
        self.queries = 0
        self.ms: dict[str, list[float]] = {"GET": [], "POST": []}
        self.counts: dict[str, list[int]] = {"GET": [], "POST": []}
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.queries += 1

    def reset(self) -> None:
        for values in (*self.ms.values(), *self.counts.values()):
            values.clear()

    def timed(self, kind: str, call):
        before = self.queries
        started = time.perf_counter()
        response = call()
        self.ms[kind].append((time.perf_counter() - started) * 1000)
        self.counts[kind].append(self.queries - before)
        return response

    def summary(self) -> dict[str, tuple[float, float, float, int]]:
        """kind -> (mean ms, median ms, mean queries, most queries)."""
        rows = {**self.ms, "all": self.ms["GET"] + self.ms["POST"]}
        counts = {**self.counts, "all": self.counts["GET"] + self.counts["POST"]}
        return {
            kind: (
                statistics.mean(ms),
                statistics.median(ms),
                statistics.mean(counts[kind]),
                max(counts[kind]),
            )
            for kind, ms in rows.items()
        }


def one_participant(client, measures: Measures) -> None:
    """Open every page and press Next, as the load benchmark's clients do."""
    for position, answers in PAGES:
        url = f"/survey/page/{position}"
        page = measures.timed("GET", lambda url=url: client.get(url))
        assert page.status_code == 200, (position, page.status_code)
        token = CSRF.search(page.get_data(as_text=True)).group(1)
        data = {**answers, "csrf_token": token, "next": "Next"}
        sent = measures.timed("POST", lambda url=url, data=data: client.post(url, data=data))
        assert sent.status_code == 302, (position, sent.status_code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=30, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'pages.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_default_questionnaire(db.session)
        db.session.commit()
        measures = Measures(db.engine)

    one_participant(app.test_client(), measures)  # warm up: templates, caches
    rounds = []
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.rounds):
        measures.reset()
        if profiler:
            profiler.enable()
        for _ in range(args.participants):
            one_participant(app.test_client(), measures)
        if profiler:
            profiler.disable()
        rounds.append(measures.summary())

    best = min(rounds, key=lambda r: r["all"][0])
    print(
        f"{args.participants} participants x {args.rounds} rounds, "
        f"{len(PAGES) * 2} requests each ({url.split(':')[0]}); best round:"
    )
    for kind, (mean, median, queries, most) in best.items():
        print(
            f"  {kind:>4}: {mean:6.2f} ms mean, {median:6.2f} ms median, "
            f"{queries:5.2f} queries mean, {most} max"
        )
    print("  rounds (all, ms mean): " + " / ".join(f"{r['all'][0]:.2f}" for r in rounds))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    with app.app_context():
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
