"""Staff pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.auth import LogoutForm
from survey.auth.services import STAFF, role_required
from survey.extensions import db
from survey.models import Response

bp = Blueprint("staff", __name__, url_prefix="/staff")
MAX_PAGE = 1_000_000  # far past any real list; a larger ?page= would overflow the SQL OFFSET


@bp.route("/")
@role_required(*STAFF)
def home():
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    query = (
        select(Response)
        .options(joinedload(Response.version))
        .order_by(Response.started_at.desc(), Response.id)
    )
    responses = db.paginate(
        query, page=page, per_page=current_app.config["STAFF_PAGE_SIZE"], error_out=False
    )
    return render_template("staff/home.html", responses=responses, logout_form=LogoutForm())
