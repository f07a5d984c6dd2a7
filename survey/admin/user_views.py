"""Admin pages for staff accounts: the list, a new account, and one account's role, state and
password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf import FlaskForm

from forms.fields import filled
from forms.users import ROLE_NAMES, ActiveForm, NewUserForm, PasswordResetForm, RoleForm
from survey.admin import users
from survey.admin.blueprint import bp
from survey.auth import services as auth
from survey.auth.services import ADMIN, UserError, role_required
from survey.extensions import db
from survey.models import User

MAX_ID = 2**31 - 1  # an integer column's limit on PostgreSQL; a larger id is simply not found


def _user_or_404(user_id: int) -> User:
    if user_id > MAX_ID:
        abort(404)
    return db.get_or_404(User, user_id)


def _refused(form: FlaskForm, error: UserError, field_name: str | None = None) -> None:
    """Roll back, and put the message next to its field (or above the form's button)."""
    db.session.rollback()
    field = getattr(form, error.field or field_name or "", None)
    (field.errors if field is not None else form.form_errors).append(str(error))


def _list_page(form: NewUserForm, status: int = 200):
    return render_template(
        "admin/users.html", users=users.list_users(db.session), form=form
    ), status


@bp.route("/users", methods=["GET"])
@role_required(*ADMIN)
def users_page():
    return _list_page(NewUserForm())


@bp.route("/users", methods=["POST"])
@role_required(*ADMIN)
def create_user():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        user = auth.create_user(
            db.session,
            filled(form.email.data),
            filled(form.password.data),
            form.role.data,
            by=current_user,
            ip=request.remote_addr,
        )
    except UserError as error:
        _refused(form, error)
        return _list_page(form, 400)
    db.session.commit()
    flash(_("Account created for %(email)s.", email=user.email), "info")
    return redirect(url_for(".users_page"))


def _user_page(
    user: User,
    role_form: RoleForm | None = None,
    active_form: ActiveForm | None = None,
    password_form: PasswordResetForm | None = None,
    status: int = 200,
    new_password: str | None = None,
):
    page = render_template(
        "admin/users_edit.html",
        user=user,
        role_form=role_form or RoleForm(data={"role": user.role}),
        active_form=active_form or ActiveForm(),
        password_form=password_form or PasswordResetForm(),
        new_password=new_password,
        is_self=user.id == current_user.id,
    )
    return page, status, {"Cache-Control": "no-store"} if new_password else {}


@bp.route("/users/<int:user_id>", methods=["GET"])
@role_required(*ADMIN)
def user_page(user_id: int):
    return _user_page(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(*ADMIN)
def change_user_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, role_form=form, status=400)
    try:
        changed = users.change_role(
            db.session, current_user, user, form.role.data, ip=request.remote_addr
        )
    except UserError as error:
        _refused(form, error, "role")
        form.role.data = user.role
        return _user_page(user, role_form=form, status=400)
    db.session.commit()
    if not changed:
        flash(_("Nothing changed: %(email)s already has that role.", email=user.email), "info")
    else:
        role = ROLE_NAMES[user.role]
        flash(_("%(email)s is now: %(role)s.", email=user.email, role=role), "info")
        if user.id == current_user.id and not user.is_admin:
            return redirect(url_for("staff.home"))  # no longer allowed on admin pages
    return redirect(url_for(".user_page", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required(*ADMIN)
def deactivate_user(user_id: int):
    user = _user_or_404(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        return _user_page(user, active_form=form, status=400)
    try:
        changed = users.deactivate(db.session, current_user, user, ip=request.remote_addr)
    except UserError as error:
        _refused(form, error)
        return _user_page(user, active_form=form, status=400)
    db.session.commit()
    if changed:
        flash(_("%(email)s is deactivated and logged out everywhere.", email=user.email), "info")
    if user.id == current_user.id:
        return redirect(url_for("auth.login"))  # this session has just ended too
    return redirect(url_for(".user_page", user_id=user.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required(*ADMIN)
def reactivate_user(user_id: int):
    user = _user_or_404(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        return _user_page(user, active_form=form, status=400)
    if users.reactivate(db.session, current_user, user, ip=request.remote_addr):
        db.session.commit()
        flash(_("%(email)s can log in again.", email=user.email), "info")
    return redirect(url_for(".user_page", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required(*ADMIN)
def reset_user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _user_page(user, password_form=form, status=400)
    try:
        password = users.reset_password(
            db.session, current_user, user, form.password.data or None, ip=request.remote_addr
        )
    except UserError as error:
        _refused(form, error)
        return _user_page(user, password_form=form, status=400)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # keep this session: it carries the new session token
    if form.password.data:
        flash(_("Password changed. %(email)s is logged out everywhere.", email=user.email), "info")
        return redirect(url_for(".user_page", user_id=user.id))
    # A made-up password is shown on this response only (not stored, not cached).
    return _user_page(user, password_form=PasswordResetForm(formdata=None), new_password=password)
