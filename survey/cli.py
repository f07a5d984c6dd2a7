"""Command-line interface (a stable contract: tests and docs use it)."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from exports.filters import STATUSES, ExportFilters
from exports.report import ExportError, grouping_choices
from exports.rows import ExportOptions
from exports.xlsform import XLSFormError
from survey import audit
from survey.auth.services import UserError, create_user
from survey.codes import new_password
from survey.config import LANGUAGES, read_or_create_follow_up_key, read_or_create_secret_key
from survey.database import backup_sqlite
from survey.demo import generate_responses
from survey.editor import versions
from survey.editor.spreadsheet import import_spreadsheet, read_spreadsheet, spreadsheet_of
from survey.exporting import run_export
from survey.extensions import db
from survey.models import Questionnaire, Role, User
from survey.participate.services import current_version
from survey.questionnaire.loader import load_default_questionnaire, load_follow_up_questionnaire
from survey.questionnaire.rules import DraftRefused
from survey.questionnaire.study import NoQuestionnaire, study_questionnaire
from survey.queue import huey

users = AppGroup("users", help="Manage staff accounts.")
FIRST_ADMIN_EMAIL = "admin@example.org"
# `flask export OUT.sav|OUT.dta|OUT.R`: the extension picks a file for a statistics package.
STATISTICS_EXTENSIONS = {".sav": "sav", ".dta": "dta", ".r": "r"}


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; the password is prompted for unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_user(db.session, email, password, role)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {role} {email.strip().lower()}.")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """First run: keep a secret key and the follow-up's key, load the questionnaires (the
    study's and the follow-up's), create the first admin. Safe to run again: it changes nothing
    that exists."""
    read_or_create_secret_key(current_app.instance_path)
    read_or_create_follow_up_key(current_app.instance_path)
    if load_default_questionnaire(db.session):
        click.echo("Loaded the default questionnaire.")
    if load_follow_up_questionnaire(db.session, current_app.config["FOLLOW_UP_SLUG"]):
        click.echo("Loaded the follow-up questionnaire.")
    if db.session.scalar(select(func.count()).select_from(User)) == 0:
        password = new_password()
        create_user(db.session, FIRST_ADMIN_EMAIL, password, Role.ADMIN)
        click.echo("")
        click.echo("First admin account (shown once, write it down):")
        click.echo(f"  email:    {FIRST_ADMIN_EMAIL}")
        click.echo(f"  password: {password}")
        click.echo("")
    db.session.commit()


@click.command("demo-data")
@with_appcontext
@click.option("--responses", "count", type=click.IntRange(min=1), required=True)
@click.option("--seed", type=int, default=None, help="Same seed, same responses.")
def demo_data_command(count: int, seed: int | None) -> None:
    """Add realistic synthetic responses to the current questionnaire version."""
    version = current_version(db.session, current_app.config["QUESTIONNAIRE_SLUG"])
    if version is None:
        raise click.ClickException("no published questionnaire: run `flask --app survey setup`")
    made = generate_responses(
        db.session, version, count, seed=seed, secret=current_app.config["SECRET_KEY"]
    )
    db.session.commit()
    click.echo(f"Added {made} synthetic responses.")


@click.command("export")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--csv", "as_csv", is_flag=True, help="Only the Responses table, as CSV (UTF-8).")
@click.option("--deidentified", is_flag=True, help="Drop identifiers; hash the response ids.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Started on or after (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Started on or before (UTC).")
@click.option("--status", type=click.Choice(STATUSES), default="all", show_default=True)
@click.option("--version", "versions", type=int, multiple=True, help="Questionnaire version(s).")
@click.option("--language", type=click.Choice(LANGUAGES))
@click.option("--labels", is_flag=True, help="Choice labels instead of codes.")
@click.option(
    "--label-language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the variable and value labels in .sav, .dta and .R files.",
)
@click.option("--by", "by", metavar="VAR", help="Also give the outcomes per group of VAR.")
@click.option("--include-excluded", is_flag=True, help="Keep the responses staff excluded.")
def export_command(
    out: str,
    as_csv: bool,
    deidentified: bool,
    since,
    until,
    status: str,
    versions: tuple[int, ...],
    language: str | None,
    labels: bool,
    label_language: str,
    by: str | None,
    include_excluded: bool,
) -> None:
    """Export the matching responses: the evaluation report (.xlsx), or the CSV with --csv.
    OUT's extension picks a file for a statistics package instead: .sav (SPSS), .dta (Stata),
    or .R (an R script, with OUT's name in .csv beside it for its data)."""
    statistics = STATISTICS_EXTENSIONS.get(os.path.splitext(out)[1].lower())
    if statistics and as_csv:
        raise click.UsageError(f"--csv makes a CSV: {out} names a .{statistics} file")
    try:
        filters = ExportFilters(
            since=since.date() if since else None,
            until=until.date() if until else None,
            status=status,
            versions=versions,
            language=language,
            include_excluded=include_excluded,
        )
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    if by is not None:
        if as_csv or statistics:
            raise click.BadParameter(
                "subgroups are given on the report's Outcomes sheet; a CSV or a file for a "
                "statistics package has none",
                param_hint="--by",
            )
        _check_grouping(by, filters)
    options = ExportOptions(deidentified=deidentified, labels=labels, by=by)
    with click.progressbar(length=1, label="Exporting responses", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            info = run_export(
                db.session,
                out,
                as_csv=as_csv,
                filters=filters,
                options=options,
                generated_by="command line",
                progress=progress,
                slug=current_app.config["QUESTIONNAIRE_SLUG"],
                follow_up_slug=current_app.config["FOLLOW_UP_SLUG"],
                statistics=statistics,
                label_language=label_language,
            )
        except ExportError as error:
            raise click.ClickException(str(error)) from error
    db.session.commit()
    if statistics == "r":
        out = f"{out} and {os.path.splitext(out)[0]}.csv"
    click.echo(f"Wrote {info.rows} responses to {out} (SHA-256 {info.sha256}).")


def _check_grouping(by: str, filters: ExportFilters) -> None:
    """An unknown or unsuitable --by is a usage error, named with the variables that would do."""
    try:
        choices = grouping_choices(
            db.session, slug=current_app.config["QUESTIONNAIRE_SLUG"], filters=filters
        )
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.session.rollback()
    names = [name for name, _label in choices]
    if by not in names:
        raise click.BadParameter(
            f"{by!r} cannot form subgroups; choose one of: {', '.join(names)}", param_hint="--by"
        )


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def backup_command(out: str) -> None:
    """Copy the SQLite database to OUT consistently, while the app keeps running."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException("for PostgreSQL use pg_dump (see docs/deploy.md)")
    try:
        pages = backup_sqlite(engine, out)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {pages} pages to {out}; integrity check: ok.")


questionnaire_group = AppGroup("questionnaire", help="The questionnaire as a spreadsheet.")


def _study_questionnaire() -> Questionnaire:
    try:
        return study_questionnaire(db.session, current_app.config["QUESTIONNAIRE_SLUG"])
    except NoQuestionnaire as error:
        raise click.ClickException(
            "no questionnaire yet: run `flask --app survey setup`"
        ) from error


@questionnaire_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--version",
    "number",
    type=int,
    help="A version number (default: the draft, if there is one, else the published version).",
)
def questionnaire_export_command(out: str, number: int | None) -> None:
    """Write the questionnaire as an XLSForm-style workbook."""
    questionnaire = _study_questionnaire()
    if number is None:
        version = versions.draft_of(questionnaire) or versions.published(questionnaire)
    else:
        version = next((v for v in questionnaire.versions if v.number == number), None)
    if version is None:
        raise click.ClickException(f"there is no version {number}")
    with open(out, "wb") as file:
        file.write(spreadsheet_of(version))
    audit.record(
        db.session,
        "questionnaire.spreadsheet_download",
        None,
        target=questionnaire.slug,
        version=version.number,
        via="command line",
    )
    db.session.commit()
    click.echo(f"Wrote version {version.number} ({version.status}) to {out}.")


@questionnaire_group.command("import")
@click.argument("source", type=click.File("rb"))
@click.option("--publish", is_flag=True, help="Publish the draft at once (after the same checks).")
@click.option(
    "--skip-unsupported",
    is_flag=True,
    help="Drop what cannot be asked here (other types, repeats...) with a note for each.",
)
def questionnaire_import_command(source, publish: bool, skip_unsupported: bool) -> None:
    """Make a workbook the questionnaire's draft; refused whole, with every problem listed."""
    try:
        # Before any transaction: no lock while reading.
        imported = read_spreadsheet(source, skip_unsupported, file_name=source.name)
        questionnaire = _study_questionnaire()
        draft, notices = import_spreadsheet(db.session, questionnaire, imported, None)
        if publish:
            versions.publish(db.session, questionnaire, None)
    except (XLSFormError, DraftRefused) as refused:
        db.session.rollback()
        problems = refused.errors if isinstance(refused, XLSFormError) else refused.problems
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s): nothing was imported") from None
    db.session.commit()
    for notice in notices:
        click.echo(f"note: {notice}")
    state = "published" if publish else "saved as the draft"
    click.echo(f"Imported {len(draft.questions)} questions: version {draft.number} {state}.")


@click.command("queue")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "--nice",
    type=click.IntRange(min=0, max=19),
    default=10,
    show_default=True,
    help="Lower the consumer's CPU priority by this much (0: as the web server's).",
)
def queue_command(workers: int, nice: int) -> None:
    """Run the task queue's consumer: export jobs and the periodic clean-up. Run one or more
    beside the web server (scripts/run does); Ctrl+C or SIGTERM stops it after its tasks.
    The tasks are registered by importing survey.dashboard.tasks and survey.follow_up.tasks,
    which the app does (the follow-up's emails are sent by a periodic task).

    Where it shares a machine with the web server, a report yields the CPU to participants'
    pages: it takes longer while they are busy, and their pages slow down less
    (benchmarks/load.py, docs/benchmarks.md)."""
    if huey.immediate:
        raise click.ClickException("the queue runs tasks at once here (QUEUE_IMMEDIATE)")
    os.nice(nice)
    # An idle consumer looks for work at least every second (Huey's default waits up to 10 s
    # on SQLite storage; Redis wakes it at once).
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, max_delay=1.0
    )
    consumer.run()


def register_commands(app: Flask) -> None:
    app.cli.add_command(queue_command)
    app.cli.add_command(users)
    app.cli.add_command(questionnaire_group)
    app.cli.add_command(setup_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(export_command)
    app.cli.add_command(backup_command)
