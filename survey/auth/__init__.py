"""Staff accounts: login, logout, roles."""

from survey.auth.services import init_login, role_required
from survey.auth.views import bp

__all__ = ["bp", "init_login", "role_required"]
