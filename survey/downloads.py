"""Files that staff download: study data, so saved as attachments and never cached."""

from __future__ import annotations

import io

from flask import Response, send_file

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
