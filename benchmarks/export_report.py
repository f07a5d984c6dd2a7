"""Benchmark: the evaluation report and the CSV, against pandas (issue 16's table).

    .venv/bin/python benchmarks/export_report.py [--responses 10000 100000] [--repeat 3] \\
        [--work DIR] [--zip64-rows 700000]

For each size it builds a SQLite database with `flask demo-data --seed 1` (kept in --work for
the next run), then, --repeat times, each in a fresh process:
  report:  the whole `flask --app survey export OUT.xlsx` command (start-up, reading, the
           statistics in their second process, every sheet and the charts);
  csv:     `flask --app survey export OUT.csv --csv`;
  pandas:  `pandas.DataFrame.to_excel(engine="openpyxl")` of the Responses sheet alone, timed
           inside its process from a matrix already in memory (smallest size only: at 100,000
           it takes minutes); beside it, for the choice of writer, the same matrix written by
           openpyxl's write-only mode and by our sheet writer (exports/sheetxml.py).
Time is wall time; memory is the peak of the proportional set sizes of the command and every
process it starts, summed (sampled every 20 ms, in one more run of each, since sampling slows
what it samples; a page a forked process shares with its parent counts once in all). Prints
medians and every run as JSON.

--zip64-rows N writes one synthetic Responses sheet of N rows of the 10,000 database's width
through the report's writer, past the size where its zip entry needs ZIP64, then checks the
file: the zip's CRCs, and the sheet's XML parsed to the end with its rows counted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = [str(Path(PYTHON).parent / "flask"), "--app", "survey"]
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def tree_memory_mb(pid: int) -> float:
    """The memory of a process and all its descendants, in MB: the sum of their proportional
    set sizes (a page shared by two processes, as after fork, counts half in each)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def run(args: list[str], env: dict[str, str], sample: bool = False) -> tuple[float, float, str]:
    """Wall seconds, peak memory of the process tree (MB; with `sample`, else 0) and standard
    error of one command. Sampling reads every process's page tables 50 times a second, which
    slows what it samples (by up to a fifth for a report in three processes): timed runs do
    without it, and the memory has a run of its own."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors
        )
        peak = 0.0
        done = threading.Event()

        def sampling() -> None:
            nonlocal peak
            while sample and not done.is_set():
                peak = max(peak, tree_memory_mb(process.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sampling)
        sampler.start()
        status = process.wait()
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        errors.seek(0)
        text = errors.read().decode(errors="replace")
    if status != 0:
        raise RuntimeError(f"{args} failed: {text[-2000:]}")
    return elapsed, peak, text


MATRIX_JOB = r"""
import os, sys, time
from survey import create_app
from survey.extensions import db
from exports.report import _plan
from exports.filters import ExportFilters
from exports.rows import ExportOptions
kind, out = sys.argv[1], sys.argv[2]
app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
with app.app_context():
    plan = _plan(db.session, "milk", ExportFilters(), ExportOptions(), 2000)
    header, rows = plan.table.header, [plan.table.row(r) for r in plan.reader]
if kind == "pandas":
    import pandas as pd
    frame = pd.DataFrame(rows, columns=header)
    start = time.perf_counter()
    frame.to_excel(out, sheet_name="Responses", index=False, engine="openpyxl")
elif kind == "openpyxl":
    from openpyxl import Workbook
    start = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Responses")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(out)
else:
    from exports.cells import GuardCounts
    from exports.workbook import WorkbookWriter
    start = time.perf_counter()
    writer = WorkbookWriter(GuardCounts(), out)
    writer.header("Responses", header)
    for row in rows:
        writer.append("Responses", row)
    writer.autofilter("Responses")
    writer.save()
