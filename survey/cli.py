"""Command-line interface (a stable contract: tests and docs use it)."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from survey.auth.services import UserError, create_user
from survey.config import read_or_create_secret_key
from survey.demo import generate_responses
from survey.extensions import db
from survey.models import Role, User
from survey.participate.services import current_version
from survey.questionnaire.loader import load_default_questionnaire

users = AppGroup("users", help="Manage staff accounts.")
FIRST_ADMIN_EMAIL = "admin@example.org"


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
def setup_command() -> None:
    """First run: keep a secret key, load the default questionnaire, create the first admin.
    Safe to run again: it changes nothing that exists."""
    read_or_create_secret_key(current_app.instance_path)
    if load_default_questionnaire(db.session):
        click.echo("Loaded the default questionnaire.")
    if db.session.scalar(select(func.count()).select_from(User)) == 0:
        password = secrets.token_urlsafe(12)
        create_user(db.session, FIRST_ADMIN_EMAIL, password, Role.ADMIN)
        click.echo("")
        click.echo("First admin account (shown once, write it down):")
        click.echo(f"  email:    {FIRST_ADMIN_EMAIL}")
        click.echo(f"  password: {password}")
        click.echo("")
    db.session.commit()


@click.command("demo-data")
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


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(setup_command)
    app.cli.add_command(demo_data_command)
