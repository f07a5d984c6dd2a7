"""Benchmark: real ODK and KoboToolbox forms through the questionnaire spreadsheet reader.

    .venv/bin/python benchmarks/xlsform_corpus.py docs/xlsform-corpus.txt /work/odk-corpus
    .venv/bin/python benchmarks/xlsform_corpus.py docs/xlsform-corpus.txt DIR --collect CLONES
    .venv/bin/python benchmarks/xlsform_corpus.py docs/xlsform-corpus.txt DIR --code ../main

The list has one form per line, `owner/name commit path` (the path last: it may hold spaces);
each form is the file `DIR/<owner>_<name>_<path with / as _>`. `--collect CLONES` first writes
those files from git clones (bare or not) found as CLONES/owner/name, CLONES/owner+name/repo
or CLONES/name, with `git show commit:path`.

Each form is read in a child process with a time limit, twice: as it is and with
skip_unsupported. Prints how many import as they are, with --skip-unsupported, are refused
(with the most common first errors), crash, time out, and round-trip: the accepted definition
written, read and written again gives the same definition and the same cells. A form is
accepted only when the draft it makes also meets the editor's rules (`structure_problems`).
`--code` runs another checkout's reader (an older one reads each form as it is only).
`--expressions` also counts the survey sheets' calculation, relevant and constraint cells that
the expression parser refuses as unsupported, and the functions those call.
"""

from __future__ import annotations

import argparse
import inspect
import multiprocessing
import re
import subprocess
import sys
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Form:
    repo: str
    commit: str
    path: str

    @property
    def file_name(self) -> str:
        return f"{self.repo}/{self.path}".replace("/", "_")


def read_list(list_path: Path) -> list[Form]:
    forms = []
    for line in list_path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        repo, commit, path = line.split(" ", 2)
        forms.append(Form(repo, commit, path))
    return forms


def collect(forms: list[Form], clones: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for form in forms:
        owner, name = form.repo.split("/")
        candidates = [clones / owner / name, clones / f"{owner}+{name}" / "repo", clones / name]
        git_dir = next((c for c in candidates if c.exists()), None)
        if git_dir is None:
            sys.exit(f"no clone of {form.repo} under {clones}")
        blob = subprocess.run(
            ["git", "-C", str(git_dir), "show", f"{form.commit}:{form.path}"],
            check=True,
            capture_output=True,
        ).stdout
        (out / form.file_name).write_bytes(blob)


@dataclass
class Outcome:
    as_is: str = ""  # "accepted", "refused", "crashed", "timed out"
    skipping: str = ""
    first_error: str = ""  # of the refusal as it is
    first_error_skipping: str = ""
    round_trip: bool | None = None  # for the accepted definition (skipping if need be)
    warnings: int = 0
    detail: str = ""


def _generic(message: str) -> str:
    """An error without the file's own names and numbers, to count alike errors together."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\$\{[^}]*\}", "…", message)
    text = re.sub(r"\d+", "N", text)
    return re.sub(r"\b(type|column|list|setting) \S+", r"\1 …", text)


def _cells(source: BytesIO) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(source)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _attempt(path: str, skip: bool) -> tuple[str, str, dict[str, Any] | None]:
    from exports.xlsform import XLSFormError, read_xlsform
    from survey.questionnaire.loader import build_version
    from survey.questionnaire.rules import structure_problems

    if "skip_unsupported" not in inspect.signature(read_xlsform).parameters:
        skip = False  # an older checkout (--code) reads each form as it is only
    try:
        result = read_xlsform(path, skip_unsupported=True) if skip else read_xlsform(path)
    except XLSFormError as refusal:
        errors = [str(e.message) for e in refusal.errors]
        return "refused", _generic(errors[0]) if errors else "", None
    problems = structure_problems(build_version(result.definition))
    if problems:
        return "refused", "rules: " + _generic(str(problems[0].message)), None
    return "accepted", "", result.definition


def _round_trips(definition: dict[str, Any]) -> bool:
    from exports.xlsform import read_xlsform, write_xlsform

    first = BytesIO()
    write_xlsform(definition, first)
    first.seek(0)
    again = read_xlsform(first).definition
    second = BytesIO()
    write_xlsform(again, second)
    first.seek(0)
    second.seek(0)
    return again == definition and _cells(first) == _cells(second)


def _examine(path: str, pipe: Any) -> None:
    outcome = Outcome()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome.as_is, outcome.first_error, definition = _attempt(path, False)
            outcome.skipping, outcome.first_error_skipping, skipped = _attempt(path, True)
            if definition is not None or skipped is not None:
                outcome.round_trip = _round_trips(definition or skipped or {})
        except Exception:
            outcome.as_is = outcome.as_is or "crashed"
            outcome.skipping = outcome.skipping or "crashed"
            outcome.detail = traceback.format_exc(limit=-3)
    outcome.warnings = len(caught)
    pipe.send(outcome)


def examine(path: Path, timeout: float) -> Outcome:
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_examine, args=(str(path), send))
    child.start()
    if receive.poll(timeout):
        outcome: Outcome = receive.recv()
        child.join()
        return outcome
    child.kill()
    child.join()
    return Outcome("timed out", "timed out")


@dataclass
class Tally:
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    errors_skipping: Counter[str] = field(default_factory=Counter)
    round_trips: Counter[bool] = field(default_factory=Counter)
    with_warnings: int = 0
    crashes: list[str] = field(default_factory=list)

    def add(self, name: str, outcome: Outcome) -> None:
        self.total += 1
        self.counts[f"as it is: {outcome.as_is}"] += 1
        self.counts[f"--skip-unsupported: {outcome.skipping}"] += 1
        if outcome.first_error:
            self.errors[outcome.first_error] += 1
        if outcome.first_error_skipping:
            self.errors_skipping[outcome.first_error_skipping] += 1
        if outcome.round_trip is not None:
            self.round_trips[outcome.round_trip] += 1
        if outcome.warnings:
            self.with_warnings += 1
        if "crashed" in (outcome.as_is, outcome.skipping):
            self.crashes.append(f"{name}\n{outcome.detail}")

    def report(self, top: int) -> str:
        lines = [f"forms: {self.total}"]
        for mode in ("as it is", "--skip-unsupported"):
            for state in ("accepted", "refused", "crashed", "timed out"):
                n = self.counts[f"{mode}: {state}"]
                share = 100 * n / self.total if self.total else 0
                lines.append(f"{mode:>20}: {state:<10} {n:4d} ({share:.0f}%)")
        accepted = sum(self.round_trips.values())
        lines.append(f"round-trip identical: {self.round_trips[True]} of {accepted} accepted")
        lines.append(f"forms that raised warnings: {self.with_warnings}")
        for title, errors in (
            ("first errors as it is", self.errors),
            ("first errors with --skip-unsupported", self.errors_skipping),
        ):
            lines.append(f"most common {title}:")
            lines += [f"  {n:4d}  {text}" for text, n in errors.most_common(top)]
        lines += [f"crashed: {crash}" for crash in self.crashes]
        return "\n".join(lines)


_EXPRESSION_COLUMNS = {
    "calculation": "calculation",
    "bind:calculate": "calculation",
    "relevant": "relevant",
    "bind:relevant": "relevant",
    "constraint": "constraint",
    "bind:constraint": "constraint",
}
_NOT_FUNCTIONS = {"not", "selected", "div", "mod", "and", "or"}  # before a bracket, yet no call
_CALLED = re.compile(r"([A-Za-z_][A-Za-z0-9_:-]*)\s*\(")


def expression_cells(path: Path) -> list[tuple[str, str]]:
    """(column, text) of each expression cell on the form's survey sheet."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # openpyxl's, on the parts it drops as it reads
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # not a workbook openpyxl reads: the reader counts it refused
            return []
        sheet = next((s for s in book.worksheets if s.title.strip().lower() == "survey"), None)
        if sheet is None:
            return []
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(rows, ())]
        return [
            (_EXPRESSION_COLUMNS[name], str(cell).strip())
            for row in rows
            for name, cell in zip(header, row, strict=False)
            if name in _EXPRESSION_COLUMNS and cell is not None and str(cell).strip()
        ]


