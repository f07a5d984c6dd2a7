"""Files that staff download: study data, so saved as attachments and never cached."""

from __future__ import annotations

import io

from flask import Response, send_file

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body: bytes, filename: str, mimetype: str) -> Response:
    response = send_file(
        io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response
