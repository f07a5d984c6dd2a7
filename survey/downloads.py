"""Files that staff download: study data, so saved as attachments and never cached."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file

from survey import audit
from survey.database import write_transactions
from survey.models import DbSession, User

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An export job's format -> the download's content type.
EXPORT_TYPES = {
    "xlsx": XLSX,
    "csv": CSV,
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "r": "application/zip",
}


def attachment(body: bytes, filename: str, mimetype: str) -> Response:
    response = send_file(
        io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def record_download(session: DbSession, action: str, user: User, **details: Any) -> None:
    """The audit event of a download. A download is a GET, whose transaction began as a read
    (survey/app.py); on SQLite a read cannot become a write once a participant has written
    since it began, so the reads end here and the event is written in a transaction of its
    own. Read everything the response needs first: the session's objects are expired after."""
    session.commit()
    with write_transactions():
        audit.record(session, action, user, **details)
        session.commit()
