"""The workbook's small sheets: Codebook, Summary, Charts and About."""

from __future__ import annotations

from collections.abc import Sequence

from exports import follow_up
from exports.filters import ExportFilters
from exports.info import ExportInfo
from exports.outcome_rows import OUTCOMES_HEADER, methods, sheet_rows
from exports.rows import ExportOptions, ResponseTable
from exports.statcolumns import codebook_notes
from exports.stats import Summary, chart_blocks
from exports.subgroups import OutcomeReport
from exports.variables import Variable
from exports.workbook import WorkbookWriter
from survey.models import EXCLUSION_REASONS, QuestionnaireVersion
from survey.questionnaire.types import SPECS

FIXED_DESCRIPTIONS = {
    "response_id": "Response identifier (a salted hash in de-identified exports)",
    "version": "Questionnaire version the response was answered on",
    "language": "Language of the last page saved (en, fr)",
    "status": "complete, or partial (stopped before the end)",
    "started_at_utc": "When consent was given and the response began (UTC)",
    "submitted_at_utc": "When the last page was sent (UTC); empty if partial",
    "minutes_taken": "submitted_at_utc - started_at_utc, in minutes (one decimal)",
    "consent_version": "Version of the consent text agreed to",
    "consented_at_utc": "When consent was given (UTC)",
    "study_information": (
        "Revision of the study information shown with the consent text (empty: the response "
        "began before the study information was kept)"
    ),
}
CHARTS_NOTE = "Each chart draws the table beside it (n, or % of those who answered)"
TYPE_NAMES = {spec.type: spec.codebook for spec in SPECS.values()}


def write_codebook(
    writer: WorkbookWriter,
    table: ResponseTable,
    versions: list[QuestionnaireVersion],
    consent: dict[str, str] | None = None,
) -> None:
    """`consent`: the texts behind the consent_version and study_information columns."""
    consent = consent or {}
    writer.header(
        "Codebook",
        [
            "column",
            "question (English)",
            "question (French)",
            "type",
            "choices (code = label)",
            "required",
            "shown if",
            "versions",
            "wording changes",
            "scoring rule / notes",
            "in .sav, .dta and R",
        ],
    )
    notes = codebook_notes(table, versions)

    def append(row: list[object]) -> None:
        writer.append("Codebook", [*row, notes.get(str(row[0]), "")])

    for name, description in FIXED_DESCRIPTIONS.items():
        append([name, description, "", "", "", "", "", "", "", consent.get(name, "")])
    for variable in table.variables:
        if not variable.follow_up:
            for column in variable.columns:
                append(_codebook_row(variable, column))
    scores = {s.name: s for v in versions for s in v.scores}
    for name in table.score_names:
        score = scores[name]
        holders = ", ".join(
            str(v.number) for v in versions if any(s.name == name for s in v.scores)
        )
        append(
            [
                name,
                score.label_en,
                score.label_fr or "",
                "score",
                "",
                "",
                "",
                holders,
                "",
                score.rule_en,
            ],
        )
    derived = [
        row
        for key in table.toolkit_sections
        for row in (
            (
                f"toolkit_{key}_opened",
                f"Times the toolkit section '{key}' was opened in the survey",
                "0 if never opened",
            ),
            (
                f"toolkit_{key}_seconds",
                f"Seconds spent on the toolkit section '{key}' (each visit capped at 30 minutes)",
                "",
            ),
        )
    ] + [
        ("toolkit_sections_opened", "Number of toolkit sections opened", ""),
        ("toolkit_seconds", "Seconds spent in the toolkit, all sections", ""),
        (
            "toolkit_prompt_shown",
            "1 if the participant pressed Next on the toolkit page without opening any section "
            "and was asked once whether to read it first; 0 otherwise",
            "",
        ),
    ]
    for column, description, note in derived:
        append([column, description, "", "integer", "", "", "", "", "", note])
    if table.follow_up:
        for name, description in follow_up.FIXED_DESCRIPTIONS.items():
            append([name, description, "", "", "", "", "", "", "", ""])
        for variable in table.variables:
            if variable.follow_up:
                for column in variable.columns:
                    append(_codebook_row(variable, column))
    writer.autofilter("Codebook")


