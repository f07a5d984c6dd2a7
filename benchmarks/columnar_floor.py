"""Benchmark: how fast a columnar export could be at best (issue 16's CSV goal), measured rather
than guessed before anyone rewrites the export around it.

    python -m venv /tmp/columnar && /tmp/columnar/bin/pip install polars pyarrow \\
        adbc-driver-sqlite
    /tmp/columnar/bin/python benchmarks/columnar_floor.py DATABASE.sqlite3 [--page 1000] \\
        [--repeat 3]

Not the project's dependencies, so a scratch environment of its own. DATABASE is one that
`benchmarks/export_report.py` built (`flask demo-data`). It reads the responses and their
answers with SQLite's ADBC driver straight into Arrow (no Python object per value), turns the
answers into one column per question with polars and writes CSV, a page of responses at a
time so that memory stays flat, as the export's does (--page 0: all of them as one page).

It does none of what the export does to each value: no ticked choices split into columns, no
dates or numbers typed, no scores, no show-ifs, no guard against formulas, no data hash, no
toolkit columns. So its time is a floor: the cost of moving the values alone. Prints the
medians and every run as JSON."""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import adbc_driver_sqlite.dbapi as adbc
import polars as pl

RESPONSES = (
    "SELECT id, version_id, language, status, started_at, submitted_at, consent_version, "
    "consented_at FROM response WHERE (started_at, id) > (?, ?) ORDER BY started_at, id LIMIT ?"
)
# The page's answers, one value each (exactly one value column is set).
ANSWERS = (
    "SELECT a.response_id, a.question_id, coalesce(a.value_text, CAST(a.value_number AS TEXT), "
    "a.value_date, a.value_time, a.value_datetime) AS value "
    "FROM answer a JOIN response r ON r.id = a.response_id "
    "WHERE (r.started_at, r.id) BETWEEN (?, ?) AND (?, ?)"
)


def export(database: str, page: int, out: Path) -> tuple[int, float, float]:
    """Responses written, wall seconds and CPU seconds of one paged export to `out`."""
    wall, cpu = time.perf_counter(), time.process_time()
    written, after = 0, ("", "")
    with adbc.connect(database) as connection, connection.cursor() as cursor, out.open("wb") as f:
        while True:
            cursor.execute(RESPONSES, (*after, page or -1))  # SQLite: LIMIT -1 is none
            responses = pl.from_arrow(cursor.fetch_arrow_table())
            if responses.height == 0:
                break
            first, last = responses.row(0, named=True), responses.row(-1, named=True)
            bounds = (first["started_at"], first["id"], last["started_at"], last["id"])
            cursor.execute(ANSWERS, bounds)
            answers = pl.from_arrow(cursor.fetch_arrow_table())
            wide = answers.pivot(on="question_id", index="response_id", values="value")
            rows = responses.join(
                wide, left_on="id", right_on="response_id", how="left", maintain_order="left"
            )
            rows.write_csv(f, include_header=written == 0)
            written += responses.height
            after = (last["started_at"], last["id"])
    return written, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir(), "columnar-floor.csv")
    )
    args = parser.parse_args()
    runs = [export(args.database, args.page, args.out) for _ in range(args.repeat)]
    print(
        json.dumps(
            {
                "responses": runs[0][0],
                "page": args.page,
                "wall_s_median": round(statistics.median(r[1] for r in runs), 2),
                "cpu_s_median": round(statistics.median(r[2] for r in runs), 2),
                "runs_wall_s": [round(r[1], 2) for r in runs],
                # ru_maxrss is in kB on Linux: the process's peak over every run
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