print(time.perf_counter() - start, file=sys.stderr)
"""


def environment(db_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SURVEY_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{db_path}",
    }


def database(size: int, work: Path) -> dict[str, str]:
    db_path = work / f"bench-{size}.sqlite3"
    env = environment(db_path)
    if not db_path.exists():
        for step in (["db", "upgrade"], ["setup"]):
            subprocess.run([*FLASK, *step], env=env, cwd=ROOT, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [*FLASK, "demo-data", "--responses", str(size), "--seed", "1"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        print(f"demo-data {size}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return env


def measure(size: int, repeat: int, work: Path, pandas: bool) -> dict:
    env = database(size, work)
    writers = ("pandas", "openpyxl", "our_sheet_writer") if pandas else ()
    commands = {
        "report": [*FLASK, "export", str(work / "r.xlsx")],
        "csv": [*FLASK, "export", str(work / "r.csv"), "--csv"],
        **{kind: [PYTHON, "-c", MATRIX_JOB, kind, str(work / "m.xlsx")] for kind in writers},
    }

    def seconds(kind: str, sample: bool = False) -> tuple[float, float]:
        wall, peak, errors = run(commands[kind], env, sample)
        return (wall if kind in ("report", "csv") else float(errors.strip().splitlines()[-1])), peak

    runs: dict[str, list[float]] = {kind: [] for kind in commands}
    for _ in range(repeat):
        for kind in commands:
            runs[kind].append(seconds(kind)[0])
    summary = {
        kind: {
            "median_s": round(statistics.median(values), 2),
            "runs_s": [round(s, 2) for s in values],
            "peak_mb": round(seconds(kind, sample=True)[1], 1),  # a run of its own
        }
        for kind, values in runs.items()
    }
    if pandas:
        summary["report_over_pandas"] = round(
            summary["report"]["median_s"] / summary["pandas"]["median_s"], 2
        )
    return summary


ZIP64_JOB = r"""
import os, sys, time
from survey import create_app
from survey.extensions import db
from exports.cells import GuardCounts
from exports.report import _plan
from exports.filters import ExportFilters
from exports.rows import ExportOptions
from exports.workbook import WorkbookWriter
rows_wanted, out = int(sys.argv[1]), sys.argv[2]
app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
with app.app_context():
    plan = _plan(db.session, "milk", ExportFilters(), ExportOptions(), 2000)
    sample = [plan.table.row(r) for r, _ in zip(plan.reader, range(1000))]
    header = plan.table.header
start = time.perf_counter()
writer = WorkbookWriter(GuardCounts(), out, cells=rows_wanted * len(header))
writer.header("Responses", header)
for i in range(rows_wanted):
    writer.append("Responses", sample[i % len(sample)])
writer.autofilter("Responses")
writer.save()
print(time.perf_counter() - start, file=sys.stderr)
"""


def zip64_check(rows: int, work: Path) -> dict:
    env = database(10_000, work)
    out = work / "zip64.xlsx"
    _wall, peak, errors = run([PYTHON, "-c", ZIP64_JOB, str(rows), str(out)], env, sample=True)
    with zipfile.ZipFile(out) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
        started = time.perf_counter()
        bad = archive.testzip()
        counted, last = 0, None
        with archive.open(entry) as sheet:
            for _event, element in iterparse(sheet):  # noqa: S314 - a file we just wrote
                if element.tag == f"{SHEET}row":
                    counted += 1
                    last = element.get("r")
                    element.clear()
        checked = time.perf_counter() - started
    return {
        "rows": rows,
        "write_s": round(float(errors.strip().splitlines()[-1]), 1),
        "peak_mb": round(peak, 1),
        "file_mb": round(out.stat().st_size / 1e6, 1),
        "sheet_xml_mb": round(entry.file_size / 1e6, 1),
        "zip_crc_ok": bad is None,
        "rows_in_sheet": counted,
        "last_row_number": last,
        "check_s": round(checked, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--zip64-rows", type=int, default=0)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="milk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    smallest = min(args.responses)
    results: dict = {
        size: measure(size, args.repeat, work, pandas=size == smallest) for size in args.responses
    }
    if args.zip64_rows:
        results["zip64"] = zip64_check(args.zip64_rows, work)
    machine = (
        f"{platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}"
    )
    print(
        json.dumps(
            {
                "machine": machine,
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "load_average": os.getloadavg(),
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
