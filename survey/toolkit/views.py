"""Public toolkit pages; anyone can read them, in or out of the survey."""

from flask import Blueprint, abort, render_template

from survey.toolkit.content import SECTIONS, find_section

bp = Blueprint("toolkit", __name__, url_prefix="/toolkit")


@bp.route("/")
def index():
    return render_template("toolkit/index.html", sections=SECTIONS)


@bp.route("/print")
def print_view():
    return render_template("toolkit/print.html", sections=SECTIONS)


@bp.route("/<key>")
def section(key: str):
    found = find_section(key)
    if found is None:
        abort(404)
    return render_template("toolkit/section.html", section=found, sections=SECTIONS)