def unsupported_expressions(paths: list[Path]) -> str:
    """Each cell checked as the reader checks it, every name it reads taken as asked before."""
    from survey.questionnaire.expressions import ExpressionError, check_references

    takes_calculation = "calculation" in inspect.signature(check_references).parameters
    cells: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    functions: Counter[tuple[str, str]] = Counter()
    messages: Counter[str] = Counter()
    for path in paths:
        for column, text in expression_cells(path):
            cells[column] += 1
            names = re.sub(r"\$\{[^}]*\}", lambda m: re.sub(r"[.-]", "_", m[0]), text)
            known = re.findall(r"\$\{([^}]*)\}", names)  # renamed as the reader does
            options: dict[str, Any] = {"constraint": column == "constraint"}
            if takes_calculation:
                options["calculation"] = column == "calculation"
            try:
                check_references(names, known, **options)
            except ExpressionError as problem:
                if problem.unsupported:
                    refused[column] += 1
                    messages[_generic(str(problem.message))] += 1
                    for function in set(_CALLED.findall(text)) - _NOT_FUNCTIONS:
                        functions[(function, column)] += 1
    lines = [f"expression cells: {dict(cells)}; refused as unsupported: {dict(refused)}"]
    lines += [f"  {n:4d}  {f}() in {column}" for (f, column), n in functions.most_common()]
    lines += [f"  {n:4d}  {text}" for text, n in messages.most_common()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("list", type=Path, help="docs/xlsform-corpus.txt")
    parser.add_argument("directory", type=Path, help="where the forms' files are")
    parser.add_argument("--collect", type=Path, metavar="CLONES", help="write the files first")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per form")
    parser.add_argument("--top", type=int, default=12, help="how many common errors to list")
    parser.add_argument("--verbose", action="store_true", help="one line per form")
    parser.add_argument(
        "--expressions", action="store_true", help="count the expressions refused as unsupported"
    )
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="the checkout whose reader runs (default: this)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    import exports.xlsform  # noqa: F401  (once here: each form's child process forks with it)
    import survey.questionnaire.rules  # noqa: F401

    forms = read_list(args.list)
    if args.collect:
        collect(forms, args.collect, args.directory)
    tally = Tally()
    started = time.perf_counter()
    for form in forms:
        outcome = examine(args.directory / form.file_name, args.timeout)
        tally.add(form.file_name, outcome)
        if args.verbose:
            print(
                f"{outcome.as_is:>9} {outcome.skipping:>9} {form.file_name}: "
                f"{outcome.first_error or outcome.first_error_skipping}"
            )
    print(tally.report(args.top))
    if args.expressions:
        print(unsupported_expressions([args.directory / form.file_name for form in forms]))
    print(f"seconds: {time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