def _codebook_row(variable: Variable, column: str) -> list[object]:
    if variable.is_multiple:
        code = column.split("__", 1)[1]
        choices = f"1 = ticked '{variable.label(code)}', 0 = not ticked, empty = not answered"
    else:
        choices = "; ".join(f"{c.code} = {c.label_en}" for c in variable.choices)
    wording = ""
    if len(set(variable.wording.values())) > 1:
        wording = "; ".join(f"v{n}: {text}" for n, text in sorted(variable.wording.items()))
    notes = ["identifier (dropped when de-identified)"] if variable.identifier else []
    low, high = variable.min_value, variable.max_value
    if low is not None and high is not None:
        notes.insert(0, f"range {low:g} to {high:g}")
    elif low is not None:
        notes.insert(0, f"at least {low:g}")
    elif high is not None:
        notes.insert(0, f"at most {high:g}")
    if variable.accept_if:
        notes.insert(0, f"accepted when {variable.accept_if}")
    if variable.default is not None:
        notes.insert(0, f"prefilled with {variable.default}")
    if variable.calculation:
        notes.insert(0, f"computed on the server as {variable.calculation}")
    return [
        column,
        variable.label_en,
        variable.label_fr or "",
        TYPE_NAMES[variable.spec.type],
        choices,
        "yes" if variable.required else "no",
        variable.show_if or "",
        ("follow-up " if variable.follow_up else "") + ", ".join(map(str, variable.versions)),
        wording,
        "; ".join(notes),
    ]


SUMMARY_HEADER = [
    "variable",
    "question / choice",
    "type",
    "denominator (shown)",
    "answered",
    "missing",
    "code",
    "n",
    "% of answered",
    "top-2 box n",
    "top-2 box %",
    "mean",
    "SD",
    "median",
    "Q1",
    "Q3",
    "min",
    "max",
    "note",
]


def write_summary(writer: WorkbookWriter, summaries: list[Summary]) -> None:
    writer.header("Summary", SUMMARY_HEADER)
    for s in summaries:
        numbers = s.numbers
        stats = (
            [
                numbers.mean,
                numbers.sd,
                numbers.median,
                numbers.q1,
                numbers.q3,
                numbers.minimum,
                numbers.maximum,
            ]
            if numbers
            else [None] * 5 + [s.earliest, s.latest]
        )
        note = "multiple choice: percentages may sum past 100%" if s.may_exceed_100 else ""
        if s.kind == "text":
            note = "open text: see the Comments sheet"
        elif s.kind == "date":
            note = "the earliest answer in min, the latest in max"
        writer.append(
            "Summary",
            [
                s.name,
                s.label,
                s.kind,
                s.denominator,
                s.answered,
                s.missing,
                None,
                None,
                None,
                s.top2_n,
                s.top2_percent,
                *stats,
                note,
            ],
            bold=True,
        )
        for choice in s.choices:
            writer.append(
                "Summary",
                [
                    s.name,
                    choice.label,
                    "",
                    None,
                    None,
                    None,
                    choice.code,
                    choice.n,
                    choice.percent,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "",
                ],
            )


def write_outcomes(writer: WorkbookWriter, report: OutcomeReport, scipy_version: str) -> None:
    """The study's three outcomes (exports/outcomes.py); their methods go on the About sheet."""
    writer.header("Outcomes", OUTCOMES_HEADER, [11, 22, 60, 10, 7, 7, 7, 9, 9, 9, 20, 9, 9, 60])
    for row in sheet_rows(report):
        writer.append("Outcomes", row)
    writer.autofilter("Outcomes")
    for name, text in methods(scipy_version):
        writer.append("About", [name, text])


