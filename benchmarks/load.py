"""Load benchmark: simulated participants complete the whole survey concurrently against
gunicorn on loopback, on SQLite and on PostgreSQL, beside a bare one-row-insert Flask
endpoint as the ceiling.

    .venv/bin/python benchmarks/load.py --seconds 30 --concurrency 50 \\
        [--postgresql postgresql+psycopg://milk:milk@127.0.0.1:5432/milk_bench --fresh]

Clients run in several processes (threads in each), so the client's own Python is not the
bottleneck on a small machine. After an untimed warm-up of each (--warm-up seconds), both
servers stay up and the clients drive them in turns (three slices of each by default), so
other work on the machine weighs on the survey and on its ceiling alike. After each run the
database is checked: complete responses and answers must equal what the clients were told was
stored, warm-up included. --fresh empties the PostgreSQL database first.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.survey_client import ANSWERS, ANSWERS_PER_SURVEY, Participant  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROCESSES = 5


def serve(app: str, database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SURVEY_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url,
        "BIND": f"127.0.0.1:{port}",
        "WORKERS": str(workers),
    }
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            Participant("127.0.0.1", port).request("GET", "/")
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def server_cpu_seconds(pid: int) -> float:
    """CPU time a gunicorn server has used: its master, its live workers and the workers it has
    already reaped (recycled after max_requests). Linux /proc."""

    def times(stat_path: str) -> list[int]:
        with open(stat_path) as stat:
            return [int(x) for x in stat.read().rsplit(")", 1)[1].split()[11:15]]

    utime, stime, reaped_utime, reaped_stime = times(f"/proc/{pid}/stat")
    total = utime + stime + reaped_utime + reaped_stime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                if parent == pid:
                    total += sum(times(f"/proc/{entry}/stat")[:2])
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total / os.sysconf("SC_CLK_TCK")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)


def survey_worker(port: int, threads: int, seconds: float, queue) -> None:
    """One client process: `threads` participants, each completing surveys until time is up
    (a survey still going then stops where it is: unfinished, neither done nor an error)."""
    results = {"surveys": 0, "unfinished": 0, "requests": 0, "errors": 0, "latencies": []}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def participant_loop() -> None:
        while time.monotonic() < end:
            participant = Participant("127.0.0.1", port)
            outcome = "surveys"
            try:
                for position, answers in ANSWERS:
                    if time.monotonic() >= end:
                        outcome = "unfinished"
                        break
                    participant.submit_page(position, answers)
            except Exception:  # noqa: BLE001 - counted as an error
                outcome = "errors"
            with lock:
                results["requests"] += len(participant.latencies)
                results["latencies"] += participant.latencies
                results[outcome] += 1

    pool = [threading.Thread(target=participant_loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put(results)


def insert_worker(port: int, threads: int, seconds: float, queue) -> None:
    results = {"requests": 0, "errors": 0, "latencies": []}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def loop() -> None:
        client = Participant("127.0.0.1", port)
        while time.monotonic() < end:
            try:
                status, _location, _body = client.request("POST", "/insert", {"n": "1"})
                ok = status == 201
            except OSError:
                ok = False
            with lock:
                results["requests" if ok else "errors"] += 1
        with lock:
            results["latencies"] += client.latencies

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put(results)


def drive(worker, port: int, concurrency: int, seconds: float) -> dict:
    """Counts and latencies of `concurrency` clients for `seconds`, with the time it took."""
    queue = multiprocessing.Queue()
    share = [concurrency // PROCESSES + (i < concurrency % PROCESSES) for i in range(PROCESSES)]
    started = time.perf_counter()
    processes = [
        multiprocessing.Process(target=worker, args=(port, n, seconds, queue)) for n in share if n
    ]
    for process in processes:
        process.start()
    parts = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    parts.append({"seconds": time.perf_counter() - started})
    return merge(parts)


def merge(parts: list[dict]) -> dict:
    merged = {k: sum(p.get(k, 0) for p in parts) for k in parts[0] if k != "latencies"}
    merged["latencies"] = [x for p in parts for x in p.get("latencies", ())]
    merged["seconds"] = sum(p.get("seconds", 0) for p in parts)
    return merged


def summary(merged: dict) -> dict:
    """Requests per second and latency percentiles of merged drives."""
    latencies = sorted(merged.pop("latencies"))
    merged["requests_per_s"] = round(merged["requests"] / merged["seconds"], 1)
    cpu = merged.pop("server_cpu_s", None)
    if cpu is not None and merged["requests"]:
        merged["server_cpu_ms_per_request"] = round(cpu / merged["requests"] * 1000, 2)
        merged["server_cores_busy"] = round(cpu / merged["seconds"], 2)
    merged["seconds"] = round(merged["seconds"], 1)
    if latencies:
        q = statistics.quantiles(latencies, n=100)
        merged["p50_ms"], merged["p95_ms"], merged["p99_ms"] = (
            round(q[i] * 1000, 1) for i in (49, 94, 98)
        )
    return merged


def empty_postgresql(database_url: str) -> None:
    """Drop everything in the database's public schema: the benchmark counts every row."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def prepare(database_url: str) -> None:
    env = {
        **os.environ,
        "SURVEY_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url,
    }
    for args in (["db", "upgrade"], ["setup"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "survey", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS ceiling")
        connection.exec_driver_sql(
            "CREATE TABLE ceiling (id INTEGER PRIMARY KEY, note TEXT)"
            if database_url.startswith("sqlite")
            else "CREATE TABLE ceiling (id SERIAL PRIMARY KEY, note TEXT)"
        )
    engine.dispose()


def stored(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        counts = {
            "complete_responses": connection.execute(
                text("SELECT count(*) FROM response WHERE status = 'complete'")
            ).scalar(),
            "answers_of_complete": connection.execute(
                text(
                    "SELECT count(*) FROM answer JOIN response ON response.id = answer.response_id "
                    "WHERE response.status = 'complete'"
                )
            ).scalar(),
            "ceiling_rows": connection.execute(text("SELECT count(*) FROM ceiling")).scalar(),
        }
    engine.dispose()
    return counts


def run_backend(name: str, database_url: str, args) -> dict:
    """The survey and the ceiling in turns (--slices of each, both servers up throughout), so
    that whatever else runs on the machine weighs on both alike."""
    prepare(database_url)
    load_before = os.getloadavg()[0]  # other processes on the machine skew the figures
    workers = 2 * (os.cpu_count() or 1)
    port = 18000 + (hash(name) % 1000)
    survey_parts, ceiling_parts = [], []
    server = serve("wsgi:app", database_url, port, workers)
    try:
        ceiling_server = serve("benchmarks.ceiling_app:app", database_url, port + 1, workers)
        try:
            # Untimed: every worker imports, compiles its templates and statements and builds
            # the questionnaire's structure once; the figures are of the steady state after.
            warm_survey = drive(survey_worker, port, args.concurrency, args.warm_up)
            warm_ceiling = drive(insert_worker, port + 1, args.concurrency, args.warm_up)
            for _ in range(args.slices):
                seconds = args.seconds / args.slices
                for parts, worker, process, at in (
                    (survey_parts, survey_worker, server, port),
                    (ceiling_parts, insert_worker, ceiling_server, port + 1),
                ):
                    cpu = server_cpu_seconds(process.pid)
                    parts.append(drive(worker, at, args.concurrency, seconds))
                    parts[-1]["server_cpu_s"] = server_cpu_seconds(process.pid) - cpu
        finally:
            stop(ceiling_server)
    finally:
        stop(server)
    survey, ceiling = summary(merge(survey_parts)), summary(merge(ceiling_parts))
    counts = stored(database_url)
    survey["surveys_per_s"] = round(survey["surveys"] / survey["seconds"], 2)
    acknowledged_surveys = survey["surveys"] + warm_survey["surveys"]
    survey["lost_or_extra_rows"] = (
        counts["complete_responses"]
        - acknowledged_surveys
        + counts["answers_of_complete"]
        - acknowledged_surveys * ANSWERS_PER_SURVEY
    )
    ceiling["lost_or_extra_rows"] = (
        counts["ceiling_rows"] - ceiling["requests"] - warm_ceiling["requests"]
    )
    survey["errors"] += warm_survey["errors"]  # an error is one, timed or not
    ceiling["errors"] += warm_ceiling["errors"]
    return {
        "load_average_before": round(load_before, 2),
        "workers": workers,
        "survey": survey,
        "ceiling": ceiling,
        "stored": counts,
        "page_rps_over_ceiling": round(survey["requests_per_s"] / ceiling["requests_per_s"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30, help="of each, survey and ceiling")
    parser.add_argument("--slices", type=int, default=3, help="turns the time is cut into")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--warm-up", type=float, default=4, help="untimed seconds of each before the slices"
    )
    parser.add_argument("--postgresql", help="an empty PostgreSQL database URL")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="empty the PostgreSQL database first (everything in it is dropped)",
    )
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="milk-load-"))
    results = {}
    if not args.skip_sqlite:
        results["sqlite"] = run_backend("sqlite", f"sqlite:///{work / 'load.sqlite3'}", args)
    if args.postgresql:
        if args.fresh:
            empty_postgresql(args.postgresql)
        results["postgresql"] = run_backend("postgresql", args.postgresql, args)
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} · {os.cpu_count()} cores · Python "
                f"{platform.python_version()}",
                "date": time.strftime("%Y-%m-%d"),
                "seconds": args.seconds,
                "concurrency": args.concurrency,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
