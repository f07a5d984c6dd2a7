"""Benchmark: the evaluation report against pandas and bare openpyxl (issue: reports).

    .venv/bin/python benchmarks/export_report.py --responses 10000 100000 --repeat 3

For each size it builds a SQLite database with `flask demo-data`, then times, each in a fresh
process (so peak memory is that process's own maximum resident set size):
  (a) the full report through the CLI: `flask --app survey export OUT.xlsx`;
  (b) pandas.DataFrame.to_excel(engine="openpyxl") of the same Responses matrix, in memory;
  (c) bare openpyxl write-only, appending that matrix from memory;
  (d) our Responses-sheet writer (with the injection guard) appending that matrix from memory.
(b), (c) and (d) do not count building the matrix. Prints a Markdown table of medians.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and standard error of one child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        errors.seek(0)
        text = errors.read().decode(errors="replace")
    if status != 0:
        raise RuntimeError(f"{args} failed: {text[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, text


MATRIX_JOB = r"""
import os, sys, time, io
os.environ["SURVEY_ENV"] = "testing"
from survey import create_app
from survey.extensions import db
from exports.report import _plan
from exports.filters import ExportFilters
from exports.rows import ExportOptions
kind, out = sys.argv[1], sys.argv[2]
app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
with app.app_context():
    plan = _plan(db.session, "milk", ExportFilters(), ExportOptions(), 2000)
    header = plan.table.header
    rows = [plan.table.row(r) for r in plan.reader]
start = time.perf_counter()
if kind == "pandas":
    import pandas as pd
    pd.DataFrame(rows, columns=header).to_excel(out, sheet_name="Responses", index=False,
                                                engine="openpyxl")
elif kind == "openpyxl":
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Responses")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(out)
elif kind == "ours":
    from exports.cells import GuardCounts
    from exports.workbook import WorkbookWriter
    writer = WorkbookWriter(GuardCounts())
    writer.header("Responses", header)
    for row in rows:
        writer.append("Responses", row)
    writer.autofilter("Responses")
    writer.book.save(out)
print(time.perf_counter() - start, file=sys.stderr)
"""


def timed_matrix(kind: str, out: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds spent writing (measured inside the child, after the matrix is built) and the
    child's peak RSS in MB (which includes the matrix)."""
    _wall, peak, errors = run([PYTHON, "-c", MATRIX_JOB, kind, str(out)], env)
    return float(errors.strip().splitlines()[-1]), peak


def measure(size: int, repeat: int, work: Path) -> dict:
    db_path = work / f"bench-{size}.sqlite3"
    env = {
        **os.environ,
        "SURVEY_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{db_path}",
    }
    flask = [str(Path(PYTHON).parent / "flask"), "--app", "survey"]
    if not db_path.exists():
        subprocess.run(
            [*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        subprocess.run([*flask, "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [*flask, "demo-data", "--responses", str(size), "--seed", "1"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        print(f"demo-data {size}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    results: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("report", "pandas", "openpyxl", "ours")
    }
    for _ in range(repeat):
        results["report"].append(run([*flask, "export", str(work / "r.xlsx")], env)[:2])
        for kind in ("pandas", "openpyxl", "ours"):
            results[kind].append(timed_matrix(kind, work / f"{kind}.xlsx", env))
    summary = {}
    for kind, values in results.items():
        peaks = [p for _s, p in values if p]
        summary[kind] = {
            "median_s": statistics.median(s for s, _p in values),
            "runs_s": [round(s, 2) for s, _p in values],
            "peak_mb": round(max(peaks), 1) if peaks else None,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="milk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {size: measure(size, args.repeat, work) for size in args.responses}
    machine = (
        f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()}"
    )
    print(
        json.dumps(
            {"machine": machine, "date": time.strftime("%Y-%m-%d"), "results": results}, indent=2
        )
    )


if __name__ == "__main__":
    main()
