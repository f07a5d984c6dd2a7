"""The audit log for admins: a filtered, paged list and a CSV download. Neither changes an
event; the download adds one (who took a copy of the log, and which part)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from forms.users import AuditDownloadForm, AuditFilterForm
from survey import audit
from survey.admin.blueprint import bp
from survey.auth.services import ADMIN, role_required
from survey.downloads import CSV, attachment
from survey.extensions import db
from survey.models import utcnow

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # far past any real log; a larger ?page= would overflow the SQL OFFSET


def _render(form: AuditFilterForm, download: AuditDownloadForm, events, status: int):
    return render_template(
        "admin/audit.html",
        form=form,
        download=download,
        events=events,
        details_text=audit.details_text,
    ), status


@bp.route("/audit", methods=["GET"])
@role_required(*ADMIN)
def audit_log():
    actions = audit.actions(db.session)
    form = AuditFilterForm(request.args, meta={"csrf": False}, actions=actions)
    download = AuditDownloadForm(request.args, actions=actions)
    if not form.validate():
        return _render(form, download, None, 400)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    events = db.paginate(
        audit.select_events(form.filters()), page=page, per_page=PAGE_SIZE, error_out=False
    )
    return _render(form, download, events, 200)


@bp.route("/audit.csv", methods=["POST"])
@role_required(*ADMIN)
def audit_download():
    """A POST with the page's filters: taking a copy is itself recorded, and GET changes nothing."""
    actions = audit.actions(db.session)
    download = AuditDownloadForm(actions=actions)
    if not download.validate_on_submit():
        form = AuditFilterForm(request.form, meta={"csrf": False}, actions=actions)
        form.validate()
        return _render(form, download, None, 400)
    filters = download.filters()
    body, rows = audit.events_csv(db.session.scalars(audit.select_events(filters)))
    audit.record(
        db.session,
        "audit.download",
        current_user,
        ip=request.remote_addr,
        rows=rows,
        filters=filters.as_details(),
    )
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return attachment(body, f"audit-log-{stamp}.csv", CSV)
