"""Flask-Migrate (Alembic) for `flask db ...` and the migration tests, set up only where they
run: importing Alembic takes about half a second, which every other command (an export from
the command line among them) and every web worker would pay at start-up for nothing."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import ScriptInfo

from survey.database import render_migration_item
from survey.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), os.pardir, "migrations")


def init_migrations(app: Flask) -> None:
    """Bind Flask-Migrate to the app (what its `upgrade()` and `downgrade()` need)."""
    from flask_migrate import Migrate

    Migrate(
        app,
        db,
        directory=MIGRATIONS,
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )


class MigrationCommands(click.Group):
    """Flask-Migrate's own commands under `flask db`, looked up when one is asked for."""

    @staticmethod
    def migrate_group(ctx: click.Context) -> click.Group:
        from flask_migrate.cli import db as commands  # type: ignore[import-not-found]

        app = ctx.ensure_object(ScriptInfo).load_app()
        if "migrate" not in app.extensions:
            init_migrations(app)
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.migrate_group(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.migrate_group(ctx).get_command(ctx, cmd_name)


# The same options as Flask-Migrate's `db` group, handed to its own callback (which keeps them
# for its commands).
@click.group("db", cls=MigrationCommands)
@click.option("-d", "--directory", default=None, help="Migration script directory")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments for env.py")
@click.pass_context
def migration_commands(ctx: click.Context, directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Database migrations (Flask-Migrate, Alembic)."""
    ctx.invoke(MigrationCommands.migrate_group(ctx), directory=directory, x_arg=x_arg)
