"""Load benchmark: participants answer the survey while an investigator's report is made.

    .venv/bin/python benchmarks/load.py [--responses 10000] [--concurrency 50] [--runs 3] \\
        [--postgresql postgresql+psycopg://milk:milk@127.0.0.1:5432/milk_bench --fresh] \\
        [--redis redis://127.0.0.1:6379/0] [--think 0] [--nice 10]

The app runs as deployed: gunicorn (2 workers per core) and one task-queue consumer
(`flask --app survey queue --nice N`, 10 as shipped), in one session as scripts/run starts
them, on a database that already holds --responses demo responses. The
queue is the SQLite file by default, Redis with --redis. Simulated participants (threads in
several client processes, so the client's own Python is not the bottleneck) complete the whole
survey again and again: open a page, wait --think seconds, press Next, with the CSRF token and
cookies a browser sends.

The participants start once and keep going for the whole benchmark (each page takes them
between half and one and a half times --think seconds, so they do not move in step). After
--warm-up untimed seconds, each run has two windows, one after the other:
  quiet:   --seconds of participants alone;
  report:  an investigator logs in and asks for the full .xlsx report on the exports page, and
           the window lasts until the consumer has made it. The report is downloaded and its
           Responses sheet counted.
Each request counts in the window it ended in. The figure is p95 page latency in the report
window over p95 in the quiet window of the same run. (Before 2026-11-30 each window started
its own participants, all at once: their first pages, a burst that weighed more in the
shorter report window, counted in it.)

Afterwards the database is checked: every response and every answer the app acknowledged (a
redirect after Next) must be stored, no more and no fewer. Answers given before consent live in
the browser's session until consent, so they count once the consent page is acknowledged.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.survey_client import ANSWERS, Participant, log_in, request_export  # noqa: E402
from tests.servers import environment, free_port, start_server_and_consumer, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROCESSES = 5
CONSENT_PAGE = 2
COUNTS = (
    "surveys",
    "unfinished",
    "errors",
    "responses_acknowledged",
    "answers_acknowledged",
)
EMAIL, PASSWORD = "load-benchmark@example.org", "load benchmark password"


def participant_worker(port: int, threads: int, think: float, stopping, queue) -> None:
    """One client process: `threads` participants, each completing surveys until `stopping` is
    set (a survey still going then stops where it is: unfinished, not an error)."""
    results: dict = {**dict.fromkeys(COUNTS, 0), "latencies": [], "error_samples": []}
    lock = threading.Lock()

    def participant_loop() -> None:
        while not stopping.is_set():
            participant = Participant("127.0.0.1", port)
            outcome, given, stored = "surveys", 0, 0
            try:
                for position, answers in ANSWERS:
                    if stopping.is_set():
                        outcome = "unfinished"
                        break
                    participant.submit_page(position, answers, think=think)
                    given += sum(1 for value in answers.values() if value)
                    if position >= CONSENT_PAGE:
                        stored = given
            except Exception as error:  # noqa: BLE001 - counted as an error, one kept
                outcome = "errors"
                with lock:
                    results["error_samples"] = (results["error_samples"] + [repr(error)])[:3]
            with lock:
                results["latencies"] += participant.latencies
                results[outcome] += 1
                results["responses_acknowledged"] += stored > 0
                results["answers_acknowledged"] += stored

    pool = [threading.Thread(target=participant_loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put(results)


@contextmanager
def participants(port: int, concurrency: int, think: float) -> Iterator[dict]:
    """`concurrency` participants answering for as long as the block runs; afterwards the dict
    holds their counts and every request's (when it ended, how long it took)."""
    queue, stopping = multiprocessing.Queue(), multiprocessing.Event()
    share = [concurrency // PROCESSES + (i < concurrency % PROCESSES) for i in range(PROCESSES)]
    processes = [
        multiprocessing.Process(target=participant_worker, args=(port, n, think, stopping, queue))
        for n in share
        if n
    ]
    for process in processes:
        process.start()
    merged: dict = {}
    try:
        yield merged
    finally:
        stopping.set()
        parts = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        merged.update({key: sum(part[key] for part in parts) for key in COUNTS})
        merged["latencies"] = [latency for part in parts for latency in part["latencies"]]
        merged["error_samples"] = [s for part in parts for s in part["error_samples"]][:3]


def window(latencies: list[tuple[float, float]], start: float, end: float) -> dict:
    """The requests that ended between start and end, and their latency percentiles."""
    inside = [latency for ended, latency in latencies if start <= ended < end]
    return {
        "seconds": round(end - start, 1),
        "requests": len(inside),
        "requests_per_s": round(len(inside) / (end - start), 1),
        **percentiles(inside),
    }


def percentiles(latencies: list[float]) -> dict:
    q = statistics.quantiles(latencies, n=100)
    return {f"p{i}_ms": round(q[i - 1] * 1000, 1) for i in (50, 95, 99)}


def wait_for_report(investigator: Participant, timeout: float = 900) -> dict:
    """Ask for the full report on the exports page and poll it, as the job page does."""
    started = time.perf_counter()
    job_id = request_export(investigator, "xlsx")
    while time.perf_counter() - started < timeout:
        time.sleep(0.25)
        _status, _location, body = investigator.request("GET", f"/staff/exports/{job_id}/status")
        job = json.loads(body)
        if job["status"] in ("done", "failed"):
            break
    return {
        "job": job_id,
        "status": job["status"],
        "error": job["error"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def responses_sheet_rows(investigator: Participant, job_id: str) -> int:
    """Downloads the report and counts the data rows of its Responses sheet."""
    connection = http.client.HTTPConnection(investigator.host, investigator.port, timeout=60)
    cookies = "; ".join(f"{k}={v}" for k, v in investigator.cookies.items())
    connection.request("GET", f"/staff/exports/{job_id}/download", headers={"Cookie": cookies})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"report download: {response.status}")
    book = load_workbook(io.BytesIO(data), read_only=True)
    return sum(1 for _ in book["Responses"].iter_rows(min_row=2, values_only=True))


def flask(database_url: str, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "survey", *args],
        cwd=ROOT,
        env=environment(database_url),
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )


def prepare(database_url: str, responses: int) -> None:
    flask(database_url, "db", "upgrade")
    flask(database_url, "setup")
    flask(database_url, "demo-data", "--responses", str(responses), "--seed", "1")
    flask(
        database_url,
        "users",
        "create",
        EMAIL,
        "--role",
        "investigator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )


def stored(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        counts = {
            "responses": connection.execute(text("SELECT count(*) FROM response")).scalar(),
            "answers": connection.execute(text("SELECT count(*) FROM answer")).scalar(),
        }
    engine.dispose()
    return counts


def empty_postgresql(database_url: str) -> None:
    """Drop everything in the database's public schema: the benchmark counts every row."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def run_backend(database_url: str, queue: dict[str, str], args) -> dict:
    started = time.perf_counter()
    prepare(database_url, args.responses)
    preparing = time.perf_counter() - started
    before = stored(database_url)
    port = free_port()
    workers = str(2 * (os.cpu_count() or 1))
    server = start_server_and_consumer(database_url, port, args.nice, WORKERS=workers, **queue)
    windows = []
    try:
        # The same participants throughout, so both windows of a run see the same load: untimed
        # first, while every worker imports the app, compiles its templates and statements and
        # builds the questionnaire's structure once, and the participants spread out.
        with participants(port, args.concurrency, args.think) as load:
            time.sleep(args.warm_up)
            investigator = Participant("127.0.0.1", port)
            log_in(investigator, EMAIL, PASSWORD)
            for _ in range(args.runs):
                load_average = os.getloadavg()[0]  # the participants' own load included
                quiet = (time.perf_counter(), time.perf_counter() + args.seconds)
                time.sleep(args.seconds)
                started = time.perf_counter()
                report = wait_for_report(investigator)
                ended = time.perf_counter()
                if report["status"] == "done":
                    report["rows"] = responses_sheet_rows(investigator, report["job"])
                windows.append((load_average, quiet, (started, ended), report))
    finally:
        stop(server)
    runs = []
    for load_average, quiet, during, report in windows:
        without, with_report = window(load["latencies"], *quiet), window(load["latencies"], *during)
        runs.append(
            {
                "load_average_before": round(load_average, 2),
                "quiet": without,
                "report": {**with_report, "phase": report},
                "p95_ratio": round(with_report["p95_ms"] / without["p95_ms"], 2),
            }
        )
    after = stored(database_url)
    acknowledged = {
        "responses": load["responses_acknowledged"],
        "answers": load["answers_acknowledged"],
    }
    return {
        "demo_responses": args.responses,
        "preparing_s": round(preparing, 1),
        "workers": int(workers),
        "runs": runs,
        "median_p95_quiet_ms": statistics.median(r["quiet"]["p95_ms"] for r in runs),
        "median_p95_report_ms": statistics.median(r["report"]["p95_ms"] for r in runs),
        "median_p95_ratio": statistics.median(r["p95_ratio"] for r in runs),
        "median_report_s": statistics.median(r["report"]["phase"]["seconds"] for r in runs),
        "surveys": load["surveys"],
        "errors": load["errors"],
        "error_samples": load["error_samples"],
        "acknowledged": acknowledged,
        "stored_since_start": {key: after[key] - before[key] for key in after},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000, help="in the database first")
    parser.add_argument("--concurrency", type=int, default=50, help="participants at once")
    parser.add_argument("--think", type=float, default=0.0, help="seconds on a page before Next")
    parser.add_argument("--seconds", type=float, default=30, help="of the quiet phase")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm-up", type=float, default=5, help="untimed seconds first")
    parser.add_argument("--nice", type=int, default=10, help="the consumer's `queue --nice`")
    parser.add_argument("--postgresql", help="a PostgreSQL database URL (emptied with --fresh)")
    parser.add_argument("--fresh", action="store_true", help="empty that database first")
    parser.add_argument("--redis", help="the queue in Redis (a URL) instead of a SQLite file")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="milk-load-"))
    queue = (
        {"REDIS_URL": args.redis, "QUEUE_NAME": f"milk-load-{os.getpid()}"}
        if args.redis
        else {"QUEUE_SQLITE_PATH": str(work / "queue.sqlite3")}
    )
    results = {}
    if not args.skip_sqlite:
        results["sqlite"] = run_backend(f"sqlite:///{work / 'load.sqlite3'}", queue, args)
    if args.postgresql:
        if args.fresh:
            empty_postgresql(args.postgresql)
        results["postgresql"] = run_backend(args.postgresql, queue, args)
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} · {os.cpu_count()} cores · Python "
                f"{platform.python_version()}",
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "arguments": {k: v for k, v in vars(args).items() if k != "postgresql"},
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
