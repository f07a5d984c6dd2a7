"""The command-line contract."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.models import Answer, Question, Questionnaire, Response, ResponseStatus, User


def test_users_create_with_password_from_stdin(runner, db):
    result = runner.invoke(
        args=["users", "create", "Lead@Example.org", "--role", "investigator", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role) == ("lead@example.org", "investigator")


def test_users_create_prompts_for_the_password(runner, db):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role)) == "admin"


def test_users_create_refuses_bad_input(runner, db):
    short = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    role = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "owner", "--password-stdin"],
        input="a long enough password\n",
    )
    assert role.exit_code == 2 and "owner" in role.output
    runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    again = runner.invoke(
        args=["users", "create", "A@example.org", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert again.exit_code == 1 and "There is already an account for" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_setup_is_idempotent_and_prints_the_first_admin_once(runner, db, app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output and "password:" in first.output
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0 and "password" not in second.output
    # The study's questionnaire (the fixture loaded it) and the follow-up wave's, loaded by setup.
    slugs = db.session.scalars(select(Questionnaire.slug).order_by(Questionnaire.slug)).all()
    assert slugs == ["milk", "milk-follow-up"]
    assert "Loaded the follow-up questionnaire." in first.output
    assert "Loaded the follow-up" not in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_demo_data_is_realistic_and_repeatable(runner, db):
    result = runner.invoke(args=["demo-data", "--responses", "300", "--seed", "7"])
    assert result.exit_code == 0 and "Added 300" in result.output
    statuses = dict(
        db.session.execute(select(Response.status, func.count()).group_by(Response.status)).all()
    )
    assert statuses[ResponseStatus.COMPLETE] + statuses[ResponseStatus.IN_PROGRESS] == 300
    assert 20 <= statuses[ResponseStatus.IN_PROGRESS] <= 80  # about 15% partial

    def answered(name: str) -> int:
        return db.session.scalar(
            select(func.count()).select_from(Answer).join(Question).where(Question.name == name)
        )

    # Branches follow the show-if rules: weeks only for the pregnant, pain only if tried.
    pregnant = db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Question)
        .where(Question.name == "pregnant", Answer.value_text == "yes")
    )
    assert 0 < answered("pregnancy_weeks") == pregnant
    tried = db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Question)
        .where(Question.name == "tried_with_toolkit", Answer.value_text == "yes")
    )
    assert 0 < answered("pain_during") == tried
    assert 0 < answered("comment_liked") < answered("consent")

    ids = sorted(db.session.scalars(select(Response.id)))
    db.session.execute(Answer.__table__.delete())
    db.session.execute(Response.__table__.delete())
    db.session.commit()
    runner.invoke(args=["demo-data", "--responses", "300", "--seed", "7"])
    assert sorted(db.session.scalars(select(Response.id))) == ids


def test_demo_data_refuses_nonsense(runner):
    assert runner.invoke(args=["demo-data", "--responses", "0"]).exit_code == 2
    assert runner.invoke(args=["demo-data", "--responses", "many"]).exit_code == 2