def write_charts(
    writer: WorkbookWriter, summaries: list[Summary], variables: list[Variable]
) -> None:
    """Stacked bars for each block of Likert items sharing a scale and a page, bars for choices,
    a histogram for 0-10 ratings. Charts are titled by the question (a block by its page) and
    their categories are the questions' and choices' words; the table beside each keeps the
    variable names."""
    writer.header("Charts", [CHARTS_NOTE])
    ratings = {v.name for v in variables if v.spec.histogram}
    for kind, block in chart_blocks(summaries):
        s = block[0]
        if kind == "likert":
            title = s.page if len(block) > 1 and s.page else s.label
            series = [
                (
                    c.label,
                    [next(x.percent or 0 for x in i.choices if x.code == c.code) for i in block],
                )
                for c in s.choices
            ]
            writer.chart_table(
                title, [i.label for i in block], series, "likert", corner="% of answered"
            )
        elif kind in ("choice", "multiple"):
            writer.chart_table(
                s.label,
                [c.label for c in s.choices],
                [("n", [c.n for c in s.choices])],
                "choice",
                corner=s.name,
            )
        elif s.name in ratings:
            writer.chart_table(
                s.label,
                [c.code for c in s.choices],
                [("n", [c.n for c in s.choices])],
                "histogram",
                corner=s.name,
            )


ABOUT_LABELS = 75.0  # the About sheet's longest label, on one line


def _exclusion_rows(info: ExportInfo) -> list[tuple[str, int]]:
    """One row per exclusion reason (every reason, 0 when none), saying if they are in the rows."""
    where = "in the rows" if info.filters.get("include_excluded") else "left out of the rows"
    return [
        (f"Excluded by staff ({where}): {reason}", info.excluded.get(reason, 0))
        for reason in EXCLUSION_REASONS
    ]


def write_about(
    writer: WorkbookWriter,
    info: ExportInfo,
    options: ExportOptions,
    generated_by: str,
    software: str,
    consent: Sequence[tuple[str, str]] = (),
) -> None:
    """`consent`: (item, text) rows with what the exported responses agreed to."""
    counts = info.counts
    rows = [
        ("Report", "M.I.L.K hand expression toolkit evaluation"),
        ("Generated at (UTC)", info.generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Generated by", generated_by or "command line"),
        ("Filters", ExportFilters.from_description(info.filters).in_words()),
        ("Questionnaire versions", ", ".join(map(str, info.versions))),
        ("Responses (rows)", info.rows),
        ("Complete", info.complete),
        ("Partial", info.rows - info.complete),
        *_exclusion_rows(info),
        (
            "Withdrawn at the participant's request (answers deleted, not in the rows)",
            info.withdrawn,
        ),
        (
            "De-identified",
            "yes: identifier questions dropped, response ids salted hashes"
            if options.deidentified
            else "no",
        ),
        ("Values", "choice labels" if options.labels else "choice codes"),
        ("Software version", software),
        ("SHA-256 of the Responses data", info.sha256),
        (
            "How the SHA-256 is computed",
            "each Responses row (without the header) as its values "
            "in text (dates ISO 8601, empty for missing) joined by tabs, one line per row, UTF-8",
        ),
        ("Characters replaced (not allowed in Excel files)", counts.replaced_characters),
        (
            "Cells too long for Excel (shortened with a note; full text on Comments)",
            counts.truncated_cells,
        ),
        ("Text cells that look like formulas, kept as text", counts.text_kept_as_text),
        (
            "Statistics",
            "denominator = responses shown the question; % of those who answered, "
            "one decimal; quartiles by linear interpolation (as Excel QUARTILE.INC); SD with n - 1",
        ),
    ]
    rows.extend(consent)
    writer.header("About", ["item", "value"], [ABOUT_LABELS, 100.0])
    for name, value in rows:
        writer.append("About", [name, value])
