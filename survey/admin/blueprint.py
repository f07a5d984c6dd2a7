"""The admin blueprint, on its own so each admin page module adds its routes without importing
another (views.py imports them all, so the blueprint has every route when it is registered)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")
