"""Public toolkit pages; anyone can read them, in or out of the survey."""

from flask import Blueprint, abort, render_template, url_for

from survey.toolkit.content import SECTIONS, find_section

bp = Blueprint("toolkit", __name__, url_prefix="/toolkit")


@bp.route("/")
def index():
    return render_template("toolkit/index.html", sections=SECTIONS)


@bp.route("/print")
def print_view():
    address = url_for("toolkit.index", _external=True)
    return render_template("toolkit/print.html", sections=SECTIONS, address=address)


@bp.route("/<key>")
def section(key: str):
    found = find_section(key)
    if found is None:
        abort(404)
    at = SECTIONS.index(found)
    return render_template(
        "toolkit/section.html",
        section=found,
        sections=SECTIONS,
        previous=SECTIONS[at - 1] if at > 0 else None,
        following=SECTIONS[at + 1] if at + 1 < len(SECTIONS) else None,
    )
